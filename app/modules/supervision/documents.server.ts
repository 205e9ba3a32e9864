// Document fingerprints for the collusion rule (围标串标), read by the server from a bid's plaintext
// files at the opening, right after the bid was decrypted and verified (docs/decisions/097).
// Before the deadline the server only holds ciphertext, so this is the first moment it can see
// them. What is kept: each file's SHA-256 and size and its authoring metadata — PDF Info
// (Author, Creator, Producer, CreationDate, ModDate), XMP identifiers (DocumentID,
// OriginalDocumentID, InstanceID), the trailer /ID; for ZIP archives a digest of the entry set
// (names, CRC-32s, sizes); for Office (OOXML) files docProps (creator, lastModifiedBy, created,
// modified, Company, Application); for OFD files DocInfo (DocID, Author, Creator, CreationDate).
// Never contents: no text, no titles, no subjects, no entry bodies.
//
// Memory: the files are views into the decrypted bid, already in memory. pdf-lib parses a whole
// file (and copies its streams), so it is used only for PDFs up to PDF_LIB_MAX_BYTES and up to
// PDF_LIB_BUDGET_BYTES per bid; larger PDFs are read from their tail only (trailer /ID and an
// uncompressed Info dictionary, parsed with pdf-lib's object parser over a bounded slice). ZIP
// parsing reads the central directory (views, no copies) and inflates at most two small entries
// with an output cap. Nothing here may fail an opening: every reader returns what it could.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { decodePDFRawStream, ParseSpeeds, PDFArray, PDFContext, PDFDict, PDFDocument, PDFHexString, PDFName, PDFObjectParser, PDFRawStream, PDFRef, PDFString } from 'pdf-lib';
import type { PDFObject } from 'pdf-lib';

/** pdf-lib loads the whole file and copies its streams: only PDFs up to this size. */
export const PDF_LIB_MAX_BYTES = 16 * 1024 * 1024;
/** … and at most this many bytes of PDFs per bid; the rest are read from their tail only. */
export const PDF_LIB_BUDGET_BYTES = 64 * 1024 * 1024;
/** Largest XMP packet, docProps part or OFD.xml read (after inflation). */
export const XML_MAX_BYTES = 256 * 1024;
/** How much of a large PDF's end is searched for the trailer and the Info dictionary. */
const TAIL_BYTES = 64 * 1024;
/** Files per bid that are fingerprinted (a manifest may list many more; their hashes still count). */
export const MAX_DOCUMENTS = 500;
const MAX_ZIP_ENTRIES = 50_000;
const MAX_TEXT = 200;

export interface PdfFacts {
  author?: string;
  creator?: string;
  producer?: string;
  created?: string;
  modified?: string;
  documentId?: string;
  originalDocumentId?: string;
  instanceId?: string;
  /** first element of the trailer /ID (the "permanent" identifier, hex) */
  trailerId?: string;
  encrypted?: boolean;
  /** how it was read: the whole file with pdf-lib, or only its tail (large files) */
  read: 'pdf-lib' | 'tail' | 'failed';
}

export interface OfficeFacts {
  creator?: string;
  lastModifiedBy?: string;
  created?: string;
  modified?: string;
  company?: string;
  application?: string;
}

export interface OfdFacts {
  docId?: string;
  author?: string;
  creator?: string;
  created?: string;
}

export interface DocumentFacts {
  name: string;
  sha256: string;
  size: number;
  kind: 'pdf' | 'office' | 'ofd' | 'zip' | 'other';
  pdf?: PdfFacts;
  office?: OfficeFacts;
  ofd?: OfdFacts;
  /** SHA-256 over the sorted (CRC-32, size, raw name) of the archive's file entries */
  zip?: { entries: number; entriesSha256: string | null };
}

const text = (v: string | null | undefined) => {
  // eslint-disable-next-line no-control-regex
  const t = v?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return t ? t.slice(0, MAX_TEXT) : undefined;
};

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function sha256Hex(b: Uint8Array) {
  return crypto.createHash('sha256').update(b).digest('hex');
}

function startsWith(b: Uint8Array, sig: number[], at = 0) {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function buf(b: Uint8Array) {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

// ---------------------------------------------------------------------------------------------
// XML bits (XMP, docProps, OFD.xml): a few known elements or attributes, entities decoded

function decodeEntities(s: string) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const n = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
  });
}

/** The text of `<prefix:local …>text</prefix:local>` or the attribute `prefix:local="…"`. */
function xmlValue(xml: string, local: string, opts: { attribute?: boolean } = {}): string | undefined {
  const el = new RegExp(`<(?:[\\w.-]+:)?${local}\\b[^>]*>([^<]*)</(?:[\\w.-]+:)?${local}>`).exec(xml);
  if (el) return text(decodeEntities(el[1]));
  if (opts.attribute) {
    const at = new RegExp(`\\s(?:[\\w.-]+:)?${local}\\s*=\\s*"([^"]*)"`).exec(xml) ?? new RegExp(`\\s(?:[\\w.-]+:)?${local}\\s*=\\s*'([^']*)'`).exec(xml);
    if (at) return text(decodeEntities(at[1]));
  }
  return undefined;
}

function xmpIds(xml: string): Pick<PdfFacts, 'documentId' | 'originalDocumentId' | 'instanceId'> {
  return {
    documentId: xmlValue(xml, 'DocumentID', { attribute: true }),
    originalDocumentId: xmlValue(xml, 'OriginalDocumentID', { attribute: true }),
    instanceId: xmlValue(xml, 'InstanceID', { attribute: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// PDF

function pdfText(o: PDFObject | undefined): string | undefined {
  if (o instanceof PDFString || o instanceof PDFHexString) {
    try {
      return text(o.decodeText());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function idHex(o: PDFObject | undefined): string | undefined {
  if (!(o instanceof PDFArray) || o.size() < 1) return undefined;
  const first = o.get(0);
  if (first instanceof PDFHexString) return first.asString().toLowerCase().slice(0, 64) || undefined;
  if (first instanceof PDFString) return hex(first.asBytes()).slice(0, 64) || undefined;
  return undefined;
}

function infoFacts(info: PDFDict | undefined): Partial<PdfFacts> {
  if (!info) return {};
  const get = (k: string) => pdfText(info.get(PDFName.of(k)));
  return { author: get('Author'), creator: get('Creator'), producer: get('Producer'), created: get('CreationDate'), modified: get('ModDate') };
}

/** A (possibly Flate-compressed) XMP stream, inflated with an output cap. */
function xmpOf(stream: PDFObject | undefined): string | undefined {
  if (!(stream instanceof PDFRawStream)) return undefined;
  const contents = stream.getContents();
  if (contents.length > XML_MAX_BYTES) return undefined;
  const filter = stream.dict.get(PDFName.of('Filter'));
  const name = filter instanceof PDFArray ? (filter.size() === 1 ? filter.get(0) : null) : filter;
  try {
    if (!name) return new TextDecoder().decode(contents);
    if (name === PDFName.of('FlateDecode')) return new TextDecoder().decode(zlib.inflateSync(contents, { maxOutputLength: XML_MAX_BYTES }));
    // Other filters are rare for metadata; pdf-lib decodes them (input is already capped).
    const out = decodePDFRawStream(stream).decode();
    return out.length <= XML_MAX_BYTES ? new TextDecoder().decode(out) : undefined;
  } catch {
    return undefined;
  }
}

async function pdfWithPdfLib(bytes: Uint8Array): Promise<PdfFacts> {
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false, parseSpeed: ParseSpeeds.Fast });
  const trailer = doc.context.trailerInfo;
  const facts: PdfFacts = { read: 'pdf-lib', trailerId: idHex(trailer.ID) };
  if (doc.isEncrypted) return { ...facts, encrypted: true }; // Info strings are encrypted too
  const info = trailer.Info ? doc.context.lookup(trailer.Info) : undefined;
  Object.assign(facts, infoFacts(info instanceof PDFDict ? info : undefined));
  const xmp = xmpOf(doc.catalog.lookup(PDFName.of('Metadata')));
  if (xmp) Object.assign(facts, xmpIds(xmp));
  return facts;
}

/**
 * Large PDFs: only the end of the file. The last trailer (classic) or cross-reference stream
 * dictionary names /ID and /Info; the Info object is found by its "n g obj" header when it is
 * not compressed inside an object stream. Bounded: slices of TAIL_BYTES, no whole-file parse.
 */
function pdfFromTail(bytes: Uint8Array): PdfFacts {
  const b = buf(bytes);
  const facts: PdfFacts = { read: 'tail' };
  const context = PDFContext.create();
  const parseAt = (from: number, to = from + TAIL_BYTES) => {
    try {
      return PDFObjectParser.forBytes(bytes.subarray(from, Math.min(bytes.length, to, from + TAIL_BYTES)), context).parseObject();
    } catch {
      return undefined;
    }
  };
  const tailStart = Math.max(0, b.length - TAIL_BYTES);
  let dict: PDFObject | undefined;
  const t = b.lastIndexOf('trailer', b.length, 'latin1');
  if (t >= tailStart) dict = parseAt(t + 'trailer'.length);
  if (!(dict instanceof PDFDict)) {
    // A cross-reference stream: startxref points at "n g obj << /Type /XRef … >>".
    const s = b.lastIndexOf('startxref', b.length, 'latin1');
    const off = s >= tailStart ? Number(/startxref\s+(\d+)/.exec(b.subarray(s, s + 40).toString('latin1'))?.[1]) : NaN;
    if (Number.isSafeInteger(off) && off >= 0 && off < b.length) {
      const head = /^\s*\d+\s+\d+\s+obj\s*/.exec(b.subarray(off, off + 40).toString('latin1'));
      if (head) {
        // Only the dictionary: its stream may be longer than the slice.
        const from = off + head[0].length;
        const streamAt = b.indexOf('stream', from, 'latin1');
        dict = parseAt(from, streamAt > from ? streamAt : undefined);
      }
    }
  }
  if (!(dict instanceof PDFDict)) return facts;
  facts.trailerId = idHex(dict.get(PDFName.of('ID')));
  if (dict.get(PDFName.of('Encrypt'))) return { ...facts, encrypted: true };
  const ref = dict.get(PDFName.of('Info'));
  if (ref instanceof PDFRef) {
    const marker = `${ref.objectNumber} ${ref.generationNumber} obj`;
    let at = b.length;
    // The newest definition wins (incremental updates append); make sure it is a real header.
    while ((at = b.lastIndexOf(marker, at - 1, 'latin1')) >= 0) {
      const before = at === 0 ? 0x0a : b[at - 1];
      if (before === 0x0a || before === 0x0d || before === 0x20) break;
    }
    if (at >= 0) {
      const info = parseAt(at + marker.length);
      if (info instanceof PDFDict) Object.assign(facts, infoFacts(info));
    }
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// ZIP (and the OOXML / OFD formats built on it)

interface ZipEntry {
  nameBytes: Uint8Array;
  name: string;
  crc: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory, or null when this is not a readable ZIP. Views only, no copies. */
function zipEntries(bytes: Uint8Array): ZipEntry[] | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= min; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true));
    if (!Number.isSafeInteger(z64) || z64 + 56 > bytes.length || dv.getUint32(z64, true) !== 0x06064b50) return null;
    count = Number(dv.getBigUint64(z64 + 32, true));
    cdSize = Number(dv.getBigUint64(z64 + 40, true));
    cdOffset = Number(dv.getBigUint64(z64 + 48, true));
  }
  if (cdOffset + cdSize > bytes.length || count > MAX_ZIP_ENTRIES) return null;
  const out: ZipEntry[] = [];
  let p = cdOffset;
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) return null;
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const nameBytes = bytes.subarray(p + 46, p + 46 + nameLen);
    out.push({
      nameBytes,
      name: utf8.decode(nameBytes),
      crc: dv.getUint32(p + 16, true),
      method: dv.getUint16(p + 10, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localOffset: dv.getUint32(p + 42, true),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** One small entry's bytes (stored or deflated), inflated with an output cap; null otherwise. */
function zipEntryText(bytes: Uint8Array, e: ZipEntry | undefined): string | null {
  if (!e || e.compressedSize > XML_MAX_BYTES * 4 || e.size > XML_MAX_BYTES) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const p = e.localOffset;
  if (p + 30 > bytes.length || dv.getUint32(p, true) !== 0x04034b50) return null;
  const start = p + 30 + dv.getUint16(p + 26, true) + dv.getUint16(p + 28, true);
  const data = bytes.subarray(start, start + e.compressedSize);
  try {
    if (e.method === 0) return new TextDecoder().decode(data);
    if (e.method === 8) return new TextDecoder().decode(zlib.inflateRawSync(data, { maxOutputLength: XML_MAX_BYTES }));
  } catch {
    return null;
  }
  return null;
}

function zipFacts(bytes: Uint8Array, entries: ZipEntry[]): Pick<DocumentFacts, 'kind' | 'zip' | 'office' | 'ofd'> {
  const files = entries.filter((e) => !e.name.endsWith('/'));
  const lines = files.map((e) => `${e.crc.toString(16).padStart(8, '0')}:${e.size}:${hex(e.nameBytes)}`).sort();
  const zip = { entries: files.length, entriesSha256: files.length ? crypto.createHash('sha256').update(lines.join('\n')).digest('hex') : null };
  const byName = new Map(entries.map((e) => [e.name, e]));
  const core = zipEntryText(bytes, byName.get('docProps/core.xml'));
  if (core !== null) {
    const app = zipEntryText(bytes, byName.get('docProps/app.xml')) ?? '';
    const office: OfficeFacts = {
      creator: xmlValue(core, 'creator'),
      lastModifiedBy: xmlValue(core, 'lastModifiedBy'),
      created: xmlValue(core, 'created'),
      modified: xmlValue(core, 'modified'),
      company: xmlValue(app, 'Company'),
      application: xmlValue(app, 'Application'),
    };
    return { kind: 'office', zip, office };
  }
  const ofdXml = zipEntryText(bytes, byName.get('OFD.xml'));
  if (ofdXml !== null) {
    return { kind: 'ofd', zip, ofd: { docId: xmlValue(ofdXml, 'DocID'), author: xmlValue(ofdXml, 'Author'), creator: xmlValue(ofdXml, 'Creator'), created: xmlValue(ofdXml, 'CreationDate') } };
  }
  return { kind: 'zip', zip };
}

// ---------------------------------------------------------------------------------------------

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;

/**
 * Fingerprints of a bid's plaintext files. `sha256` is taken from the signed manifest (already
 * checked against the bytes by openBid) when given, computed otherwise.
 */
export async function readDocumentFacts(
  files: { name: string; bytes: Uint8Array; sha256?: string }[],
  limits: { pdfLibMaxBytes?: number; pdfLibBudgetBytes?: number } = {},
): Promise<DocumentFacts[]> {
  const out: DocumentFacts[] = [];
  const pdfLibMax = limits.pdfLibMaxBytes ?? PDF_LIB_MAX_BYTES;
  let budget = limits.pdfLibBudgetBytes ?? PDF_LIB_BUDGET_BYTES;
  for (const f of files.slice(0, MAX_DOCUMENTS)) {
    const bytes = f.bytes;
    const d: DocumentFacts = { name: text(f.name) ?? '', sha256: f.sha256 ?? sha256Hex(bytes), size: bytes.length, kind: 'other' };
    try {
      const pdfAt = buf(bytes.subarray(0, 1024)).indexOf('%PDF-', 0, 'latin1');
      if (pdfAt >= 0) {
        d.kind = 'pdf';
        if (bytes.length <= pdfLibMax && bytes.length <= budget) {
          budget -= bytes.length;
          try {
            d.pdf = compact(await pdfWithPdfLib(bytes));
          } catch {
            d.pdf = compact(pdfFromTail(bytes));
          }
        } else {
          d.pdf = compact(pdfFromTail(bytes));
        }
      } else if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
        const entries = zipEntries(bytes);
        if (entries) Object.assign(d, zipFacts(bytes, entries));
        else d.kind = 'zip';
        if (d.office) d.office = compact(d.office);
        if (d.ofd) d.ofd = compact(d.ofd);
      }
    } catch {
      if (d.kind === 'pdf') d.pdf = { read: 'failed' };
    }
    out.push(d);
  }
  return out;
}
