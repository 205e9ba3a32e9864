// 开标前保密 in the finance views (docs/decisions/032): before a tender's opening, a center
// administrator's /finance page, its 项目资金台账 and every statement export (CSV and PDF) carry no
// bidder name and no per-tender figure or count of that tender — not even inside the totals — while
// supervisors see everything, read-only, each view in the audit log. After the opening the
// administrator sees the tender's deposits with the bidders' names.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { beijingDate, reconcileDay } from '~/modules/payments/reconcile.server';
import { loader as financeLoader } from '~/routes/finance._index';
import { loader as statementLoader } from '~/routes/finance.statement';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { newOrder, payAtCashier, usePaymentsEnv, waitForStatus } from './payments-harness';

const env = usePaymentsEnv();
const DAY = 86_400_000;
const DEPOSIT = 1_234_567; // ¥12,345.67 per section, published with the tender
const FEE = 500_00;
const SERVICE = 300_00;

type FinancePage = Awaited<ReturnType<typeof financeLoader>>;

async function page(userId: string, query = ''): Promise<FinancePage> {
  return financeLoader({ request: makeRequest(`/finance${query}`, { cookie: await sessionCookieFor(userId) }), params: {}, context: {} });
}

async function statement(userId: string, query: string): Promise<Response> {
  return statementLoader({ request: makeRequest(`/finance/statement?${query}`, { cookie: await sessionCookieFor(userId) }), params: {}, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
}

function pdfText(bytes: ArrayBuffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stmt-'));
  const file = path.join(dir, 's.pdf');
  fs.writeFileSync(file, Buffer.from(bytes));
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pay(o: { id: string; outTradeNo: string }) {
  await payAtCashier(env.gateway, o.id, o.outTradeNo);
  await waitForStatus(o.id, 'paid');
}

async function world() {
  const prisma = await getPrisma();
  const admin = await createUser('admin');
  const supervisor = await createUser('supervisor');
  const agent = await createUser('tenderer');
  const a = await createUser('bidder', { orgName: '保密甲建工集团有限公司' });
  const b = await createUser('bidder', { orgName: '保密乙路桥建设有限公司' });
  const agency = await createUser('owner', { orgName: '江城市某业主单位' });
  const tender = await prisma.tender.create({
    data: {
      code: 'JC-2026-BM-0001',
      name: '保密测试道路工程施工',
      agentOrgId: agent.organizationId!,
      createdById: agent.id,
      tendererName: '江城市城市建设投资集团有限公司',
      method: 'open',
      summary: '测试',
      bidDeadline: new Date(now().getTime() + 2 * DAY),
      depositFen: DEPOSIT,
      documentFeeFen: FEE,
      bidForm: [],
      status: 'published',
      publishedAt: now(),
      createdAt: now(),
      updatedAt: now(),
      sections: { create: [{ seq: 1, name: '施工' }] },
    },
    include: { sections: true },
  });
  const section = tender.sections[0];
  // Two bidders pay the deposit (one also the document fee) at Alipay's cashier.
  for (const u of [a, b]) await pay(await newOrder({ who: { userId: u.id, orgId: u.organizationId! }, refType: 'tender_section', refId: section.id, amountFen: DEPOSIT }));
  await pay(await newOrder({ who: { userId: a.id, orgId: a.organizationId! }, purpose: 'document_fee', refType: 'tender', refId: tender.id, amountFen: FEE }));
  // Money of other business stays visible to everyone with read:finance.
  await pay(await newOrder({ who: { userId: agency.id, orgId: agency.organizationId! }, purpose: 'service_fee', refType: 'purchase', refId: 'P-1', amountFen: SERVICE }));
  return { admin, supervisor, a, b, tender, section, names: ['保密甲建工集团有限公司', '保密乙路桥建设有限公司'] };
}

/** Everything the tender's money could be recognised by: names, ids, its code, its totals. */
function expectNothingOfTheTender(text: string, w: Awaited<ReturnType<typeof world>>) {
  for (const n of w.names) expect(text).not.toContain(n);
  expect(text).not.toContain(w.section.id);
  expect(text).not.toContain(w.tender.id);
  expect(text).not.toContain('12345.67');
  expect(text).not.toContain('24691.34');
  expect(text).not.toContain(String(DEPOSIT));
  expect(text).not.toContain(String(2 * DEPOSIT));
}

describe('finance views before and after a tender’s opening', () => {
  it('an administrator sees neither names nor figures of a tender before its opening, in the page or any export; after it, both', { timeout: 60_000 }, async () => {
    const w = await world();
    const prisma = await getPrisma();
    // Tomorrow: yesterday's bill, which holds the tender's trades, is reconciled.
    advanceClock(DAY);
    const run = await reconcileDay(beijingDate(new Date(now().getTime() - DAY)));
    expect(run.status).toBe('matched');

    const before = await page(w.admin.id, `?project=${w.tender.code}`);
    expectNothingOfTheTender(JSON.stringify(before), w);
    expect(before.full).toBe(false);
    expect(before.held).toEqual([]);
    expect(before.orders.map((o) => o.purpose)).toEqual(['中介服务费']);
    // Totals hold only what may be seen: the tender's deposits are not folded into any figure.
    const acc = Object.fromEntries(before.accounts.map((x) => [x.account, x.balanceFen]));
    expect(acc).toMatchObject({ alipay_clearing: SERVICE, deposits_held: 0, fee_income: SERVICE });
    expect(before.trial).toMatchObject({ debitFen: SERVICE, creditFen: SERVICE, postings: 1, unbalanced: 0 });
    expect(before.ledgerBalanced).toBe(true);
    // The day's bill (4 trades, 3 of them the tender's) shows no count or amount.
    expect(before.runs).toHaveLength(1);
    expect(before.runs[0]).toMatchObject({ withheld: true, billRows: null, matched: null, billFenIn: null, mismatches: 0 });
    // The tender's ledger: only that it is not yet opened.
    expect(before.ledger).toMatchObject({ found: true, sealed: true, code: w.tender.code });
    expect(Object.keys(before.ledger!).sort()).toEqual(['bidDeadline', 'code', 'found', 'name', 'sealed']);

    // Exports: the whole ledger without the tender, the tender's own statement refused.
    const csvAll = await statement(w.admin.id, 'format=csv');
    expect(csvAll.status).toBe(200);
    const csvText = await csvAll.text();
    expectNothingOfTheTender(csvText, w);
    expect(csvText.trim().split('\r\n')).toHaveLength(1 + 2 + 1); // header, the service fee's two entries, total
    for (const q of [`refType=tender_section&refId=${w.section.id}&format=csv`, `refType=tender_section&refId=${w.section.id}&format=pdf`, `refType=tender&refId=${w.tender.id}&format=csv`]) {
      const r = await statement(w.admin.id, q);
      expect(r.status, q).toBe(403);
      expectNothingOfTheTender(await r.text(), w);
    }
    const byBidder = await (await statement(w.admin.id, `orgId=${w.a.organizationId}&format=csv`)).text();
    expectNothingOfTheTender(byBidder, w);
    expect(byBidder.trim().split('\r\n')).toHaveLength(2); // header and a zero total
    const pdf = await statement(w.admin.id, 'format=pdf');
    expect(pdf.status).toBe(200);
    const pdfAll = pdfText(await pdf.arrayBuffer());
    expect(pdfAll).toContain('不含尚未开标项目');
    expect(pdfAll).toContain('300.00');
    expectNothingOfTheTender(pdfAll, w);
    // The administrator's export is logged too; nothing in the log names the tender's bidders.
    expect(await prisma.auditEntry.count({ where: { action: 'finance.statement.export', actorUserId: w.admin.id } })).toBe(3);
    expect(await prisma.auditEntry.count({ where: { action: 'finance.statement.refused', actorUserId: w.admin.id } })).toBe(3);
    expect(await prisma.auditEntry.count({ where: { action: 'finance.view', actorUserId: w.admin.id } })).toBe(0);

    // A supervisor sees all of it, read-only, and each view is in the audit log.
    const sup = await page(w.supervisor.id, `?project=${w.tender.code}`);
    expect(sup.full).toBe(true);
    expect(sup.held.map((h) => h.party).sort()).toEqual([...w.names].sort());
    expect(sup.held.every((h) => h.heldFen === DEPOSIT && h.label === `${w.tender.code} ${w.tender.name} 第1标段`)).toBe(true);
    expect(sup.ledger).toMatchObject({ found: true, sealed: false, beforeOpening: true, depositsHeldFen: 2 * DEPOSIT, feeIncomeFen: FEE, balanced: true });
    expect(sup.runs[0]).toMatchObject({ withheld: false, billRows: 4 });
    const views = await prisma.auditEntry.findMany({ where: { action: 'finance.view', actorUserId: w.supervisor.id } });
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ objectType: 'tender', objectId: w.tender.id });
    const supCsv = await statement(w.supervisor.id, `refType=tender_section&refId=${w.section.id}&format=csv`);
    expect(supCsv.status).toBe(200);
    const supText = await supCsv.text();
    for (const n of w.names) expect(supText).toContain(n);
    expect(await prisma.auditEntry.count({ where: { action: 'finance.statement.export', actorUserId: w.supervisor.id, objectId: w.section.id } })).toBe(1);

    // The deadline passes and the opening begins: the administrator now sees the tender.
    advanceClock(2 * DAY);
    await prisma.tender.update({ where: { id: w.tender.id }, data: { status: 'opened' } });
    const after = await page(w.admin.id, `?project=${w.tender.code}`);
    expect(after.held.map((h) => h.party).sort()).toEqual([...w.names].sort());
    expect(Object.fromEntries(after.accounts.map((x) => [x.account, x.balanceFen]))).toMatchObject({ deposits_held: 2 * DEPOSIT, fee_income: SERVICE + FEE });
    expect(after.ledger).toMatchObject({ found: true, sealed: false, beforeOpening: false, depositsHeldFen: 2 * DEPOSIT, balanced: true });
    if (after.ledger?.found && !after.ledger.sealed) expect(after.ledger.sections[0].rows.map((r) => r.party).sort()).toEqual([...w.names].sort());
    expect(after.runs[0]).toMatchObject({ withheld: false, billRows: 4 });
    const csvAfter = await statement(w.admin.id, `refType=tender_section&refId=${w.section.id}&format=csv`);
    expect(csvAfter.status).toBe(200);
    const afterText = await csvAfter.text();
    for (const n of w.names) expect(afterText).toContain(n);
  });

  it('a tender past its deadline but not yet opened stays secret; a draft’s or cancelled tender’s too', async () => {
    const w = await world();
    const prisma = await getPrisma();
    advanceClock(3 * DAY); // deadline passed, the opening has not begun (closed)
    await prisma.tender.update({ where: { id: w.tender.id }, data: { status: 'closed' } });
    expectNothingOfTheTender(JSON.stringify(await page(w.admin.id, `?project=${w.tender.code}`)), w);
    await prisma.tender.update({ where: { id: w.tender.id }, data: { status: 'cancelled' } });
    expectNothingOfTheTender(JSON.stringify(await page(w.admin.id, `?project=${w.tender.code}`)), w);
    // Opened but the platform clock is before the deadline (a demo clock moved back): still secret.
    await prisma.tender.update({ where: { id: w.tender.id }, data: { status: 'opened', bidDeadline: new Date(now().getTime() + DAY) } });
    expectNothingOfTheTender(JSON.stringify(await page(w.admin.id, `?project=${w.tender.code}`)), w);
  });
});
