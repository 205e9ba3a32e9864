// A POSIX ustar archive written as a stream: the opening's evidence package is one download
// (evidence.json + record.pdf + the video chunks) that any machine unpacks with `tar -xf`, with no
// archive library and without holding the recording in memory.
import fs from 'node:fs';

export interface TarEntry {
  name: string;
  size: number;
  /** the bytes, or a file on disk streamed into the archive */
  bytes?: Uint8Array;
  path?: string;
}

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const enc = new TextEncoder();
  const put = (off: number, len: number, s: string) => h.set(enc.encode(s).subarray(0, len), off);
  const octal = (off: number, len: number, n: number) => put(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  if (enc.encode(name).length > 100) throw new Error(`tar: name too long: ${name}`);
  put(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(mtime / 1000));
  put(148, 8, '        ');
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** The archive as a byte stream; `mtime` is fixed by the caller so the archive is reproducible. */
export function tarStream(entries: TarEntry[], mtime: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i >= entries.length) {
        controller.enqueue(new Uint8Array(BLOCK * 2));
        controller.close();
        return;
      }
      const e = entries[i++];
      controller.enqueue(header(e.name, e.size, mtime));
      let written = 0;
      if (e.bytes) {
        controller.enqueue(e.bytes);
        written = e.bytes.length;
      } else if (e.path) {
        for await (const part of fs.createReadStream(e.path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
          controller.enqueue(new Uint8Array(part.buffer, part.byteOffset, part.length));
          written += part.length;
        }
      }
      if (written !== e.size) throw new Error(`tar: ${e.name} changed size while archiving`);
      const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
      if (pad) controller.enqueue(new Uint8Array(pad));
    },
  });
}
