// 订单详情 for the people /finance links there from: supervisors (read-only, each view logged) and the
// center's administrators, who before a tender's opening may not see someone else's deposit or
// document fee of it (decision 032) — a 403 that says why. Nobody but the payer gets a pay button.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { createOrder } from '~/modules/payments/orders.server';
import { loader } from '~/routes/payments.orders.$id';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';

useTestDatabase();
const DAY = 86_400_000;

async function view(userId: string, id: string) {
  try {
    return await loader({ request: makeRequest(`/payments/orders/${id}`, { cookie: await sessionCookieFor(userId) }), params: { id }, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

describe('order page for finance staff and supervisors', () => {
  it('a supervisor may read any order (logged); an admin not a sealed tender’s deposit before the opening, but after it; no pay button for either', { timeout: 60_000 }, async () => {
    const prisma = await getPrisma();
    const [admin, supervisor, expert, agent] = await Promise.all([createUser('admin'), createUser('supervisor'), createUser('expert'), createUser('tenderer')]);
    const bidder = await createUser('bidder', { orgName: '订单页保密甲建设有限公司' });
    const tender = await prisma.tender.create({
      data: {
        code: 'JC-2026-OP-0001', name: '订单页测试工程', agentOrgId: agent.organizationId!, createdById: agent.id, tendererName: '江城市某单位',
        method: 'open', summary: '测试', bidDeadline: new Date(now().getTime() + 2 * DAY), depositFen: 1_000_00, documentFeeFen: 0, bidForm: [],
        status: 'published', publishedAt: now(), createdAt: now(), updatedAt: now(), sections: { create: [{ seq: 1, name: '施工' }] },
      },
      include: { sections: true },
    });
    const order = await prisma.$transaction((tx) =>
      createOrder(tx, { purpose: 'bid_deposit', refType: 'tender_section', refId: tender.sections[0].id, payerOrgId: bidder.organizationId!, payerUserId: bidder.id, amountFen: 1_000_00, subject: '投标保证金' }),
    );

    const own = await view(bidder.id, order.id);
    expect(own).not.toBeInstanceOf(Response);
    expect(own).toMatchObject({ mine: true, canPay: true });

    const sealed = (await view(admin.id, order.id)) as Response;
    expect(sealed.status).toBe(403);
    const msg = await sealed.text();
    expect(msg).toContain('尚未开标');
    expect(msg).not.toContain('订单页保密甲建设有限公司');
    expect(((await view(expert.id, order.id)) as Response).status).toBe(403);

    const sup = await view(supervisor.id, order.id);
    expect(sup).toMatchObject({ mine: false, canPay: false, order: { id: order.id, subject: '投标保证金' } });
    expect(await prisma.auditEntry.count({ where: { action: 'payment.order.supervise.view', objectId: order.id, actorUserId: supervisor.id } })).toBe(1);

    await prisma.tender.update({ where: { id: tender.id }, data: { status: 'opened', bidDeadline: new Date(now().getTime() - DAY) } });
    const after = await view(admin.id, order.id);
    expect(after).toMatchObject({ mine: false, canPay: false, order: { id: order.id } });
    expect(((await view(admin.id, 'no-such-order')) as Response).status).toBe(404);
  });
});
