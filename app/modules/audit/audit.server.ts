// Append-only, hash-chained audit log (审计日志). Every state change and every security-relevant
// action appends an entry in the same transaction as the change it records. Entries are also the
// leaves of a Merkle tree (crypto/merkle.ts) whose signed heads are published.
import { auditEntryHashes, canonicalJson, GENESIS_HASH, payloadHash, verifyAuditChain, type AuditEntryFields } from '../../../crypto/auditlog';
import { sqlOf, type AnyTx, type Tx } from '~/db/db.server';
import type { AuditEntry, Prisma } from '~/generated/prisma/client';
import { now } from '~/modules/clock/clock.server';
import { appendMerkleLeaf, type MerkleNodeRow } from '~/modules/transparency/merkle-store.server';

/** Who did it and from where: taken from the request by the route, never from the client body. */
export interface Actor {
  userId: string | null;
  name: string | null;
  orgId: string | null;
  role: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Not logged; lets an action spare the caller's own session (e.g. on password change). */
  sessionId?: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, name: '系统', orgId: null, role: 'system', ip: null, userAgent: null };

export interface AuditInput {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  payload?: unknown;
}

// One writer at a time: the chain needs the previous hash, so appends are serialised by a
// transaction-scoped advisory lock (released at commit or rollback, across all app instances).
const AUDIT_LOCK_KEY = 7301002;

// Every state change of the platform appends here, so the append is plain SQL (lock, last entry,
// Merkle nodes, insert): through Prisma's query compiler each model query cost about a millisecond
// more of the event loop than the same SQL (docs/decisions/113). It runs in a Prisma transaction
// or in Database.transaction's, whichever the caller holds.
// The last entry and, in the same round trip, the Merkle frontier of a tree of `seq` leaves (the
// perfect subtrees along its right edge: at each level whose bit is set in seq, node (seq >> level) − 1;
// see frontierPositions in merkle-store.server.ts), which the next leaf is appended to.
const LAST_ENTRY_SQL =
  'SELECT e."seq"::text AS "seqText", e."entryHash", ' +
  `(SELECT json_agg(json_build_object('level', m."level", 'index', m."index"::text, 'hash', m."hash")) FROM generate_series(0, 52) AS l("lv") ` +
  'JOIN "MerkleNode" m ON m."level" = l."lv" AND m."index" = (e."seq" >> l."lv") - 1 WHERE ((e."seq" >> l."lv") & 1) = 1) AS "frontier" ' +
  'FROM "AuditEntry" e ORDER BY e."seq" DESC LIMIT 1';
const INSERT_ENTRY_SQL =
  'INSERT INTO "AuditEntry" ("seq", "at", "actorUserId", "actorName", "actorOrgId", "role", "ip", "userAgent", "action", "objectType", "objectId", "payloadHash", "payload", "prevHash", "entryHash", "leafHash") ' +
  'VALUES ($1::bigint, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16)';

function frontierRows(v: unknown): MerkleNodeRow[] {
  const rows = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(rows) ? (rows as MerkleNodeRow[]) : [];
}

export async function appendAuditEntry(tx: AnyTx, actor: Actor, input: AuditInput): Promise<AuditEntry> {
  const sql = sqlOf(tx);
  await sql.query(`SELECT 1 AS "locked" FROM pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const [last] = await sql.query<{ seqText: string; entryHash: string; frontier: unknown }>(LAST_ENTRY_SQL);
  const seq = last ? BigInt(last.seqText) + 1n : 1n;
  // JSON round trip first: what we hash must be exactly what jsonb gives back later.
  const payload = input.payload === undefined ? null : (JSON.parse(canonicalJson(input.payload)) as Prisma.JsonValue);
  const fields: AuditEntryFields = {
    seq: seq.toString(),
    at: now().toISOString(),
    actorUserId: actor.userId,
    actorName: actor.name,
    actorOrgId: actor.orgId,
    role: actor.role,
    ip: actor.ip,
    userAgent: actor.userAgent ? actor.userAgent.slice(0, 400) : null,
    action: input.action,
    objectType: input.objectType ?? null,
    objectId: input.objectId ?? null,
    payloadHash: await payloadHash(payload),
    prevHash: last?.entryHash ?? GENESIS_HASH,
  };
  const { entryHash, leafHash } = await auditEntryHashes(fields);
  // The Merkle nodes this leaf completes, in the same transaction (and under the same lock), and
  // the entry itself: one statement. With no entry yet the frontier is empty (a tree holding leaves
  // without entries then fails on the leaf's primary key).
  await appendMerkleLeaf(sql, seq, leafHash, last ? frontierRows(last.frontier) : [], {
    text: INSERT_ENTRY_SQL,
    params: [
      fields.seq,
      fields.at,
      fields.actorUserId,
      fields.actorName,
      fields.actorOrgId,
      fields.role,
      fields.ip,
      fields.userAgent,
      fields.action,
      fields.objectType,
      fields.objectId,
      fields.payloadHash,
      payload === null ? null : JSON.stringify(payload),
      fields.prevHash,
      entryHash,
      leafHash,
    ],
  });
  return {
    seq,
    at: new Date(fields.at),
    actorUserId: fields.actorUserId,
    actorName: fields.actorName,
    actorOrgId: fields.actorOrgId,
    role: fields.role,
    ip: fields.ip,
    userAgent: fields.userAgent,
    action: fields.action,
    objectType: fields.objectType,
    objectId: fields.objectId,
    payloadHash: fields.payloadHash,
    payload,
    prevHash: fields.prevHash,
    entryHash,
    leafHash,
  };
}

type AuditRow = Awaited<ReturnType<typeof appendAuditEntry>>;

export function toAuditFields(row: AuditRow): AuditEntryFields & { entryHash: string; leafHash: string; payload: unknown } {
  return {
    seq: row.seq.toString(),
    at: row.at.toISOString(),
    actorUserId: row.actorUserId,
    actorName: row.actorName,
    actorOrgId: row.actorOrgId,
    role: row.role,
    ip: row.ip,
    userAgent: row.userAgent,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    payloadHash: row.payloadHash,
    prevHash: row.prevHash,
    entryHash: row.entryHash,
    leafHash: row.leafHash,
    payload: row.payload ?? null,
  };
}

/** Re-derives the chain from the first entry, in pages; returns every broken link. */
export async function verifyAuditLog(tx: Tx, pageSize = 2000) {
  let prev = GENESIS_HASH;
  let after = 0n;
  let checked = 0;
  const problems: Awaited<ReturnType<typeof verifyAuditChain>> = [];
  for (;;) {
    const rows = await tx.auditEntry.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: pageSize });
    if (rows.length === 0) break;
    const fields = rows.map(toAuditFields);
    problems.push(...(await verifyAuditChain(fields, prev)));
    prev = rows[rows.length - 1].entryHash;
    after = rows[rows.length - 1].seq;
    checked += rows.length;
  }
  return { checked, problems };
}
