// The /tsa endpoint with OpenSSL on both ends: `openssl ts -query` → POST /tsa → `openssl ts -verify`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenFromResponse } from '../../crypto/tsp';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { action as tsaAction, loader as tsaLoader } from '~/routes/tsa';
import { loader as caLoader } from '~/routes/pki.ca[.]pem';
import { loader as crlLoader } from '~/routes/pki.crl[.]der';
import { useTestDatabase } from '../setup/db';
import { freezeClockInOneWindow, makeRequest } from '../setup/fixtures';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsa-route-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

async function post(body: Uint8Array, contentType = 'application/timestamp-query', ip = '10.1.0.1') {
  const r = (await tsaAction({
    request: makeRequest('/tsa', { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': contentType }, ip }),
    params: {},
    context: {},
  })) as Response;
  return r;
}

describe('POST /tsa', () => {
  it('answers an OpenSSL query with a token OpenSSL verifies against /pki/ca.pem', async () => {
    fs.writeFileSync(path.join(tmp, 'bid.bin'), '投标文件内容 '.repeat(1000));
    openssl('ts', '-query', '-data', 'bid.bin', '-sha256', '-cert', '-out', 'bid.tsq');
    const res = await post(new Uint8Array(fs.readFileSync(path.join(tmp, 'bid.tsq'))));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    fs.writeFileSync(path.join(tmp, 'bid.tsr'), new Uint8Array(await res.arrayBuffer()));
    const ca = (await caLoader()) as Response;
    fs.writeFileSync(path.join(tmp, 'ca.pem'), await ca.text());
    const out = openssl('ts', '-verify', '-data', 'bid.bin', '-in', 'bid.tsr', '-CAfile', 'ca.pem');
    expect(out).toContain('Verification: OK');
    const text = openssl('ts', '-reply', '-in', 'bid.tsr', '-text');
    expect(text).toContain('Status: Granted');
    // and against other data it fails
    fs.writeFileSync(path.join(tmp, 'other.bin'), 'x');
    expect(() => openssl('ts', '-verify', '-data', 'other.bin', '-in', 'bid.tsr', '-CAfile', 'ca.pem')).toThrow();
  });

  it('answers a malformed query with an RFC 3161 rejection, not an HTTP error', async () => {
    const res = await post(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]));
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(() => tokenFromResponse(body)).toThrow(/rejection/);
    fs.writeFileSync(path.join(tmp, 'bad.tsr'), body);
    expect(openssl('ts', '-reply', '-in', 'bad.tsr', '-text')).toMatch(/Status: Rejected/);
  });

  it('refuses a wrong media type, an oversized body and floods', async () => {
    expect((await post(new Uint8Array([1]), 'application/octet-stream')).status).toBe(415);
    expect((await post(new Uint8Array(64 * 1024 + 1))).status).toBe(413);
    const codes: number[] = [];
    freezeClockInOneWindow(60_000);
    for (let i = 0; i < 125; i++) codes.push((await post(new Uint8Array([0x30, 0x00]), undefined, '10.9.9.9')).status);
    expect(codes.slice(0, 120).every((c) => c === 200)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    expect(((await tsaLoader()) as Response).status).toBe(405);
  });

  it('publishes the CRL', async () => {
    const res = (await crlLoader()) as Response;
    fs.writeFileSync(path.join(tmp, 'crl.der'), new Uint8Array(await res.arrayBuffer()));
    const pki = await getPlatformPki();
    fs.writeFileSync(path.join(tmp, 'ca2.pem'), pki.ca.certPem);
    expect(openssl('crl', '-inform', 'DER', '-in', 'crl.der', '-CAfile', 'ca2.pem', '-noout')).toBe('');
  });
});
