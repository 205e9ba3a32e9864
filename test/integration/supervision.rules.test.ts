// Each warning rule fires on its scenario and stays silent on a clean one; the engine is
// idempotent (one open warning per rule and subject), escalates in place and keeps cleared ones.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { advanceClock, now, setClock } from '~/modules/clock/clock.server';
import { fileComplaint } from '~/modules/supervision/complaints.server';
import { recordSubmissionFingerprint } from '~/modules/supervision/fingerprints.server';
import { amendmentLateRule } from '~/modules/supervision/rules/amendment-late.server';
import { collusionRule, collusionSignals } from '~/modules/supervision/rules/collusion.server';
import { complaintOvertimeRule } from '~/modules/supervision/rules/complaint-overtime.server';
import { deliveryOvertimeRule } from '~/modules/supervision/rules/delivery-overtime.server';
import { feeBounds, feeStandardRule } from '~/modules/supervision/rules/fee-standard.server';
import { WARNING_RULES } from '~/modules/supervision/rules/index.server';
import { openingQuorumRule } from '~/modules/supervision/rules/opening-quorum.server';
import { registrationOvertimeRule } from '~/modules/supervision/rules/registration-overtime.server';
import { registrationReturnedRule } from '~/modules/supervision/rules/registration-returned.server';
import { closeWarning, runWarningRules, type WarningRule } from '~/modules/supervision/warnings.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';
import { activeBid, agency, marketItem, serviceOrder, tender } from './supervision-fixtures';

useTestDatabase();

// Monday 2026-03-02 09:00 Beijing time: an ordinary working week.
const MONDAY = new Date('2026-03-02T09:00:00+08:00');
const at = (iso: string) => setClock(new Date(iso));

async function run(rule: WarningRule) {
  const prisma = await getPrisma();
  const r = await runWarningRules(prisma, [rule], now());
  expect(r.errors).toEqual([]);
  return prisma.warning.findMany({ where: { ruleId: rule.id }, orderBy: { raisedAt: 'asc' } });
}

describe('warning rules', () => {
  it('every rule has an id, a Chinese name and a level', () => {
    expect(new Set(WARNING_RULES.map((r) => r.id)).size).toBe(WARNING_RULES.length);
    for (const r of WARNING_RULES) {
      expect(r.name).toMatch(/[\u4e00-\u9fa5]/);
      expect(['yellow', 'red']).toContain(r.level);
    }
  });

  it('delivery overtime: silent within the limit, yellow at 80 %, red when overdue — one warning throughout', async () => {
    setClock(MONDAY);
    const sup = await createUser('supervisor');
    const item = await marketItem({ timeLimitDays: 5 });
    const { agency: a, user: agencyUser } = await agency();
    const order = await serviceOrder({ agencyId: a.id, itemId: item.id, timeLimitDays: 5, startedAt: MONDAY });
    at('2026-03-06T18:00:00+08:00'); // 3.75 of 5 working days
    expect(await run(deliveryOvertimeRule)).toEqual([]);
    at('2026-03-09T08:00:00+08:00'); // 4.33 of 5
    let ws = await run(deliveryOvertimeRule);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatchObject({ level: 'yellow', status: 'pending', subjectId: order.id, assigneeId: sup.id });
    expect(await run(deliveryOvertimeRule)).toHaveLength(1); // idempotent
    at('2026-03-10T10:00:00+08:00');
    ws = await run(deliveryOvertimeRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].level).toBe('red');
    expect(ws[0].escalatedAt).not.toBeNull();
    const prisma = await getPrisma();
    // The supervisor and the agency were told, and every change is in the audit log.
    expect(await prisma.notification.count({ where: { userId: sup.id, title: { contains: '红色预警' } } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: agencyUser.id } })).toBe(2);
    expect(await prisma.auditEntry.count({ where: { action: { in: ['warning.raise', 'warning.escalate'] } } })).toBe(2);
  });

  it('delivery overtime: silent for a delivered order and for a suspended clock', async () => {
    setClock(MONDAY);
    const item = await marketItem({ timeLimitDays: 2 });
    const { agency: a } = await agency();
    await serviceOrder({ agencyId: a.id, itemId: item.id, timeLimitDays: 2, startedAt: MONDAY, status: 'submitted' });
    const paused = await serviceOrder({ agencyId: a.id, itemId: item.id, timeLimitDays: 2, startedAt: MONDAY });
    const prisma = await getPrisma();
    await prisma.orderPause.create({ data: { orderId: paused.id, from: new Date('2026-03-02T10:00:00+08:00'), reason: '业主补充资料', byUserId: 'x' } });
    at('2026-03-20T10:00:00+08:00');
    expect(await run(deliveryOvertimeRule)).toEqual([]);
  });

  it('cleared conditions stay open for handling; a closed warning is followed by a new one', async () => {
    setClock(MONDAY);
    const sup = await createUser('supervisor');
    const item = await marketItem({ timeLimitDays: 1 });
    const { agency: a } = await agency();
    const order = await serviceOrder({ agencyId: a.id, itemId: item.id, timeLimitDays: 1, startedAt: MONDAY });
    at('2026-03-05T10:00:00+08:00');
    const [w] = await run(deliveryOvertimeRule);
    const prisma = await getPrisma();
    await prisma.serviceOrder.update({ where: { id: order.id }, data: { status: 'submitted' } });
    advanceClock(60_000);
    const [cleared] = await run(deliveryOvertimeRule);
    expect(cleared.id).toBe(w.id);
    expect(cleared.status).toBe('pending');
    expect(cleared.clearedAt).not.toBeNull();
    await closeWarning(prisma, { ...SYSTEM_ACTOR, userId: sup.id, name: 'sup', role: 'supervisor' }, w.id, { conclusion: 'confirmed', reason: '已约谈中介机构并记入信用' });
    await prisma.serviceOrder.update({ where: { id: order.id }, data: { status: 'in_progress' } });
    const after = await run(deliveryOvertimeRule);
    expect(after).toHaveLength(2);
    expect(after.map((x) => x.status).sort()).toEqual(['closed', 'pending']);
  });

  it('registration review overtime fires after the committed limit and is silent before', async () => {
    setClock(MONDAY);
    await agency('submitted', MONDAY);
    at('2026-03-03T10:00:00+08:00');
    expect(await run(registrationOvertimeRule)).toEqual([]);
    at('2026-03-12T10:00:00+08:00');
    const ws = await run(registrationOvertimeRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].level).toBe('red');
  });

  it('complaint answer overtime: silent within the period, red after it', async () => {
    setClock(MONDAY);
    await createUser('supervisor');
    const bidder = await createUser('bidder');
    const prisma = await getPrisma();
    await fileComplaint(prisma, SYSTEM_ACTOR, bidder, { kind: 'query', subjectType: 'other', subjectLabel: '某采购项目', title: '评审程序质疑', facts: '评审委员会未按采购文件规定的标准评审。', demands: '请求重新评审' });
    expect(await run(complaintOvertimeRule)).toEqual([]);
    at('2026-03-20T10:00:00+08:00');
    const ws = await run(complaintOvertimeRule);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatchObject({ level: 'red', subjectType: 'complaint' });
  });

  it('fee outside the standard fires above the range and is silent inside it', async () => {
    setClock(MONDAY);
    const item = await marketItem({ feeKind: 'range', feeMinFen: 100_000, feeMaxFen: 500_000 });
    const { agency: a } = await agency();
    await serviceOrder({ agencyId: a.id, itemId: item.id, feeFen: 300_000 });
    expect(await run(feeStandardRule)).toEqual([]);
    const bad = await serviceOrder({ agencyId: a.id, itemId: item.id, feeFen: 600_000 });
    const ws = await run(feeStandardRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].subjectId).toBe(bad.id);
    expect(ws[0].title).toContain('6,000.00');
  });

  it('fee bounds follow the catalog kinds', () => {
    expect(feeBounds({ feeKind: 'fixed', feeFixedFen: 800, feeMinFen: null, feeMaxFen: null, feeRatePpm: null })).toEqual({ min: null, max: 800 });
    // 1.5 ‰ of 10 million yuan = 15,000 yuan, inside [5,000, 20,000]
    expect(feeBounds({ feeKind: 'rate', feeFixedFen: null, feeMinFen: 500_000, feeMaxFen: 2_000_000, feeRatePpm: 1500 }, 1_000_000_000n)).toEqual({ min: 500_000, max: 1_500_000 });
    expect(feeBounds({ feeKind: 'rate', feeFixedFen: null, feeMinFen: 500_000, feeMaxFen: 2_000_000, feeRatePpm: 1500 }, 100_000_000_000n).max).toBe(2_000_000);
  });

  it('the same registration returned twice fires (yellow), once is silent, three times is red', async () => {
    setClock(MONDAY);
    const { agency: a } = await agency('returned');
    const prisma = await getPrisma();
    const ret = () => prisma.registrationReview.create({ data: { agencyId: a.id, decision: 'return', reason: '缺资质证书', reviewerId: 'r', at: now() } });
    await ret();
    expect(await run(registrationReturnedRule)).toEqual([]);
    await ret();
    expect((await run(registrationReturnedRule))[0].level).toBe('yellow');
    await ret();
    const ws = await run(registrationReturnedRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].level).toBe('red');
  });

  it('an amendment within 15 days of the deadline without extension fires; an extended one is silent', async () => {
    setClock(MONDAY);
    const prisma = await getPrisma();
    const t = await tender({ bidDeadline: new Date(MONDAY.getTime() + 10 * 86_400_000) });
    const base = { tenderId: t.id, kind: 'modification', title: '修改', body: '修改内容', reason: '图纸更新', createdById: 'u', createdAt: now() };
    await prisma.tenderAmendment.create({ data: { ...base, seq: 1, oldDeadline: t.bidDeadline, newDeadline: new Date(MONDAY.getTime() + 16 * 86_400_000) } });
    expect(await run(amendmentLateRule)).toEqual([]);
    await prisma.tenderAmendment.create({ data: { ...base, seq: 2, oldDeadline: t.bidDeadline, newDeadline: t.bidDeadline } });
    const ws = await run(amendmentLateRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].title).toContain('第2次');
  });

  it('opening with fewer than three bidders fires; three bidders is silent', async () => {
    setClock(MONDAY);
    const t = await tender({ status: 'opened' });
    const bidders = [await createUser('bidder'), await createUser('bidder'), await createUser('bidder')];
    await activeBid(t, bidders[0].organizationId!, bidders[0].id);
    await activeBid(t, bidders[1].organizationId!, bidders[1].id);
    expect(await run(openingQuorumRule)).toHaveLength(1);
    await activeBid(t, bidders[2].organizationId!, bidders[2].id);
    const ws = await run(openingQuorumRule);
    expect(ws[0].clearedAt).not.toBeNull();
    // And a clean tender never fires at all.
    const prisma = await getPrisma();
    await prisma.warning.deleteMany({});
    expect(await run(openingQuorumRule)).toEqual([]);
  });

  it('collusion: the same IP across two bidders fires; distinct submissions are silent', async () => {
    setClock(MONDAY);
    const prisma = await getPrisma();
    const t = await tender();
    const fp = (bidId: string, org: string, ip: string, extra = {}) =>
      prisma.$transaction((tx) => recordSubmissionFingerprint(tx, { tenderId: t.id, bidId, bidderOrgId: org, bidderName: `投标人${org}`, ip, deviceFingerprint: `dev-${bidId}`, contactPhone: `1390000000${bidId.length}`, ...extra }));
    await fp('b1', 'o1', '10.1.1.1', { contactPhone: '13900000001' });
    await fp('b2', 'o2', '10.1.1.2', { contactPhone: '13900000002' });
    expect(await run(collusionRule)).toEqual([]);
    await fp('b3', 'o3', '10.1.1.1', { contactPhone: '13900000003' });
    const ws = await run(collusionRule);
    expect(ws).toHaveLength(1);
    expect(ws[0].title).toContain('相同IP地址提交');
    expect(ws[0].detail).toContain('投标人o1');
    expect(ws[0].detail).toContain('投标人o3');
  });

  it('collusion signals: each kind fires across bidders, never within one bidder', () => {
    const h = 'c'.repeat(64);
    const base = { bidderName: 'x' };
    const cases: [string, object, object][] = [
      ['ip', { ip: '1.2.3.4' }, { ip: '1.2.3.4' }],
      ['device', { deviceFingerprint: 'fp1' }, { deviceFingerprint: 'fp1' }],
      ['cert', { certSha256: h }, { certSha256: h }],
      ['phone', { contactPhone: '13911112222' }, { contactPhone: '13911112222' }],
      ['email', { contactEmail: 'a@b.cn' }, { contactEmail: 'a@b.cn' }],
      ['file', { fileHashes: [h, 'd'.repeat(64)] }, { fileHashes: [h] }],
      ['docAuthor', { docMeta: { author: '张三' } }, { docMeta: { author: '张三' } }],
      ['docMeta', { docMeta: { producer: 'WPS', createdAt: '2026-01-01' } }, { docMeta: { createdAt: '2026-01-01', producer: 'WPS' } }],
    ];
    for (const [kind, a, b] of cases) {
      const signals = collusionSignals([{ ...base, bidderOrgId: 'A', ...a }, { ...base, bidderOrgId: 'B', ...b }]);
      expect(signals.map((s) => s.kind), kind).toContain(kind);
      expect(collusionSignals([{ ...base, bidderOrgId: 'A', ...a }, { ...base, bidderOrgId: 'A', ...b }]), `${kind} same bidder`).toEqual([]);
    }
    expect(collusionSignals([{ ...base, bidderOrgId: 'A', ip: '1.1.1.1' }, { ...base, bidderOrgId: 'B', ip: '2.2.2.2' }])).toEqual([]);
    // The platform's own proxy or a local client says nothing about who submitted.
    expect(collusionSignals([{ ...base, bidderOrgId: 'A', ip: '127.0.0.1' }, { ...base, bidderOrgId: 'B', ip: '127.0.0.1' }])).toEqual([]);
    expect(collusionSignals([{ ...base, bidderOrgId: 'A', ip: '::1' }, { ...base, bidderOrgId: 'B', ip: '::1' }])).toEqual([]);
  });

  it('runs every rule together on an empty platform without errors', async () => {
    const prisma = await getPrisma();
    const r = await runWarningRules(prisma, WARNING_RULES, now());
    expect(r).toEqual({ raised: 0, escalated: 0, cleared: 0, errors: [] });
  });
});
