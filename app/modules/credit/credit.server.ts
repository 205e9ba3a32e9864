// 信用评价: an agency's score is recomputed from its whole record (evaluations, overtime, upheld
// complaints, penalties, commendations) under the rules in force, whenever one of them changes.
// Grades, blacklisting and clear-out (清退) follow from the score and suspend listings on their own.
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { notifyUsers } from '~/modules/notify/notify.server';
import { computeScore, DEFAULT_RULES, rulesSchema, type CreditRules } from './rules';

export class CreditError extends Error {
  constructor(
    message: string,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export async function getRules(tx?: Tx): Promise<{ rules: CreditRules; version: number; createdAt: Date | null }> {
  const db = tx ?? (await getPrisma());
  const row = await db.creditRuleSet.findFirst({ orderBy: { version: 'desc' } });
  if (!row) return { rules: DEFAULT_RULES, version: 0, createdAt: null };
  const parsed = rulesSchema.safeParse({ ...DEFAULT_RULES, ...(row.rules as object) });
  return { rules: parsed.success ? parsed.data : DEFAULT_RULES, version: row.version, createdAt: row.createdAt };
}

export async function listRuleVersions() {
  const prisma = await getPrisma();
  return prisma.creditRuleSet.findMany({ orderBy: { version: 'desc' }, take: 50 });
}

/** A new version of the rules; every agency is re-graded under it. */
export async function saveRules(actor: Actor, rules: CreditRules, note: string) {
  const g = rules.gradeMin;
  if (!(g.AAA > g.AA && g.AA > g.A && g.A > g.B)) throw new CreditError('等级分数线须满足 AAA > AA > A > B', { gradeMin: ['等级分数线须满足 AAA > AA > A > B'] });
  if (rules.yellowFraction >= rules.redFraction) throw new CreditError('黄色预警比例须低于红色预警比例', { yellowFraction: ['黄色预警比例须低于红色预警比例'] });
  const prisma = await getPrisma();
  const saved = await prisma.$transaction(async (tx) => {
    const current = await getRules(tx);
    const row = await tx.creditRuleSet.create({ data: { version: current.version + 1, rules, note, byUserId: actor.userId, createdAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'credit.rules.update', objectType: 'CreditRuleSet', objectId: row.id, payload: { version: row.version, before: current.rules, after: rules, note } });
    return row;
  });
  const agencies = await prisma.agencyProfile.findMany({ where: { status: { in: ['approved', 'cleared'] } }, select: { id: true } });
  for (const a of agencies) await prisma.$transaction((tx) => recomputeCredit(tx, a.id, `信用规则第${saved.version}版生效`), { timeout: 60_000 });
  return saved;
}

/** Recomputes and stores an agency's score and grade; applies blacklist and clear-out rules. */
export async function recomputeCredit(tx: Tx, agencyId: string, reason: string, rulesIn?: CreditRules) {
  const rules = rulesIn ?? (await getRules(tx)).rules;
  const agency = await tx.agencyProfile.findUnique({ where: { id: agencyId } });
  if (!agency) return null;
  const [evaluations, events] = await Promise.all([
    tx.evaluation.findMany({
      where: { agencyId, appealStatus: { not: 'upheld' } },
      select: { quality: true, timeliness: true, attitude: true, feeCompliance: true, at: true },
    }),
    tx.creditEvent.findMany({ where: { agencyId }, orderBy: { at: 'asc' }, select: { kind: true, points: true, at: true } }),
  ]);
  const t = now();
  const result = computeScore(rules, {
    evaluations: evaluations.map((e) => ({ avg: (e.quality + e.timeliness + e.attitude + e.feeCompliance) / 4, at: e.at })),
    events,
    now: t,
  });
  const manual = events.filter((e) => e.kind === 'blacklist' || e.kind === 'unblacklist').at(-1)?.kind === 'blacklist';
  const blacklisted = manual || result.score < rules.blacklistBelow;
  const clearOut = agency.status === 'cleared' || result.upheldComplaintsInWindow >= rules.clearOutComplaints || events.some((e) => e.kind === 'clearout');
  const score100 = Math.round(result.score * 100);
  const ratingAvg = evaluations.length ? evaluations.reduce((s, e) => s + (e.quality + e.timeliness + e.attitude + e.feeCompliance) / 4, 0) / evaluations.length : 0;
  const penaltyCount = events.filter((e) => e.kind === 'penalty' || e.kind === 'complaint' || e.kind === 'overtime').length;
  const changed = agency.creditScore !== score100 || agency.creditGrade !== result.grade || agency.blacklisted !== blacklisted;
  await tx.agencyProfile.update({
    where: { id: agencyId },
    data: {
      creditScore: score100,
      creditGrade: result.grade,
      blacklisted,
      ratingAvg,
      ratingCount: evaluations.length,
      penaltyCount,
      ...(clearOut && agency.status === 'approved' ? { status: 'cleared' } : {}),
      updatedAt: t,
    },
  });
  await tx.listing.updateMany({ where: { agencyId }, data: { creditScore: score100, creditGrade: result.grade, ratingAvg } });
  if (blacklisted || clearOut) {
    const why = clearOut ? '信用：已被清退' : '信用：已列入黑名单';
    const n = await tx.listing.updateMany({ where: { agencyId, status: 'active' }, data: { status: 'suspended', suspendReason: why, updatedAt: t } });
    if (n.count) await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.listing.suspend', objectType: 'AgencyProfile', objectId: agencyId, payload: { reason: why, count: n.count } });
  } else if (agency.blacklisted) {
    // Out of the blacklist: listings suspended for credit reasons come back (other suspensions stay).
    await tx.listing.updateMany({ where: { agencyId, status: 'suspended', suspendReason: { startsWith: '信用' } }, data: { status: 'active', suspendReason: null, updatedAt: t } });
  }
  if (changed) {
    await tx.creditHistory.create({ data: { agencyId, score: score100, grade: result.grade, reason, at: t } });
    await appendAuditEntry(tx, SYSTEM_ACTOR, {
      action: 'credit.recompute',
      objectType: 'AgencyProfile',
      objectId: agencyId,
      payload: { reason, score: result.score, grade: result.grade, before: { score: agency.creditScore / 100, grade: agency.creditGrade }, blacklisted, clearOut },
    });
    if (agency.creditGrade !== result.grade || agency.blacklisted !== blacklisted) {
      const users = await tx.user.findMany({ where: { organizationId: agency.orgId, active: true }, select: { id: true } });
      await notifyUsers(
        tx,
        users.map((u) => u.id),
        {
          title: `信用等级变更：${agency.creditGrade} → ${result.grade}${blacklisted ? '（已列入黑名单）' : ''}`,
          body: `因“${reason}”，贵机构信用分为 ${result.score.toFixed(2)}，等级 ${result.grade}。详见信用记录。`,
          link: `/market/agencies/${agencyId}/credit`,
          kind: blacklisted ? 'danger' : 'info',
        },
      );
    }
  }
  return { ...result, blacklisted, clearOut };
}

/** Penalty, commendation, blacklist or its lifting, entered by the center with a reason. */
export async function addCreditEvent(actor: Actor, input: { agencyId: string; kind: 'penalty' | 'commendation' | 'blacklist' | 'unblacklist' | 'complaint'; points: number; note: string; refType?: string; refId?: string }) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const agency = await tx.agencyProfile.findUnique({ where: { id: input.agencyId } });
    if (!agency) throw new CreditError('机构不存在');
    if (input.refType && input.refId) {
      const dup = await tx.creditEvent.findFirst({ where: { agencyId: input.agencyId, refType: input.refType, refId: input.refId, kind: input.kind } });
      if (dup) return dup;
    }
    const ev = await tx.creditEvent.create({
      data: { agencyId: input.agencyId, kind: input.kind, points: input.points, note: input.note, refType: input.refType, refId: input.refId, byUserId: actor.userId, at: now() },
    });
    await appendAuditEntry(tx, actor, { action: `credit.event.${input.kind}`, objectType: 'AgencyProfile', objectId: input.agencyId, payload: { points: input.points, note: input.note, eventId: ev.id } });
    await recomputeCredit(tx, input.agencyId, `${input.note}`);
    return ev;
  });
}

export async function creditRecordOf(agencyId: string) {
  const prisma = await getPrisma();
  const [agency, history, events, evaluations] = await Promise.all([
    prisma.agencyProfile.findUnique({ where: { id: agencyId } }),
    prisma.creditHistory.findMany({ where: { agencyId }, orderBy: { at: 'desc' }, take: 100 }),
    prisma.creditEvent.findMany({ where: { agencyId }, orderBy: { at: 'desc' }, take: 100 }),
    prisma.evaluation.findMany({ where: { agencyId }, orderBy: { at: 'desc' }, take: 20 }),
  ]);
  return { agency, history, events, evaluations };
}

/** Runs at start-up and from the credit job: re-grades agencies as evaluations age. */
export async function recomputeAll(reason: string) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  const agencies = await prisma.agencyProfile.findMany({ where: { status: 'approved' }, select: { id: true } });
  for (const a of agencies) await prisma.$transaction((tx) => recomputeCredit(tx, a.id, reason, rules));
  return agencies.length;
}

/**
 * Upheld complaints (supervision's 投诉 decided 成立 / 部分成立) against an agency count in its credit.
 * Idempotent: one credit event per complaint (refType 'Complaint'); run by the market job.
 */
export async function syncUpheldComplaints() {
  const prisma = await getPrisma();
  const decided = await prisma.complaint.findMany({
    where: { status: 'decided', outcome: { in: ['upheld', 'partly'] }, respondentOrgId: { not: null }, kind: 'complaint' },
    select: { id: true, no: true, title: true, respondentOrgId: true, decidedAt: true },
    orderBy: { decidedAt: 'desc' },
    take: 500,
  });
  if (decided.length === 0) return 0;
  const agencies = await prisma.agencyProfile.findMany({ where: { orgId: { in: decided.map((c) => c.respondentOrgId!) } }, select: { id: true, orgId: true } });
  const byOrg = new Map(agencies.map((a) => [a.orgId, a.id]));
  const known = new Set((await prisma.creditEvent.findMany({ where: { refType: 'Complaint', refId: { in: decided.map((c) => c.id) } }, select: { refId: true } })).map((e) => e.refId));
  let did = 0;
  for (const c of decided) {
    const agencyId = byOrg.get(c.respondentOrgId!);
    if (!agencyId || known.has(c.id)) continue;
    await prisma.$transaction(async (tx) => {
      await tx.creditEvent.create({ data: { agencyId, kind: 'complaint', points: 0, note: `投诉成立：${c.title}（${c.no}）`, refType: 'Complaint', refId: c.id, at: c.decidedAt ?? now() } });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'credit.event.complaint', objectType: 'AgencyProfile', objectId: agencyId, payload: { complaintId: c.id, no: c.no } });
      await recomputeCredit(tx, agencyId, `投诉成立（${c.no}）`);
    });
    did++;
  }
  return did;
}
