// Evidence packages end to end: built by the app, checked offline by `record verify`, and every
// mutation class reported by name.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHashes } from '../../crypto/auditlog';
import { fromBase64, sha256, toBase64, toHex, utf8 } from '../../crypto/hash';
import { createRootCa } from '../../crypto/pki';
import { hashBytes, verifyEvidencePackage, type EvidencePackage } from '../../crypto/record';
import { main as cliMain } from '../../crypto/cli';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { getPlatformPki, timestampDigest } from '~/modules/pki/platform.server';
import { buildEvidencePackage, digestFile } from '~/modules/transparency/evidence.server';
import { useTestDatabase } from '../setup/db';

useTestDatabase();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
const FILE = 'recording.webm';
const CHUNK = 1024;
let pkg: EvidencePackage;
let fileBytes: Uint8Array;
let anchors: Uint8Array[];

const clone = (): EvidencePackage => JSON.parse(JSON.stringify(pkg));

async function problemsOf(p: unknown, files: Record<string, Uint8Array> = { [FILE]: fileBytes }, trust = anchors) {
  const r = await verifyEvidencePackage(p, {
    trustAnchors: trust,
    hashFile: async (name, chunkSize) => (files[name] ? hashBytes(files[name], chunkSize) : null),
  });
  return r.problems;
}

async function cli(args: string[]) {
  const out: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await cliMain(args);
    return { code, text: out.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

beforeAll(async () => {
  const prisma = await getPrisma();
  for (let i = 1; i <= 6; i++) {
    await prisma.$transaction((tx) => appendAuditEntry(tx, { ...SYSTEM_ACTOR, ip: '10.0.0.7' }, { action: 'opening.step', objectType: 'tender', objectId: 'T-1', payload: { step: i } }));
  }
  fileBytes = new Uint8Array(10 * CHUNK + 100).map((_, i) => (i * 31) % 251);
  fs.writeFileSync(path.join(dir, FILE), fileBytes);
  const bid3 = utf8('sealed bid 3');
  const ts = await timestampDigest(await sha256(bid3));
  pkg = await buildEvidencePackage({
    kind: 'opening-record',
    record: {
      tender: 'JC-2026-GC-001',
      openedAt: '2026-05-01T01:30:00.000Z',
      bids: [
        { bidder: '江城建工集团有限公司', price: 12_345_600, decrypted: true },
        { bidder: '楚天路桥建设有限公司', price: 12_100_000, decrypted: true },
        { bidder: '鸿达市政工程有限公司', price: 11_980_000, decrypted: true },
      ],
      notes: [],
    },
    auditEntrySeqs: [2, 3, 5],
    files: [await digestFile(path.join(dir, FILE), FILE, CHUNK)],
    timestampTokens: [{ label: 'bid-3', digestHex: toHex(await sha256(bid3)), token: toBase64(ts.token) }],
  });
  fs.writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'ca.pem'), (await getPlatformPki()).ca.certPem);
  anchors = (await getPlatformPki()).trustAnchors;
});

describe('evidence packages', () => {
  it('a fresh package verifies offline with the CLI (in-process and via npx tsx)', async () => {
    const r = await cli(['record', 'verify', '--in', dir, '--ca', path.join(dir, 'ca.pem')]);
    expect(r.text).toContain('verification: OK');
    expect(r.code).toBe(0);
    expect(r.text).toContain(`ok: file ${FILE}: ${fileBytes.length} bytes, sha256 matches`);
    expect(r.text).toMatch(/ok: audit entry 5: opening.step/);
    expect(r.text).toMatch(/ok: timestamp token 'bid-3'/);
    const out = execFileSync('npx', ['tsx', 'crypto/cli.ts', 'record', 'verify', '--in', path.join(dir, 'evidence.json'), '--ca', path.join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(out).toContain('verification: OK');
  });

  it('names a damaged chunk of a file beside the package (CLI exit 1)', async () => {
    const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-bad-'));
    fs.writeFileSync(path.join(d2, 'evidence.json'), JSON.stringify(pkg));
    const bad = fileBytes.slice();
    bad[3 * CHUNK + 10] ^= 1;
    fs.writeFileSync(path.join(d2, FILE), bad);
    const r = await cli(['record', 'verify', '--in', d2, '--ca', path.join(dir, 'ca.pem')]);
    expect(r.code).toBe(1);
    expect(r.text).toContain(`FAIL: file ${FILE} chunk 4 sha256 mismatch`);
  });

  it('warns, but passes, when only the package JSON is at hand and anchors come from it', async () => {
    const r = await verifyEvidencePackage(pkg);
    expect(r.problems).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/pin the platform CA/);
    expect(r.warnings.join('\n')).toMatch(/recording.webm: not present/);
  });

  const mutations: [string, (p: EvidencePackage & Record<string, unknown>) => void | Promise<void>, RegExp][] = [
    ['record number field', (p) => void ((p.record as { bids: { price: number }[] }).bids[2].price = 9_000_000), /record field 'bids\[2\]\.price' changed/],
    ['record string field', (p) => void ((p.record as { tender: string }).tender = 'JC-2026-GC-002'), /record field 'tender' changed/],
    ['record boolean field', (p) => void ((p.record as { bids: { decrypted: boolean }[] }).bids[0].decrypted = false), /record field 'bids\[0\]\.decrypted' changed/],
    ['record field added', (p) => void ((p.record as Record<string, unknown>).winner = '鸿达'), /record field 'winner' not covered by signature/],
    ['record array item added', (p) => void (p.record as { notes: string[] }).notes.push('x'), /record field 'notes\[0\]' not covered by signature/],
    ['record field removed', (p) => void delete (p.record as { bids: { bidder?: string }[] }).bids[1].bidder, /record field 'bids\[1\]\.bidder' removed/],
    ['record array item removed', (p) => void (p.record as { bids: unknown[] }).bids.pop(), /record field 'bids\[2\]\.price' removed/],
    ['kind', (p) => void (p.kind = 'contract'), /differs from the signed kind/],
    ['version', (p) => void (p.version = 2), /version 2 is not 1/],
    ['unknown top-level field', (p) => void (p.extra = 1), /package field 'extra' is unknown/],
    ['record signature bytes', (p) => {
      const b = fromBase64(p.recordSignatures[0]);
      b[b.length - 5] ^= 1;
      p.recordSignatures[0] = toBase64(b);
    }, /record signature 1: SIGNATURE_INVALID/],
    ['record signature removed', (p) => void (p.recordSignatures = []), /record is not signed/],
    ['audit entry field', (p) => void (p.auditEntries[1].action = 'opening.forged'), /audit entry 3: field changed \(entryHash mismatch\)/],
    ['audit entry payload', (p) => void (p.auditEntries[0].payload = { step: 9 }), /audit entry 2: payload changed/],
    ['audit entry rewritten with consistent hashes', async (p) => {
      const e = p.auditEntries[2];
      e.ip = '6.6.6.6';
      Object.assign(e, await auditEntryHashes(e));
    }, /audit entry 5: not included in the signed tree head/],
    ['inclusion proof hash', (p) => void (p.inclusionProofs[0].proof[0] = '00'.repeat(32)), /audit entry 2: not included/],
    ['inclusion proof missing', (p) => void p.inclusionProofs.pop(), /audit entry 5: no inclusion proof/],
    ['tree head size', (p) => void (p.treeHead!.treeSize += 1), /tree head: SIGNATURE_INVALID/],
    ['tree head removed', (p) => void (p.treeHead = null), /no signed tree head/],
    ['timestamp digest', (p) => void (p.timestampTokens[1].digestHex = '11'.repeat(32)), /timestamp token 'bid-3' does not match digest/],
    ['timestamp token bytes', (p) => {
      const b = fromBase64(p.timestampTokens[1].token);
      b[b.length - 3] ^= 1;
      p.timestampTokens[1].token = toBase64(b);
    }, /timestamp token 'bid-3': /],
    ['manifest timestamp pointed elsewhere', (p) => void (p.timestampTokens[0].of = 'file:recording.webm'), /timestamp token 'manifest': digest does not match file:recording.webm/],
    ['file listed hash', (p) => void (p.files[0].sha256 = 'ab'.repeat(32)), /file 'recording.webm' listed sha256 differs from the signed one/],
    ['file entry removed', (p) => void (p.files = []), /file 'recording.webm' removed from the package/],
  ];

  for (const [name, mutate, expected] of mutations) {
    it(`reports a mutated ${name}`, async () => {
      const p = clone() as EvidencePackage & Record<string, unknown>;
      await mutate(p);
      const problems = await problemsOf(p);
      expect(problems.join('\n')).toMatch(expected);
    });
  }

  it('reports a changed file (whole, without chunk hashes) and a wrong size', async () => {
    const p = clone();
    delete p.files[0].chunks;
    const bad = fileBytes.slice(0, fileBytes.length - 1);
    const problems = await problemsOf(p, { [FILE]: bad });
    expect(problems.join('\n')).toMatch(/file recording.webm size 10339 differs from the listed 10340/);
    expect(problems.join('\n')).toMatch(/file recording.webm sha256 mismatch/);
  });

  it('refuses a package signed under another CA than the one pinned', async () => {
    const other = await createRootCa({ commonName: 'Other CA', rsaBits: 2048 });
    const problems = await problemsOf(pkg, undefined, [other.cert]);
    expect(problems.join('\n')).toMatch(/record signature 1: CERT_UNTRUSTED/);
    expect(problems.join('\n')).toMatch(/tree head: CERT_UNTRUSTED/);
  });
});
