// The opening as a state machine persisted step by step (docs/decisions/100). A step is one
// transaction that locks the opening row, checks the state, changes it, appends one audit entry
// (payload.n = the step number) and one OpeningEvent with the same number, so the event log,
// the audit log and the record can never disagree. Live delivery happens after the commit.
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { publish, type LiveEvent } from '~/modules/realtime/hub.server';
import type { Opening } from '~/generated/prisma/client';

export const topicOf = (openingId: string) => `opening:${openingId}`;

export interface StepOutcome {
  /** the audit action, e.g. opening.checkin */
  action: string;
  /** audit payload (what the record is derived from); `n` is added */
  payload: Record<string, unknown>;
  /** extra, non-audited data for screens (names, counters); merged over the payload */
  view?: Record<string, unknown>;
  /** fields of the Opening row to update in the same transaction */
  update?: Partial<Pick<Opening, 'state' | 'paused' | 'pauseReason' | 'hostUserId' | 'decryptUntil' | 'keyRebuiltAt' | 'readCount' | 'startedAt' | 'closedAt'>>;
}

/** Thrown inside a step to end it without writing anything (an idempotent repeat). */
export class NoOp extends Error {
  constructor(readonly result?: unknown) {
    super('no-op');
  }
}

/**
 * Runs one step. `decide` sees the locked opening row and returns what happened (or throws an
 * OpeningError to refuse, or NoOp when the step already happened). Returns the event, or null.
 */
export async function runStep(
  openingId: string,
  actor: Actor,
  decide: (tx: Tx, opening: Opening) => Promise<StepOutcome>,
): Promise<LiveEvent | null> {
  const prisma = await getPrisma();
  let event: LiveEvent | null = null;
  try {
    event = await prisma.$transaction(
      async (tx) => {
        // The row lock orders every step of this opening across app instances.
        await tx.$queryRawUnsafe('SELECT id FROM "Opening" WHERE id = $1 FOR UPDATE', openingId);
        const opening = await tx.opening.findUniqueOrThrow({ where: { id: openingId } });
        const out = await decide(tx, opening);
        const seq = opening.lastSeq + 1;
        const at = now();
        await tx.opening.update({ where: { id: openingId }, data: { ...(out.update ?? {}), lastSeq: seq, updatedAt: at } });
        const entry = await appendAuditEntry(tx, actor, { action: out.action, objectType: 'opening', objectId: openingId, payload: { ...out.payload, n: seq } });
        const data = { ...out.payload, ...(out.view ?? {}), state: out.update?.state ?? opening.state, actor: actor.name };
        await tx.openingEvent.create({
          data: { openingId, seq, type: out.action.replace(/^opening\./, ''), data: JSON.parse(JSON.stringify(data)), at: entry.at, auditSeq: entry.seq },
        });
        return { seq, type: out.action.replace(/^opening\./, ''), at: entry.at.toISOString(), data };
      },
      { timeout: 60_000 },
    );
  } catch (e) {
    if (e instanceof NoOp) return null;
    throw e;
  }
  await publish(topicOf(openingId), event);
  return event;
}

/** The room's events after `afterSeq` (SSE backlog and gap fill). */
export async function eventsSince(openingId: string, afterSeq: number, limit = 5000): Promise<LiveEvent[]> {
  const prisma = await getPrisma();
  const rows = await prisma.openingEvent.findMany({ where: { openingId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit });
  return rows.map((r) => ({ seq: r.seq, type: r.type, at: r.at.toISOString(), data: r.data }));
}
