// Content-addressed file store (文件存储): every file is named by the SHA-256 of its bytes under
// DATA_DIR/files/<aa>/<bb>/<sha256>. Writes stream through a hash into a temporary file in the
// same file system and are renamed into place, so a reader never sees a half-written file and a
// crash leaves at most a stray temporary file (swept by sweepTempFiles). Nothing is buffered whole.
//
// Beyond one machine the same interface maps onto shared storage or an S3-compatible bucket
// (key = the hash); callers only ever use the functions below.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { env } from '~/env.server';

const HEX64 = /^[0-9a-f]{64}$/;

export class FileTooLargeError extends Error {
  constructor(public limit: number) {
    super(`file exceeds ${limit} bytes`);
  }
}

export function filesRoot(): string {
  return path.join(env().DATA_DIR, 'files');
}

export function tempDir(): string {
  return path.join(filesRoot(), 'tmp');
}

export function pathOf(sha256: string): string {
  if (!HEX64.test(sha256)) throw new Error(`not a SHA-256 hex name: ${sha256}`);
  return path.join(filesRoot(), sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

export async function ensureTempDir(): Promise<string> {
  const dir = tempDir();
  await fsp.mkdir(dir, { recursive: true });
  return dir;
}

export function tempPath(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad temp name ${name}`);
  return path.join(tempDir(), name);
}

export async function hasFile(sha256: string): Promise<boolean> {
  try {
    await fsp.access(pathOf(sha256));
    return true;
  } catch {
    return false;
  }
}

export async function fileSize(sha256: string): Promise<number | null> {
  try {
    return (await fsp.stat(pathOf(sha256))).size;
  } catch {
    return null;
  }
}

/** SHA-256 and size of a file on disk, read as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  // One reused 1 MB buffer: a read stream would allocate a fresh one per MB, and hashing a few GB
  // of bids in a row left hundreds of MB of dead buffers waiting for the garbage collector.
  const h = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fh = await fsp.open(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, size);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), size };
}

async function fsyncPath(p: string) {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Moves a finished temporary file into the store under its hash (fsync'd first, so a file that is
 * in the store is complete on disk). When the same content is already stored the temporary file
 * is simply dropped.
 */
export async function commitTempFile(tmp: string, sha256: string): Promise<string> {
  const dest = pathOf(sha256);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsyncPath(tmp);
  if (await hasFile(sha256)) {
    await fsp.rm(tmp, { force: true });
    return dest;
  }
  await fsp.rename(tmp, dest);
  // The rename is durable only once the directory entry is.
  await fsyncPath(path.dirname(dest)).catch(() => {});
  return dest;
}

/**
 * Streams a web ReadableStream (a request body) into the store, hashing on the way. Refuses (and
 * removes the partial file) beyond maxBytes.
 */
export async function putStream(body: ReadableStream<Uint8Array>, opts: { maxBytes: number }): Promise<{ sha256: string; size: number }> {
  await ensureTempDir();
  const tmp = tempPath(`put-${crypto.randomBytes(12).toString('hex')}.part`);
  const h = crypto.createHash('sha256');
  let size = 0;
  const out = fs.createWriteStream(tmp, { flags: 'wx' });
  try {
    for await (const chunk of Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes);
      h.update(buf);
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const sha256 = h.digest('hex');
    await commitTempFile(tmp, sha256);
    return { sha256, size };
  } catch (e) {
    out.destroy();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Stores small in-memory bytes (receipts, signatures). */
export async function putBytes(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  if (await hasFile(sha256)) return { sha256, size: bytes.length };
  await ensureTempDir();
  const tmp = tempPath(`put-${crypto.randomBytes(12).toString('hex')}.part`);
  await fsp.writeFile(tmp, bytes, { flag: 'wx' });
  await commitTempFile(tmp, sha256);
  return { sha256, size: bytes.length };
}

export async function readBytes(sha256: string): Promise<Uint8Array> {
  return new Uint8Array(await fsp.readFile(pathOf(sha256)));
}

/** A web ReadableStream of a stored file, for a Response body. */
export function openStream(sha256: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(fs.createReadStream(pathOf(sha256), { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
}

/** Removes a stored file (e.g. an orphan whose database row never committed). */
export async function removeFile(sha256: string): Promise<void> {
  await fsp.rm(pathOf(sha256), { force: true });
}

/**
 * Deletes temporary files not in `keep` (names) and older than minAgeMs: leftovers of a crash or
 * of an upload that was given up.
 */
export async function sweepTempFiles(opts: { keep: Set<string>; minAgeMs: number; nowMs?: number }): Promise<string[]> {
  const dir = tempDir();
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const t = opts.nowMs ?? Date.now();
  const removed: string[] = [];
  for (const n of names) {
    if (opts.keep.has(n)) continue;
    try {
      const st = await fsp.stat(path.join(dir, n));
      if (t - st.mtimeMs < opts.minAgeMs) continue;
      await fsp.rm(path.join(dir, n), { force: true });
      removed.push(n);
    } catch {
      // raced with another sweeper or a commit: nothing to do
    }
  }
  return removed;
}
