import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from './testkit';
import {
  commitSeed,
  generateSeed,
  rotationWeights,
  runDraw,
  screenCandidates,
  sha256Sync,
  verifyDraw,
  type DrawCandidateInput,
  type DrawRecord,
} from './draw.js';
import { sha256, toHex } from './hash.js';

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// An independent implementation written from docs/draw-algorithm.md only (node:crypto, Buffer,
// hand-built JSON). If the document left anything out, this would disagree with crypto/draw.ts.

interface RefCandidate { eligible: boolean; id: string; label?: string; reason?: string; weight: number }

function refH(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  return h.digest();
}
function refU32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function refU64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
function refLp(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([refU32(b.length), b]);
}
function refQuote(s: string): string {
  return '"' + s.replace(/["\\]/g, (m) => '\\' + m) + '"';
}
function refLine(c: RefCandidate): string {
  let s = `{"eligible":${c.eligible ? 'true' : 'false'},"id":${refQuote(c.id)}`;
  if (c.label !== undefined) s += `,"label":${refQuote(c.label)}`;
  if (c.reason !== undefined) s += `,"reason":${refQuote(c.reason)}`;
  return s + `,"weight":${c.weight}}`;
}

function refDraw(p: { seedHex: string; candidates: RefCandidate[]; purpose: string; extra: string[]; count: number; reserveCount: number }) {
  const seed = Buffer.from(p.seedHex, 'hex');
  const commitment = refH('draw-commit-v1', seed).toString('hex');
  const sorted = [...p.candidates].sort((a, b) => Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8')));
  const candHash = refH('draw-candidates-v1\n', ...sorted.map((c) => refLine(c) + '\n'));
  const outcome = refH('draw-outcome-v1', seed, candHash, refLp(p.purpose), refU32(p.extra.length), ...p.extra.map(refLp));
  let counter = 0;
  let block: Buffer = Buffer.alloc(0);
  let pos = 0;
  const word = (): bigint => {
    if (pos === block.length) {
      block = refH('draw-drbg-v1', outcome, refU64(counter++));
      pos = 0;
    }
    const v = block.readBigUInt64BE(pos);
    pos += 8;
    return v;
  };
  const uniform = (n: number): number => {
    const N = BigInt(n);
    const limit = 2n ** 64n - (2n ** 64n % N);
    for (;;) {
      const x = word();
      if (x < limit) return Number(x % N);
    }
  };
  const pool = sorted.filter((c) => c.eligible);
  const drawn: string[] = [];
  for (let k = 0; k < p.count + p.reserveCount; k++) {
    const r = uniform(pool.reduce((s, c) => s + c.weight, 0));
    let acc = 0;
    const j = pool.findIndex((c) => (acc += c.weight) > r);
    drawn.push(pool.splice(j, 1)[0].id);
  }
  return {
    commitment,
    candidates: sorted,
    candidatesHash: candHash.toString('hex'),
    outcomeSeed: outcome.toString('hex'),
    winners: drawn.slice(0, p.count),
    reserves: drawn.slice(p.count),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function fastSeed(i: number, tag = 'sim'): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${tag}:${i}`).digest());
}

function drawWith(seed: Uint8Array, candidates: DrawCandidateInput[], count: number, purpose = 'purchase:T-1:round-1', reserveCount = 0): DrawRecord {
  return runDraw({ seed, commitment: commitSeed(seed), candidates, count, reserveCount, purpose });
}

const ids = (n: number, prefix = 'A') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i + 1).padStart(3, '0')}` }));

/** Deterministic PRNG for generating test inputs (not for the draw itself). */
function mulberry32(a: number) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Chi-square p-value = Q(df/2, x/2), the regularized upper incomplete gamma function
// (series for x < a + 1, Lentz continued fraction otherwise; Numerical Recipes §6.2).
function lnGamma(z: number): number {
  const g = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  z -= 1;
  let x = 0.99999999999980993;
  for (let i = 0; i < 8; i++) x += g[i] / (z + i + 1);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(lnPre) * h;
}
function chiSquare(observed: number[], expected: number[]): { stat: number; df: number; p: number } {
  const stat = observed.reduce((s, o, i) => s + (o - expected[i]) ** 2 / expected[i], 0);
  const df = observed.length - 1;
  return { stat, df, p: gammaQ(df / 2, stat / 2) };
}

// ---------------------------------------------------------------------------------------------

describe('SHA-256 used by the draw', () => {
  it('matches node:crypto and WebCrypto for every length around block boundaries', async () => {
    for (let n = 0; n <= 300; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
      const ours = toHex(sha256Sync(data));
      expect(ours).toBe(createHash('sha256').update(data).digest('hex'));
      if (n % 37 === 0) expect(ours).toBe(toHex(await sha256(data)));
    }
    expect(toHex(sha256Sync(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('published test vector (docs/draw-algorithm.md §8)', () => {
  const seedHex = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
  const candidates: DrawCandidateInput[] = [
    { id: 'A005' },
    { id: 'A001' },
    { id: 'A003', eligible: false, reason: '列入黑名单' },
    { id: 'A004', label: '某某工程咨询有限公司' },
    { id: 'A002' },
  ];
  const expected = {
    commitment: '3defc0f23982e5c1b7663c864bd59d4beaf7c1201aad14cc029b20368a2b3109',
    candidatesHash: '9af5ef01c48725ebe0e75d422d293244f32c513bfa8583664132311965a7c5ba',
    outcomeSeed: 'c836b04e764ef5b646703eccb53cdf60076262b4739014dd2f752f50bcaf1b21',
    winners: ['A004', 'A001'],
    reserves: ['A002'],
  };

  it('the reference implementation reproduces the documented values', () => {
    const rec = runDraw({ seed: seedHex, commitment: expected.commitment, candidates, count: 2, reserveCount: 1, purpose: 'purchase:TEST-0001:round-1' });
    expect(rec).toMatchObject(expected);
    expect(verifyDraw(rec)).toEqual({ ok: true, winners: expected.winners, reserves: expected.reserves });
  });

  it('the independent reimplementation reproduces the documented values', () => {
    const ref = refDraw({
      seedHex,
      candidates: candidates.map((c) => ({ eligible: c.eligible ?? true, weight: 1, ...c }) as RefCandidate),
      purpose: 'purchase:TEST-0001:round-1',
      extra: [],
      count: 2,
      reserveCount: 1,
    });
    expect(ref).toMatchObject(expected);
  });
});

describe('recomputing a draw from the published record alone', () => {
  it('agrees with an independent implementation of the document on 300 random records', () => {
    const rnd = mulberry32(42);
    const alphabet = ['A', 'b', 'Z', '0', '9', '-', '_', '"', '\\', '中', '介', 'é', '𠀀', '😀', ' ', '/'];
    const text = (len: number) => Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rnd() * 25);
      const seen = new Set<string>();
      const cands: DrawCandidateInput[] = [];
      while (cands.length < n) {
        const id = text(1 + Math.floor(rnd() * 6));
        if (seen.has(id)) continue;
        seen.add(id);
        const c: DrawCandidateInput = { id, weight: rnd() < 0.5 ? 1 : 1 + Math.floor(rnd() * 1_000_000) };
        if (rnd() < 0.4) c.label = text(Math.floor(rnd() * 10));
        if (rnd() < 0.25) { c.eligible = false; c.reason = text(1 + Math.floor(rnd() * 8)); }
        cands.push(c);
      }
      const eligible = cands.filter((c) => c.eligible !== false).length;
      if (eligible === 0) continue;
      const count = 1 + Math.floor(rnd() * eligible);
      const reserveCount = Math.floor(rnd() * (eligible - count + 1));
      const extra = Array.from({ length: Math.floor(rnd() * 3) }, () => text(Math.floor(rnd() * 12)));
      const seed = fastSeed(t, 'records');
      const purpose = `purchase:${text(5)}:round-${t}`;
      const rec = runDraw({ seed, commitment: commitSeed(seed), candidates: cands, count, reserveCount, purpose, extraEntropy: extra });
      // The independent side reads only the published JSON, as an outside auditor would.
      const published = JSON.parse(JSON.stringify(rec)) as DrawRecord;
      const ref = refDraw({ seedHex: published.seed, candidates: published.candidates, purpose: published.purpose, extra: published.extraEntropy, count: published.count, reserveCount: published.reserveCount });
      expect(ref.commitment).toBe(published.commitment);
      expect(ref.candidates.map(refLine)).toEqual(published.candidates.map(refLine));
      expect(ref.candidatesHash).toBe(published.candidatesHash);
      expect(ref.outcomeSeed).toBe(published.outcomeSeed);
      expect(ref.winners).toEqual(published.winners);
      expect(ref.reserves).toEqual(published.reserves);
      expect(verifyDraw(published).ok).toBe(true);
      for (const w of [...published.winners, ...published.reserves]) {
        expect(cands.find((c) => c.id === w)?.eligible).not.toBe(false);
      }
    }
  });

  it('the Python verifier printed in the document accepts a record with weights, reserves, extra entropy and non-ASCII', async (ctx) => {
    const doc = await readFile(path.resolve('docs/draw-algorithm.md'), 'utf8');
    const script = /```python\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(script, 'docs/draw-algorithm.md must contain the Python verifier').toBeTruthy();
    try {
      await run('python3', ['--version']);
    } catch {
      console.log('python3 not found: skipping the Python cross-check');
      ctx.skip();
    }
    const seed = fastSeed(1, 'python');
    const rec = runDraw({
      seed,
      commitment: commitSeed(seed),
      purpose: 'expert:ZB2026-031:土建',
      count: 3,
      reserveCount: 2,
      extraEntropy: ['上证指数 2026-03-02 收盘 3301.25', ''],
      candidates: [
        ...ids(9, 'E').map((c, i) => ({ ...c, weight: 1 + i * 7, label: `专家${i} "引号" \\ 反斜杠` })),
        { id: '𠀀-rare', label: '生僻字' },
        { id: 'E010', eligible: false, reason: '与投标人存在利害关系，回避' },
      ],
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'draw-py-'));
    try {
      await writeFile(path.join(dir, 'verify_draw.py'), script!);
      await writeFile(path.join(dir, 'record.json'), JSON.stringify(rec));
      const { stdout } = await run('python3', [path.join(dir, 'verify_draw.py'), path.join(dir, 'record.json')]);
      expect(stdout.trim()).toBe(`[${[...rec.winners, ...rec.reserves].map((x) => `'${x}'`).join(', ')}]`);
      const tampered = { ...rec, winners: [rec.reserves[0], ...rec.winners.slice(1)] };
      await writeFile(path.join(dir, 'record.json'), JSON.stringify(tampered));
      await expect(run('python3', [path.join(dir, 'verify_draw.py'), path.join(dir, 'record.json')])).rejects.toThrow(/winners/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('nobody controls the outcome', () => {
  const base: DrawCandidateInput[] = ids(8).map((c, i) => ({ ...c, label: `机构${i}` }));
  const seed = fastSeed(7, 'sens');

  it('any change to the sign-up list changes the candidates hash and the outcome seed', () => {
    const ref = drawWith(seed, base, 2);
    const variants: Record<string, DrawCandidateInput[]> = {
      added: [...base, { id: 'A999' }],
      removed: base.slice(1),
      renamedId: base.map((c, i) => (i === 3 ? { ...c, id: 'A004x' } : c)),
      relabelled: base.map((c, i) => (i === 3 ? { ...c, label: '机构3 ' } : c)),
      reweighted: base.map((c, i) => (i === 3 ? { ...c, weight: 2 } : c)),
      excluded: base.map((c, i) => (i === 3 ? { ...c, eligible: false, reason: '信用等级低' } : c)),
      ineligibleAdded: [...base, { id: 'A999', eligible: false, reason: '黑名单' }],
    };
    const seen = new Set([ref.outcomeSeed]);
    for (const [name, cands] of Object.entries(variants)) {
      const rec = drawWith(seed, cands, 2);
      expect(rec.candidatesHash, name).not.toBe(ref.candidatesHash);
      expect(rec.outcomeSeed, name).not.toBe(ref.outcomeSeed);
      seen.add(rec.outcomeSeed);
    }
    expect(seen.size).toBe(Object.keys(variants).length + 1);
    // The order in which sign-ups arrived does not matter: the list is canonicalised.
    expect(drawWith(seed, [...base].reverse(), 2).outcomeSeed).toBe(ref.outcomeSeed);
  });

  it('purpose and extra entropy are bound into the outcome', () => {
    const a = drawWith(seed, base, 2, 'inspection:2026Q2:targets');
    const b = drawWith(seed, base, 2, 'inspection:2026Q2:inspectors');
    expect(a.outcomeSeed).not.toBe(b.outcomeSeed);
    const withExtra = (extra: string[]) => runDraw({ seed, commitment: commitSeed(seed), candidates: base, count: 2, purpose: 'p', extraEntropy: extra }).outcomeSeed;
    // Length prefixes keep ["ab"] and ["a", "b"] apart.
    const outcomes = new Set([withExtra([]), withExtra(['']), withExtra(['ab']), withExtra(['a', 'b']), withExtra(['b', 'a'])]);
    expect(outcomes.size).toBe(5);
  });

  it('the revealed seed must match the commitment', () => {
    const commitment = commitSeed(seed);
    const other = fastSeed(8, 'sens');
    expect(() => runDraw({ seed: other, commitment, candidates: base, count: 1, purpose: 'p' })).toThrow(/commitment/);
    const rec = runDraw({ seed, commitment, candidates: base, count: 1, purpose: 'p' });
    const tampered = { ...rec, seed: toHex(other) };
    expect(verifyDraw(tampered)).toMatchObject({ ok: false, code: 'COMMITMENT_MISMATCH' });
    // Even a fully recomputed record with a different seed is caught against the published commitment.
    const forged = runDraw({ seed: other, commitment: commitSeed(other), candidates: base, count: 1, purpose: 'p' });
    expect(verifyDraw(forged, { commitment })).toMatchObject({ ok: false, code: 'PUBLISHED_COMMITMENT_MISMATCH' });
    expect(verifyDraw(rec, { commitment: commitment.toUpperCase() })).toMatchObject({ ok: true });
  });

  it('a list changed after sign-up closed is caught against the published candidates hash', () => {
    const rec = drawWith(seed, base, 2);
    const changed = drawWith(seed, base.slice(1), 2);
    expect(verifyDraw(changed, { commitment: rec.commitment, candidatesHash: rec.candidatesHash })).toMatchObject({
      ok: false,
      code: 'PUBLISHED_CANDIDATES_HASH_MISMATCH',
    });
    expect(verifyDraw(rec, { commitment: rec.commitment, candidatesHash: rec.candidatesHash, purpose: rec.purpose }).ok).toBe(true);
    expect(verifyDraw(rec, { purpose: 'purchase:OTHER:round-1' })).toMatchObject({ ok: false, code: 'PURPOSE_MISMATCH' });
  });

  it('generateSeed gives fresh 32-byte seeds', () => {
    const a = generateSeed();
    const b = generateSeed();
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(commitSeed(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyDraw rejects every mutation of a valid record', () => {
  const seed = fastSeed(3, 'mut');
  const cands: DrawCandidateInput[] = [
    ...ids(6).map((c, i) => ({ ...c, weight: i + 1, label: `机构${i}` })),
    { id: 'A100', eligible: false, reason: '列入黑名单' },
  ];
  const good = runDraw({ seed, commitment: commitSeed(seed), candidates: cands, count: 2, reserveCount: 2, purpose: 'purchase:M-1:round-1', extraEntropy: ['x'] });
  const flipHex = (h: string, at = 10) => h.slice(0, at) + (h[at] === '0' ? '1' : '0') + h.slice(at + 1);
  const clone = (): DrawRecord => JSON.parse(JSON.stringify(good));

  it('accepts the unmodified record', () => {
    expect(verifyDraw(clone())).toEqual({ ok: true, winners: good.winners, reserves: good.reserves });
  });

  const cases: [string, (r: DrawRecord) => unknown, string][] = [
    ['seed bit', (r) => ({ ...r, seed: flipHex(r.seed) }), 'COMMITMENT_MISMATCH'],
    ['commitment bit', (r) => ({ ...r, commitment: flipHex(r.commitment) }), 'COMMITMENT_MISMATCH'],
    ['candidatesHash bit', (r) => ({ ...r, candidatesHash: flipHex(r.candidatesHash) }), 'CANDIDATES_HASH_MISMATCH'],
    ['outcomeSeed bit', (r) => ({ ...r, outcomeSeed: flipHex(r.outcomeSeed) }), 'OUTCOME_SEED_MISMATCH'],
    ['purpose', (r) => ({ ...r, purpose: 'purchase:M-1:round-2' }), 'OUTCOME_SEED_MISMATCH'],
    ['extra entropy dropped', (r) => ({ ...r, extraEntropy: [] }), 'OUTCOME_SEED_MISMATCH'],
    ['extra entropy added', (r) => ({ ...r, extraEntropy: ['x', 'y'] }), 'OUTCOME_SEED_MISMATCH'],
    ['candidate removed', (r) => ({ ...r, candidates: r.candidates.slice(1) }), 'CANDIDATES_HASH_MISMATCH'],
    ['candidate added', (r) => ({ ...r, candidates: [...r.candidates, { eligible: true, id: 'Z', weight: 1 }] }), 'CANDIDATES_HASH_MISMATCH'],
    ['candidate renamed', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 2 ? { ...c, id: 'A003b' } : c)) }), 'CANDIDATES_HASH_MISMATCH'],
    ['label changed', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 2 ? { ...c, label: '别的机构' } : c)) }), 'CANDIDATES_HASH_MISMATCH'],
    ['weight changed', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 2 ? { ...c, weight: 50 } : c)) }), 'CANDIDATES_HASH_MISMATCH'],
    ['blacklisted made eligible', (r) => ({ ...r, candidates: r.candidates.map((c) => (c.id === 'A100' ? { ...c, eligible: true } : c)) }), 'CANDIDATES_HASH_MISMATCH'],
    ['eligible excluded', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 0 ? { ...c, eligible: false, reason: '临时排除' } : c)) }), 'CANDIDATES_HASH_MISMATCH'],
    ['candidates reordered', (r) => ({ ...r, candidates: [r.candidates[1], r.candidates[0], ...r.candidates.slice(2)] }), 'CANDIDATES_NOT_CANONICAL'],
    ['duplicate candidate', (r) => ({ ...r, candidates: [r.candidates[0], ...r.candidates] }), 'CANDIDATES_INVALID'],
    ['weight omitted', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 0 ? { eligible: c.eligible, id: c.id, label: c.label } : c)) }), 'CANDIDATES_INVALID'],
    ['fractional weight', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 0 ? { ...c, weight: 1.5 } : c)) }), 'CANDIDATES_INVALID'],
    ['ineligible without reason', (r) => ({ ...r, candidates: r.candidates.map((c) => (c.id === 'A100' ? { eligible: false, id: c.id, weight: 1 } : c)) }), 'CANDIDATES_INVALID'],
    ['unknown candidate field', (r) => ({ ...r, candidates: r.candidates.map((c, i) => (i === 0 ? { ...c, note: 'x' } : c)) }), 'CANDIDATES_INVALID'],
    ['winner replaced', (r) => ({ ...r, winners: [r.reserves[0], r.winners[1]] }), 'WINNERS_MISMATCH'],
    ['winners swapped', (r) => ({ ...r, winners: [...r.winners].reverse() }), 'WINNERS_MISMATCH'],
    ['winner dropped', (r) => ({ ...r, winners: r.winners.slice(1) }), 'WINNERS_MISMATCH'],
    ['blacklisted winner', (r) => ({ ...r, winners: ['A100', r.winners[1]] }), 'WINNERS_MISMATCH'],
    ['count raised', (r) => ({ ...r, count: 3 }), 'WINNERS_MISMATCH'],
    ['reserves changed', (r) => ({ ...r, reserves: [...r.reserves].reverse() }), 'RESERVES_MISMATCH'],
    ['reserveCount lowered', (r) => ({ ...r, reserveCount: 1 }), 'RESERVES_MISMATCH'],
    ['count beyond eligible', (r) => ({ ...r, count: 6 }), 'NOT_ENOUGH_CANDIDATES'],
    ['version', (r) => ({ ...r, version: 2 }), 'UNSUPPORTED_VERSION'],
    ['algorithm', (r) => ({ ...r, algorithm: 'draw-v0' }), 'UNSUPPORTED_VERSION'],
    ['extra field', (r) => ({ ...r, drawnBy: 'admin' }), 'MALFORMED'],
    ['missing field', (r) => { const { reserves: _omit, ...rest } = r; return rest; }, 'MALFORMED'],
    ['seed too short', (r) => ({ ...r, seed: r.seed.slice(2) }), 'MALFORMED'],
    ['uppercase hex', (r) => ({ ...r, outcomeSeed: r.outcomeSeed.toUpperCase() }), 'MALFORMED'],
    ['winners not an array', (r) => ({ ...r, winners: r.winners.join(',') }), 'MALFORMED'],
    ['not an object', () => [1, 2], 'MALFORMED'],
    ['null', () => null, 'MALFORMED'],
  ];

  it.each(cases)('%s', (_name, mutate, code) => {
    const result = verifyDraw(mutate(clone()));
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
  });

  it('names what differs when winners are tampered with', () => {
    const result = verifyDraw({ ...clone(), winners: [good.winners[1], good.winners[0]] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(`recomputed [${good.winners.join(', ')}]`);
      expect(result.reason).toContain(`recorded as [${good.winners[1]}, ${good.winners[0]}]`);
    }
  });
});

describe('selection rules', () => {
  it('a smaller count is a prefix of a larger one, so changing count cannot re-roll the draw', () => {
    for (let t = 0; t < 50; t++) {
      const seed = fastSeed(t, 'prefix');
      const all = drawWith(seed, ids(12).map((c, i) => ({ ...c, weight: 1 + (i % 4) })), 12);
      for (const m of [1, 3, 7]) {
        expect(drawWith(seed, ids(12).map((c, i) => ({ ...c, weight: 1 + (i % 4) })), m).winners).toEqual(all.winners.slice(0, m));
      }
      const withReserves = drawWith(seed, ids(12).map((c, i) => ({ ...c, weight: 1 + (i % 4) })), 2, undefined, 3);
      expect([...withReserves.winners, ...withReserves.reserves]).toEqual(all.winners.slice(0, 5));
    }
  });

  it('refuses impossible or malformed draws', () => {
    const seed = fastSeed(1, 'bad');
    const commitment = commitSeed(seed);
    const c = ids(3);
    expect(() => runDraw({ seed, commitment, candidates: c, count: 4, purpose: 'p' })).toThrow(/cannot draw 4 from 3/);
    expect(() => runDraw({ seed, commitment, candidates: [...c, { id: 'X', eligible: false, reason: 'r' }], count: 4, purpose: 'p' })).toThrow(/cannot draw 4 from 3/);
    expect(() => runDraw({ seed, commitment, candidates: c, count: 2, reserveCount: 2, purpose: 'p' })).toThrow(/cannot draw 4 from 3/);
    expect(() => runDraw({ seed, commitment, candidates: c, count: 0, purpose: 'p' })).toThrow(/count/);
    expect(() => runDraw({ seed, commitment, candidates: c, count: 1, purpose: '' })).toThrow(/purpose/);
    expect(() => runDraw({ seed, commitment, candidates: [{ id: 'a' }, { id: 'a' }], count: 1, purpose: 'p' })).toThrow(/duplicate/);
    expect(() => runDraw({ seed, commitment, candidates: [{ id: 'a\n' }], count: 1, purpose: 'p' })).toThrow(/control/);
    expect(() => runDraw({ seed, commitment, candidates: [{ id: 'a\ud800' }], count: 1, purpose: 'p' })).toThrow(/surrogate/);
    expect(() => runDraw({ seed, commitment, candidates: [{ id: 'a', weight: 0 }], count: 1, purpose: 'p' })).toThrow(/weight/);
    expect(() => runDraw({ seed, commitment, candidates: [{ id: 'a', eligible: false }], count: 1, purpose: 'p' })).toThrow(/reason/);
    expect(() => runDraw({ seed: seed.slice(1), commitment, candidates: c, count: 1, purpose: 'p' })).toThrow(/32 bytes/);
  });

  it('orders ids by UTF-8 bytes, not UTF-16 code units', () => {
    const seed = fastSeed(1, 'utf8');
    // U+FF21 (fullwidth A, EF BC A1) sorts after U+20000 (F0 A0 80 80) in JS but before it in UTF-8.
    const rec = drawWith(seed, [{ id: '\u{20000}' }, { id: '\uff21' }, { id: 'a' }], 1);
    expect(rec.candidates.map((c) => c.id)).toEqual(['a', '\uff21', '\u{20000}']);
  });

  it('rotationWeights down-weights recent winners with exact integers', () => {
    const c: DrawCandidateInput[] = [{ id: 'a' }, { id: 'b' }, { id: 'c', weight: 3 }, { id: 'd' }];
    const wins = new Map([['a', 1], ['b', 3], ['c', 2]]);
    expect(rotationWeights(c, wins).map((x) => x.weight)).toEqual([500_000, 250_000, 1_000_000, 1_000_000]);
    expect(rotationWeights(c, { a: 1, b: 3, c: 2 }, { base: 1000, decay: 'halving' }).map((x) => x.weight)).toEqual([500, 125, 750, 1000]);
    expect(rotationWeights([{ id: 'x' }], { x: 100 }, { base: 10, decay: 'halving' })[0].weight).toBe(1);
    expect(() => rotationWeights(c, { a: -1 })).toThrow(/non-negative/);
    expect(() => rotationWeights([{ id: 'x', weight: 5000 }], {}, { base: 1_000_000 })).toThrow(/exceeds/);
  });
});

describe('uniformity over 100,000 simulated draws', () => {
  // Decision rule: the p-value of Pearson's chi-square statistic, computed exactly as the
  // regularized upper incomplete gamma Q(df/2, stat/2), must exceed 0.01. Seeds are fixed
  // (SHA-256 of a counter), so the outcome is reproducible rather than flaky.
  const N = 100_000;
  const P_MIN = 0.01;

  it('the p-value routine matches tabulated critical values', () => {
    // Tabulated chi-square critical values at alpha = 0.01 and 0.05.
    expect(gammaQ(6 / 2, 16.812 / 2)).toBeCloseTo(0.01, 4);
    expect(gammaQ(9 / 2, 21.666 / 2)).toBeCloseTo(0.01, 4);
    expect(gammaQ(120 / 2, 158.95 / 2)).toBeCloseTo(0.01, 4);
    expect(gammaQ(1 / 2, 3.841 / 2)).toBeCloseTo(0.05, 4);
    expect(gammaQ(6 / 2, 0)).toBe(1);
    // And it has the power to reject: a 4% excess on one of 7 candidates over 100,000 draws.
    const e = N / 7;
    const biased = [e * 1.04, ...Array(6).fill(e * (1 - 0.04 / 6))];
    expect(chiSquare(biased, Array(7).fill(e)).p).toBeLessThan(P_MIN);
  });

  it('1 winner among 7 eligible (plus 2 excluded): each share is 1/7', () => {
    const cands: DrawCandidateInput[] = [...ids(7), { id: 'X1', eligible: false, reason: '黑名单' }, { id: 'X2', eligible: false, reason: '信用等级D' }];
    const index = new Map(cands.map((c, i) => [c.id, i]));
    const counts = Array(9).fill(0);
    for (let i = 0; i < N; i++) counts[index.get(drawWith(fastSeed(i, 'u7'), cands, 1).winners[0])!]++;
    expect(counts.slice(7)).toEqual([0, 0]);
    const r = chiSquare(counts.slice(0, 7), Array(7).fill(N / 7));
    console.log(`1 of 7: counts ${counts.slice(0, 7).join(' ')}, chi2 = ${r.stat.toFixed(2)} (df ${r.df}), p = ${r.p.toFixed(3)}`);
    expect(r.p).toBeGreaterThan(P_MIN);
  });

  it('3 winners among 10: every 3-subset, every first pick and every inclusion is uniform', () => {
    const cands = ids(10);
    const index = new Map(cands.map((c, i) => [c.id, i]));
    const subsets = new Map<number, number>();
    const first = Array(10).fill(0);
    const inclusion = Array(10).fill(0);
    for (let i = 0; i < N; i++) {
      const w = drawWith(fastSeed(i, 'u3of10'), cands, 3).winners.map((id) => index.get(id)!);
      expect(new Set(w).size).toBe(3);
      first[w[0]]++;
      let mask = 0;
      for (const j of w) { inclusion[j]++; mask |= 1 << j; }
      subsets.set(mask, (subsets.get(mask) ?? 0) + 1);
    }
    // (a) The unordered winner set is one of C(10,3) = 120 equally likely sets: exact multinomial.
    expect(subsets.size).toBe(120);
    const rs = chiSquare([...subsets.values()], Array(120).fill(N / 120));
    // (b) The first pick is uniform over 10.
    const rf = chiSquare(first, Array(10).fill(N / 10));
    // (c) Inclusion counts: each is Binomial(N, 0.3) but they are negatively correlated
    // (cov = -N p(1-p)/(n-1)), so Pearson's sum is rescaled by (n-1)/(n(1-p)) to be chi-square(n-1).
    const p = 0.3;
    const raw = chiSquare(inclusion, Array(10).fill(N * p));
    const adjusted = (raw.stat * 9) / (10 * (1 - p));
    const pInc = gammaQ(9 / 2, adjusted / 2);
    console.log(`3 of 10: subsets chi2 = ${rs.stat.toFixed(1)} (df 119) p = ${rs.p.toFixed(3)}; first pick p = ${rf.p.toFixed(3)}; inclusion ${inclusion.join(' ')} adjusted chi2 = ${adjusted.toFixed(2)} (df 9) p = ${pInc.toFixed(3)}`);
    expect(rs.p).toBeGreaterThan(P_MIN);
    expect(rf.p).toBeGreaterThan(P_MIN);
    expect(pInc).toBeGreaterThan(P_MIN);
  });

  it('weighted: a single winner is drawn in proportion to its weight (rotation down-weighting)', () => {
    const base = ids(7);
    // Recent wins 0..3 with inverse decay, plus one candidate with its own weight 2.
    const recent = { A001: 0, A002: 1, A003: 2, A004: 3, A005: 0, A006: 1, A007: 0 };
    const cands = rotationWeights(base.map((c) => (c.id === 'A007' ? { ...c, weight: 2 } : c)), recent, { base: 12 });
    const weights = cands.map((c) => c.weight!);
    expect(weights).toEqual([12, 6, 4, 3, 12, 6, 24]);
    const total = weights.reduce((a, b) => a + b, 0);
    const index = new Map(cands.map((c, i) => [c.id, i]));
    const counts = Array(7).fill(0);
    for (let i = 0; i < N; i++) counts[index.get(drawWith(fastSeed(i, 'weighted'), cands, 1).winners[0])!]++;
    const r = chiSquare(counts, weights.map((w) => (N * w) / total));
    console.log(`weighted 1 of 7 (weights ${weights.join(' ')}): counts ${counts.join(' ')}, chi2 = ${r.stat.toFixed(2)} (df ${r.df}), p = ${r.p.toFixed(3)}`);
    expect(r.p).toBeGreaterThan(P_MIN);
  });
});

describe('expert draw with recusal (专家抽取, 回避)', () => {
  interface Expert { id: string; name: string; specialties: string[]; employer: string; suspended: boolean }

  it('experts who must recuse, lack the specialty or are suspended are never drawn, over 2,000 random libraries', { timeout: 300_000 }, async () => {
    const rnd = mulberry32(2026);
    const specialties = ['土建', '安装', '市政', '造价', '水利'];
    const employers = ['甲公司', '乙公司', '丙公司', '丁设计院', '戊大学', '己咨询'];
    let drawnTotal = 0;
    for (let t = 0; t < 2000; t++) {
      if (t % 250 === 0) await yieldToEventLoop();
      const library: Expert[] = Array.from({ length: 5 + Math.floor(rnd() * 40) }, (_, i) => ({
        id: `E${t}-${i}`,
        name: `专家${i}`,
        specialties: specialties.filter(() => rnd() < 0.4),
        employer: employers[Math.floor(rnd() * employers.length)],
        suspended: rnd() < 0.1,
      }));
      const need = specialties[Math.floor(rnd() * specialties.length)];
      // Conflicts: employees of bidders and anyone named in the tender's conflict declarations.
      const bidders = new Set(employers.filter(() => rnd() < 0.3));
      const declared = new Set(library.filter(() => rnd() < 0.1).map((e) => e.id));
      const screened = screenCandidates(library, (e) => ({ id: e.id, label: e.name }), [
        (e) => (e.suspended ? '暂停评标资格' : null),
        (e) => (!e.specialties.includes(need) ? `不具备${need}专业` : null),
        (e) => (bidders.has(e.employer) ? `任职于投标人${e.employer}，回避` : null),
        (e) => (declared.has(e.id) ? '申报利害关系，回避' : null),
      ]);
      const eligible = screened.filter((c) => c.eligible).length;
      const mustNot = new Set(library.filter((e) => e.suspended || !e.specialties.includes(need) || bidders.has(e.employer) || declared.has(e.id)).map((e) => e.id));
      expect(eligible).toBe(library.length - mustNot.size);
      if (eligible === 0) continue;
      const count = Math.min(eligible, 1 + Math.floor(rnd() * 5));
      const reserveCount = Math.min(eligible - count, 2);
      const rec = drawWith(fastSeed(t, 'experts'), screened, count, `expert:T${t}:${need}`, reserveCount);
      for (const id of [...rec.winners, ...rec.reserves]) expect(mustNot.has(id)).toBe(false);
      // The exclusions and their reasons are in the published record.
      for (const id of mustNot) expect(rec.candidates.find((c) => c.id === id)).toMatchObject({ eligible: false, reason: expect.any(String) });
      expect(verifyDraw(rec).ok).toBe(true);
      drawnTotal += rec.winners.length;
    }
    expect(drawnTotal).toBeGreaterThan(1000);
  });
});

describe('CLI: draw commit | run | verify', () => {
  let dir: string;
  const cli = path.resolve('crypto/cli.ts');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'draw-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The real command line (crypto/cli.ts dispatcher) in a child process. */
  async function draw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', cli, 'draw', ...args], { cwd: path.resolve('.') });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  it('commits, runs and verifies a draw end to end; a tampered record exits 1 with the reason', async () => {
    const commit = await draw('commit');
    expect(commit.code).toBe(0);
    const seed = /seed: ([0-9a-f]{64})/.exec(commit.stdout)![1];
    const commitment = /commitment: ([0-9a-f]{64})/.exec(commit.stdout)![1];
    expect(commitment).toBe(commitSeed(seed));

    const candFile = path.join(dir, 'candidates.json');
    await writeFile(candFile, JSON.stringify([
      { id: 'A001', label: '某某造价咨询有限公司' },
      { id: 'A002', label: '某某工程咨询有限公司', weight: 2 },
      { id: 'A003', label: '某某测绘有限公司', eligible: false, reason: '列入黑名单' },
      { id: 'A004' },
      { id: 'A005' },
    ]));
    const recFile = path.join(dir, 'record.json');
    const ran = await draw('run', '--seed', seed, '--commitment', commitment, '--candidates', candFile, '--count', '2', '--reserves', '1', '--purpose', 'purchase:CG2026-0012:round-1', '--extra', '公证员见证号 0001', '--out', recFile);
    expect(ran.code).toBe(0);
    const record = JSON.parse(await readFile(recFile, 'utf8')) as DrawRecord;
    expect(ran.stdout).toContain(`winners: ${record.winners.join(', ')}`);
    expect(record.extraEntropy).toEqual(['公证员见证号 0001']);
    expect(record.winners).not.toContain('A003');

    const ok = await draw('verify', '--in', recFile, '--commitment', commitment, '--candidates-hash', record.candidatesHash);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`winners: ${record.winners.join(', ')}\nreserves: ${record.reserves.join(', ')}\nOK\n`);

    const badFile = path.join(dir, 'tampered.json');
    await writeFile(badFile, JSON.stringify({ ...record, winners: [record.reserves[0], record.winners[1]] }));
    const bad = await draw('verify', '--in', badFile);
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toContain('OK');
    expect(bad.stderr + bad.stdout).toMatch(/error: .*WINNERS_MISMATCH/);

    const wrongCommitment = await draw('verify', '--in', recFile, '--commitment', commitSeed(fastSeed(0, 'x')));
    expect(wrongCommitment.code).toBe(1);
    expect(wrongCommitment.stderr + wrongCommitment.stdout).toMatch(/PUBLISHED_COMMITMENT_MISMATCH/);

    const wrongSeed = await draw('run', '--seed', toHex(fastSeed(0, 'x')), '--commitment', commitment, '--candidates', candFile, '--count', '1', '--purpose', 'p');
    expect(wrongSeed.code).toBe(1);
    expect(wrongSeed.stderr + wrongSeed.stdout).toMatch(/error: .*commitment/);

    const missing = await draw('verify', '--in', path.join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.json: ENOENT\n$/);

    const noCount = await draw('run', '--seed', seed, '--candidates', candFile, '--purpose', 'p');
    expect(noCount).toMatchObject({ code: 1, stderr: 'error: missing --count\n' });
    const unknown = await draw('shuffle');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown draw subcommand "shuffle"/);
    const help = await draw('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('draw verify --in RECORD.json');
  }, 60_000);
});
