// The server's check of an uploaded sealed bid, without any key and without reading the
// ciphertext into memory (a bid may be 500 MB and a hundred may arrive at once).
//
// crypto/seal.ts `inspectSealedBid` takes the whole envelope as one buffer. Here the file is
// hashed as a stream, and only its DER skeleton is read: the headers down to the encrypted
// content, the recipientInfos in full, and the few bytes after the ciphertext (mac, attributes).
// The skeleton — the same envelope with a zero-length ciphertext — then goes through the
// library's own parser (`inspectSealedBid` without a submission: structure, algorithms,
// recipients, addressed to the opening certificate), and the bidder's signed submission
// statement is checked against the streamed SHA-256 and size exactly as inspectSealedBid does.
// test/integration/bidding.inspect.test.ts checks both paths agree on valid and mutated envelopes.
import fsp from 'node:fs/promises';
import { der } from '../../../crypto/envelope';
import { CryptoVerifyError } from '../../../crypto/errors';
import { inspectSealedBid } from '../../../crypto/seal';
import { finishFileHash } from './running-hash.server';

interface Hdr {
  tag: number;
  /** offset of the first content byte */
  start: number;
  len: number;
  /** offset just past the element */
  end: number;
}

const malformed = (m: string) => new CryptoVerifyError('MALFORMED', m);

/** A definite-length DER header; the content may lie beyond the buffer (we only need its extent). */
function header(buf: Uint8Array, at: number, fileSize: number, what: string): Hdr {
  if (at + 2 > buf.length) throw malformed(`${what}: truncated`);
  const tag = buf[at];
  const first = buf[at + 1];
  let p = at + 2;
  let len: number;
  if (first < 0x80) len = first;
  else {
    const n = first & 0x7f;
    if (n === 0) throw malformed(`${what}: indefinite length is not accepted`);
    if (n > 4 || p + n > buf.length) throw malformed(`${what}: bad length`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  }
  const end = p + len;
  if (end > fileSize) throw malformed(`${what}: length exceeds the file`);
  return { tag, start: p, len, end };
}

function expect(h: Hdr, tag: number, what: string): Hdr {
  if (h.tag !== tag) throw malformed(`${what}: expected tag 0x${tag.toString(16)}, got 0x${h.tag.toString(16)}`);
  return h;
}

/** Whole TLV bytes (must lie within the prefix we read). */
function whole(buf: Uint8Array, at: number, h: Hdr, what: string): Uint8Array {
  if (h.end > buf.length) throw malformed(`${what}: too large`);
  return buf.subarray(at, h.end);
}

const PREFIX_BYTES = 256 * 1024;
const MAX_TAIL_BYTES = 64 * 1024;

/** Reads the skeleton of an AuthEnvelopedData file: everything except the ciphertext bytes. */
export async function envelopeSkeleton(file: string): Promise<{ skeleton: Uint8Array; size: number; encryptedSize: number }> {
  const fh = await fsp.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const prefix = new Uint8Array(Math.min(size, PREFIX_BYTES));
    await fh.read(prefix, 0, prefix.length, 0);
    const top = expect(header(prefix, 0, size, 'ContentInfo'), 0x30, 'ContentInfo');
    if (top.end !== size) throw malformed('trailing bytes after ContentInfo');
    const ctHdr = expect(header(prefix, top.start, size, 'contentType'), 0x06, 'contentType');
    const contentType = whole(prefix, top.start, ctHdr, 'contentType');
    const explicit = expect(header(prefix, ctHdr.end, size, 'content'), 0xa0, 'content');
    if (explicit.end !== top.end) throw malformed('ContentInfo has unexpected elements');
    const aed = expect(header(prefix, explicit.start, size, 'AuthEnvelopedData'), 0x30, 'AuthEnvelopedData');
    if (aed.end !== explicit.end) throw malformed('content has unexpected elements');
    // version, originatorInfo?, recipientInfos: small, copied whole
    const before: Uint8Array[] = [];
    let p = aed.start;
    for (;;) {
      const h = header(prefix, p, size, 'AuthEnvelopedData field');
      if (h.tag === 0x30) break; // EncryptedContentInfo
      before.push(whole(prefix, p, h, 'AuthEnvelopedData field'));
      p = h.end;
      if (before.length > 3) throw malformed('AuthEnvelopedData has unexpected elements');
    }
    const eciAt = p;
    const eci = header(prefix, eciAt, size, 'EncryptedContentInfo');
    const ecType = header(prefix, eci.start, size, 'EncryptedContentInfo.contentType');
    const ecAlg = header(prefix, ecType.end, size, 'contentEncryptionAlgorithm');
    const eciFields = [whole(prefix, eci.start, ecType, 'contentType'), whole(prefix, ecType.end, ecAlg, 'contentEncryptionAlgorithm')];
    let encryptedSize = 0;
    if (ecAlg.end < eci.end) {
      const ec = header(prefix, ecAlg.end, size, 'encryptedContent');
      if (ec.tag !== 0x80) throw malformed('encryptedContent must be primitive [0]');
      if (ec.end !== eci.end) throw malformed('EncryptedContentInfo has unexpected elements');
      encryptedSize = ec.len;
    }
    // the ciphertext placeholder keeps the element present so the parser sees the same shape
    eciFields.push(der(0x80, new Uint8Array(0)));
    const tailLen = aed.end - eci.end;
    if (tailLen < 0 || tailLen > MAX_TAIL_BYTES) throw malformed('unexpected data after the encrypted content');
    const tail = new Uint8Array(tailLen);
    await fh.read(tail, 0, tailLen, eci.end);
    const skeleton = der(0x30, contentType, der(0xa0, der(0x30, ...before, der(0x30, ...eciFields), tail)));
    return { skeleton, size, encryptedSize };
  } finally {
    await fh.close();
  }
}

export interface FileInspection {
  envelopeSha256: string;
  size: number;
  encryptedSize: number;
}

/**
 * Structure, recipients (must include the opening certificate) and the exact bytes the bidder
 * signed for (SHA-256 and size from the verified submission statement).
 */
export async function inspectSealedBidFile(
  file: string,
  opts: {
    openingCert: Uint8Array;
    expectSha256: string;
    expectSize: number;
    maxSize: number;
    /** the upload whose running hash (running-hash.server.ts) covers a prefix of `file` already */
    runningHashKey?: string;
  },
): Promise<FileInspection> {
  const st = await fsp.stat(file);
  if (st.size > opts.maxSize) throw new CryptoVerifyError('TOO_LARGE', `sealed bid is ${st.size} bytes, the limit is ${opts.maxSize}`);
  const { skeleton, size, encryptedSize } = await envelopeSkeleton(file);
  await inspectSealedBid({ envelope: skeleton, openingCert: opts.openingCert });
  if (encryptedSize < 16) throw new CryptoVerifyError('CONTENT_MISSING', 'sealed bid has no encrypted content');
  const h = await finishFileHash(opts.runningHashKey, file);
  if (h.sha256 !== opts.expectSha256 || h.size !== opts.expectSize || size !== opts.expectSize) {
    throw new CryptoVerifyError('DIGEST_MISMATCH', 'the submission statement was signed for a different envelope');
  }
  return { envelopeSha256: h.sha256, size: h.size, encryptedSize };
}
