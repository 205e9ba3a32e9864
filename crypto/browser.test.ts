/**
 * crypto/ must run in the browser too (bidders sign and verify there). This bundles a small page
 * script with esbuild and runs it in headless Chromium over http://127.0.0.1 (WebCrypto needs a
 * secure context), exercising PKI, CMS, TSP, PKCS#12 and CRL code paths with the browser's WebCrypto.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { afterAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log('chromium not found: skipping the browser run of crypto/');
const HERE = path.dirname(fileURLToPath(import.meta.url));

const ENTRY = `
import { createRootCa, issueCertificate, validateChain, exportPkcs12, importPkcs12, createCrl, certInfo } from './pki';
import { signData, verifySignedData } from './cms';
import { createTimeStampRequest, createTimeStampResponse, verifyTimeStamp } from './tsp';
import { sha256, utf8 } from './hash';
globalThis.runAll = async () => {
  const out = [];
  const code = (p) => p.then(() => 'ACCEPTED', (e) => e.code || String(e));
  const ca = await createRootCa({ commonName: 'Browser Root', alg: 'EC' });
  const ec = await issueCertificate({ ca, role: 'bidder', commonName: '浏览器用户', alg: 'EC' });
  const rsa = await issueCertificate({ ca, role: 'bidder', commonName: 'rsa user', rsaBits: 2048 });
  const content = utf8('投标文件');
  for (const who of [ec, rsa]) {
    const sig = await signData({ content, signerCert: who.cert, signerKey: who.privateKey, detached: true });
    const v = await verifySignedData({ signedData: sig, content, trustAnchors: [ca.cert] });
    out.push('cms:' + v.signer.commonName);
    out.push('tamper:' + await code(verifySignedData({ signedData: sig, content: utf8('x'), trustAnchors: [ca.cert] })));
  }
  const tsa = await issueCertificate({ ca, role: 'tsa', commonName: 'TSA', alg: 'EC' });
  const req = await createTimeStampRequest({ digest: await sha256(content) });
  const resp = await createTimeStampResponse({ request: req, tsaCert: tsa.cert, tsaKey: tsa.privateKey, now: new Date(), serial: 1n });
  out.push('tsp:' + (await verifyTimeStamp({ response: resp, data: content, trustAnchors: [ca.cert] })).tsa.commonName);
  const p12 = await exportPkcs12({ cert: ec.cert, keyPem: ec.keyPem, password: 'pw' });
  out.push('p12:' + certInfo((await importPkcs12(p12, 'pw')).cert).commonName);
  const crl = await createCrl({ ca, revoked: [{ serialHex: certInfo(ec.cert).serialHex, date: new Date(Date.now() - 1000) }] });
  out.push('crl:' + await code(validateChain({ cert: ec.cert, trustAnchors: [ca.cert], crls: [crl] })));
  return out;
};
`;

describe.skipIf(!hasChromium)('crypto/ in Chromium', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('creates certificates, signs, verifies, time-stamps and reads PKCS#12 with the browser WebCrypto', async () => {
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: HERE, loader: 'ts' },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome110',
      write: false,
      logLevel: 'silent',
    });
    const js = bundle.outputFiles[0].text;
    expect(js).not.toMatch(/require\("node:/);
    server = createServer((req, res) => {
      if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script src="/bundle.js"></script>');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const out = await page.evaluate(() => (globalThis as unknown as { runAll: () => Promise<string[]> }).runAll());
      expect(errors).toEqual([]);
      expect(out).toEqual([
        'cms:浏览器用户',
        'tamper:DIGEST_MISMATCH',
        'cms:rsa user',
        'tamper:DIGEST_MISMATCH',
        'tsp:TSA',
        'p12:浏览器用户',
        'crl:CERT_REVOKED',
      ]);
    } finally {
      await browser.close();
    }
  });
});
