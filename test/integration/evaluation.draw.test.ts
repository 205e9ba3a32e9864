// The expert draw as an outsider checks it: (1) over many random libraries, no expert with a
// conflict (same employer as a bidder or the tenderer, or a relation within the look-back window)
// is ever drawn or kept as a reserve, and every exclusion is in the record with its reason;
// (2) every record is recomputed by an independent implementation written from
// docs/draw-algorithm.md with node:crypto only (no code shared with crypto/draw.ts).
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitSeed, runDraw, verifyDraw, type DrawRecord } from '../../crypto/draw';
import { conflictOf, screenExperts, type ConflictParty, type ExpertForScreening } from '~/modules/evaluation/screening';

const H = (...parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const lp = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);

/** Independent recomputation of a draw record (docs/draw-algorithm.md §3–§6). */
function recompute(rec: DrawRecord): { winners: string[]; reserves: string[] } {
  const seed = Buffer.from(rec.seed, 'hex');
  expect(H(Buffer.from('draw-commit-v1'), seed).toString('hex')).toBe(rec.commitment);
  const ids = rec.candidates.map((c) => Buffer.from(c.id, 'utf8'));
  for (let i = 1; i < ids.length; i++) expect(Buffer.compare(ids[i - 1], ids[i])).toBe(-1);
  const lines = rec.candidates.map((c) => {
    const o: Record<string, unknown> = { eligible: c.eligible, id: c.id };
    if (c.label !== undefined) o.label = c.label;
    if (c.reason !== undefined) o.reason = c.reason;
    o.weight = c.weight;
    return Buffer.from(JSON.stringify(o) + '\n', 'utf8');
  });
  const candHash = H(Buffer.from('draw-candidates-v1\n'), ...lines);
  expect(candHash.toString('hex')).toBe(rec.candidatesHash);
  const outcome = H(Buffer.from('draw-outcome-v1'), seed, candHash, lp(rec.purpose), u32(rec.extraEntropy.length), ...rec.extraEntropy.map(lp));
  expect(outcome.toString('hex')).toBe(rec.outcomeSeed);
  let block = 0;
  let words: bigint[] = [];
  const next = () => {
    if (!words.length) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(BigInt(block++));
      const b = H(Buffer.from('draw-drbg-v1'), outcome, c);
      words = [0, 8, 16, 24].map((o) => b.readBigUInt64BE(o));
    }
    return words.shift()!;
  };
  const uniform = (n: bigint) => {
    const limit = 2n ** 64n - ((2n ** 64n) % n);
    for (;;) {
      const x = next();
      if (x < limit) return x % n;
    }
  };
  const pool = rec.candidates.filter((c) => c.eligible);
  const out: string[] = [];
  for (let k = 0; k < rec.count + rec.reserveCount; k++) {
    const total = pool.reduce((s, c) => s + BigInt(c.weight), 0n);
    const r = uniform(total);
    let acc = 0n;
    let j = 0;
    for (; j < pool.length; j++) {
      acc += BigInt(pool[j].weight);
      if (r < acc) break;
    }
    out.push(pool.splice(j, 1)[0].id);
  }
  return { winners: out.slice(0, rec.count), reserves: out.slice(rec.count) };
}

/** A tiny deterministic PRNG so a failing library can be reproduced from its number. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const SPECIALTIES = ['A01', 'A02', 'A05'];

function randomLibrary(r: () => number, at: Date) {
  const orgs = Array.from({ length: 12 }, (_, i) => ({ name: `单位${i}`, code: `9142010000000${String(i).padStart(4, '0')}X`.slice(0, 18) }));
  const bidders = orgs.slice(0, 2 + Math.floor(r() * 4));
  const tenderer = orgs[11];
  const parties: ConflictParty[] = [...bidders.map((o) => ({ role: 'bidder' as const, name: o.name, creditCodes: [o.code] })), { role: 'tenderer', name: tenderer.name, creditCodes: [tenderer.code] }];
  const n = 8 + Math.floor(r() * 40);
  const experts: ExpertForScreening[] = Array.from({ length: n }, (_, i) => {
    const employer = orgs[Math.floor(r() * orgs.length)];
    const relations = Array.from({ length: Math.floor(r() * 3) }, () => {
      const o = orgs[Math.floor(r() * orgs.length)];
      const ended = r() < 0.5 ? null : new Date(at.getTime() - Math.floor(r() * 6 * 365) * 24 * 3600_000);
      return { kind: 'former_employer', orgName: r() < 0.2 ? o.name : `${o.name}（原）`, orgCreditCode: o.code, endedOn: ended };
    });
    return {
      id: `e${String(i).padStart(3, '0')}-${Math.floor(r() * 1e6)}`,
      code: `JCZJ-${String(i).padStart(4, '0')}`,
      status: r() < 0.1 ? 'suspended' : 'available',
      active: r() > 0.05,
      specialties: SPECIALTIES.filter(() => r() < 0.6).concat(r() < 0.5 ? ['A02'] : []),
      employerName: employer.name,
      employerCreditCode: employer.code,
      relations,
    };
  });
  return { experts, parties };
}

/** The conflict rule restated directly from the law's wording, to check screenExperts against. */
function mustRecuse(e: ExpertForScreening, parties: ConflictParty[], at: Date, lookbackDays: number) {
  const codes = new Set(parties.flatMap((p) => p.creditCodes));
  const names = new Set(parties.map((p) => p.name));
  if (codes.has(e.employerCreditCode) || names.has(e.employerName)) return true;
  return e.relations.some((r) => (r.endedOn === null || at.getTime() - r.endedOn.getTime() <= lookbackDays * 24 * 3600_000) && (codes.has(r.orgCreditCode) || names.has(r.orgName)));
}

describe('expert draw', () => {
  it('never draws an expert who must recuse, over 400 random libraries, and every record recomputes independently', () => {
    const at = new Date('2026-11-20T02:00:00Z');
    let draws = 0;
    let excludedSeen = 0;
    for (let lib = 1; lib <= 400; lib++) {
      const r = rng(lib * 7919);
      const { experts, parties } = randomLibrary(r, at);
      const specialty = SPECIALTIES[lib % 3];
      const lookbackDays = 3 * 365;
      const candidates = screenExperts(experts, { specialty, parties, at, lookbackDays });
      // The pool is exactly the experts of the specialty; eligibility matches the rule.
      expect(candidates.map((c) => c.id).sort()).toEqual(experts.filter((e) => e.specialties.includes(specialty)).map((e) => e.id).sort());
      for (const c of candidates) {
        const e = experts.find((x) => x.id === c.id)!;
        const blocked = mustRecuse(e, parties, at, lookbackDays) || e.status !== 'available' || !e.active;
        expect(c.eligible, `library ${lib} expert ${e.code}`).toBe(!blocked);
        if (!c.eligible) {
          expect(c.reason).toBeTruthy();
          excludedSeen++;
        }
        expect(conflictOf(e, parties, at, lookbackDays) !== null).toBe(mustRecuse(e, parties, at, lookbackDays));
      }
      const eligible = candidates.filter((c) => c.eligible).length;
      const count = Math.min(5, eligible);
      if (count === 0) continue;
      const seed = crypto.randomBytes(32);
      const rec = runDraw({ seed, commitment: commitSeed(seed), candidates, count, reserveCount: Math.min(5, eligible - count), purpose: `expert:TEST-${lib}:section-1` });
      for (const id of [...rec.winners, ...rec.reserves]) {
        const e = experts.find((x) => x.id === id)!;
        expect(mustRecuse(e, parties, at, lookbackDays), `library ${lib}: ${e.code} drawn despite a conflict`).toBe(false);
        expect(e.status).toBe('available');
      }
      expect(recompute(rec)).toEqual({ winners: rec.winners, reserves: rec.reserves });
      expect(verifyDraw(JSON.parse(JSON.stringify(rec)), { commitment: commitSeed(seed) }).ok).toBe(true);
      draws++;
    }
    expect(draws).toBeGreaterThan(300);
    expect(excludedSeen).toBeGreaterThan(400);
  });

  it('rejects a record whose exclusions were edited after the draw', () => {
    const at = new Date('2026-11-20T02:00:00Z');
    const { experts, parties } = randomLibrary(rng(42), at);
    const candidates = screenExperts(experts, { specialty: 'A02', parties, at, lookbackDays: 1095 });
    const seed = crypto.randomBytes(32);
    const rec = runDraw({ seed, commitment: commitSeed(seed), candidates, count: 3, reserveCount: 0, purpose: 'expert:T:section-1' });
    const excluded = rec.candidates.find((c) => !c.eligible)!;
    const forged = structuredClone(rec);
    const f = forged.candidates.find((c) => c.id === excluded.id)!;
    f.eligible = true;
    delete f.reason;
    expect(verifyDraw(forged, { commitment: rec.commitment })).toMatchObject({ ok: false, code: 'CANDIDATES_HASH_MISMATCH' });
    const swapped = { ...structuredClone(rec), winners: [...rec.winners.slice(1), rec.winners[0]] };
    expect(verifyDraw(swapped, { commitment: rec.commitment })).toMatchObject({ ok: false, code: 'WINNERS_MISMATCH' });
  });
});
