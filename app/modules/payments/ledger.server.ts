// Double-entry ledger (复式记账) of the money the platform holds through Alipay. Deposits are third
// parties' money and live in their own liability account, apart from fee income. Every posting
// balances: checked here before writing, and again by a deferred trigger at commit.
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import type { Prisma } from '~/generated/prisma/client';

export const ACCOUNTS = {
  /** Asset: money Alipay holds for us (received, not yet refunded or settled to the bank). */
  alipay_clearing: { label: '支付宝待清算款', side: 'debit' },
  /** Liability: bid deposits held for bidders, per tender and bidder. */
  deposits_held: { label: '代收投标保证金', side: 'credit' },
  /** Income: document fees, service fees, platform fees. */
  fee_income: { label: '服务费及文件费收入', side: 'credit' },
  /** Liability: refunds decided and not yet executed at Alipay. */
  refunds_payable: { label: '应退款项', side: 'credit' },
  /** Liability/income: deposits forfeited with a supervisor's approval (没收保证金). */
  forfeited_deposits: { label: '没收保证金', side: 'credit' },
  /** Expense: interest owed on returned deposits (DEPOSIT_INTEREST_RATE). */
  interest_expense: { label: '保证金利息支出', side: 'debit' },
  /** Liability: that interest, paid outside Alipay (a refund cannot exceed the trade amount). */
  interest_payable: { label: '应付保证金利息', side: 'credit' },
} as const;

export type Account = keyof typeof ACCOUNTS;

export interface EntryInput {
  account: Account;
  debitFen?: number;
  creditFen?: number;
}

export interface PostingInput {
  kind: 'payment' | 'refund_due' | 'refund_paid' | 'forfeit' | 'interest';
  eventKey: string;
  orderId?: string;
  refundId?: string;
  memo: string;
  /** The business object and payer every entry of this posting belongs to. */
  refType: string;
  refId: string;
  partyOrgId: string;
  entries: EntryInput[];
}

export class UnbalancedPostingError extends Error {}

/** Throws unless the entries form a valid balanced posting (amounts whole, positive, one side each). */
export function assertBalanced(entries: EntryInput[]): void {
  if (entries.length < 2) throw new UnbalancedPostingError('a posting needs at least two entries');
  let debit = 0;
  let credit = 0;
  for (const e of entries) {
    if (!(e.account in ACCOUNTS)) throw new UnbalancedPostingError(`unknown account ${e.account}`);
    const d = e.debitFen ?? 0;
    const c = e.creditFen ?? 0;
    if (!Number.isSafeInteger(d) || !Number.isSafeInteger(c) || d < 0 || c < 0)
      throw new UnbalancedPostingError('amounts must be whole, non-negative fen');
    if ((d > 0) === (c > 0)) throw new UnbalancedPostingError('each entry is either a debit or a credit');
    debit += d;
    credit += c;
  }
  if (debit !== credit) throw new UnbalancedPostingError(`debits ${debit} ≠ credits ${credit}`);
}

/**
 * Writes a balanced posting once per eventKey; returns false when that event was already posted
 * (so a replayed notify or a retried job never posts twice).
 */
export async function post(tx: Tx, input: PostingInput): Promise<boolean> {
  assertBalanced(input.entries);
  const at = now();
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "LedgerPosting" (id, kind, "eventKey", "orderId", "refundId", memo, at)
    VALUES (${'lp_' + crypto.randomUUID().replaceAll('-', '')}, ${input.kind}, ${input.eventKey}, ${input.orderId ?? null},
            ${input.refundId ?? null}, ${input.memo}, ${at})
    ON CONFLICT ("eventKey") DO NOTHING RETURNING id`;
  if (inserted.length === 0) return false;
  await tx.ledgerEntry.createMany({
    data: input.entries.map((e) => ({
      postingId: inserted[0].id,
      account: e.account,
      refType: input.refType,
      refId: input.refId,
      partyOrgId: input.partyOrgId,
      debitFen: e.debitFen ?? 0,
      creditFen: e.creditFen ?? 0,
      at,
    })),
  });
  return true;
}

export interface AccountBalance {
  account: Account;
  label: string;
  debitFen: number;
  creditFen: number;
  /** Positive on the account's normal side. */
  balanceFen: number;
}

export interface BalanceFilter {
  refType?: string;
  refId?: string;
  partyOrgId?: string;
  /** Further conditions on the entries (e.g. what a viewer may see: disclosure.server.ts). */
  where?: Prisma.LedgerEntryWhereInput;
}

function entryWhere(filter: BalanceFilter): Prisma.LedgerEntryWhereInput {
  return { refType: filter.refType, refId: filter.refId, partyOrgId: filter.partyOrgId, ...(filter.where ? { AND: [filter.where] } : {}) };
}

/** Balances per account, optionally for one tender/purchase and/or one payer. */
export async function balances(filter: BalanceFilter = {}): Promise<AccountBalance[]> {
  const prisma = await getPrisma();
  const rows = await prisma.ledgerEntry.groupBy({
    by: ['account'],
    where: entryWhere(filter),
    _sum: { debitFen: true, creditFen: true },
  });
  return (Object.keys(ACCOUNTS) as Account[]).map((account) => {
    const r = rows.find((x) => x.account === account);
    const debitFen = r?._sum.debitFen ?? 0;
    const creditFen = r?._sum.creditFen ?? 0;
    const side = ACCOUNTS[account].side;
    return { account, label: ACCOUNTS[account].label, debitFen, creditFen, balanceFen: side === 'debit' ? debitFen - creditFen : creditFen - debitFen };
  });
}

/**
 * Total debits and credits (equal when every posting balanced) over the whole ledger, or over the
 * entries `where` selects. Unbalanced postings are always looked for in the whole ledger.
 */
export async function trialBalance(where?: Prisma.LedgerEntryWhereInput): Promise<{ debitFen: number; creditFen: number; postings: number; unbalancedPostings: string[] }> {
  const prisma = await getPrisma();
  const sums = await prisma.ledgerEntry.aggregate({ where, _sum: { debitFen: true, creditFen: true } });
  const postings = await prisma.ledgerPosting.count(where ? { where: { entries: { some: where } } } : undefined);
  const unbalanced = await prisma.$queryRaw<{ postingId: string }[]>`
    SELECT "postingId" FROM "LedgerEntry" GROUP BY "postingId" HAVING SUM("debitFen") <> SUM("creditFen")`;
  return {
    debitFen: sums._sum.debitFen ?? 0,
    creditFen: sums._sum.creditFen ?? 0,
    postings,
    unbalancedPostings: unbalanced.map((u) => u.postingId),
  };
}

/** Deposits held per tender (refType/refId) and bidder: what the platform still owes back. */
export async function depositsHeld(filter: BalanceFilter = {}) {
  const prisma = await getPrisma();
  const rows = await prisma.ledgerEntry.groupBy({
    by: ['refType', 'refId', 'partyOrgId'],
    where: { account: 'deposits_held', ...entryWhere(filter) },
    _sum: { debitFen: true, creditFen: true },
  });
  return rows.map((r) => ({ refType: r.refType, refId: r.refId, partyOrgId: r.partyOrgId, heldFen: (r._sum.creditFen ?? 0) - (r._sum.debitFen ?? 0) }));
}
