import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropRunningHash, finishFileHash, hashPartFile, runningHashCount } from './running-hash.server';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'running-hash-'));
  dirs.push(dir);
  return path.join(dir, 'bid.part');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('running SHA-256 of a part file', () => {
  it('gives the whole file’s digest when chunks are hashed as they arrive, whatever the chunk sizes', async () => {
    const file = tempFile();
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 12345);
    fs.writeFileSync(file, new Uint8Array(0));
    let at = 0;
    const pending: Promise<number>[] = [];
    for (const len of [1, 1024 * 1024 - 1, 7, 1024 * 1024 + 3, 999_000]) {
      fs.appendFileSync(file, bytes.subarray(at, at + len));
      at += len;
      // Fired without waiting, as the chunk route does: they must still run in order.
      pending.push(hashPartFile('u1', file, at));
    }
    expect(await Promise.all(pending)).toEqual([1, 1024 * 1024, 1024 * 1024 + 7, 2 * 1024 * 1024 + 10, 2 * 1024 * 1024 + 10 + 999_000]);
    fs.appendFileSync(file, bytes.subarray(at));
    const h = await finishFileHash('u1', file);
    expect(h).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(await runningHashCount()).toBe(0);
  });

  it('reads the file whole when there is no state, or the state is for another file', async () => {
    const a = tempFile();
    const b = tempFile();
    fs.writeFileSync(a, Buffer.from('first file'));
    fs.writeFileSync(b, Buffer.from('second file, the stored copy'));
    await hashPartFile('u2', a, 5);
    expect(await finishFileHash('u2', b)).toEqual({ sha256: sha(Buffer.from('second file, the stored copy')), size: 28 });
    expect(await finishFileHash(undefined, a)).toEqual({ sha256: sha(Buffer.from('first file')), size: 10 });
    await hashPartFile('u3', a, 4);
    await dropRunningHash('u3');
    expect(await finishFileHash('u3', a)).toEqual({ sha256: sha(Buffer.from('first file')), size: 10 });
  });

  it('hashes each byte once, as it was when read: a prefix is never read again', async () => {
    // The part file only grows by appends (appendChunk truncates an overflowing chunk back to its
    // own start, never below bytes already reported received), so this is the file's digest.
    const file = tempFile();
    fs.writeFileSync(file, Buffer.from('AAAA'));
    await hashPartFile('u4', file, 4);
    fs.writeFileSync(file, Buffer.from('BBBBCCCC'));
    const h = await finishFileHash('u4', file);
    expect(h.sha256).toBe(sha(Buffer.from('AAAACCCC')));
    expect(h.sha256).not.toBe(sha(Buffer.from('BBBBCCCC')));
  });

  it('forgets a state whose file disappeared, and fails that call', async () => {
    const file = tempFile();
    fs.writeFileSync(file, Buffer.from('x'.repeat(100)));
    await hashPartFile('u5', file, 50);
    fs.rmSync(file);
    await expect(hashPartFile('u5', file, 100)).rejects.toThrow(/ENOENT/);
    fs.writeFileSync(file, Buffer.from('y'.repeat(100)));
    expect((await finishFileHash('u5', file)).sha256).toBe(sha(Buffer.from('y'.repeat(100))));
  });
  it('keeps many uploads’ running hashes apart when all of them advance at once (reads are queued, buffers shared)', async () => {
    const files = Array.from({ length: 40 }, () => tempFile());
    const contents = files.map((_, i) => crypto.randomBytes(1024 * 1024 + 1000 * i + 1));
    files.forEach((f, i) => fs.writeFileSync(f, contents[i]));
    const half = await Promise.all(files.map((f, i) => hashPartFile(`many-${i}`, f, Math.floor(contents[i].length / 2))));
    expect(half).toEqual(contents.map((c) => Math.floor(c.length / 2)));
    const done = await Promise.all(files.map((f, i) => finishFileHash(`many-${i}`, f)));
    expect(done).toEqual(contents.map((c) => ({ sha256: sha(c), size: c.length })));
  });
});
