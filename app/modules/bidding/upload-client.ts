// Browser side of the resumable sealed-bid upload (see uploads.server.ts). Chunks go up with
// XMLHttpRequest for byte-level progress; after a network failure or a server restart the client
// asks the server how far it got and continues from there, with backoff, until the deadline
// refuses it or the retries run out.
import { toBase64 } from '../../../crypto/hash';

export class UploadError extends Error {
  constructor(
    message: string,
    public code = 'UPLOAD',
    public status = 0,
  ) {
    super(message);
  }
}

export interface UploadProgress {
  sent: number;
  total: number;
  /** 'uploading' | 'retrying' (network lost) | 'verifying' (server inspects + stamps) */
  state: 'uploading' | 'retrying' | 'verifying';
  attempt?: number;
}

export interface UploadResult {
  bidId: string;
  receiptId: string;
  receiptNo: string;
}

async function json(res: Response) {
  return (await res.json().catch(() => ({}))) as Record<string, unknown>;
}

function putChunk(url: string, body: Uint8Array, onProgress: (loaded: number) => void): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, body: (xhr.response ?? {}) as Record<string, unknown> });
    xhr.onerror = () => reject(new UploadError('网络连接中断', 'NETWORK'));
    xhr.ontimeout = () => reject(new UploadError('网络超时', 'NETWORK'));
    xhr.timeout = 10 * 60_000;
    xhr.send(body as Uint8Array<ArrayBuffer>);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadSealedBid(input: {
  tenderId: string;
  sectionId: string;
  envelope: Uint8Array;
  submission: Uint8Array;
  onProgress?: (p: UploadProgress) => void;
  maxRetries?: number;
}): Promise<UploadResult> {
  const total = input.envelope.length;
  const report = input.onProgress ?? (() => {});
  const startRes = await fetch('/api/uploads/bids', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ tenderId: input.tenderId, sectionId: input.sectionId, submissionB64: toBase64(input.submission) }),
  });
  const started = await json(startRes);
  if (!startRes.ok) throw new UploadError(String(started.error ?? `服务器错误（${startRes.status}）`), String(started.code ?? 'START'), startRes.status);
  const uploadId = String(started.uploadId);
  const chunkBytes = Number(started.chunkBytes);
  let received = Number(started.received ?? 0);
  let failures = 0;
  const maxRetries = input.maxRetries ?? 30;

  async function resync() {
    const r = await fetch(`/api/uploads/bids/${uploadId}`, { credentials: 'same-origin', cache: 'no-store' });
    const b = await json(r);
    if (!r.ok) throw new UploadError(String(b.error ?? `服务器错误（${r.status}）`), String(b.code ?? 'STATUS'), r.status);
    if (b.status !== 'receiving') throw new UploadError(String(b.reason ?? '上传任务已结束'), 'UPLOAD_CLOSED', 409);
    received = Number(b.received);
  }

  while (received < total) {
    const end = Math.min(received + chunkBytes, total);
    const base = received;
    report({ sent: received, total, state: 'uploading' });
    try {
      const r = await putChunk(`/api/uploads/bids/${uploadId}?offset=${base}`, input.envelope.subarray(base, end), (loaded) =>
        report({ sent: Math.min(base + loaded, total), total, state: 'uploading' }),
      );
      if (r.status === 200 || (r.status === 409 && r.body.conflict)) {
        received = Number(r.body.received);
        failures = 0;
        continue;
      }
      if (r.status >= 500 || r.status === 0) throw new UploadError(`服务器暂时不可用（${r.status}）`, 'NETWORK', r.status);
      throw new UploadError(String(r.body.error ?? `上传失败（${r.status}）`), String(r.body.code ?? 'UPLOAD'), r.status);
    } catch (e) {
      if (!(e instanceof UploadError) || e.code !== 'NETWORK') throw e;
      failures++;
      if (failures > maxRetries) throw new UploadError('网络多次中断，上传未完成。已上传的部分保留在服务器上，请稍后重新递交同一文件。', 'NETWORK');
      report({ sent: received, total, state: 'retrying', attempt: failures });
      await sleep(Math.min(1000 * 2 ** Math.min(failures - 1, 4), 15_000));
      try {
        await resync();
      } catch (err) {
        if (err instanceof UploadError && err.code !== 'NETWORK' && err.status !== 0 && err.status < 500) throw err;
        // still offline: the next round retries
      }
    }
  }
  report({ sent: total, total, state: 'verifying' });
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(`/api/uploads/bids/${uploadId}?complete`, { method: 'POST', credentials: 'same-origin' });
      const b = await json(r);
      if (r.ok) return { bidId: String(b.bidId), receiptId: String(b.receiptId), receiptNo: String(b.receiptNo) };
      if (r.status < 500) throw new UploadError(String(b.error ?? `递交失败（${r.status}）`), String(b.code ?? 'COMPLETE'), r.status);
      throw new TypeError('server error');
    } catch (e) {
      if (e instanceof UploadError) throw e;
      if (attempt >= 5) throw new UploadError('网络中断，未能确认递交结果。请刷新页面查看是否已生成投标回执。', 'NETWORK');
      await sleep(2000 * (attempt + 1));
    }
  }
}
