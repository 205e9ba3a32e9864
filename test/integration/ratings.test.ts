// 一事一评: only a participant rates, once per subject, after the matter is finished; averages
// per agency, department and window.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import type { Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { groupRatings, rateService, ratingState, RatingError, satisfactionSummary } from '~/modules/supervision/ratings.server';
import { action as rateAction } from '~/routes/satisfaction.rate';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { agency, marketItem } from './supervision-fixtures';

useTestDatabase();

const actorOf = (u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor => ({ userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '10.0.0.1', userAgent: 'vitest' });

async function order(status: string) {
  const prisma = await getPrisma();
  const item = await marketItem();
  const { agency: a, user: agencyUser } = await agency();
  const owner = await createUser('owner');
  const o = await prisma.serviceOrder.create({
    data: { code: `DD-R-${Math.random().toString(36).slice(2, 8)}`, ownerOrgId: owner.organizationId!, agencyId: a.id, itemId: item.id, feeFen: 100_000, timeLimitDays: 5, status, startedAt: now(), createdAt: now() },
  });
  return { prisma, o, owner, a, agencyUser };
}

describe('satisfaction ratings', () => {
  it('lets the owner of an accepted order rate once, and nobody else', async () => {
    const { prisma, o, owner, a, agencyUser } = await order('accepted');
    const stranger = await createUser('owner');
    const input = { subjectType: 'market-order' as const, subjectId: o.id, score: 4, comment: '按期交付' };

    await expect(rateService(prisma, actorOf(stranger), stranger, input)).rejects.toMatchObject({ status: 403 });
    await expect(rateService(prisma, actorOf(agencyUser), agencyUser, input)).rejects.toMatchObject({ status: 403 });
    expect(await ratingState(prisma, stranger, 'market-order', o.id)).toMatchObject({ canRate: false, existing: null });
    expect(await ratingState(prisma, owner, 'market-order', o.id)).toEqual({ canRate: true, existing: null });

    const r = await rateService(prisma, actorOf(owner), owner, input);
    expect(r).toMatchObject({ score: 4, agencyOrgId: a.orgId, window: '中介服务', department: owner.organization!.name });
    const again = await rateService(prisma, actorOf(owner), owner, { ...input, score: 1 }).catch((e) => e);
    expect(again).toBeInstanceOf(RatingError);
    expect(again.status).toBe(409);
    expect(await prisma.serviceRating.count()).toBe(1);
    expect(await ratingState(prisma, owner, 'market-order', o.id)).toMatchObject({ canRate: false, existing: { score: 4 } });
    expect(await prisma.auditEntry.count({ where: { action: 'supervision.rating.create', objectId: r.id } })).toBe(1);
  });

  it('refuses before the matter is finished, and for a subject that does not exist', async () => {
    const { prisma, o, owner } = await order('in_progress');
    await expect(rateService(prisma, actorOf(owner), owner, { subjectType: 'market-order', subjectId: o.id, score: 5 })).rejects.toMatchObject({ status: 409 });
    await expect(rateService(prisma, actorOf(owner), owner, { subjectType: 'market-order', subjectId: 'nope', score: 5 })).rejects.toMatchObject({ status: 403 });
    await expect(rateService(prisma, actorOf(owner), owner, { subjectType: 'complaint', subjectId: o.id, score: 5 })).rejects.toMatchObject({ status: 403 });
    expect(await prisma.serviceRating.count()).toBe(0);
  });

  it('validates stars on the server and answers the widget in Chinese', async () => {
    const { o, owner } = await order('accepted');
    const cookie = await sessionCookieFor(owner.id);
    const post = (score: string) => rateAction({ request: makeRequest('/satisfaction/rate', { method: 'POST', cookie, body: new URLSearchParams({ subjectType: 'market-order', subjectId: o.id, score }) }), params: {}, context: {} });
    const bad = (await post('6')) as Response;
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('请选择1到5星');
    const ok = (await post('5')) as Response;
    expect(ok.status).toBe(200);
    const dup = (await post('3')) as Response;
    expect(dup.status).toBe(409);
    expect((await dup.json()).error).toContain('只能评价一次');
  });

  it('averages and distributions per agency, department and window', async () => {
    const rows = [
      { score: 5, agency: 'A', window: '中介服务' },
      { score: 4, agency: 'A', window: '中介服务' },
      { score: 1, agency: 'A', window: '中介服务' },
      { score: 3, agency: 'B', window: '网上支付' },
      { score: 5, agency: null, window: '网上支付' },
    ];
    const byAgency = groupRatings(rows, (r) => r.agency);
    expect(byAgency).toEqual([
      { key: 'A', label: 'A', count: 3, average: 3.33, distribution: [1, 0, 0, 1, 1], satisfiedRate: 2 / 3 },
      { key: 'B', label: 'B', count: 1, average: 3, distribution: [0, 0, 1, 0, 0], satisfiedRate: 0 },
    ]);
    const byWindow = groupRatings(rows, (r) => r.window);
    expect(byWindow.find((g) => g.key === '网上支付')).toMatchObject({ count: 2, average: 4 });

    // The same through the database, with organization names resolved.
    const { prisma, o, owner, a } = await order('accepted');
    await rateService(prisma, actorOf(owner), owner, { subjectType: 'market-order', subjectId: o.id, score: 2 });
    const second = await order('accepted');
    const owner2 = await createUser('owner');
    await prisma.serviceOrder.update({ where: { id: second.o.id }, data: { agencyId: a.id, ownerOrgId: owner2.organizationId! } });
    await rateService(prisma, actorOf(owner2), owner2, { subjectType: 'market-order', subjectId: second.o.id, score: 5 });
    const s = await satisfactionSummary(prisma);
    expect(s.total).toBe(2);
    expect(s.average).toBe(3.5);
    expect(s.byAgency).toEqual([expect.objectContaining({ label: a.name, count: 2, average: 3.5, distribution: [0, 1, 0, 0, 1] })]);
    expect(s.byDepartment.map((g) => g.label).sort()).toEqual([owner.organization!.name, owner2.organization!.name].sort());
  });
});
