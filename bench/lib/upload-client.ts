/**
 * The upload benchmark's load generator: the sealed-bid protocol (start → chunks → complete) and the
 * baseline's bare PUTs, over node:http with one keep-alive agent.
 *
 * `bench/upload.ts` runs each timed round in a child process started from this file (`runLoad`):
 * the benchmark process itself has the whole app loaded (it prepares the tender, the certificates
 * and the sealed bids with the app's own modules), and a load generator carrying that heap spent
 * about 1.8 s of one round in garbage collection alone, on the same two cores as the server under
 * test. The child imports node:http and node:fs only; app and baseline rounds use the same child.
 * The crash test (test/integration/bidding.fault.test.ts) calls uploadBid/continueUpload in-process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const CHUNK = 8 * 1024 * 1024;

export interface PreparedBid {
  cookie: string;
  tenderId: string;
  sectionId: string;
  submissionB64: string;
  file: string;
  size: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(url: string, opts: { method: string; headers?: Record<string, string>; body?: Buffer | string; file?: { path: string; start: number; end: number } }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers: opts.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.file) fs.createReadStream(opts.file.path, { start: opts.file.start, end: opts.file.end - 1, highWaterMark: 256 * 1024 }).pipe(req);
    else req.end(opts.body);
  });
}

export interface UploadOutcome {
  ok: boolean;
  receiptNo?: string;
  status?: number;
  error?: string;
}

/** One sealed bid over the real protocol. `onChunk` lets the crash test kill the server mid-way. */
export async function uploadBid(base: string, b: PreparedBid, onChunk?: (sent: number) => void, chunkBytes = CHUNK, started?: (uploadId: string) => void): Promise<UploadOutcome> {
  const headers = { cookie: b.cookie };
  const body = JSON.stringify({ tenderId: b.tenderId, sectionId: b.sectionId, submissionB64: b.submissionB64 });
  const s = await request(`${base}/api/uploads/bids`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body });
  if (s.status !== 201) return { ok: false, status: s.status, error: s.body };
  const { uploadId } = JSON.parse(s.body) as { uploadId: string };
  started?.(uploadId);
  return continueUpload(base, b, uploadId, 0, onChunk, chunkBytes);
}

/** Sends the rest of an upload from `from` and completes it (also used to resume after a crash). */
export async function continueUpload(base: string, b: PreparedBid, uploadId: string, from: number, onChunk?: (sent: number) => void, chunkBytes = CHUNK): Promise<UploadOutcome & { uploadId?: string }> {
  const headers = { cookie: b.cookie };
  let off = from;
  while (off < b.size) {
    const end = Math.min(off + chunkBytes, b.size);
    const r = await request(`${base}/api/uploads/bids/${uploadId}?offset=${off}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(end - off) }, file: { path: b.file, start: off, end } });
    if (r.status !== 200) return { ok: false, status: r.status, error: r.body };
    off = (JSON.parse(r.body) as { received: number }).received;
    onChunk?.(off);
  }
  const c = await request(`${base}/api/uploads/bids/${uploadId}?complete`, { method: 'POST', headers: { ...headers, 'content-length': '0' } });
  if (c.status !== 200) return { ok: false, status: c.status, error: c.body, uploadId };
  return { ok: true, receiptNo: (JSON.parse(c.body) as { receiptNo: string }).receiptNo, uploadId };
}

export async function uploadBaseline(base: string, b: PreparedBid, i: number): Promise<UploadOutcome> {
  let off = 0;
  while (off < b.size) {
    const end = Math.min(off + CHUNK, b.size);
    const r = await request(`${base}/u${i}?offset=${off}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - off) }, file: { path: b.file, start: off, end } });
    if (r.status !== 200) return { ok: false, status: r.status };
    off = (JSON.parse(r.body) as { received: number }).received;
  }
  await request(`${base}/u${i}`, { method: 'POST', headers: { 'content-length': '0' } });
  return { ok: true };
}

export interface LoadResult {
  /** From the first request sent to the last answer received. */
  seconds: number;
  results: UploadOutcome[];
  /** CPU time of the load generator during the round, seconds. */
  cpuSeconds: number;
}

/**
 * Runs all uploads of one round at once in a fresh child process against `url` ('app': the
 * sealed-bid protocol; 'baseline': bare PUTs) and returns its own timing of the round.
 */
export function runLoad(kind: 'app' | 'baseline', url: string, bids: PreparedBid[]): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    child.on('message', (m: { ready?: true; done?: LoadResult }) => {
      if (m.ready) child.send({ kind, url, bids });
      else if (m.done) {
        child.removeAllListeners('exit');
        child.disconnect();
        resolve(m.done);
      }
    });
  });
}

async function loadMain() {
  process.once('message', async (m: { kind: 'app' | 'baseline'; url: string; bids: PreparedBid[] }) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = await Promise.all(m.bids.map((b, i) => (m.kind === 'app' ? uploadBid(m.url, b) : uploadBaseline(m.url, b, i))));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    agent.destroy();
    process.send!({ done: { seconds, results, cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies LoadResult });
  });
  process.send!({ ready: true });
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) void loadMain();
