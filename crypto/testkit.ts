/**
 * Test-only helpers for crypto/ verifiers (not imported by production code).
 * `fuzz` applies deterministic mutations and requires every one to end in CryptoVerifyError.
 */
import { CryptoVerifyError } from './errors.js';

/** Deterministic PRNG so a failing mutation can be replayed. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `equivalent(result)` may excuse an accepted mutation that changed only unauthenticated framing
 * (e.g. TimeStampResp status granted -> grantedWithMods) and yielded the very same verified result.
 */
/**
 * Lets the test worker's event loop turn. Long synchronous loops in a test otherwise starve the
 * test runner's own messages (vitest fails the run when one waits over 60 s on a busy machine).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function fuzz<T>(
  valid: Uint8Array,
  n: number,
  check: (m: Uint8Array) => Promise<T>,
  equivalent?: (result: T) => boolean,
): Promise<Record<string, number>> {
  const rnd = mulberry32(0x5eed);
  const codes: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    if (i % 250 === 0) await yieldToEventLoop();
    let m: Uint8Array;
    const kind = i % 5;
    const pos = Math.floor(rnd() * valid.length);
    if (kind === 0) {
      m = valid.subarray(0, Math.floor(rnd() * valid.length)); // truncation
    } else if (kind === 1) {
      m = valid.slice();
      m[pos] ^= 1 << Math.floor(rnd() * 8); // one bit
    } else if (kind === 2) {
      m = valid.slice();
      m[pos] = Math.floor(rnd() * 256); // random byte (may equal the original)
      if (m[pos] === valid[pos]) m[pos] ^= 0xff;
    } else if (kind === 3) {
      m = new Uint8Array(valid.length + 1); // inserted byte
      m.set(valid.subarray(0, pos));
      m[pos] = Math.floor(rnd() * 256);
      m.set(valid.subarray(pos), pos + 1);
    } else {
      m = new Uint8Array(valid.length - 1); // deleted byte
      m.set(valid.subarray(0, pos));
      m.set(valid.subarray(pos + 1), pos);
    }
    let code: string;
    try {
      const result = await check(m);
      code = equivalent?.(result) ? 'ACCEPTED_EQUIVALENT' : 'ACCEPTED';
    } catch (e) {
      if (!(e instanceof CryptoVerifyError)) throw new Error(`mutation ${i} (kind ${kind} at ${pos}) threw ${String(e)}`);
      code = e.code;
    }
    if (code === 'ACCEPTED') throw new Error(`mutation ${i} (kind ${kind} at ${pos}) was accepted`);
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}
