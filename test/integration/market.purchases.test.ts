// The supermarket's rules through the real module functions on a real database: registration,
// listings inside the fee standard, the verifiable draw, sealed quotes, refusals that are logged,
// conflicts of interest, the delivery clock and credit grades.
import { describe, expect, it } from 'vitest';
import { candidatesHash, canonicalCandidates, commitSeed, outcomeSeed, verifyDraw, type DrawRecord } from '../../crypto/draw';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { getRules, recomputeCredit, addCreditEvent } from '~/modules/credit/credit.server';
import { DEFAULT_RULES, gradeFor } from '~/modules/credit/rules';
import { seedCalendar } from '~/modules/market/calendar.server';
import { MarketError } from '~/modules/market/errors.server';
import { createListing } from '~/modules/market/listings.server';
import { acceptResult, checkDeliveryWarnings, evaluateOrder, submitResult, timeStatus } from '~/modules/market/orders.server';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { closeSignup, publishPurchase, runDuePurchaseSteps, signUp, type PurchaseInput } from '~/modules/market/purchases.server';
import { addPractitioner, addQualification, checkQualificationExpiry, reviewRegistration, saveProfile, submitRegistration } from '~/modules/market/registration.server';
import { storeBytes } from '~/modules/market/files.server';
import type { Actor } from '~/modules/audit/audit.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';

const ref = useTestDatabase();
const DAY = 86_400_000;

function actor(u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '10.0.0.9', userAgent: 'vitest' };
}

async function catalog() {
  const prisma = ref.db.prisma;
  await prisma.$transaction((tx) => seedCalendar(tx));
  const cat = await prisma.serviceCategory.create({ data: { code: 'ZJ', name: '造价咨询' } });
  return prisma.serviceItem.create({
    data: {
      code: 'ZJ-003', categoryId: cat.id, name: '工程结算审核', legalBasis: '《建设工程价款结算暂行办法》', approvalItem: '竣工财务决算', qualificationType: '工程造价咨询', qualificationLevel: '不分级',
      feeKind: 'range', feeMinFen: 2_000_000, feeMaxFen: 8_000_000, timeLimitDays: 10, serviceStandard: '按规范审核', modelContract: '第一条 {甲方}委托{乙方}。服务费{服务费}。', updatedAt: now(),
    },
  });
}

/** An agency through the real registration flow: profile, licence, qualification, practitioner, approval. */
async function approvedAgency(itemId: string, admin: Awaited<ReturnType<typeof createUser>>, opts: { validDays?: number } = {}) {
  const u = await createUser('agency');
  const a = actor(u);
  const licence = await storeBytes(new TextEncoder().encode('licence'), 'licence.pdf', 'application/pdf', u.organizationId);
  const scan = await storeBytes(new TextEncoder().encode('scan'), 'q.pdf', 'application/pdf', u.organizationId);
  await saveProfile(a, u.organizationId!, { name: u.organization!.name, region: '江城市江北区', address: '江城市江北区建设大道1号', legalRep: '张三', contactName: '张三', phone: '13800000000', intro: '', licenceNo: u.organization!.creditCode, licenceFileId: licence.id });
  await addQualification(a, u.organizationId!, { type: '工程造价咨询', level: '不分级', number: `Q${u.id.slice(-6)}`, validFrom: new Date(now().getTime() - 100 * DAY), validUntil: new Date(now().getTime() + (opts.validDays ?? 700) * DAY), fileId: scan.id });
  await addPractitioner(a, u.organizationId!, { name: '李四', certType: '一级造价工程师', certNo: `P${u.id.slice(-6)}`, certValidUntil: new Date(now().getTime() + 700 * DAY) });
  await submitRegistration(a, u.organizationId!);
  const agency = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { orgId: u.organizationId! }, include: { qualifications: true } });
  await reviewRegistration(actor(admin), agency.id, { decision: 'approve', items: [], reason: '材料齐全' });
  await createListing(a, u.organizationId!, { itemId, qualificationId: agency.qualifications[0].id, discountPct: 0, note: '' });
  return { user: u, agency };
}

async function setup(n = 3) {
  const item = await catalog();
  const admin = await createUser('admin');
  const owner = await createUser('owner');
  const agencies = [];
  for (let i = 0; i < n; i++) agencies.push(await approvedAgency(item.id, admin));
  return { item, admin, owner, agencies };
}

function purchaseInput(itemId: string, over: Partial<PurchaseInput> = {}): PurchaseInput {
  return {
    projectName: '江城市档案馆改造工程结算', projectCode: '2026-420100-48-01-000123', itemId, budgetFen: 6_000_000, investmentFen: null, description: '审核竣工结算',
    method: 'draw', signupEnd: new Date(now().getTime() + 2 * DAY), selectAt: new Date(now().getTime() + 2 * DAY + 3_600_000), minSignups: 3, rotation: false, ...over,
  };
}

async function refusals(action: string) {
  return ref.db.prisma.auditEntry.findMany({ where: { action } });
}

describe('random draw', () => {
  it('is recomputed independently from the published record; the seed matches the commitment', async () => {
    const { item, owner, agencies } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id));
    const commitment = p.drawCommitment!;
    expect(commitment).toMatch(/^[0-9a-f]{64}$/);
    // The seed is never stored in the clear before the draw.
    expect((await ref.db.prisma.purchase.findUniqueOrThrow({ where: { id: p.id } })).drawSeed).toBeNull();
    for (const a of agencies) await signUp(actor(a.user), a.user, p.id, {});
    advanceClock(2 * DAY + 3_700_000);
    expect(await runDuePurchaseSteps()).toBeGreaterThanOrEqual(2);
    const done = await ref.db.prisma.purchase.findUniqueOrThrow({ where: { id: p.id } });
    expect(done.status).toBe('announced');
    const record = done.drawRecord as unknown as DrawRecord;
    // Independent recomputation from the public values only.
    const check = verifyDraw(JSON.parse(JSON.stringify(record)), { commitment, candidatesHash: done.candidatesHash!, purpose: `purchase:${p.code}:round-1` });
    expect(check).toEqual({ ok: true, winners: [done.winnerAgencyId], reserves: record.reserves });
    expect(commitSeed(done.drawSeed!)).toBe(commitment);
    expect(record.candidates.map((c) => c.id).sort()).toEqual(agencies.map((a) => a.agency.id).sort());
    // Changing any sign-up (a label, one more, one fewer) changes the outcome seed.
    const canon = canonicalCandidates(record.candidates);
    const variants = [
      canon.map((c, i) => (i === 0 ? { ...c, label: `${c.label}（变更）` } : c)),
      [...canon, { eligible: true, id: 'zzz-extra', weight: 1 }],
      canon.slice(1),
      canon.map((c, i) => (i === 1 ? { ...c, eligible: false, reason: '列入黑名单' } : c)),
    ];
    for (const v of variants) {
      const h = candidatesHash(canonicalCandidates(v));
      expect(h).not.toBe(record.candidatesHash);
      expect(outcomeSeed(record.seed, h, record.purpose)).not.toBe(record.outcomeSeed);
    }
    // A tampered record is rejected.
    expect(verifyDraw({ ...record, winners: record.reserves.slice(0, 1) }, { commitment }).ok).toBe(false);
    expect(verifyDraw({ ...record, seed: record.outcomeSeed }, { commitment }).ok).toBe(false);
    // The result announcement and an order follow after the objection period.
    advanceClock(8 * DAY);
    await runDuePurchaseSteps();
    expect((await ref.db.prisma.serviceOrder.findUniqueOrThrow({ where: { purchaseId: p.id } })).status).toBe('contracting');
  }, 60_000);

  it('fails (流标) with too few eligible sign-ups, excluding blacklisted agencies, and can be republished', async () => {
    const { item, owner, agencies, admin } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id));
    for (const a of agencies) await signUp(actor(a.user), a.user, p.id, {});
    await addCreditEvent(actor(admin), { agencyId: agencies[2].agency.id, kind: 'blacklist', points: 0, note: '串通报价，列入黑名单' });
    advanceClock(2 * DAY + 3_700_000);
    await runDuePurchaseSteps();
    const failed = await ref.db.prisma.purchase.findUniqueOrThrow({ where: { id: p.id }, include: { signups: true } });
    expect(failed.status).toBe('failed');
    expect(failed.failReason).toContain('不足3家');
    expect(failed.signups.find((s) => s.agencyId === agencies[2].agency.id)?.ineligibleReason).toBe('已列入黑名单');
    // The blacklisted agency's listings were suspended automatically.
    expect((await ref.db.prisma.listing.findFirstOrThrow({ where: { agencyId: agencies[2].agency.id } })).status).toBe('suspended');
    const { republishPurchase } = await import('~/modules/market/purchases.server');
    const again = await republishPurchase(actor(owner), owner, p.id, { signupEnd: new Date(now().getTime() + DAY) });
    expect(again.round).toBe(2);
    expect(again.drawCommitment).not.toBe(p.drawCommitment);
  }, 60_000);
});

describe('refusals are clear and logged', () => {
  it('quotes outside the fee standard, double sign-up, sign-up after close', async () => {
    const { item, owner, agencies } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'price' }));
    const [a, b] = agencies;
    await expect(signUp(actor(a.user), a.user, p.id, { quoteFen: 9_000_000 })).rejects.toThrow(/报价须在统一收费标准范围内/);
    await expect(signUp(actor(a.user), a.user, p.id, { quoteFen: 1_000_000 })).rejects.toThrow(/报价须在统一收费标准范围内/);
    const r = await signUp(actor(a.user), a.user, p.id, { quoteFen: 5_500_000 });
    expect(r.receipt?.digest).toMatch(/^[0-9a-f]{64}$/);
    // The quote is sealed: nothing in the row or the audit log reveals it before the close.
    const row = await ref.db.prisma.signup.findFirstOrThrow({ where: { purchaseId: p.id, agencyId: a.agency.id } });
    expect(row.quoteFen).toBeNull();
    expect(row.quoteSealed).not.toContain('5500000');
    const logged = await ref.db.prisma.auditEntry.findMany({ where: { action: 'market.signup.create' } });
    expect(JSON.stringify(logged.map((x) => x.payload))).not.toContain('5500000');
    await expect(signUp(actor(a.user), a.user, p.id, { quoteFen: 5_000_000 })).rejects.toThrow('贵机构已报名该项目，不能重复报名');
    advanceClock(2 * DAY + 60_000);
    await expect(signUp(actor(b.user), b.user, p.id, { quoteFen: 5_000_000 })).rejects.toThrow('报名已截止，不能报名');
    const refused = await refusals('market.signup.refused');
    expect(refused.map((x) => (x.payload as { reason: string }).reason)).toEqual([
      '报价须在统一收费标准范围内：¥20,000.00 至 ¥60,000.00',
      '报价须在统一收费标准范围内：¥20,000.00 至 ¥60,000.00',
      '贵机构已报名该项目，不能重复报名',
      '报名已截止，不能报名',
    ]);
    expect(refused.every((x) => x.actorUserId && x.ip === '10.0.0.9')).toBe(true);
  }, 60_000);

  it('an expired qualification: reminder, listing suspended, sign-up refused', async () => {
    const item = await catalog();
    const admin = await createUser('admin');
    const owner = await createUser('owner');
    const { user, agency } = await approvedAgency(item.id, admin, { validDays: 20 });
    expect(await checkQualificationExpiry()).toBe(1); // the reminder
    expect(await ref.db.prisma.notification.count({ where: { userId: user.id, title: { startsWith: '资质即将到期' } } })).toBe(1);
    advanceClock(21 * DAY);
    await checkQualificationExpiry();
    const listing = await ref.db.prisma.listing.findFirstOrThrow({ where: { agencyId: agency.id } });
    expect(listing).toMatchObject({ status: 'suspended', suspendReason: '资质证书已过期' });
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id));
    await expect(signUp(actor(user), user, p.id, {})).rejects.toThrow(/不符合报名条件：工程造价咨询资质证书已过期/);
    expect(await refusals('market.signup.refused')).toHaveLength(1);
  }, 60_000);

  it('an owner choosing an agency with its own credit code or an affiliate, or above the direct-selection limit', async () => {
    const { item, owner, agencies } = await setup(2);
    const [a, b] = agencies;
    await ref.db.prisma.organization.update({ where: { id: owner.organizationId! }, data: { affiliates: [a.user.organization!.creditCode] } });
    await expect(publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'direct', budgetFen: 5_000_000, directAgencyId: a.agency.id }))).rejects.toThrow(/关联关系，应当回避/);
    await expect(publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'direct', budgetFen: 5_000_000, directAgencyId: b.agency.id }))).resolves.toMatchObject({ method: 'direct' });
    // Same credit code: the agency side lists the owner as its affiliate.
    await ref.db.prisma.organization.update({ where: { id: b.user.organizationId! }, data: { affiliates: [owner.organization!.creditCode] } });
    await expect(publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'direct', budgetFen: 5_000_000, directAgencyId: b.agency.id }))).rejects.toThrow(/应当回避/);
    // And in a draw the conflicted agency cannot sign up.
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id));
    await expect(signUp(actor(a.user), a.user, p.id, {})).rejects.toThrow(/应当回避/);
    // Above the limit direct selection is refused whoever is chosen.
    await ref.db.prisma.creditRuleSet.create({ data: { version: 1, rules: { ...DEFAULT_RULES, directMaxFen: 3_000_000 }, note: 'test', createdAt: now() } });
    await expect(publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'direct', budgetFen: 5_000_000, directAgencyId: b.agency.id }))).rejects.toThrow(/不得直接选取/);
    const logged = await refusals('market.purchase.publish.refused');
    expect(logged).toHaveLength(3);
  }, 60_000);

  it('a listing discount outside the standard range', async () => {
    const item = await catalog();
    const admin = await createUser('admin');
    const { user } = await approvedAgency(item.id, admin);
    await ref.db.prisma.listing.updateMany({ data: { status: 'withdrawn' } });
    const q = await ref.db.prisma.qualification.findFirstOrThrow({});
    // 2,000,000–8,000,000 fen: at most 75 % below the top, capped at 20 %.
    await expect(createListing(actor(user), user.organizationId!, { itemId: item.id, qualificationId: q.id, discountPct: 21, note: '' })).rejects.toThrow(/最多下浮 20%/);
    await expect(createListing(actor(user), user.organizationId!, { itemId: item.id, qualificationId: q.id, discountPct: 20, note: '' })).resolves.toMatchObject({ discountPct: 20 });
  }, 60_000);
});

describe('price competition', () => {
  it('lowest valid quote wins; quotes are revealed at the close with their receipts', async () => {
    const { item, owner, agencies } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'price' }));
    const quotes = [5_800_000, 4_900_000, 5_100_000];
    const receipts = [];
    for (const [i, a] of agencies.entries()) receipts.push((await signUp(actor(a.user), a.user, p.id, { quoteFen: quotes[i] })).receipt!);
    advanceClock(2 * DAY + 3_700_000);
    await runDuePurchaseSteps();
    const done = await ref.db.prisma.purchase.findUniqueOrThrow({ where: { id: p.id }, include: { signups: true } });
    expect(done.status).toBe('announced');
    expect(done.winnerAgencyId).toBe(agencies[1].agency.id);
    expect(done.winningFeeFen).toBe(4_900_000);
    for (const [i, a] of agencies.entries()) {
      const s = done.signups.find((x) => x.agencyId === a.agency.id)!;
      expect(s.quoteFen).toBe(quotes[i]);
      expect(s.quoteDigest).toBe(receipts[i].digest);
    }
  }, 60_000);

  it('a tie is broken by the committed draw', async () => {
    const { item, owner, agencies } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id, { method: 'price' }));
    for (const [i, a] of agencies.entries()) await signUp(actor(a.user), a.user, p.id, { quoteFen: i === 0 ? 5_900_000 : 5_000_000 });
    advanceClock(2 * DAY + 3_700_000);
    await runDuePurchaseSteps();
    const done = await ref.db.prisma.purchase.findUniqueOrThrow({ where: { id: p.id } });
    const record = done.drawRecord as unknown as DrawRecord;
    expect(record.candidates).toHaveLength(2);
    expect(verifyDraw(record, { commitment: p.drawCommitment! }).ok).toBe(true);
    expect(done.winnerAgencyId).toBe(record.winners[0]);
  }, 60_000);
});

describe('delivery and credit', () => {
  it('yellow at 80 %, evaluation moves the grade as the rules say', async () => {
    const { item, owner, agencies } = await setup(3);
    const p = await publishPurchase(actor(owner), owner, purchaseInput(item.id));
    for (const a of agencies) await signUp(actor(a.user), a.user, p.id, {});
    advanceClock(2 * DAY + 3_700_000);
    await runDuePurchaseSteps();
    advanceClock(8 * DAY);
    await runDuePurchaseSteps();
    const order = await ref.db.prisma.serviceOrder.findUniqueOrThrow({ where: { purchaseId: p.id } });
    // Signatures are covered by the e2e test (browser keys); here the order starts as if filed.
    await ref.db.prisma.serviceOrder.update({ where: { id: order.id }, data: { status: 'in_progress', startedAt: now(), filedAt: now() } });
    const cal = await loadWorkCalendar();
    const { rules } = await getRules();
    let days = 0;
    while (timeStatus(cal, rules, { ...order, status: 'in_progress', startedAt: order.createdAt }, [], now())!.level === 'normal' && days < 20) {
      advanceClock(DAY);
      days++;
    }
    const fresh = await ref.db.prisma.serviceOrder.findUniqueOrThrow({ where: { id: order.id } });
    const st = timeStatus(cal, rules, fresh, [], now())!;
    expect(st.level).toBe('yellow');
    expect(st.fraction).toBeGreaterThanOrEqual(0.8);
    await checkDeliveryWarnings();
    expect((await ref.db.prisma.serviceOrder.findUniqueOrThrow({ where: { id: order.id } })).warnedLevel).toBe('yellow');
    expect(await ref.db.prisma.notification.count({ where: { title: { startsWith: '黄色预警' } } })).toBeGreaterThanOrEqual(2);

    const winner = agencies.find((a) => a.agency.id === order.agencyId)!;
    const file = await storeBytes(new TextEncoder().encode('report'), 'r.pdf', 'application/pdf', winner.user.organizationId);
    await submitResult(actor(winner.user), winner.user, order.id, { fileId: file.id, note: '' });
    await acceptResult(actor(owner), owner, order.id);
    const before = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { id: winner.agency.id } });
    expect(before.creditGrade).toBe('A');
    const r = await evaluateOrder(actor(owner), owner, order.id, { quality: 5, timeliness: 5, attitude: 5, feeCompliance: 5, comment: '' });
    // base 75 + (5 − 3) × 10 × 1/(1+2) = 81.67 → AA
    expect(r.credit?.score).toBeCloseTo(81.67, 2);
    expect(r.credit?.grade).toBe(gradeFor(DEFAULT_RULES, 81.67));
    expect(r.credit?.grade).toBe('AA');
    await expect(evaluateOrder(actor(owner), owner, order.id, { quality: 1, timeliness: 1, attitude: 1, feeCompliance: 1, comment: '' })).rejects.toThrow('该订单已评价，评价提交后不可修改');
    const hist = await ref.db.prisma.creditHistory.findMany({ where: { agencyId: winner.agency.id }, orderBy: { at: 'asc' } });
    expect(hist.at(-1)).toMatchObject({ grade: 'AA' });
  }, 90_000);

  it('rules changes re-grade everyone and are logged', async () => {
    const { admin, agencies } = await setup(1);
    const { saveRules } = await import('~/modules/credit/credit.server');
    await saveRules(actor(admin), { ...DEFAULT_RULES, base: 92 }, '提高基础分');
    const a = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { id: agencies[0].agency.id } });
    expect(a.creditGrade).toBe('AAA');
    expect(await ref.db.prisma.auditEntry.count({ where: { action: 'credit.rules.update' } })).toBe(1);
    await expect(saveRules(actor(admin), { ...DEFAULT_RULES, gradeMin: { AAA: 80, AA: 85, A: 70, B: 60 } }, '错误')).rejects.toThrow(/AAA > AA/);
    await ref.db.prisma.$transaction((tx) => recomputeCredit(tx, a.id, 'noop'));
  }, 60_000);

  it('an upheld complaint against an agency costs its credit once', async () => {
    const { agencies, owner } = await setup(1);
    const a = agencies[0];
    const before = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { id: a.agency.id } });
    await ref.db.prisma.complaint.create({
      data: {
        no: 'TS2026-0099', kind: 'complaint', subjectType: 'agency', subjectLabel: a.agency.name, respondentOrgId: a.user.organizationId, respondentName: a.agency.name,
        complainantUserId: owner.id, complainantOrgId: owner.organizationId, complainantName: owner.displayName, title: '逾期提交成果', facts: '超过承诺时限未提交成果', demands: '依规处理',
        status: 'decided', outcome: 'upheld', filedAt: now(), answerDueAt: now(), decidedAt: now(),
      },
    });
    const { syncUpheldComplaints } = await import('~/modules/credit/credit.server');
    expect(await syncUpheldComplaints()).toBe(1);
    expect(await syncUpheldComplaints()).toBe(0);
    const after = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { id: a.agency.id } });
    expect(after.creditScore).toBe(before.creditScore - DEFAULT_RULES.complaintPoints * 100);
  }, 30_000);

  it('registration returned with one complete list, then approved', async () => {
    const admin = await createUser('admin');
    const u = await createUser('agency');
    await saveProfile(actor(u), u.organizationId!, { name: '测试', region: '江城市', address: '江城市某路1号', legalRep: '王五', contactName: '王五', phone: '13800000001', intro: '' });
    await expect(submitRegistration(actor(u), u.organizationId!)).rejects.toThrow('尚缺以下材料：营业执照编号；营业执照扫描件；至少一项资质证书；至少一名执业人员及其证书');
    const a = await ref.db.prisma.agencyProfile.findUniqueOrThrow({ where: { orgId: u.organizationId! } });
    await expect(reviewRegistration(actor(admin), a.id, { decision: 'approve', items: [], reason: '通过' })).rejects.toBeInstanceOf(MarketError);
  }, 30_000);
});
