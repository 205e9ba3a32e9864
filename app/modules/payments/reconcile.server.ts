// 对账: Alipay's daily trade bill (alipay.data.dataservice.bill.downloadurl.query, then the file)
// compared line by line with the ledger's payments and refunds of that Beijing day. Every
// difference becomes a ReconciliationIssue and a warning to admins and supervisors.
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import type { BillRow } from './alipay.server';
import { getAlipay } from './config.server';
import { fenToYuan } from './money';
import { raiseIssueTx, type IssueInput } from './orders.server';

/** Beijing calendar date YYYY-MM-DD of an instant. */
export function beijingDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

function dayRange(date: string): { gte: Date; lt: Date } {
  const gte = new Date(`${date}T00:00:00+08:00`);
  return { gte, lt: new Date(gte.getTime() + 86_400_000) };
}

export interface ReconcileResult {
  billDate: string;
  status: 'matched' | 'mismatched' | 'failed' | 'not-ready';
  billRows: number;
  matched: number;
  issues: Omit<IssueInput, 'dedupeKey' | 'runId'>[];
}

export async function reconcileDay(billDate: string): Promise<ReconcileResult> {
  const prisma = await getPrisma();
  const alipay = getAlipay();
  const link = await alipay.billDownloadUrl(billDate);
  if (!link.ok) {
    if (link.subCode === 'isp.bill_not_exist' && billDate >= beijingDate(now())) return { billDate, status: 'not-ready', billRows: 0, matched: 0, issues: [] };
    await saveRun(billDate, { status: 'failed', billRows: 0, matched: 0, fenIn: 0, fenOut: 0, error: `${link.subCode} ${link.subMsg}` }, [
      { kind: 'bill_unavailable', detail: `${billDate} 对账单无法获取：${link.subCode} ${link.subMsg}` },
    ]);
    return { billDate, status: 'failed', billRows: 0, matched: 0, issues: [] };
  }
  const { rows } = await alipay.downloadBill(link.url);
  const range = dayRange(billDate);

  // Our side: payments posted for orders paid that day, refunds Alipay executed that day.
  const paidOrders = await prisma.paymentOrder.findMany({ where: { paidAt: range }, select: { id: true, outTradeNo: true } });
  const postings = await prisma.ledgerPosting.findMany({
    where: { kind: 'payment', orderId: { in: paidOrders.map((o) => o.id) } },
    include: { entries: { where: { account: 'alipay_clearing' } } },
  });
  const ledgerPayments = new Map<string, number>();
  for (const o of paidOrders) {
    const p = postings.find((x) => x.orderId === o.id);
    ledgerPayments.set(o.outTradeNo, p ? p.entries.reduce((a, e) => a + e.debitFen - e.creditFen, 0) : 0);
  }
  const refunds = await prisma.paymentRefund.findMany({
    where: { status: 'succeeded', OR: [{ alipayRefundAt: { startsWith: billDate } }, { alipayRefundAt: null, succeededAt: range }] },
    include: { order: { select: { outTradeNo: true } } },
  });
  const ledgerRefunds = new Map(refunds.map((r) => [r.outRequestNo, { amountFen: r.amountFen, outTradeNo: r.order.outTradeNo }]));

  const issues: ReconcileResult['issues'] = [];
  let matched = 0;
  let fenIn = 0;
  let fenOut = 0;
  const seenPay = new Set<string>();
  const seenRefund = new Set<string>();
  for (const row of rows) {
    if (row.kind === '退款' || row.receivedFen < 0) {
      fenOut += -row.receivedFen;
      seenRefund.add(row.outRequestNo);
      matched += compareRefund(row, ledgerRefunds.get(row.outRequestNo), issues) ? 1 : 0;
    } else {
      fenIn += row.receivedFen;
      seenPay.add(row.outTradeNo);
      const ours = ledgerPayments.get(row.outTradeNo);
      if (ours === undefined) {
        const o = await prisma.paymentOrder.findUnique({ where: { outTradeNo: row.outTradeNo }, select: { paidAt: true } });
        issues.push({
          kind: 'missing_in_ledger', outTradeNo: row.outTradeNo, actualFen: row.receivedFen,
          detail: o?.paidAt
            ? `账单 ${billDate} 有收款 ${fenToYuan(row.receivedFen)} 元，台账记在 ${beijingDate(o.paidAt)}`
            : `账单 ${billDate} 有收款 ${fenToYuan(row.receivedFen)} 元（${row.subject}），台账无此笔`,
        });
      } else if (ours !== row.receivedFen) {
        issues.push({ kind: 'amount_mismatch', outTradeNo: row.outTradeNo, expectedFen: ours, actualFen: row.receivedFen, detail: `收款金额不符：台账 ${fenToYuan(ours)} 元，账单 ${fenToYuan(row.receivedFen)} 元` });
      } else matched++;
    }
  }
  for (const [outTradeNo, fen] of ledgerPayments) {
    if (!seenPay.has(outTradeNo)) issues.push({ kind: 'missing_in_bill', outTradeNo, expectedFen: fen, detail: `台账 ${billDate} 记有收款 ${fenToYuan(fen)} 元，支付宝账单无此笔` });
  }
  for (const [outRequestNo, r] of ledgerRefunds) {
    if (!seenRefund.has(outRequestNo)) issues.push({ kind: 'missing_in_bill', outTradeNo: r.outTradeNo, outRequestNo, expectedFen: r.amountFen, detail: `台账 ${billDate} 记有退款 ${fenToYuan(r.amountFen)} 元，支付宝账单无此笔` });
  }
  const status = issues.length ? 'mismatched' : 'matched';
  await saveRun(billDate, { status, billRows: rows.length, matched, fenIn, fenOut, error: null }, issues);
  return { billDate, status, billRows: rows.length, matched, issues };
}

function compareRefund(row: BillRow, ours: { amountFen: number; outTradeNo: string } | undefined, issues: ReconcileResult['issues']): boolean {
  const fen = -row.receivedFen;
  if (!ours) {
    issues.push({ kind: 'missing_in_ledger', outTradeNo: row.outTradeNo, outRequestNo: row.outRequestNo, actualFen: fen, detail: `账单有退款 ${fenToYuan(fen)} 元（请求号 ${row.outRequestNo}），台账无此笔已完成退款` });
    return false;
  }
  if (ours.amountFen !== fen) {
    issues.push({ kind: 'amount_mismatch', outTradeNo: row.outTradeNo, outRequestNo: row.outRequestNo, expectedFen: ours.amountFen, actualFen: fen, detail: `退款金额不符：台账 ${fenToYuan(ours.amountFen)} 元，账单 ${fenToYuan(fen)} 元` });
    return false;
  }
  return true;
}

async function saveRun(
  billDate: string,
  r: { status: string; billRows: number; matched: number; fenIn: number; fenOut: number; error: string | null },
  issues: Omit<IssueInput, 'dedupeKey' | 'runId'>[],
) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const data = { status: r.status, billRows: r.billRows, matched: r.matched, mismatches: issues.length, billFenIn: r.fenIn, billFenOut: r.fenOut, error: r.error, ranAt: now() };
    const run = await tx.reconciliationRun.upsert({ where: { billDate }, create: { billDate, ...data }, update: data });
    for (const i of issues) {
      // The same difference found by a re-run is the same issue, not a new warning.
      await raiseIssueTx(tx, { ...i, runId: run.id, dedupeKey: `bill:${billDate}:${i.kind}:${i.outTradeNo ?? ''}:${i.outRequestNo ?? ''}` });
    }
  }, { timeout: 60_000 });
}
