// Helpers for tests that inspect rendered PDFs with poppler-utils (pdftotext, pdftoppm, pdfinfo).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0 && spawnSync('pdftoppm', ['-v']).status === 0;

function withFile<T>(bytes: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'ggzy-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, bytes);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** Text of each page, in reading order (pdftotext separates pages with form feeds). */
export function pdfPages(bytes: Uint8Array): string[] {
  return withFile(bytes, (file) => run('pdftotext', ['-enc', 'UTF-8', file, '-']).split('\f').slice(0, -1));
}

/** Whitespace-free text, so assertions do not depend on how pdftotext spaces runs of glyphs. */
export const squash = (text: string) => text.replace(/\s+/g, '');

export function pdfInfo(bytes: Uint8Array): Record<string, string> {
  return withFile(bytes, (file) =>
    Object.fromEntries(
      run('pdfinfo', ['-isodates', file])
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    ),
  );
}

export interface Raster {
  width: number;
  height: number;
  /** 8-bit grey levels, row by row; 255 is white. */
  pixels: Uint8Array;
}

/** Renders every page to greyscale at `dpi`; throws if poppler reports an error. */
export function rasterize(bytes: Uint8Array, dpi = 50): Raster[] {
  return withFile(bytes, (file, dir) => {
    const result = spawnSync('pdftoppm', ['-gray', '-r', String(dpi), file, path.join(dir, 'page')], { encoding: 'utf8' });
    if (result.status !== 0 || result.stderr.trim()) throw new Error(`pdftoppm: ${result.status} ${result.stderr}`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.pgm'))
      .sort()
      .map((f) => parsePgm(readFileSync(path.join(dir, f))));
  });
}

function parsePgm(data: Buffer): Raster {
  // P5 header: magic, width, height, maxval, each separated by whitespace, then one byte per pixel.
  const header: string[] = [];
  let pos = 0;
  while (header.length < 4) {
    while (/\s/.test(String.fromCharCode(data[pos]))) pos++;
    let token = '';
    while (!/\s/.test(String.fromCharCode(data[pos]))) token += String.fromCharCode(data[pos++]);
    header.push(token);
  }
  pos++;
  if (header[0] !== 'P5') throw new Error(`Not a binary PGM: ${header[0]}`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, pixels: new Uint8Array(data.subarray(pos, pos + width * height)) };
}

/** Fraction of pixels darker than mid-grey inside a box given in fractions of the page. */
export function inkCoverage(r: Raster, box = { x0: 0, y0: 0, x1: 1, y1: 1 }): number {
  let dark = 0;
  let all = 0;
  for (let y = Math.floor(box.y0 * r.height); y < Math.floor(box.y1 * r.height); y++) {
    for (let x = Math.floor(box.x0 * r.width); x < Math.floor(box.x1 * r.width); x++) {
      all++;
      if (r.pixels[y * r.width + x] < 128) dark++;
    }
  }
  return all ? dark / all : 0;
}

export interface WordBox {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Every word pdftotext finds, with its box in points from the top-left corner of its page. */
export function wordBoxes(bytes: Uint8Array): WordBox[] {
  return withFile(bytes, (file) => {
    const html = run('pdftotext', ['-enc', 'UTF-8', '-bbox', file, '-']);
    const words: WordBox[] = [];
    let page = 0;
    for (const line of html.split('\n')) {
      if (line.includes('<page ')) page++;
      const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
      if (m) words.push({ page, xMin: +m[1], yMin: +m[2], xMax: +m[3], yMax: +m[4], text: m[5] });
    }
    return words;
  });
}
