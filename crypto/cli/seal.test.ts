import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../seal-test-pki.js';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function cli(...args: string[]) {
  const r = spawnSync(TSX, [path.join(ROOT, 'crypto/cli.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let pki: TestPki;
let bidPath: string;
let inPath: string;

beforeAll(async () => {
  pki = await makeTestPki();
  inPath = path.join(pki.dir, '投标文件.pdf');
  writeFileSync(inPath, Buffer.from('%PDF-1.7 pretend bid '.repeat(5000)));
  writeFileSync(path.join(pki.dir, 'form.json'), JSON.stringify({ priceFen: 9_900_000, durationDays: 90 }));
  bidPath = path.join(pki.dir, 'bid.p7m');
});

describe('seal / open CLI', () => {
  it('seal writes an envelope and a submission; open restores the file and prints the signer', () => {
    const s = cli('seal', '--cert', pki.bidder.certPath, '--key', pki.bidder.keyPath, '--recipient', pki.opening.certPath,
      '--tender', 'T-9', '--section', '2', '--bidder', 'B-1', '--in', inPath, '--out', bidPath,
      '--form', path.join(pki.dir, 'form.json'), '--ca', pki.ca.certPath);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/envelope sha256 [0-9a-f]{64}/);
    expect(existsSync(`${bidPath}.submission.p7s`)).toBe(true);

    const out = path.join(pki.dir, 'restored.pdf');
    const o = cli('open', '--cert', pki.opening.certPath, '--key', pki.opening.keyPath, '--ca', pki.ca.certPath,
      '--tender', 'T-9', '--section', '2', '--bidder', 'B-1', '--in', bidPath, '--out', out, '--submission', `${bidPath}.submission.p7s`);
    expect(o.status, o.stderr).toBe(0);
    expect(o.stdout).toContain('signer: ');
    expect(o.stdout).toContain('甲建设有限公司');
    expect(o.stdout).toContain('"priceFen":9900000');
    expect(readFileSync(out)).toEqual(readFileSync(inPath));
  });

  it('the bidder can open its own bid with its own key', () => {
    const out = path.join(pki.dir, 'own.pdf');
    const o = cli('open', '--cert', pki.bidder.certPath, '--key', pki.bidder.keyPath, '--ca', pki.ca.certPath,
      '--tender', 'T-9', '--section', '2', '--in', bidPath, '--out', out);
    expect(o.status, o.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(inPath));
  });

  it('opening as another section fails with one error line and exit 1', () => {
    const o = cli('open', '--cert', pki.opening.certPath, '--key', pki.opening.keyPath, '--ca', pki.ca.certPath,
      '--tender', 'T-9', '--section', '3', '--in', bidPath, '--out', path.join(pki.dir, 'x.pdf'));
    expect(o.status).toBe(1);
    expect(o.stderr.trim().split('\n')).toHaveLength(1);
    expect(o.stderr).toMatch(/^error: .*section/);
    expect(existsSync(path.join(pki.dir, 'x.pdf'))).toBe(false);
  });

  it('seal refuses a bidder certificate from another CA when --ca is given', () => {
    const other = path.join(pki.dir, 'other-ca.pem');
    writeFileSync(other, `-----BEGIN CERTIFICATE-----\n${Buffer.from(pki.otherCa.cert).toString('base64')}\n-----END CERTIFICATE-----\n`);
    const s = cli('seal', '--cert', pki.bidder.certPath, '--key', pki.bidder.keyPath, '--recipient', pki.opening.certPath,
      '--tender', 'T-9', '--section', '2', '--bidder', 'B-1', '--in', inPath, '--out', path.join(pki.dir, 'no.p7m'), '--ca', other);
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/^error: /);
  });
});
