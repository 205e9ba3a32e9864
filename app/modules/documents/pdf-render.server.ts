// The document builder behind every PDF the platform issues (receipts, opening records, contracts,
// notices, reports, statements). A document is plain data (`PdfDoc`); `renderPdf` lays it out on
// A4 pages. Rendering is deterministic: the same `PdfDoc` gives the same bytes, because records are
// hashed, signed and timestamped after rendering and must be reproducible by anyone holding the
// data. Nothing here reads the clock or a random source; the creation date comes from the caller.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import pako from 'pako';
import { PDFDocument, PDFHexString, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage, RGB } from 'pdf-lib';
import { fontkitShim } from './fontkit-shim.server';
import { loadFontBytes, type FontWeight } from './fonts.server';
import { wrapText, type Measure } from './linebreak';

export interface PdfMeta {
  author?: string;
  subject?: string;
  keywords?: string[];
  /** Written as the PDF creation and modification date; inject the platform clock's value. */
  createdAt: Date;
  /** Printed in every page footer, e.g. the receipt or record number. */
  documentId?: string;
  /** The application that made the document (PDF Info /Creator). */
  creator?: string;
}

export interface PdfDoc {
  title: string;
  subtitle?: string;
  /** Running header on every page, e.g. the issuing organisation. */
  header?: string;
  meta: PdfMeta;
  blocks: Block[];
}

export type Align = 'left' | 'center' | 'right';

export interface TableColumn {
  title: string;
  /** At most 1: a fraction of the text width; above 1: points. Columns without one share the rest. */
  width?: number;
  align?: Align;
}

export interface Signer {
  role: string;
  name: string;
  time?: string;
  /** Signing certificate fingerprint; a blank line to fill in is printed when absent. */
  fingerprint?: string;
}

export type Block =
  | { type: 'heading'; text: string; level?: 1 | 2 }
  | { type: 'paragraph'; text: string; indent?: boolean; align?: Align; bold?: boolean }
  | { type: 'kv'; rows: [label: string, value: string][] }
  | { type: 'table'; columns: TableColumn[]; rows: string[][]; footer?: string[][]; caption?: string }
  | { type: 'signatures'; signers: Signer[] }
  | { type: 'verification'; url: string; code?: string; text?: string }
  | { type: 'note'; text: string }
  | { type: 'spacer'; height: number }
  | { type: 'pageBreak' };

// A4 in points, and the page furniture around the text block.
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = { top: 68, bottom: 72, left: 56, right: 56 };
const TEXT_WIDTH = PAGE_WIDTH - MARGIN.left - MARGIN.right;
const BODY_TOP = PAGE_HEIGHT - MARGIN.top;

const INK = rgb(0.12, 0.12, 0.12);
const MUTED = rgb(0.4, 0.4, 0.4);
const RULE = rgb(0.62, 0.62, 0.62);
const HEADER_FILL = rgb(0.92, 0.93, 0.95);
const NOTE_FILL = rgb(0.96, 0.96, 0.96);
const ACCENT = rgb(0.1, 0.27, 0.52);

const SIZE = { title: 18, subtitle: 10.5, h1: 13, h2: 11, body: 10.5, kv: 10, table: 9, small: 8.5, footer: 7.5 };
const LEADING = 1.6;
const TABLE_LEADING = 1.45;
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3.5;
const SIGNATURE = { gap: 14, cardWidth: (TEXT_WIDTH - 14) / 2, padding: 8, size: 9.5, lineHeight: 9.5 * 1.55 };

/** SHA-256 over a canonical JSON form of the document (sorted keys, dates as ISO strings). */
export function documentDigest(doc: PdfDoc): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  return JSON.stringify(value);
}

// Advance widths per (weight, string) in thousandths of an em; the font files never change
// within a process, so the cache is shared by all documents.
const widthCache: Record<FontWeight, Map<string, number>> = { regular: new Map(), bold: new Map() };

interface TextStyle {
  weight?: FontWeight;
  size: number;
  color?: RGB;
}

interface CellLayout {
  x: number;
  width: number;
  lines: string[];
  align: Align;
  weight: FontWeight;
}

interface RowOptions {
  size: number;
  leading: number;
  fill?: RGB;
  borders: boolean;
  /** Called after a page break inside the block, e.g. to repeat the table header. */
  onNewPage?: () => void;
  labelColor?: RGB;
}

class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = BODY_TOP;

  constructor(
    private readonly pdf: PDFDocument,
    private readonly fonts: Record<FontWeight, PDFFont>,
  ) {
    this.newPage();
  }

  newPage() {
    this.page = this.pdf.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.pages.push(this.page);
    this.y = BODY_TOP;
  }

  private get atTop() {
    return this.y >= BODY_TOP - 0.01;
  }

  private remaining() {
    return this.y - MARGIN.bottom;
  }

  /** Starts a new page unless `height` fits below the cursor (or the page is still empty). */
  ensure(height: number) {
    if (height > this.remaining() && !this.atTop) this.newPage();
  }

  skip(height: number) {
    this.y = Math.max(this.y - height, MARGIN.bottom);
  }

  measure(weight: FontWeight, size: number): Measure {
    const cache = widthCache[weight];
    const font = this.fonts[weight];
    return (text) => {
      let w = cache.get(text);
      if (w === undefined) {
        w = font.widthOfTextAtSize(text, 1000);
        cache.set(text, w);
      }
      return (w * size) / 1000;
    };
  }

  wrap(text: string, width: number, style: TextStyle, firstLineWidth?: number) {
    return wrapText(text, width, this.measure(style.weight ?? 'regular', style.size), { firstLineWidth });
  }

  /** Draws one line of text whose line box has its top at `top`. */
  drawLine(text: string, x: number, top: number, lineHeight: number, style: TextStyle, align: Align = 'left', width = 0) {
    if (!text) return;
    const { size } = style;
    const weight = style.weight ?? 'regular';
    // Han characters sit between about -0.12 and 0.88 em; centre that band in the line box.
    const baseline = top - (lineHeight - size) / 2 - 0.88 * size;
    let left = x;
    if (align !== 'left') {
      const w = this.measure(weight, size)(text);
      left = align === 'right' ? x + width - w : x + (width - w) / 2;
    }
    this.page.drawText(text, { x: left, y: baseline, size, font: this.fonts[weight], color: style.color ?? INK });
  }

  /** Flowing text: wrapped, broken across pages between lines. */
  lines(lines: string[], x: number, width: number, style: TextStyle, leading: number, align: Align = 'left', firstIndent = 0) {
    const lineHeight = style.size * leading;
    lines.forEach((line, i) => {
      this.ensure(lineHeight);
      const indent = i === 0 ? firstIndent : 0;
      this.drawLine(line, x + indent, this.y, lineHeight, style, align, width - indent);
      this.y -= lineHeight;
    });
  }

  rule(thickness: number, color: RGB = INK, x = MARGIN.left, width = TEXT_WIDTH) {
    this.page.drawLine({ start: { x, y: this.y }, end: { x: x + width, y: this.y }, thickness, color });
  }

  /**
   * One row of cells. A row that does not fit below the cursor moves to the next page; a row
   * taller than a whole page is split between lines, continuing after `onNewPage`.
   */
  row(cells: CellLayout[], options: RowOptions) {
    const lineHeight = options.size * options.leading;
    const total = Math.max(1, ...cells.map((c) => c.lines.length));
    let from = 0;
    let freshPage = false;
    while (from < total) {
      const fit = Math.floor((this.remaining() - 2 * CELL_PAD_Y + 0.01) / lineHeight);
      const need = total - from;
      if (fit < need && !freshPage && !this.atTop && (fit < 1 || from === 0)) {
        this.newPage();
        options.onNewPage?.();
        freshPage = true;
        continue;
      }
      const count = Math.max(1, Math.min(fit, need));
      const height = count * lineHeight + 2 * CELL_PAD_Y;
      const top = this.y;
      for (const cell of cells) {
        if (options.fill) {
          this.page.drawRectangle({ x: cell.x, y: top - height, width: cell.width, height, color: options.fill });
        }
        if (options.borders) {
          this.page.drawRectangle({
            x: cell.x,
            y: top - height,
            width: cell.width,
            height,
            borderColor: RULE,
            borderWidth: 0.5,
          });
        }
        cell.lines.slice(from, from + count).forEach((line, i) => {
          this.drawLine(
            line,
            cell.x + CELL_PAD_X,
            top - CELL_PAD_Y - i * lineHeight,
            lineHeight,
            { size: options.size, weight: cell.weight, color: cell === cells[0] && options.labelColor ? options.labelColor : INK },
            cell.align,
            cell.width - 2 * CELL_PAD_X,
          );
        });
      }
      this.y -= height;
      from += count;
      freshPage = false;
    }
  }

  // ---- blocks -------------------------------------------------------------------------------

  title(title: string, subtitle?: string) {
    const style = { size: SIZE.title, weight: 'bold' as const };
    this.lines(this.wrap(title, TEXT_WIDTH, style), MARGIN.left, TEXT_WIDTH, style, 1.45, 'center');
    if (subtitle) {
      const sub = { size: SIZE.subtitle, color: MUTED };
      this.skip(2);
      this.lines(this.wrap(subtitle, TEXT_WIDTH, sub), MARGIN.left, TEXT_WIDTH, sub, 1.5, 'center');
    }
    this.skip(6);
    this.rule(1.2);
    this.skip(2.5);
    this.rule(0.4);
    this.skip(12);
  }

  heading(text: string, level: 1 | 2, keepWith: number) {
    const size = level === 1 ? SIZE.h1 : SIZE.h2;
    const style = { size, weight: 'bold' as const, color: level === 1 ? ACCENT : INK };
    const indent = level === 1 ? 8 : 0;
    const lines = this.wrap(text, TEXT_WIDTH - indent, style);
    const lineHeight = size * 1.5;
    this.skip(this.atTop ? 0 : level === 1 ? 8 : 4);
    const after = level === 1 ? 4 : 2;
    // Keep the heading with the start of what follows it.
    this.ensure(lines.length * lineHeight + after + keepWith);
    if (level === 1) {
      const barHeight = lines.length * lineHeight - 6;
      this.page.drawRectangle({ x: MARGIN.left, y: this.y - 3 - barHeight, width: 3, height: barHeight, color: ACCENT });
    }
    this.lines(lines, MARGIN.left + indent, TEXT_WIDTH - indent, style, 1.5);
    this.skip(after);
  }

  paragraph(text: string, options: { indent?: boolean; align?: Align; bold?: boolean }) {
    const style = { size: SIZE.body, weight: options.bold ? ('bold' as const) : ('regular' as const) };
    const indent = options.indent ? 2 * SIZE.body : 0;
    // With a first-line indent each hard line is a paragraph of its own (段首缩进两字).
    const parts = options.indent ? text.split(/\r?\n/) : [text];
    for (const part of parts) {
      const lines = this.wrap(part, TEXT_WIDTH, style, TEXT_WIDTH - indent);
      this.lines(lines, MARGIN.left, TEXT_WIDTH, style, LEADING, options.align ?? 'left', indent);
    }
    this.skip(5);
  }

  keyValues(rows: [string, string][]) {
    const size = SIZE.kv;
    const measureLabel = this.measure('regular', size);
    const labelWidth = Math.min(
      // At least eight characters wide, so that consecutive blocks usually line up.
      Math.max(...rows.map(([label]) => measureLabel(`${label}：`)), 8 * size) + 2 * CELL_PAD_X + 4,
      TEXT_WIDTH * 0.34,
    );
    const valueWidth = TEXT_WIDTH - labelWidth;
    for (const [label, value] of rows) {
      const labelLines = this.wrap(`${label}：`, labelWidth - 2 * CELL_PAD_X, { size });
      const valueLines = this.wrap(value || '—', valueWidth - 2 * CELL_PAD_X, { size });
      this.row(
        [
          { x: MARGIN.left, width: labelWidth, lines: labelLines, align: 'right', weight: 'regular' },
          { x: MARGIN.left + labelWidth, width: valueWidth, lines: valueLines, align: 'left', weight: 'regular' },
        ],
        { size, leading: 1.5, borders: false, labelColor: MUTED },
      );
    }
    this.skip(6);
  }

  table(block: Extract<Block, { type: 'table' }>) {
    const { columns } = block;
    const widths = columnWidths(columns);
    const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const size = SIZE.table;
    const cells = (values: string[], weight: FontWeight, header: boolean): CellLayout[] =>
      columns.map((column, i) => ({
        x: xs[i],
        width: widths[i],
        lines: this.wrap(values[i] ?? '', widths[i] - 2 * CELL_PAD_X, { size, weight }),
        align: header ? 'center' : (column.align ?? 'left'),
        weight,
      }));
    const header = cells(
      columns.map((c) => c.title),
      'bold',
      true,
    );
    const headerHeight = this.tableHeaderHeight(columns);
    const drawHeader = () => this.row(header, { size, leading: TABLE_LEADING, borders: true, fill: HEADER_FILL });

    if (block.caption) {
      const style = { size: SIZE.small, color: MUTED };
      const lines = this.wrap(block.caption, TEXT_WIDTH, style);
      this.ensure(lines.length * SIZE.small * 1.5 + headerHeight + size * TABLE_LEADING * 2);
      this.lines(lines, MARGIN.left, TEXT_WIDTH, style, 1.5);
    }
    // Never leave a header alone at the bottom of a page.
    this.ensure(headerHeight + size * TABLE_LEADING + 2 * CELL_PAD_Y);
    drawHeader();
    const options = { size, leading: TABLE_LEADING, borders: true, onNewPage: drawHeader };
    for (const values of block.rows) this.row(cells(values, 'regular', false), options);
    for (const values of block.footer ?? []) this.row(cells(values, 'bold', false), options);
    this.skip(8);
  }

  private signatureCard(s: Signer) {
    const inner = SIGNATURE.cardWidth - 2 * SIGNATURE.padding;
    const size = SIGNATURE.size;
    // A blank to fill in is a ruled line from the end of its label to the edge of the card.
    const rows: { text: string; style: TextStyle; blank?: boolean }[] = [];
    const add = (text: string, style: TextStyle) => {
      for (const line of this.wrap(text, inner, style)) rows.push({ text: line, style });
    };
    add(s.role, { size: 10.5, weight: 'bold' });
    add(`签署人：${s.name}`, { size });
    if (s.time) add(`签署时间：${s.time}`, { size });
    else rows.push({ text: '签署时间：', style: { size }, blank: true });
    if (s.fingerprint) {
      add('证书指纹（SHA-256）：', { size });
      add(s.fingerprint, { size: 8, color: MUTED });
    } else {
      rows.push({ text: '证书指纹：', style: { size }, blank: true });
      rows.push({ text: '', style: { size }, blank: true });
    }
    return rows;
  }

  private signatureRowHeight(cards: ReturnType<Layout['signatureCard']>[]) {
    return Math.max(...cards.map((rows) => rows.length)) * SIGNATURE.lineHeight + 2 * SIGNATURE.padding;
  }

  private tableHeaderHeight(columns: TableColumn[]) {
    const widths = columnWidths(columns);
    const lines = columns.map((c, i) => this.wrap(c.title, widths[i] - 2 * CELL_PAD_X, { size: SIZE.table, weight: 'bold' }).length);
    return Math.max(...lines) * SIZE.table * TABLE_LEADING + 2 * CELL_PAD_Y;
  }

  /** The least height a block needs at the top of where it starts, so a heading stays with it. */
  minHeight(block: Block | undefined): number {
    const bodyLines = 2 * SIZE.body * LEADING;
    if (!block) return 0;
    switch (block.type) {
      case 'signatures':
        // signatures() skips 4 pt, then keeps a row of cards and 8 pt below it together.
        return 4 + this.signatureRowHeight(block.signers.slice(0, 2).map((s) => this.signatureCard(s))) + 8;
      case 'table':
        return this.tableHeaderHeight(block.columns) + SIZE.table * TABLE_LEADING + 2 * CELL_PAD_Y + (block.caption ? SIZE.small * 1.5 : 0);
      case 'kv':
        return 2 * (SIZE.kv * 1.5 + 2 * CELL_PAD_Y);
      case 'heading':
        return SIZE.h1 * 1.5 + bodyLines;
      case 'spacer':
      case 'pageBreak':
        return 0;
      default:
        return bodyLines;
    }
  }

  signatures(signers: Signer[]) {
    const { cardWidth, gap, padding, lineHeight, size } = SIGNATURE;
    const card = (s: Signer) => this.signatureCard(s);
    this.skip(4);
    for (let i = 0; i < signers.length; i += 2) {
      const pair = signers.slice(i, i + 2).map(card);
      const height = this.signatureRowHeight(pair);
      this.ensure(height + 8);
      const top = this.y;
      pair.forEach((rows, j) => {
        const x = MARGIN.left + j * (cardWidth + gap);
        this.page.drawRectangle({ x, y: top - height, width: cardWidth, height, borderColor: RULE, borderWidth: 0.6 });
        rows.forEach((row, k) => {
          const rowTop = top - padding - k * lineHeight;
          this.drawLine(row.text, x + padding, rowTop, lineHeight, row.style);
          if (row.blank) {
            const start = x + padding + this.measure('regular', size)(row.text) + 2;
            const y = rowTop - lineHeight + 3;
            this.page.drawLine({ start: { x: start, y }, end: { x: x + cardWidth - padding, y }, thickness: 0.5, color: MUTED });
          }
        });
      });
      this.y = top - height - 8;
    }
    this.skip(4);
  }

  boxed(lines: { text: string; style: TextStyle }[], options: { fill?: RGB; border?: RGB }) {
    const padding = 7;
    const lineHeights = lines.map((l) => l.style.size * 1.5);
    const height = lineHeights.reduce((a, b) => a + b, 0) + 2 * padding;
    if (height > BODY_TOP - MARGIN.bottom) {
      // Too tall for any page: let the text flow unboxed rather than run off the page.
      for (const line of lines) this.lines([line.text], MARGIN.left, TEXT_WIDTH, line.style, 1.5);
      this.skip(8);
      return;
    }
    this.ensure(height);
    const top = this.y;
    this.page.drawRectangle({
      x: MARGIN.left,
      y: top - height,
      width: TEXT_WIDTH,
      height,
      color: options.fill,
      borderColor: options.border,
      borderWidth: options.border ? 0.6 : 0,
    });
    let y = top - padding;
    lines.forEach((line, i) => {
      this.drawLine(line.text, MARGIN.left + padding, y, lineHeights[i], line.style);
      y -= lineHeights[i];
    });
    this.y = top - height;
    this.skip(8);
  }

  note(text: string) {
    const style = { size: SIZE.small, color: MUTED };
    this.boxed(
      this.wrap(text, TEXT_WIDTH - 14, style).map((line) => ({ text: line, style })),
      { fill: NOTE_FILL },
    );
  }

  verification(block: Extract<Block, { type: 'verification' }>) {
    const width = TEXT_WIDTH - 14;
    const lines: { text: string; style: TextStyle }[] = [];
    const add = (text: string, style: TextStyle) => {
      for (const line of this.wrap(text, width, style)) lines.push({ text: line, style });
    };
    add('核验信息', { size: 9.5, weight: 'bold' });
    add(block.text ?? '可通过以下地址核验本文件的真实性与完整性：', { size: 9 });
    add(block.url, { size: 9, color: ACCENT });
    if (block.code) add(`核验码：${block.code}`, { size: 9 });
    this.boxed(lines, { border: RULE });
  }

  /** Page furniture, drawn once the page count is known. */
  furnish(doc: PdfDoc, digest: string) {
    const total = this.pages.length;
    const small = { size: SIZE.footer, color: MUTED };
    const footerLine = [doc.meta.documentId ? `文档编号：${doc.meta.documentId}` : '', `内容摘要（SHA-256）：${digest}`]
      .filter(Boolean)
      .join('　');
    this.pages.forEach((page, i) => {
      this.page = page;
      if (doc.header) {
        this.y = PAGE_HEIGHT - 30;
        this.drawLine(doc.header, MARGIN.left, this.y, 12, small);
        this.drawLine(doc.title, MARGIN.left, this.y, 12, small, 'right', TEXT_WIDTH);
        this.y -= 15;
        this.rule(0.4, RULE);
      }
      this.y = MARGIN.bottom - 18;
      this.rule(0.4, RULE);
      this.y -= 4;
      this.drawLine(`第 ${i + 1} 页 / 共 ${total} 页`, MARGIN.left, this.y, 12, { size: 8.5 }, 'center', TEXT_WIDTH);
      this.y -= 12;
      for (const line of this.wrap(footerLine, TEXT_WIDTH, small)) {
        this.drawLine(line, MARGIN.left, this.y, 10, small, 'center', TEXT_WIDTH);
        this.y -= 10;
      }
    });
  }
}

/** Resolves column widths in points: fixed points first, fractions next, the rest shared. */
export function columnWidths(columns: TableColumn[], total = TEXT_WIDTH): number[] {
  if (columns.length === 0) throw new Error('A table needs at least one column');
  const raw = columns.map((c) => (c.width === undefined ? undefined : c.width <= 1 ? c.width * total : c.width));
  const assigned = raw.reduce<number>((sum, w) => sum + (w ?? 0), 0);
  const open = raw.filter((w) => w === undefined).length;
  const share = open ? Math.max(total - assigned, 0) / open : 0;
  const widths = raw.map((w) => w ?? share);
  const sum = widths.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new Error('Table columns have no width');
  // Scale to the text width exactly, so tables line up with the text block on both sides.
  return widths.map((w) => (w * total) / sum);
}

/**
 * pdf-lib compresses every stream it writes — font subsets and their ToUnicode CMaps (most of a
 * document's bytes), page contents, object streams, the cross-reference stream — by calling
 * `pako.deflate(bytes)`, a JavaScript deflate that cost a receipt about 5 of its 17 ms. It offers
 * no option to bring another compressor, so that one function of the pako module it imports is
 * routed to Node's zlib, which writes the same format (RFC 1950, level 6) several times faster
 * and, like pako, the same bytes for the same input. Calls with options (other users of pako) go
 * to pako as before. docs/decisions/116-receipts-and-upload-memory.md.
 */
type Deflate = (data: Uint8Array | ArrayBuffer | string, options?: unknown) => Uint8Array;
const pakoModule = pako as unknown as { deflate: Deflate & { native?: true } };
if (!pakoModule.deflate.native) {
  const jsDeflate = pakoModule.deflate;
  const native: Deflate & { native?: true } = (data, options) => {
    if (options !== undefined || typeof data === 'string') return jsDeflate(data, options);
    const out = zlib.deflateSync(data instanceof ArrayBuffer ? new Uint8Array(data) : data, { level: 6 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
  native.native = true;
  pakoModule.deflate = native;
}

/** Whether pdf-lib's deflate goes through zlib (tests). */
export function usesNativeDeflate(): boolean {
  return pakoModule.deflate.native === true;
}

/** Renders a document to PDF bytes. Same input, same bytes. */
export async function renderPdfInThisThread(doc: PdfDoc): Promise<Uint8Array> {
  const [regularBytes, boldBytes] = await Promise.all([loadFontBytes('regular'), loadFontBytes('bold')]);
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkitShim as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  const fonts = {
    // Fixed subset tags instead of pdf-lib's generated ones keep the output reproducible.
    regular: await pdf.embedFont(regularBytes, { subset: true, customName: 'GGZYAA+NotoSansSC-Regular' }),
    bold: await pdf.embedFont(boldBytes, { subset: true, customName: 'GGZYAB+NotoSansSC-Bold' }),
  };
  const digest = documentDigest(doc);
  const layout = new Layout(pdf, fonts);

  layout.title(doc.title, doc.subtitle);
  doc.blocks.forEach((block, i) => {
    switch (block.type) {
      case 'heading':
        layout.heading(block.text, block.level ?? 1, layout.minHeight(doc.blocks[i + 1]));
        break;
      case 'paragraph':
        layout.paragraph(block.text, block);
        break;
      case 'kv':
        layout.keyValues(block.rows);
        break;
      case 'table':
        layout.table(block);
        break;
      case 'signatures':
        layout.signatures(block.signers);
        break;
      case 'verification':
        layout.verification(block);
        break;
      case 'note':
        layout.note(block.text);
        break;
      case 'spacer':
        layout.skip(block.height);
        break;
      case 'pageBreak':
        layout.newPage();
        break;
      default: {
        const unknown: never = block;
        throw new Error(`Unknown block ${JSON.stringify(unknown)}`);
      }
    }
  });
  layout.furnish(doc, digest);

  const { meta } = doc;
  pdf.setTitle(doc.title, { showInWindowTitleBar: true });
  if (meta.subject ?? doc.subtitle) pdf.setSubject(meta.subject ?? doc.subtitle!);
  if (meta.author) pdf.setAuthor(meta.author);
  if (meta.keywords?.length) pdf.setKeywords(meta.keywords);
  pdf.setCreator(meta.creator ?? '公共资源交易平台');
  pdf.setProducer('ggzy-platform documents (pdf-lib 1.17)');
  pdf.setCreationDate(meta.createdAt);
  pdf.setModificationDate(meta.createdAt);
  pdf.setLanguage('zh-CN');
  // The file identifier (ISO 32000 §14.4) is derived from the content, not random.
  const id = PDFHexString.of(digest.slice(0, 32));
  pdf.context.trailerInfo.ID = pdf.context.obj([id, id]);
  return pdf.save({ useObjectStreams: true });
}
