/**
 * Browser side of crypto-seal.spec.ts (and bench/crypto.ts): bundled by esbuild with the worker.
 * window.runSeal fetches a bid file, seals it in crypto/seal.worker.ts and returns the result.
 */
import { importPrivateKeyPem } from '../../crypto/pki.js';
import { sealInWorker } from '../../crypto/seal-client.js';

export interface RunSealArgs {
  certPem: string;
  keyPem: string;
  openingPem: string;
  fileUrl: string;
  tenderId: string;
  sectionId: string;
  bidderId: string;
}

export interface RunSealResult {
  envelopeB64?: string;
  envelopeSize: number;
  submissionB64: string;
  progress: [string, number, number][];
  /** ms spent in the worker round trip (sealing), excluding the fetch */
  sealMs: number;
  fileSize: number;
  mainThreadFree: number;
}

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function toB64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

async function runSeal(a: RunSealArgs & { returnEnvelope?: boolean }): Promise<RunSealResult> {
  const signerKey = await importPrivateKeyPem(a.keyPem, 'sign');
  const bytes = new Uint8Array(await (await fetch(a.fileUrl)).arrayBuffer());
  const fileSize = bytes.length;
  const worker = new Worker('/seal.worker.js', { type: 'module' });
  const progress: [string, number, number][] = [];
  // Count main-thread timer ticks while the worker seals: a frozen page would count none.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t0 = performance.now();
  const sealed = await sealInWorker(
    worker,
    {
      tenderId: a.tenderId,
      sectionId: a.sectionId,
      bidderId: a.bidderId,
      form: { priceFen: 88_000_000, durationDays: 120 },
      files: [{ name: 'bid.bin', bytes }],
      signerCert: pemToDer(a.certPem),
      signerKey,
      recipients: [pemToDer(a.openingPem)],
    },
    { onProgress: (phase, done, total) => progress.push([phase, done, total]), transferFiles: true },
  );
  const sealMs = performance.now() - t0;
  clearInterval(timer);
  worker.terminate();
  return {
    envelopeB64: a.returnEnvelope === false ? undefined : toB64(sealed.envelope),
    envelopeSize: sealed.envelope.length,
    submissionB64: toB64(sealed.submission),
    progress,
    sealMs,
    fileSize,
    mainThreadFree: ticks,
  };
}

(globalThis as unknown as { runSeal: typeof runSeal }).runSeal = runSeal;
