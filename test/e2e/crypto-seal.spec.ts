/**
 * Seals a generated bid file of a few MB in Chromium, inside crypto/seal.worker.ts, watching the
 * progress events; then opens the envelope in Node with the same openBid, and with openssl.
 * Self-contained: bundles with esbuild and serves on 127.0.0.1 itself.
 */
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256, toHex } from '../../crypto/hash.js';
import { inspectSealedBid, openBid } from '../../crypto/seal.js';
import { makeTestPki, type TestPki } from '../../crypto/seal-test-pki.js';
import { startSealHarness, type SealHarness } from './crypto-seal.harness.js';
import type { RunSealArgs, RunSealResult } from './crypto-seal.page.js';

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] } });
test.describe.configure({ mode: 'serial' });

let harness: SealHarness;
let pki: TestPki;
const file = new Uint8Array(5 * 1024 * 1024 + 123);
const binding = { tenderId: 'T-2024-017', sectionId: '3', bidderId: 'bidder-7' };

test.beforeAll(async () => {
  for (let i = 0; i < file.length; i += 65_536) crypto.getRandomValues(file.subarray(i, Math.min(file.length, i + 65_536)));
  [harness, pki] = await Promise.all([startSealHarness(), makeTestPki()]);
  harness.setFile(file);
});

test.afterAll(async () => {
  await harness?.close();
});

test('a bid sealed in a Chromium Web Worker opens in Node and with openssl', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(harness.url);
  await page.waitForFunction(() => typeof (globalThis as { runSeal?: unknown }).runSeal === 'function');
  const args: RunSealArgs = {
    certPem: pki.bidder.certPem,
    keyPem: pki.bidder.keyPem,
    openingPem: pki.opening.certPem,
    fileUrl: `${harness.url}/bid.bin`,
    ...binding,
  };
  const r: RunSealResult = await page.evaluate(
    (a) => (globalThis as unknown as { runSeal: (a: RunSealArgs) => Promise<RunSealResult> }).runSeal(a),
    args,
  );
  expect(errors).toEqual([]);

  // progress: every phase seen, in order, ending at the full size
  const phases = r.progress.map((p) => p[0]);
  expect(new Set(phases)).toEqual(new Set(['hash', 'sign', 'encrypt']));
  expect(phases.indexOf('encrypt')).toBeGreaterThan(phases.lastIndexOf('hash'));
  expect(r.progress[r.progress.length - 1]).toEqual(['encrypt', file.length, file.length]);
  expect(r.fileSize).toBe(file.length);

  const envelope = new Uint8Array(Buffer.from(r.envelopeB64!, 'base64'));
  const submission = new Uint8Array(Buffer.from(r.submissionB64, 'base64'));

  // the server's view: no key, checks address, size and the signed binding
  const info = await inspectSealedBid({ envelope, submission, openingCert: pki.opening.cert, trustAnchors: [pki.ca.cert], expect: binding });
  expect(info.statement?.envelopeSha256).toBe(info.envelopeSha256);

  // the opening in Node with the same openBid
  const bid = await openBid({ envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [pki.ca.cert], expect: binding });
  expect(bid.signer.commonName).toBe('甲建设有限公司');
  expect(bid.files).toHaveLength(1);
  expect(Buffer.from(bid.files[0].bytes).equals(Buffer.from(file))).toBe(true);
  expect(bid.manifest.files[0].sha256).toBe(toHex(await sha256(file)));
  await expect(
    openBid({ envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [pki.ca.cert], expect: { ...binding, tenderId: 'T-OTHER' } }),
  ).rejects.toMatchObject({ code: 'BINDING_MISMATCH' });

  // and with openssl cms -decrypt (exit code checked: OpenSSL writes output even on GCM failure)
  test.skip(!existsSync('/usr/bin/openssl'), 'openssl not installed');
  const envPath = path.join(pki.dir, 'chromium-bid.p7m');
  const outPath = path.join(pki.dir, 'chromium-bid.content');
  writeFileSync(envPath, envelope);
  const dec = spawnSync('/usr/bin/openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', envPath, '-recip', pki.opening.certPath, '-inkey', pki.opening.keyPath, '-out', outPath]);
  expect(dec.status, dec.stderr.toString()).toBe(0);
  const content = readFileSync(outPath);
  // the decrypted SealedBidContent ends with the file bytes (last OCTET STRING of the container)
  expect(content.subarray(content.length - file.length).equals(Buffer.from(file))).toBe(true);
});
