// SHA-256 of a sealed bid's part file, advanced on the CPU worker thread while the bid is still
// arriving (cpu.worker.ts runs these; uploads.server.ts asks after every chunk). Completion then
// hashes only the bytes after the last chunk hashed instead of the whole file, so the tail of a
// deadline rush — a hundred bids completing at once — no longer waits for gigabytes to be re-read
// and hashed on the one worker while it is also rendering receipts; the hashing happened earlier,
// while the worker would otherwise have sat idle and the event loop was busy receiving bytes.
//
// It is only an accelerator. A part file grows only by appends at its end (a chunk that overflows
// is truncated back to where that chunk began, never below bytes a chunk reported received), so
// a prefix hashed once stays valid. Whatever goes wrong — a worker restarted, the state evicted,
// the file replaced by the stored copy after a crash — completion finds no state for the file and
// hashes it whole, as before. The digest is compared with the bidder-signed one either way.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';

interface State {
  file: string;
  hash: crypto.Hash;
  /** bytes of `file` hashed so far */
  at: number;
  /** the last operation on this state: operations on one upload run one after another */
  chain: Promise<unknown>;
}

/** Uploads in progress at once are bounded by bidders × sections; beyond this the oldest state goes. */
const MAX_STATES = 5000;
const states = new Map<string, State>();

function serialize<T>(key: string, file: string, fn: (s: State) => Promise<T>): Promise<T> {
  let s = states.get(key);
  if (!s || s.file !== file) {
    s = { file, hash: crypto.createHash('sha256'), at: 0, chain: Promise.resolve() };
    states.set(key, s);
    if (states.size > MAX_STATES) states.delete(states.keys().next().value!);
  }
  const state = s;
  const run = state.chain.then(
    () => fn(state),
    () => fn(state),
  );
  state.chain = run.catch(() => undefined);
  return run;
}

// At most READERS reads-and-hashes run at once on this thread, each with one of READERS reused
// buffers. The worker answers messages concurrently, and near a deadline every receiving upload
// has a job in flight after each chunk: unbounded, each held its own 1 MB buffer (~90 MB of the
// server's peak RSS with 100 uploads, for no gain, since one thread hashes one buffer at a time).
const READ_BYTES = 1 << 20;
const READERS = 2;
const spare: Buffer[] = [];
let readers = 0;
const queue: (() => void)[] = [];

async function withReadBuffer<T>(fn: (buf: Buffer) => Promise<T>): Promise<T> {
  if (readers >= READERS) await new Promise<void>((r) => queue.push(r));
  else readers++;
  const buf = spare.pop() ?? Buffer.allocUnsafe(READ_BYTES);
  try {
    return await fn(buf);
  } finally {
    spare.push(buf);
    // The slot (and its buffer) passes to the next in line, or is freed.
    const next = queue.shift();
    if (next) next();
    else readers--;
  }
}

async function advance(s: State, upTo: number | null): Promise<void> {
  await withReadBuffer(async (buf) => {
    const fh = await fsp.open(s.file, 'r');
    try {
      for (;;) {
        const want = upTo === null ? buf.length : Math.min(buf.length, upTo - s.at);
        if (want <= 0) break;
        const { bytesRead } = await fh.read(buf, 0, want, s.at);
        if (bytesRead === 0) break;
        s.hash.update(buf.subarray(0, bytesRead));
        s.at += bytesRead;
      }
    } finally {
      await fh.close();
    }
  });
}

/** Hashes `file` from where this upload's state stopped up to `upTo` bytes. Returns the bytes hashed so far. */
export function hashPartFile(key: string, file: string, upTo: number): Promise<number> {
  return serialize(key, file, async (s) => {
    if (upTo > s.at) {
      try {
        await advance(s, upTo);
      } catch (e) {
        // The file is gone or unreadable: forget the state, completion will hash from scratch.
        if (states.get(key) === s) states.delete(key);
        throw e;
      }
    }
    return s.at;
  });
}

/**
 * The SHA-256 and size of the whole `file`: continues this upload's running hash when it has one
 * for that file, else reads it all. The state is consumed either way.
 */
export async function finishFileHash(key: string | undefined, file: string): Promise<{ sha256: string; size: number }> {
  if (key !== undefined && states.get(key)?.file === file) {
    return serialize(key, file, async (s) => {
      states.delete(key);
      await advance(s, null);
      return { sha256: s.hash.digest('hex'), size: s.at };
    });
  }
  if (key !== undefined) states.delete(key);
  const whole: State = { file, hash: crypto.createHash('sha256'), at: 0, chain: Promise.resolve() };
  await advance(whole, null);
  return { sha256: whole.hash.digest('hex'), size: whole.at };
}

/** Forgets an upload's state (expired, refused or restarted). */
export async function dropRunningHash(key: string): Promise<void> {
  states.delete(key);
}

/** How many running hashes are held (tests). */
export async function runningHashCount(): Promise<number> {
  return states.size;
}
