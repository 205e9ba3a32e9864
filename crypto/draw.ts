/**
 * Verifiable random draw, used for the intermediary supermarket's random selection (随机抽取),
 * the expert draw (专家抽取) and double-random inspections (双随机一公开).
 *
 * Every byte is specified in docs/draw-algorithm.md so that anyone can recompute a draw from the
 * published record without this code. In short:
 *   commitment   = SHA-256("draw-commit-v1" || seed)                       published before sign-up closes
 *   candHash     = SHA-256("draw-candidates-v1\n" || canonical JSON lines)  all sign-ups, eligible or not
 *   outcomeSeed  = SHA-256("draw-outcome-v1" || seed || candHash || lp(purpose) || u32(n) || lp(extra_i)...)
 *   stream       = SHA-256("draw-drbg-v1" || outcomeSeed || u64(0)) || SHA-256(... || u64(1)) || ...
 *   pick         = weighted sampling without replacement over the eligible candidates in id order,
 *                  each index from a uniform integer by rejection sampling on 64-bit words.
 *
 * The API is synchronous on purpose: the draw needs many small hashes (one DRBG block per four
 * 64-bit words), the "verify this draw" page and the statistical tests run it in tight loops, and
 * WebCrypto only offers an async digest. A 60-line SHA-256 (FIPS 180-4) below keeps the module
 * isomorphic; its output is checked against WebCrypto and node:crypto in draw.test.ts.
 */
import { CryptoVerifyError } from './errors.js';
import { concatBytes, fromHex, toHex, utf8 } from './hash.js';

export const DRAW_VERSION = 1 as const;
export const DRAW_ALGORITHM = 'draw-v1/sha256-ctr/rejection-u64/weighted-sequential' as const;

/** Weights are integers so that every implementation computes the same sums exactly. */
export const MAX_WEIGHT = 1_000_000_000;
export const MAX_CANDIDATES = 100_000;
const MAX_TEXT = 1000;

export { sha256Sync } from './sha256-sync.js';
import { sha256Sync } from './sha256-sync.js';

// ---------------------------------------------------------------------------------------------
// Types

/** One sign-up as the caller knows it. Ineligible sign-ups stay in the record with their reason. */
export interface DrawCandidateInput {
  id: string;
  label?: string;
  /** Positive integer, default 1. Rotation down-weighting uses this (see rotationWeights). */
  weight?: number;
  /** Default true. false = excluded before the draw (blacklisted, low grade, recusal...). */
  eligible?: boolean;
  /** Required when eligible is false: why it was excluded. */
  reason?: string;
}

/** Canonical form: what the record holds and what candidatesHash covers. */
export interface DrawCandidate {
  eligible: boolean;
  id: string;
  label?: string;
  reason?: string;
  weight: number;
}

export interface DrawRecord {
  version: typeof DRAW_VERSION;
  algorithm: typeof DRAW_ALGORITHM;
  /** What the draw is for, e.g. "purchase:CG2026-0012:round-1"; bound into the outcome. */
  purpose: string;
  /** Hex SHA-256("draw-commit-v1" || seed), published before sign-up closed. */
  commitment: string;
  /** Hex of the 32-byte seed, revealed at the draw. */
  seed: string;
  /** Public values fixed after the commitment (e.g. a later published lottery or index value). */
  extraEntropy: string[];
  /** All sign-ups, canonical, sorted by UTF-8 bytes of id. */
  candidates: DrawCandidate[];
  candidatesHash: string;
  outcomeSeed: string;
  count: number;
  reserveCount: number;
  /** Ids in the order drawn. */
  winners: string[];
  /** Ordered replacement list (候补), drawn right after the winners. */
  reserves: string[];
}

export interface RunDrawInput {
  seed: Uint8Array | string;
  commitment: string;
  candidates: DrawCandidateInput[];
  count: number;
  reserveCount?: number;
  purpose: string;
  extraEntropy?: string[];
}

export type DrawVerifyCode =
  | 'MALFORMED'
  | 'UNSUPPORTED_VERSION'
  | 'PUBLISHED_COMMITMENT_MISMATCH'
  | 'COMMITMENT_MISMATCH'
  | 'CANDIDATES_INVALID'
  | 'CANDIDATES_NOT_CANONICAL'
  | 'CANDIDATES_HASH_MISMATCH'
  | 'PUBLISHED_CANDIDATES_HASH_MISMATCH'
  | 'PURPOSE_MISMATCH'
  | 'OUTCOME_SEED_MISMATCH'
  | 'NOT_ENOUGH_CANDIDATES'
  | 'WINNERS_MISMATCH'
  | 'RESERVES_MISMATCH';

export type DrawVerifyResult =
  | { ok: true; winners: string[]; reserves: string[] }
  | { ok: false; code: DrawVerifyCode; reason: string };

/** Values published elsewhere (announcement, sign-up close notice) that the record must match. */
export interface DrawExpectations {
  commitment?: string;
  candidatesHash?: string;
  purpose?: string;
}

function fail(code: DrawVerifyCode, message: string): never {
  throw new CryptoVerifyError(code, message);
}

// ---------------------------------------------------------------------------------------------
// Seed and commitment

const TAG_COMMIT = utf8('draw-commit-v1');
const TAG_CANDIDATES = utf8('draw-candidates-v1\n');
const TAG_OUTCOME = utf8('draw-outcome-v1');
const TAG_DRBG = utf8('draw-drbg-v1');

/** 32 bytes from the platform CSPRNG (WebCrypto getRandomValues, in browsers and Node). */
export function generateSeed(): Uint8Array {
  const c = globalThis.crypto;
  if (!c?.getRandomValues) throw new Error('WebCrypto getRandomValues is not available');
  return c.getRandomValues(new Uint8Array(32));
}

function seedBytes(seed: Uint8Array | string): Uint8Array {
  let b: Uint8Array;
  try {
    b = typeof seed === 'string' ? fromHex(seed) : seed;
  } catch {
    fail('MALFORMED', 'seed is not valid hex');
  }
  if (b.length !== 32) fail('MALFORMED', `seed must be 32 bytes, got ${b.length}`);
  return b;
}

/** Hex commitment to publish before sign-up closes. */
export function commitSeed(seed: Uint8Array | string): string {
  return toHex(sha256Sync(concatBytes(TAG_COMMIT, seedBytes(seed))));
}

// ---------------------------------------------------------------------------------------------
// Candidates

/** C0/C1 controls and lone surrogates are refused so that canonical JSON needs no \u escapes. */
function checkText(what: string, s: unknown, allowEmpty = false): string {
  if (typeof s !== 'string') fail('CANDIDATES_INVALID', `${what} must be a string`);
  if (!allowEmpty && s.length === 0) fail('CANDIDATES_INVALID', `${what} must not be empty`);
  if (s.length > MAX_TEXT) fail('CANDIDATES_INVALID', `${what} is longer than ${MAX_TEXT} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s)) fail('CANDIDATES_INVALID', `${what} contains a control character`);
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) {
    fail('CANDIDATES_INVALID', `${what} contains an unpaired surrogate`);
  }
  return s;
}

function checkWeight(what: string, w: unknown): number {
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > MAX_WEIGHT) {
    fail('CANDIDATES_INVALID', `${what} must be an integer from 1 to ${MAX_WEIGHT}`);
  }
  return w;
}

function normalizeCandidate(c: DrawCandidateInput, i: number): DrawCandidate {
  if (typeof c !== 'object' || c === null) fail('CANDIDATES_INVALID', `candidate #${i} is not an object`);
  const id = checkText(`candidate #${i} id`, c.id);
  const eligible = c.eligible ?? true;
  if (typeof eligible !== 'boolean') fail('CANDIDATES_INVALID', `candidate ${id}: eligible must be a boolean`);
  const weight = checkWeight(`candidate ${id}: weight`, c.weight ?? 1);
  // Key order = JCS order, so the record reads the same as the hashed lines.
  const out = { eligible, id } as DrawCandidate;
  if (c.label !== undefined) out.label = checkText(`candidate ${id}: label`, c.label, true);
  if (c.reason !== undefined) out.reason = checkText(`candidate ${id}: reason`, c.reason);
  out.weight = weight;
  if (!eligible && out.reason === undefined) {
    fail('CANDIDATES_INVALID', `candidate ${id} is ineligible but no reason is given`);
  }
  return out;
}

/** Byte-wise comparison of UTF-8 encodings (differs from JS string order above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  const x = utf8(a);
  const y = utf8(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Validates, fills defaults and sorts by id; throws CANDIDATES_INVALID on duplicates or bad values. */
export function canonicalCandidates(inputs: DrawCandidateInput[]): DrawCandidate[] {
  if (!Array.isArray(inputs)) fail('CANDIDATES_INVALID', 'candidates must be an array');
  if (inputs.length > MAX_CANDIDATES) fail('CANDIDATES_INVALID', `more than ${MAX_CANDIDATES} candidates`);
  const list = inputs.map(normalizeCandidate).sort((a, b) => compareUtf8(a.id, b.id));
  for (let i = 1; i < list.length; i++) {
    if (list[i].id === list[i - 1].id) fail('CANDIDATES_INVALID', `duplicate candidate id ${list[i].id}`);
  }
  return list;
}

/**
 * RFC 8785 (JCS) serialisation of one canonical candidate. Keys are already in JCS order
 * (eligible, id, label, reason, weight); checkText guarantees JSON.stringify escapes only `"` and `\`.
 */
export function candidateLine(c: DrawCandidate): string {
  const o: Record<string, unknown> = { eligible: c.eligible, id: c.id };
  if (c.label !== undefined) o.label = c.label;
  if (c.reason !== undefined) o.reason = c.reason;
  o.weight = c.weight;
  return JSON.stringify(o);
}

export function candidatesHash(canonical: DrawCandidate[]): string {
  const parts: Uint8Array[] = [TAG_CANDIDATES];
  for (const c of canonical) parts.push(utf8(candidateLine(c) + '\n'));
  return toHex(sha256Sync(concatBytes(...parts)));
}

// ---------------------------------------------------------------------------------------------
// Outcome seed and selection

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function lengthPrefixed(s: string): Uint8Array {
  const b = utf8(s);
  return concatBytes(u32(b.length), b);
}

export function outcomeSeed(seed: Uint8Array | string, candHashHex: string, purpose: string, extra: string[] = []): string {
  const parts = [TAG_OUTCOME, seedBytes(seed), fromHex(candHashHex), lengthPrefixed(purpose), u32(extra.length)];
  for (const e of extra) parts.push(lengthPrefixed(e));
  return toHex(sha256Sync(concatBytes(...parts)));
}

/** Counter-mode SHA-256 byte stream, consumed as big-endian 64-bit words. */
class DrawStream {
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private counter = 0;
  private readonly prefix: Uint8Array;
  constructor(outcome: Uint8Array) {
    // prefix || u64 counter; the counter never exceeds 2^32 in practice, so the high word stays 0.
    this.prefix = concatBytes(TAG_DRBG, outcome, new Uint8Array(8));
  }
  nextU64(): bigint {
    if (this.pos >= this.block.length) {
      new DataView(this.prefix.buffer).setUint32(this.prefix.length - 4, this.counter++);
      this.block = sha256Sync(this.prefix);
      this.pos = 0;
    }
    const v = new DataView(this.block.buffer, this.pos, 8).getBigUint64(0);
    this.pos += 8;
    return v;
  }
  /** Uniform integer in [0, n) without modulo bias: reject words at or above the largest multiple of n. */
  uniform(n: number): number {
    const N = BigInt(n);
    const limit = TWO_64 - (TWO_64 % N);
    for (;;) {
      const x = this.nextU64();
      if (x < limit) return Number(x % N);
    }
  }
}
const TWO_64 = 1n << 64n;

/**
 * Draws `total` distinct ids from the eligible candidates. Each step picks candidate i of the
 * remaining ones (kept in canonical order) with probability weight_i / sum of remaining weights.
 */
export function selectWinners(canonical: DrawCandidate[], outcomeSeedHex: string, total: number): string[] {
  const pool = canonical.filter((c) => c.eligible);
  if (!Number.isInteger(total) || total < 0) fail('MALFORMED', 'number to draw must be a non-negative integer');
  if (total > pool.length) {
    fail('NOT_ENOUGH_CANDIDATES', `cannot draw ${total} from ${pool.length} eligible candidate(s)`);
  }
  const stream = new DrawStream(fromHex(outcomeSeedHex));
  const out: string[] = [];
  let sum = pool.reduce((s, c) => s + c.weight, 0);
  for (let k = 0; k < total; k++) {
    const r = stream.uniform(sum);
    let acc = 0;
    let j = 0;
    for (; j < pool.length; j++) {
      acc += pool[j].weight;
      if (r < acc) break;
    }
    const [picked] = pool.splice(j, 1);
    sum -= picked.weight;
    out.push(picked.id);
  }
  return out;
}

function checkPurpose(p: unknown): string {
  if (typeof p !== 'string' || p.length === 0) fail('MALFORMED', 'purpose must be a non-empty string');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(p)) fail('MALFORMED', 'purpose contains a control character');
  return p;
}

function checkCount(what: string, n: unknown, min: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_CANDIDATES) {
    fail('MALFORMED', `${what} must be an integer from ${min} to ${MAX_CANDIDATES}`);
  }
  return n;
}

function checkHex32(what: string, h: unknown): string {
  if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h)) fail('MALFORMED', `${what} must be 64 lowercase hex digits`);
  return h;
}

/** Runs the draw at the moment the seed is revealed. Throws CryptoVerifyError on any inconsistency. */
export function runDraw(input: RunDrawInput): DrawRecord {
  const seed = seedBytes(input.seed);
  const commitment = checkHex32('commitment', String(input.commitment ?? '').toLowerCase());
  if (commitSeed(seed) !== commitment) fail('COMMITMENT_MISMATCH', 'the seed does not match the published commitment');
  const purpose = checkPurpose(input.purpose);
  const count = checkCount('count', input.count, 1);
  const reserveCount = checkCount('reserveCount', input.reserveCount ?? 0, 0);
  const extraEntropy = (input.extraEntropy ?? []).map((e, i) => {
    if (typeof e !== 'string') fail('MALFORMED', `extraEntropy[${i}] must be a string`);
    return e;
  });
  const candidates = canonicalCandidates(input.candidates);
  const candHash = candidatesHash(candidates);
  const outcome = outcomeSeed(seed, candHash, purpose, extraEntropy);
  const drawn = selectWinners(candidates, outcome, count + reserveCount);
  return {
    version: DRAW_VERSION,
    algorithm: DRAW_ALGORITHM,
    purpose,
    commitment,
    seed: toHex(seed),
    extraEntropy,
    candidates,
    candidatesHash: candHash,
    outcomeSeed: outcome,
    count,
    reserveCount,
    winners: drawn.slice(0, count),
    reserves: drawn.slice(count),
  };
}

const RECORD_KEYS = [
  'version', 'algorithm', 'purpose', 'commitment', 'seed', 'extraEntropy', 'candidates',
  'candidatesHash', 'outcomeSeed', 'count', 'reserveCount', 'winners', 'reserves',
];
const CANDIDATE_KEYS = new Set(['eligible', 'id', 'label', 'reason', 'weight']);

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkIdList(what: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail('MALFORMED', `${what} must be an array of strings`);
  return v as string[];
}

/**
 * Recomputes a published draw record from scratch. `expect` carries values published earlier
 * (the commitment in the purchase announcement, the sign-up list hash at close) so that a record
 * made up after the fact is caught even if it is internally consistent.
 */
export function verifyDraw(record: unknown, expect: DrawExpectations = {}): DrawVerifyResult {
  try {
    return { ok: true, ...verifyOrThrow(record, expect) };
  } catch (e) {
    if (e instanceof CryptoVerifyError) return { ok: false, code: e.code as DrawVerifyCode, reason: e.message };
    throw e;
  }
}

function verifyOrThrow(record: unknown, expect: DrawExpectations): { winners: string[]; reserves: string[] } {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) fail('MALFORMED', 'record is not a JSON object');
  const r = record as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!RECORD_KEYS.includes(k)) fail('MALFORMED', `unknown field "${k}" in record`);
  for (const k of RECORD_KEYS) if (!(k in r)) fail('MALFORMED', `field "${k}" is missing`);
  if (r.version !== DRAW_VERSION || r.algorithm !== DRAW_ALGORITHM) {
    fail('UNSUPPORTED_VERSION', `unsupported draw version/algorithm ${String(r.version)} ${String(r.algorithm)}`);
  }
  const purpose = checkPurpose(r.purpose);
  const commitment = checkHex32('commitment', r.commitment);
  const seedHex = checkHex32('seed', r.seed);
  const candHash = checkHex32('candidatesHash', r.candidatesHash);
  const outcome = checkHex32('outcomeSeed', r.outcomeSeed);
  const count = checkCount('count', r.count, 1);
  const reserveCount = checkCount('reserveCount', r.reserveCount, 0);
  const extra = checkIdList('extraEntropy', r.extraEntropy);
  const winners = checkIdList('winners', r.winners);
  const reserves = checkIdList('reserves', r.reserves);
  if (!Array.isArray(r.candidates)) fail('MALFORMED', 'candidates must be an array');

  if (expect.purpose !== undefined && expect.purpose !== purpose) {
    fail('PURPOSE_MISMATCH', `record is for "${purpose}", expected "${expect.purpose}"`);
  }
  if (expect.commitment !== undefined && expect.commitment.toLowerCase() !== commitment) {
    fail('PUBLISHED_COMMITMENT_MISMATCH', 'the record commitment differs from the one published before sign-up closed');
  }
  if (commitSeed(seedHex) !== commitment) {
    fail('COMMITMENT_MISMATCH', 'the revealed seed does not match the commitment');
  }

  const given = r.candidates as unknown[];
  for (const [i, c] of given.entries()) {
    if (typeof c !== 'object' || c === null) fail('CANDIDATES_INVALID', `candidate #${i} is not an object`);
    for (const k of Object.keys(c)) if (!CANDIDATE_KEYS.has(k)) fail('CANDIDATES_INVALID', `candidate #${i} has unknown field "${k}"`);
    const cc = c as Record<string, unknown>;
    if (typeof cc.eligible !== 'boolean' || cc.weight === undefined) {
      fail('CANDIDATES_INVALID', `candidate #${i} must state eligible and weight explicitly`);
    }
  }
  const canonical = canonicalCandidates(given as DrawCandidateInput[]);
  if (canonical.some((c, i) => candidateLine(c) !== candidateLine(given[i] as DrawCandidate))) {
    fail('CANDIDATES_NOT_CANONICAL', 'candidates are not sorted by the UTF-8 bytes of their id');
  }
  const recomputedHash = candidatesHash(canonical);
  if (recomputedHash !== candHash) {
    fail('CANDIDATES_HASH_MISMATCH', `candidatesHash is ${candHash}, recomputed ${recomputedHash}`);
  }
  if (expect.candidatesHash !== undefined && expect.candidatesHash.toLowerCase() !== candHash) {
    fail('PUBLISHED_CANDIDATES_HASH_MISMATCH', 'the sign-up list differs from the one published when sign-up closed');
  }
  const recomputedOutcome = outcomeSeed(seedHex, candHash, purpose, extra);
  if (recomputedOutcome !== outcome) {
    fail('OUTCOME_SEED_MISMATCH', `outcomeSeed is ${outcome}, recomputed ${recomputedOutcome}`);
  }
  const drawn = selectWinners(canonical, outcome, count + reserveCount);
  const expWinners = drawn.slice(0, count);
  const expReserves = drawn.slice(count);
  if (!sameList(winners, expWinners)) {
    fail('WINNERS_MISMATCH', `winners recorded as [${winners.join(', ')}], recomputed [${expWinners.join(', ')}]`);
  }
  if (!sameList(reserves, expReserves)) {
    fail('RESERVES_MISMATCH', `reserves recorded as [${reserves.join(', ')}], recomputed [${expReserves.join(', ')}]`);
  }
  return { winners: expWinners, reserves: expReserves };
}

// ---------------------------------------------------------------------------------------------
// Helpers for callers that build the candidate list

/** A rule returns a reason (shown in the record) when the item must be excluded, else null. */
export type EligibilityRule<T> = (item: T) => string | null | undefined | false;

/**
 * Marks each item eligible or not before the draw (blacklist, credit grade, specialty, recusal...);
 * the first failing rule's reason is recorded so the exclusion is public and bound into the hash.
 */
export function screenCandidates<T>(
  items: T[],
  describe: (item: T) => { id: string; label?: string; weight?: number },
  rules: EligibilityRule<T>[],
): DrawCandidateInput[] {
  return items.map((item) => {
    const base = describe(item);
    for (const rule of rules) {
      const reason = rule(item);
      if (reason) return { ...base, eligible: false, reason };
    }
    return { ...base, eligible: true };
  });
}

export interface RotationPolicy {
  /** Weight of a candidate with no recent wins, per unit of its own weight. Default 1,000,000. */
  base?: number;
  /** inverse: base / (1 + wins); halving: base / 2^wins. Default inverse. */
  decay?: 'inverse' | 'halving';
}

/**
 * Down-weights recent winners (轮换): the caller counts wins in its look-back window (e.g. the last
 * 90 days) and passes them in. Weights are integers (floor, at least 1) so the draw stays exact.
 */
export function rotationWeights(
  candidates: DrawCandidateInput[],
  recentWins: Map<string, number> | Record<string, number>,
  policy: RotationPolicy = {},
): DrawCandidateInput[] {
  const base = policy.base ?? 1_000_000;
  if (!Number.isInteger(base) || base < 1 || base > MAX_WEIGHT) throw new Error(`rotation base must be an integer from 1 to ${MAX_WEIGHT}`);
  const winsOf = (id: string) => (recentWins instanceof Map ? recentWins.get(id) : recentWins[id]) ?? 0;
  return candidates.map((c) => {
    const wins = winsOf(c.id);
    if (!Number.isInteger(wins) || wins < 0) throw new Error(`recent wins of ${c.id} must be a non-negative integer`);
    const scaled = (c.weight ?? 1) * base;
    const w = policy.decay === 'halving' ? Math.floor(scaled / 2 ** Math.min(wins, 60)) : Math.floor(scaled / (1 + wins));
    const weight = Math.max(1, w);
    if (weight > MAX_WEIGHT) throw new Error(`rotation weight of ${c.id} exceeds ${MAX_WEIGHT}`);
    return { ...c, weight };
  });
}
