// Audit log entries as an outsider recomputes them: canonical bytes, the hash chain and the
// Merkle leaf. The app writes entries with these functions and `record verify` checks them with
// the same ones, offline. Isomorphic: WebCrypto only.

export interface AuditEntryFields {
  seq: string; // decimal, to stay exact beyond 2^53
  at: string; // ISO 8601 UTC with milliseconds
  actorUserId: string | null;
  actorName: string | null;
  actorOrgId: string | null;
  role: string | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  payloadHash: string;
  prevHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, no undefined members,
 * numbers must be safe integers or finite (serialised by JSON.stringify), strings as JSON.stringify.
 * Enough for our own records; it is the subset of RFC 8785 our data needs.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      if (value instanceof Uint8Array) throw new Error('canonicalJson: encode bytes as hex or base64 first');
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof value}`);
  }
}

const encoder = new TextEncoder();

export function auditEntryBytes(e: AuditEntryFields): Uint8Array {
  const { seq, at, actorUserId, actorName, actorOrgId, role, ip, userAgent, action, objectType, objectId, payloadHash, prevHash } = e;
  return encoder.encode(
    canonicalJson({ v: 1, seq, at, actorUserId, actorName, actorOrgId, role, ip, userAgent, action, objectType, objectId, payloadHash, prevHash }),
  );
}

async function digestHex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function payloadHash(payload: unknown): Promise<string> {
  return digestHex(encoder.encode(canonicalJson(payload ?? null)));
}

export async function auditEntryHashes(e: AuditEntryFields): Promise<{ entryHash: string; leafHash: string }> {
  const bytes = auditEntryBytes(e);
  const leafInput = new Uint8Array(bytes.length + 1);
  leafInput[0] = 0;
  leafInput.set(bytes, 1);
  const [entryHash, leafHash] = await Promise.all([digestHex(bytes), digestHex(leafInput)]);
  return { entryHash, leafHash };
}

export interface ChainProblem {
  seq: string;
  problem: 'ENTRY_HASH_MISMATCH' | 'PREV_HASH_MISMATCH' | 'LEAF_HASH_MISMATCH' | 'PAYLOAD_HASH_MISMATCH' | 'SEQ_GAP';
  detail: string;
}

/**
 * Re-derives every link of a contiguous run of entries. `expectedPrev` is the entryHash before the
 * first entry (GENESIS_HASH when the run starts at the beginning of the log).
 */
export async function verifyAuditChain(
  entries: (AuditEntryFields & { entryHash: string; leafHash?: string; payload?: unknown })[],
  expectedPrev: string = GENESIS_HASH,
): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  let prev = expectedPrev;
  let prevSeq: bigint | null = null;
  for (const e of entries) {
    const seq = BigInt(e.seq);
    if (prevSeq !== null && seq !== prevSeq + 1n) {
      problems.push({ seq: e.seq, problem: 'SEQ_GAP', detail: `expected seq ${prevSeq + 1n}, found ${seq}` });
    }
    if (e.prevHash !== prev) {
      problems.push({ seq: e.seq, problem: 'PREV_HASH_MISMATCH', detail: `prevHash ${e.prevHash.slice(0, 16)}… does not link to ${prev.slice(0, 16)}…` });
    }
    const h = await auditEntryHashes(e);
    if (h.entryHash !== e.entryHash) {
      problems.push({ seq: e.seq, problem: 'ENTRY_HASH_MISMATCH', detail: 'the entry fields do not hash to the stored entryHash (a field was changed)' });
    }
    if (e.leafHash !== undefined && h.leafHash !== e.leafHash) {
      problems.push({ seq: e.seq, problem: 'LEAF_HASH_MISMATCH', detail: 'stored Merkle leaf hash differs' });
    }
    if (e.payload !== undefined && (await payloadHash(e.payload)) !== e.payloadHash) {
      problems.push({ seq: e.seq, problem: 'PAYLOAD_HASH_MISMATCH', detail: 'the stored payload does not match its hash' });
    }
    prev = e.entryHash;
    prevSeq = seq;
  }
  return problems;
}
