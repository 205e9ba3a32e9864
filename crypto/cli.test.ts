import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listCommands, main } from './cli.js';
import { parseArgs } from './cli/args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OPENSSL = '/usr/bin/openssl';
const hasOpenssl = spawnSync(OPENSSL, ['version']).status === 0;
if (!hasOpenssl) console.log('openssl not found: skipping OpenSSL checks of CLI output');

let dir: string;
const f = (n: string) => path.join(dir, n);
function ossl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(OPENSSL, args, { cwd: dir });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs the CLI in-process (same code path as `npx tsx crypto/cli.ts`), capturing its output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-test-'));
  writeFileSync(f('bid.bin'), Buffer.from('sealed bid 投标 ' + 'x'.repeat(5000)));
  writeFileSync(f('other.bin'), Buffer.from('something else'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dispatcher', () => {
  it('lists command modules found in crypto/cli/ and rejects unknown words with one error line', async () => {
    expect(listCommands()).toEqual(expect.arrayContaining(['ca', 'cert', 'crl', 'sign', 'ts', 'verify']));
    expect(listCommands()).not.toContain('args');
    const help = await cli();
    expect(help.code).toBe(0);
    expect(help.out).toContain('commands: ');
    for (const bad of ['nope', '../pki', 'args', 'Sign']) {
      const r = await cli(bad);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: unknown command "[^"]*"[^\n]*\n$/);
    }
  });

  it('shared parseArgs handles strings, booleans, repeated options and rejects unknown ones', () => {
    const { values, positionals } = parseArgs(['--in', 'a', '--crl', 'x', '--crl', 'y', '--detached', 'p'], { string: ['in'], boolean: ['detached'], multiple: ['crl'] });
    expect(values).toMatchObject({ in: 'a', crl: ['x', 'y'], detached: true });
    expect(positionals).toEqual(['p']);
    expect(() => parseArgs(['--bogus'], { string: ['in'] })).toThrow(/unknown option --bogus/);
  });
});

describe('end to end with openssl', () => {
  it('ca init, cert issue, sign, verify, ts stamp/verify, crl issue', async () => {
    let r = await cli('ca', 'init', '--out', f('ca'), '--alg', 'EC', '--cn', '测试平台根CA');
    expect(r.code, r.err).toBe(0);
    expect(statSync(f('ca/ca.key')).mode & 0o777).toBe(0o600);
    expect((await cli('ca', 'init', '--out', f('ca'))).err).toMatch(/^error: .*refusing to overwrite/);

    r = await cli('cert', 'issue', '--ca', f('ca'), '--role', 'bidder', '--cn', '某投标公司', '--org', '某投标公司', '--credit-code', '91110000600037341L', '--out', f('bidder'), '--p12-pass', 'pw123', '--alg', 'EC');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('serialNumber=91110000600037341L');
    r = await cli('cert', 'issue', '--ca', f('ca'), '--role', 'tsa', '--cn', 'Platform TSA', '--out', f('tsa'), '--alg', 'EC');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(f('tsa/cert.p12'))).toBe(false);
    expect((await cli('cert', 'issue', '--ca', f('ca'), '--role', 'king', '--cn', 'x', '--out', f('x'))).err).toMatch(/^error: --role must be one of/);

    r = await cli('sign', '--cert', f('bidder/cert.pem'), '--key', f('bidder/key.pem'), '--in', f('bid.bin'), '--out', f('bid.p7s'));
    expect(r.code, r.err).toBe(0);
    r = await cli('sign', '--cert', f('bidder/cert.pem'), '--key', f('bidder/key.pem'), '--in', f('bid.bin'), '--out', f('bid.d.p7s'), '--detached');
    expect(r.code, r.err).toBe(0);

    r = await cli('verify', '--ca', f('ca/ca.pem'), '--in', f('bid.p7s'), '--out', f('bid.out'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/signer: O=某投标公司, serialNumber=91110000600037341L, CN=某投标公司/);
    expect(r.out).toMatch(/signing time: \d{4}-\d\d-\d\dT/);
    expect(readFileSync(f('bid.out'))).toEqual(readFileSync(f('bid.bin')));
    r = await cli('verify', '--ca', f('ca/ca.pem'), '--in', f('bid.d.p7s'), '--content', f('bid.bin'));
    expect(r.code, r.err).toBe(0);
    r = await cli('verify', '--ca', f('ca/ca.pem'), '--in', f('bid.d.p7s'), '--content', f('other.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: the content does not match the signed message digest\n$/);
    r = await cli('verify', '--ca', f('tsa/cert.pem'), '--in', f('bid.p7s'));
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(2);

    r = await cli('ts', 'stamp', '--cert', f('tsa/cert.pem'), '--key', f('tsa/key.pem'), '--in', f('bid.bin'), '--out', f('bid.tsr'));
    expect(r.code, r.err).toBe(0);
    r = await cli('ts', 'verify', '--ca', f('ca/ca.pem'), '--in', f('bid.tsr'), '--data', f('bid.bin'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/time: .*\ntsa|tsa: CN=Platform TSA/);
    r = await cli('ts', 'verify', '--ca', f('ca/ca.pem'), '--in', f('bid.tsr'), '--data', f('other.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: the time-stamp token covers different data\n$/);

    const serial = /serial: ([0-9a-f]+)/.exec((await cli('cert', 'show', '--in', f('bidder/cert.pem'))).out)![1];
    r = await cli('crl', 'issue', '--ca', f('ca'), '--revoke', serial, '--out', f('crl.pem'));
    expect(r.code, r.err).toBe(0);
    r = await cli('verify', '--ca', f('ca/ca.pem'), '--in', f('bid.p7s'), '--crl', f('crl.pem'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: certificate .* was revoked at/);

    if (!hasOpenssl) return;
    expect(ossl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'bid.p7s', '-CAfile', 'ca/ca.pem', '-out', '/dev/null']).status).toBe(0);
    expect(ossl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'bid.d.p7s', '-content', 'bid.bin', '-CAfile', 'ca/ca.pem', '-out', '/dev/null']).status).toBe(0);
    expect(ossl(['ts', '-verify', '-data', 'bid.bin', '-in', 'bid.tsr', '-CAfile', 'ca/ca.pem']).out).toContain('Verification: OK');
    expect(ossl(['pkcs12', '-in', 'bidder/cert.p12', '-nodes', '-passin', 'pass:pw123']).out).toContain('BEGIN PRIVATE KEY');
    expect(ossl(['verify', '-crl_check', '-CAfile', 'ca/ca.pem', '-CRLfile', 'crl.pem', 'bidder/cert.pem']).out).toContain('certificate revoked');
    // a query made by openssl, stamped by the CLI, checked by openssl against the query (nonce)
    expect(ossl(['ts', '-query', '-data', 'bid.bin', '-sha256', '-cert', '-out', 'q.tsq']).status).toBe(0);
    r = await cli('ts', 'stamp', '--cert', f('tsa/cert.pem'), '--key', f('tsa/key.pem'), '--query', f('q.tsq'), '--out', f('q.tsr'));
    expect(r.code, r.err).toBe(0);
    expect(ossl(['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'q.tsr', '-CAfile', 'ca/ca.pem']).out).toContain('Verification: OK');
    // and a signature made by openssl verifies with the CLI
    expect(ossl(['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-in', 'bid.bin', '-signer', 'bidder/cert.pem', '-inkey', 'bidder/key.pem', '-out', 'o.p7s']).status).toBe(0);
    r = await cli('verify', '--ca', f('ca/ca.pem'), '--in', f('o.p7s'), '--content', f('bid.bin'));
    expect(r.code, r.err).toBe(0);
  });

  it('runs as `npx tsx crypto/cli.ts` with exit status 0 / 1 and one error line', () => {
    const run = (...args: string[]) => spawnSync('npx', ['tsx', 'crypto/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    writeFileSync(f('sign-me.txt'), 'hello');
    let r = run('ca', 'init', '--out', f('ca2'), '--alg', 'EC');
    expect(r.status, r.stderr).toBe(0);
    r = run('cert', 'issue', '--ca', f('ca2'), '--role', 'user', '--cn', 'Spawned', '--out', f('u2'), '--alg', 'EC');
    expect(r.status, r.stderr).toBe(0);
    r = run('sign', '--cert', f('u2/cert.pem'), '--key', f('u2/key.pem'), '--in', f('sign-me.txt'), '--out', f('s2.p7s'));
    expect(r.status, r.stderr).toBe(0);
    r = run('verify', '--ca', f('ca2/ca.pem'), '--in', f('s2.p7s'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('signer: CN=Spawned');
    r = run('verify', '--ca', f('ca2/ca.pem'));
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual(['error: missing --in']);
  });
});
