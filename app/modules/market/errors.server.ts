import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';

export type FieldErrors = Record<string, string[]>;

/** A refusal the user can act on: a Chinese message, optionally tied to form fields. */
export class MarketError extends Error {
  constructor(
    message: string,
    public fieldErrors: FieldErrors = {},
    public status = 400,
  ) {
    super(message);
  }
}

/**
 * Refused attempts that matter to supervision (a quote outside the fee standard, a sign-up after
 * the close, a conflict of interest...) are logged in the audit chain even though nothing changed.
 */
export async function refuse(actor: Actor, action: string, objectType: string, objectId: string | null, err: MarketError): Promise<never> {
  const prisma = await getPrisma();
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actor, { action: `${action}.refused`, objectType, objectId, payload: { reason: err.message, fields: Object.keys(err.fieldErrors) } }),
  );
  throw err;
}
