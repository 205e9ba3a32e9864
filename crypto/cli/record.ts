/**
 * `record verify --in PACKAGE [--ca CA.pem]... [--files DIR] [--json]`
 *   checks an evidence package (crypto/record.ts) offline: record signatures and every field
 *   against the signed manifest, audit entries and their inclusion in the signed tree head, time
 *   stamps, and the files (beside the JSON, or in --files DIR) by SHA-256 and per chunk.
 *   PACKAGE is the JSON file or a directory holding evidence.json. Exit 0 when everything holds;
 *   otherwise every problem is printed, naming what changed, and the status is 1.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { verifyEvidencePackage, type FileDigest } from '../record.js';
import { readAnchors } from './verify.js';
import { optionalString, parseArgs, print, readText, requireString, stringList } from './args.js';

const USAGE = 'usage: record verify --in PACKAGE(.json|dir) [--ca CA.pem]... [--files DIR] [--json]';

/** Whole-file and per-chunk SHA-256, streamed (recordings can be gigabytes). */
export async function hashFileStreaming(file: string, chunkSize?: number): Promise<FileDigest> {
  const whole = createHash('sha256');
  const chunks: string[] = [];
  let piece = createHash('sha256');
  let inPiece = 0;
  let size = 0;
  for await (const buf of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(buf);
    size += buf.length;
    if (!chunkSize) continue;
    let off = 0;
    while (off < buf.length) {
      const take = Math.min(chunkSize - inPiece, buf.length - off);
      piece.update(buf.subarray(off, off + take));
      inPiece += take;
      off += take;
      if (inPiece === chunkSize) {
        chunks.push(piece.digest('hex'));
        piece = createHash('sha256');
        inPiece = 0;
      }
    }
  }
  if (chunkSize && inPiece > 0) chunks.push(piece.digest('hex'));
  return { sha256: whole.digest('hex'), size, chunks };
}

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === 'help') return print(USAGE);
  if (sub !== 'verify') throw new Error(`unknown subcommand "${sub}" (${USAGE})`);
  const { values } = parseArgs(rest, { string: ['in', 'files'], multiple: ['ca'], boolean: ['json'], positionals: false });
  if (values.help) return print(USAGE);
  const input = requireString(values, 'in');
  const isDir = existsSync(input) && statSync(input).isDirectory();
  const jsonFile = isDir ? path.join(input, 'evidence.json') : input;
  const filesDir = optionalString(values, 'files') ?? path.dirname(jsonFile);
  let pkg: unknown;
  try {
    pkg = JSON.parse(await readText(jsonFile));
  } catch (e) {
    throw new Error(`${jsonFile} is not a readable JSON evidence package: ${e instanceof Error ? e.message : String(e)}`);
  }
  const caFiles = stringList(values, 'ca');
  const report = await verifyEvidencePackage(pkg, {
    trustAnchors: caFiles.length ? await readAnchors(caFiles) : undefined,
    hashFile: async (name, chunkSize) => {
      // File names are plain names inside the package directory; anything else is refused.
      if (name !== path.basename(name) || name.startsWith('.')) return null;
      const f = path.join(filesDir, name);
      if (!existsSync(f) || path.resolve(f) === path.resolve(jsonFile)) return null;
      return hashFileStreaming(f, chunkSize);
    },
  });
  if (values.json) {
    print(JSON.stringify(report, null, 2));
  } else {
    for (const c of report.checks) print(`ok: ${c}`);
    for (const w of report.warnings) print(`warning: ${w}`);
    for (const p of report.problems) print(`FAIL: ${p}`);
    print(report.ok ? 'verification: OK' : `verification: FAILED (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`);
  }
  if (!report.ok) throw new Error(report.problems[0] + (report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''));
}
