/**
 * Serves the esbuild bundle of crypto/seal.worker.ts + crypto-seal.page.ts on 127.0.0.1 (random
 * port) so Chromium can seal in a real Web Worker. Shared by the e2e spec and bench/crypto.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

export interface SealHarness {
  url: string;
  /** bytes served at `${url}/bid.bin` */
  setFile(bytes: Uint8Array): void;
  close(): Promise<void>;
}

export async function startSealHarness(): Promise<SealHarness> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'seal-bundle-'));
  await build({
    entryPoints: {
      'seal.worker': path.join(ROOT, 'crypto/seal.worker.ts'),
      page: path.join(HERE, 'crypto-seal.page.ts'),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outdir,
    logLevel: 'error',
  });
  const assets: Record<string, [string, Buffer]> = {
    '/': ['text/html; charset=utf-8', Buffer.from('<!doctype html><meta charset="utf-8"><title>seal</title><script type="module" src="/page.js"></script>')],
    '/page.js': ['text/javascript', readFileSync(path.join(outdir, 'page.js'))],
    '/seal.worker.js': ['text/javascript', readFileSync(path.join(outdir, 'seal.worker.js'))],
  };
  let file: Uint8Array = new Uint8Array(0);
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/bid.bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
      return;
    }
    const a = assets[p];
    if (!a) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': a[0] });
    res.end(a[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setFile(bytes) {
      file = bytes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
