/**
 * Main-thread side of seal.worker.ts. The app creates the worker with its bundler, e.g.
 *   new Worker(new URL('../../crypto/seal.worker.ts', import.meta.url), { type: 'module' })
 * and calls sealInWorker(worker, input, { onProgress }).
 */
import { CryptoVerifyError } from './errors.js';
import type { BidManifest, ProgressFn, SealBidInput, SealedBid } from './seal.js';
import type { SealRequest, SealResponse } from './seal.worker.js';

let nextId = 1;

export function sealInWorker(
  worker: Worker,
  input: SealBidInput,
  opts: {
    onProgress?: ProgressFn;
    /** move the file buffers into the worker instead of copying them (the caller's views become empty) */
    transferFiles?: boolean;
  } = {},
): Promise<SealedBid> {
  const id = nextId++;
  return new Promise<SealedBid>((resolve, reject) => {
    const onMessage = (ev: MessageEvent<SealResponse>) => {
      const m = ev.data;
      if (!m || m.id !== id) return;
      if (m.type === 'progress') {
        opts.onProgress?.(m.phase, m.done, m.total);
        return;
      }
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (m.type === 'done') {
        resolve({ envelope: m.envelope, submission: m.submission, manifest: m.manifest as BidManifest, envelopeSha256: m.envelopeSha256 });
      } else {
        reject(m.code ? new CryptoVerifyError(m.code, m.message) : new Error(m.message));
      }
    };
    const onError = (ev: ErrorEvent) => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      reject(new Error(`seal worker failed: ${ev.message}`));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    const transfer: Transferable[] = [];
    if (opts.transferFiles) {
      const seen = new Set<ArrayBufferLike>();
      for (const f of input.files) {
        if (!seen.has(f.bytes.buffer)) {
          seen.add(f.bytes.buffer);
          transfer.push(f.bytes.buffer as ArrayBuffer);
        }
      }
    }
    worker.postMessage({ id, input } satisfies SealRequest, transfer);
  });
}
