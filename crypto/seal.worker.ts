/// <reference lib="webworker" />
/**
 * Web Worker entry: runs sealBid off the main thread so a 200 MB bid does not freeze the page, and
 * posts progress. Protocol (see seal-client.ts): in { id, input } → out { id, type: 'progress' |
 * 'done' | 'error', ... }. CryptoKey objects are structured-cloneable, so the signing key travels
 * in the message without ever being exported.
 */
import { sealBid, type SealBidInput } from './seal.js';

export interface SealRequest {
  id: number;
  input: SealBidInput;
}

export type SealResponse =
  | { id: number; type: 'progress'; phase: 'hash' | 'sign' | 'encrypt'; done: number; total: number }
  | { id: number; type: 'done'; envelope: Uint8Array; submission: Uint8Array; manifest: unknown; envelopeSha256: string }
  | { id: number; type: 'error'; code?: string; message: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (ev: MessageEvent<SealRequest>) => {
  const { id, input } = ev.data;
  try {
    const r = await sealBid(input, {
      onProgress: (phase, done, total) => scope.postMessage({ id, type: 'progress', phase, done, total } satisfies SealResponse),
    });
    const transfer: Transferable[] = [];
    // hand the (big) envelope over without a copy when it owns its whole buffer
    if (r.envelope.byteOffset === 0 && r.envelope.byteLength === r.envelope.buffer.byteLength) transfer.push(r.envelope.buffer as ArrayBuffer);
    scope.postMessage(
      { id, type: 'done', envelope: r.envelope, submission: r.submission, manifest: r.manifest, envelopeSha256: r.envelopeSha256 } satisfies SealResponse,
      transfer,
    );
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    scope.postMessage({
      id,
      type: 'error',
      code: typeof err?.code === 'string' ? err.code : undefined,
      message: typeof err?.message === 'string' ? err.message : String(e),
    } satisfies SealResponse);
  }
};
