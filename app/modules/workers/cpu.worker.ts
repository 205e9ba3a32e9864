// Entry of the CPU worker threads (pool.server.ts): self-contained jobs that would otherwise hold
// the server's one event loop for milliseconds each, while hundreds of uploads wait on it:
// laying out PDFs, hashing and parsing a sealed bid file at completion, and checking a signature
// (CMS parsing and the chain: several ms each, a hundred bidders start at once). Jobs take plain data
// and file paths and return plain data; nothing here touches the database, private keys or sessions.
import { parentPort } from 'node:worker_threads';
import { verifySignedData } from '../../../crypto/cms';
import { inspectSealedBidFile } from '~/modules/bidding/inspect.server';
import { dropRunningHash, hashPartFile, runningHashCount } from '~/modules/bidding/running-hash.server';
import { renderPdfInThisThread } from '~/modules/documents/pdf-render.server';

export const jobs = {
  renderPdf: renderPdfInThisThread,
  verifySignedData,
  inspectSealedBidFile,
  hashPartFile,
  dropRunningHash,
  runningHashCount,
};
export type Jobs = typeof jobs;

export interface JobRequest {
  id: number;
  op: keyof Jobs;
  args: unknown[];
}
export type JobResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; code?: string; stack?: string } };

if (parentPort) {
  const port = parentPort;
  port.on('message', async (req: JobRequest) => {
    try {
      const value = await (jobs[req.op] as (...a: unknown[]) => Promise<unknown>)(...req.args);
      // A rendered PDF's bytes are moved, not copied, back to the server thread.
      const transfer = value instanceof Uint8Array && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? [value.buffer as ArrayBuffer] : [];
      port.postMessage({ id: req.id, ok: true, value } satisfies JobResponse, transfer);
    } catch (e) {
      const err = e as Error & { code?: string };
      port.postMessage({ id: req.id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), code: err?.code, stack: err?.stack } } satisfies JobResponse);
    }
  });
}
