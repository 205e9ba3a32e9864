// 开标前保密 in the audit log viewer (decision 032, 招标投标法 第二十二条): before a tender's opening a
// center administrator browsing /audit sees its bidder-related entries (deposit orders, bids,
// document holders, the supervisors' views with their counts) only as sealed rows — sequence, time,
// hashes — and not at all in searches or in /audit/entry.json; the chain still verifies. After the
// opening the same entries show in full. Supervisors always see everything, and their viewing is logged.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { SEALED_ACTION_LABEL } from '~/modules/audit/query.server';
import { now } from '~/modules/clock/clock.server';
import { createOrder } from '~/modules/payments/orders.server';
import { action as auditAction, loader as auditLoader } from '~/routes/audit';
import { loader as entryLoader } from '~/routes/audit.entry[.]json';
import { loader as superviseLoader } from '~/routes/tenders.$id.supervise';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';

useTestDatabase();
const DAY = 86_400_000;

async function call<T>(fn: () => Promise<T>): Promise<T | Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

async function auditPage(userId: string, query = '') {
  const r = await auditLoader({ request: makeRequest(`/audit${query}`, { cookie: await sessionCookieFor(userId) }), params: {}, context: {} });
  return r;
}

async function world() {
  const prisma = await getPrisma();
  const admin = await createUser('admin');
  const supervisor = await createUser('supervisor');
  const agent = await createUser('tenderer');
  const bidder = await createUser('bidder', { orgName: '审计保密甲建工集团有限公司' });
  const tender = await prisma.tender.create({
    data: {
      code: 'JC-2026-AU-0001', name: '审计保密测试道路工程', agentOrgId: agent.organizationId!, createdById: agent.id,
      tendererName: '江城市城市建设投资集团有限公司', method: 'open', summary: '测试', bidDeadline: new Date(now().getTime() + 2 * DAY),
      depositFen: 1_000_00, documentFeeFen: 500_00, bidForm: [], status: 'published', publishedAt: now(), createdAt: now(), updatedAt: now(),
      sections: { create: [{ seq: 1, name: '施工' }] },
    },
    include: { sections: true },
  });
  const section = tender.sections[0];
  const bidderActor = { userId: bidder.id, name: bidder.displayName, orgId: bidder.organizationId, role: 'bidder', ip: '10.9.9.9', userAgent: 'vitest' };
  // The bidder pays the deposit (payment.order.create names the payer and the section) ...
  const order = await prisma.$transaction((tx) =>
    createOrder(tx, { purpose: 'bid_deposit', refType: 'tender_section', refId: section.id, payerOrgId: bidder.organizationId!, payerUserId: bidder.id, amountFen: 1_000_00, subject: '投标保证金' }),
  );
  // ... obtains the documents and submits a bid (entries as the bidding module writes them) ...
  await prisma.$transaction(async (tx) => {
    await appendAuditEntry(tx, bidderActor, { action: 'tender.document.obtain', objectType: 'tender', objectId: tender.id, payload: { holderId: 'h1', orderId: null } });
    await appendAuditEntry(tx, bidderActor, { action: 'bid.submit', objectType: 'bid', objectId: 'bid-1', payload: { tenderId: tender.id, sectionId: section.id, version: 1 } });
  });
  // ... and a supervisor looks at who holds the documents (tender.supervise.view carries counts).
  await superviseLoader({ request: makeRequest(`/tenders/${tender.id}/supervise`, { cookie: await sessionCookieFor(supervisor.id) }), params: { id: tender.id }, context: {} });
  return { admin, supervisor, bidder, tender, section, order, secrets: [bidder.organizationId!, bidder.displayName, bidder.id, '审计保密甲建工集团有限公司', order.id] };
}

describe('audit log viewer before and after a tender’s opening', () => {
  it('an administrator sees the tender’s bidder entries only as sealed rows before the opening, in full after it; the chain verifies', { timeout: 60_000 }, async () => {
    const w = await world();
    const prisma = await getPrisma();
    const sensitive = ['payment.order.create', 'tender.document.obtain', 'bid.submit', 'tender.supervise.view'];
    const seqs = Object.fromEntries(
      (await prisma.auditEntry.findMany({ where: { action: { in: sensitive } }, select: { seq: true, action: true } })).map((e) => [e.action, e.seq.toString()]),
    );
    expect(Object.keys(seqs).sort()).toEqual([...sensitive].sort());

    const before = await auditPage(w.admin.id);
    const text = JSON.stringify(before);
    for (const s of w.secrets) expect(text).not.toContain(s);
    for (const a of sensitive) expect(text).not.toContain(a);
    expect(before.full).toBe(false);
    for (const seq of Object.values(seqs)) {
      const row = before.rows.find((r) => r.seq === seq);
      expect(row, seq).toMatchObject({ sealed: true, action: SEALED_ACTION_LABEL, actorName: null, objectId: null });
      expect(row!.entryHash).toMatch(/^[0-9a-f]{64}$/);
    }
    // The tender's own management stays visible; searches leave sealed entries out altogether.
    const searched = await auditPage(w.admin.id, `?actor=${encodeURIComponent(w.bidder.displayName)}`);
    expect(searched.rows).toEqual([]);
    expect(searched.total).toBe(0);
    for (const q of ['?action=bid.', '?action=payment', `?objectId=${w.tender.id}`, `?objectId=${w.order.id}`]) {
      const r = await auditPage(w.admin.id, q);
      expect(r.total, q).toBe(0);
      for (const s of w.secrets) expect(JSON.stringify(r.rows), q).not.toContain(s);
    }
    // The per-entry JSON (the browser's inclusion check) is refused for a sealed entry.
    const entry = (await call(() => entryLoader({ request: makeRequest(`/audit/entry.json?seq=${seqs['payment.order.create']}`, { cookie: '' }), params: {}, context: {} }))) as Response;
    expect(entry.status).toBe(302); // anonymous: to the login page
    const cookie = await sessionCookieFor(w.admin.id);
    const refused = (await entryLoader({ request: makeRequest(`/audit/entry.json?seq=${seqs['payment.order.create']}`, { cookie }), params: {}, context: {} })) as Response;
    expect(refused.status).toBe(403);
    const refusedText = await refused.text();
    for (const s of w.secrets) expect(refusedText).not.toContain(s);
    // The hash chain still verifies from the administrator's page (it covers every entry).
    const verified = (await auditAction({ request: makeRequest('/audit', { method: 'POST', cookie, body: new URLSearchParams() }), params: {}, context: {} })) as { checked: number; problems: unknown[] };
    expect(verified.problems).toEqual([]);
    expect(verified.checked).toBeGreaterThanOrEqual(Object.keys(seqs).length);

    // Supervisors see everything, and their viewing is logged.
    const sup = await auditPage(w.supervisor.id);
    expect(sup.full).toBe(true);
    expect(sup.rows.find((r) => r.seq === seqs['bid.submit'])).toMatchObject({ sealed: false, action: 'bid.submit', actorName: w.bidder.displayName });
    expect(await prisma.auditEntry.count({ where: { action: 'audit.supervise.view', actorUserId: w.supervisor.id } })).toBe(1);
    const supEntry = (await entryLoader({ request: makeRequest(`/audit/entry.json?seq=${seqs['payment.order.create']}`, { cookie: await sessionCookieFor(w.supervisor.id) }), params: {}, context: {} })) as Response;
    expect(supEntry.status).toBe(200);
    expect(await supEntry.json()).toMatchObject({ actorOrgId: w.bidder.organizationId });

    // The opening begins: the administrator sees the entries in full.
    await prisma.tender.update({ where: { id: w.tender.id }, data: { status: 'opened', bidDeadline: new Date(now().getTime() - DAY) } });
    const after = await auditPage(w.admin.id);
    expect(after.rows.some((r) => r.sealed)).toBe(false);
    const afterText = JSON.stringify(after);
    for (const a of sensitive) expect(afterText).toContain(a);
    expect(afterText).toContain(w.bidder.displayName);
    expect(after.rows.find((r) => r.seq === seqs['bid.submit'])).toMatchObject({ action: 'bid.submit', objectId: 'bid-1' });
    expect((await auditPage(w.admin.id, `?action=payment.order.create`)).total).toBe(1);
    const open = (await entryLoader({ request: makeRequest(`/audit/entry.json?seq=${seqs['payment.order.create']}`, { cookie }), params: {}, context: {} })) as Response;
    expect(open.status).toBe(200);
    expect(await open.json()).toMatchObject({ actorOrgId: w.bidder.organizationId, action: 'payment.order.create' });
  });
});
