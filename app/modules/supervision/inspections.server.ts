// 双随机一公开: random choice of the agencies to inspect and of the inspectors to send, from one
// committed seed, published before the draw, verifiable by anyone afterwards (crypto/draw.ts), and
// the inspection results published. Decision 094.
//
// Order of events:
//   1. plan: the agency candidates (scope filter, exclusions with reasons) are frozen, a seed is
//      drawn and sealed at rest, and the commitment plus the candidate-list hash are announced;
//   2. draw (at or after the announced time): the seed is revealed; draw A picks the agencies,
//      then the inspector pool is screened against the drawn agencies (conflicts of interest) and
//      draw B picks the inspectors — same seed, different purpose, so the outcomes are independent;
//   3. inspectors record a conclusion per agency; 4. the results are announced.
import { candidatesHash, canonicalCandidates, commitSeed, generateSeed, runDraw, type DrawCandidateInput, type DrawRecord } from '../../../crypto/draw';
import { toHex } from '../../../crypto/hash';
import type { Db, Tx } from '~/db/db.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now as clockNow } from '~/modules/clock/clock.server';
import { chinaDay } from '~/modules/clock/workdays';
import { seal, unseal } from '~/modules/market/seal.server';
import { notifyUsers } from '~/modules/notify/notify.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import {
  agencyPurpose,
  INSPECTION_RESULTS,
  inspectorPurpose,
  REINSPECTION_GAP_MONTHS,
  type InspectionPlanInput,
  type InspectionResult,
  type InspectionResultInput,
} from './inspections-types';

export class InspectionError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

type User = { id: string; displayName: string; role: string; organizationId: string | null };

const DAY = 86_400_000;
/** Expert relations (former employer, shareholder...) still count this long after they ended. */
const RELATION_LOOKBACK_DAYS = 3 * 365;

const sealScope = (no: string) => `inspection-seed:${no}`;

async function nextNumber(tx: Tx, at: Date) {
  const prefix = `SC${chinaDay(at).slice(0, 4)}-`;
  const last = await tx.inspection.findFirst({ where: { no: { startsWith: prefix } }, orderBy: { no: 'desc' }, select: { no: true } });
  const n = last ? Number(last.no.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(2, '0')}`;
}

export async function inspectionScopeOptions(db: Tx) {
  const [categories, regions] = await Promise.all([
    db.serviceCategory.findMany({ orderBy: { sort: 'asc' }, select: { id: true, name: true } }),
    db.agencyProfile.findMany({ where: { status: 'approved' }, distinct: ['region'], select: { region: true }, orderBy: { region: 'asc' } }),
  ]);
  return { categories, regions: regions.map((r) => r.region) };
}

/**
 * The agency candidates for a plan: every approved agency in the market matching the scope.
 * Agencies inspected within the last 12 months stay in the list, marked ineligible with the reason,
 * so the exclusion itself is public and covered by the candidate hash.
 */
export async function agencyCandidates(db: Tx, scope: { categoryId?: string | null; region?: string | null }, at: Date): Promise<DrawCandidateInput[]> {
  const agencies = await db.agencyProfile.findMany({
    where: {
      status: 'approved',
      ...(scope.region ? { region: scope.region } : {}),
      ...(scope.categoryId ? { listings: { some: { categoryId: scope.categoryId, status: 'active' } } } : {}),
    },
    select: { id: true, orgId: true, name: true, creditCode: true },
  });
  const since = new Date(at.getTime());
  since.setMonth(since.getMonth() - REINSPECTION_GAP_MONTHS);
  const recent = await db.inspectionTarget.findMany({
    where: { orgId: { in: agencies.map((a) => a.orgId) }, inspection: { drawnAt: { gte: since } } },
    select: { orgId: true, inspection: { select: { no: true, drawnAt: true } } },
  });
  const recentBy = new Map(recent.map((r) => [r.orgId, r.inspection]));
  return agencies.map((a) => {
    const prev = recentBy.get(a.orgId);
    const base = { id: a.creditCode, label: a.name };
    return prev ? { ...base, eligible: false, reason: `近${REINSPECTION_GAP_MONTHS}个月内已被抽查（${prev.no}，${chinaDay(prev.drawnAt!)}）` } : { ...base, eligible: true };
  });
}

export async function createInspection(prisma: Db, actor: Actor, user: User, input: InspectionPlanInput) {
  return prisma.$transaction(async (tx) => {
    const at = clockNow();
    const categoryId = input.categoryId || null;
    const region = input.region || null;
    let categoryName: string | null = null;
    if (categoryId) {
      const c = await tx.serviceCategory.findUnique({ where: { id: categoryId } });
      if (!c) throw new InspectionError('服务类别不存在', 400, { categoryId: ['请选择有效的服务类别'] });
      categoryName = c.name;
    }
    const candidates = await agencyCandidates(tx, { categoryId, region }, at);
    const eligible = candidates.filter((c) => c.eligible).length;
    if (eligible < input.agencyCount) {
      throw new InspectionError('可抽取的机构不足', 400, {
        agencyCount: [`该范围内可参加抽取的中介机构只有 ${eligible} 家（共 ${candidates.length} 家，其余近${REINSPECTION_GAP_MONTHS}个月内已被抽查），请减少抽取数量或扩大范围`],
      });
    }
    const pool = await inspectorPool(tx, input.includeExperts);
    if (pool.length < input.inspectorCount) {
      throw new InspectionError('检查人员不足', 400, { inspectorCount: [`检查人员库只有 ${pool.length} 人，请减少抽取人数${input.includeExperts ? '' : '或将专家纳入检查人员库'}`] });
    }
    // The canonical list and its hash are exactly what the draw record will carry later.
    const canonical = canonicalCandidates(candidates);
    const candHash = candidatesHash(canonical);
    const seed = generateSeed();
    const commitment = commitSeed(seed);
    const no = await nextNumber(tx, at);
    const drawAt = new Date(at.getTime() + input.drawInHours * 3_600_000);
    const ins = await tx.inspection.create({
      data: {
        no,
        title: input.title,
        scope: input.scope,
        agencyCount: input.agencyCount,
        inspectorCount: input.inspectorCount,
        commitment,
        seedHex: seal(sealScope(no), toHex(seed)),
        status: 'committed',
        createdById: user.id,
        createdAt: at,
        categoryId,
        region,
        includeExperts: input.includeExperts,
        drawAt,
        agencyCandidates: canonical as unknown as object,
        agencyCandidatesHash: candHash,
      },
    });
    const body = [
      `抽查编号：${no}`,
      `检查事项：${input.scope}`,
      `抽查范围：${categoryName ?? '全部服务类别'}；${region ?? '全部区域'}；共 ${canonical.length} 家中介机构，其中 ${eligible} 家参加抽取。`,
      `抽取数量：检查对象 ${input.agencyCount} 家，检查人员 ${input.inspectorCount} 名（检查人员库：监督人员${input.includeExperts ? '及评标专家' : ''}）。`,
      `抽取时间：不早于 ${drawAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}`,
      `随机种子承诺值（SHA-256）：${commitment}`,
      `检查对象名单哈希：${candHash}`,
      `抽取结果可在 /inspections/${ins.id} 页面或用命令 npx tsx crypto/cli.ts draw verify 独立复核。`,
    ].join('\n');
    const ann = await publishAnnouncement(tx, { kind: 'inspection', title: `${input.title}随机抽查计划公示（${no}）`, body, market: 'market', sourceType: 'Inspection', sourceId: ins.id, publisherId: user.id });
    await tx.inspection.update({ where: { id: ins.id }, data: { announcementId: ann.id } });
    await appendAuditEntry(tx, actor, {
      action: 'supervision.inspection.create',
      objectType: 'Inspection',
      objectId: ins.id,
      payload: { no, agencyCount: input.agencyCount, inspectorCount: input.inspectorCount, categoryId, region, includeExperts: input.includeExperts, commitment, candidatesHash: candHash, drawAt: drawAt.toISOString() },
    });
    return { ...ins, announcementId: ann.id };
  });
}

interface PoolMember {
  /** Candidate id in the record */
  id: string;
  label: string;
  userId: string;
  name: string;
  orgId: string | null;
  employerCreditCode: string | null;
  expertId: string | null;
}

async function inspectorPool(tx: Tx, includeExperts: boolean): Promise<PoolMember[]> {
  const sups = await tx.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true, displayName: true, organizationId: true }, orderBy: { createdAt: 'asc' } });
  const out: PoolMember[] = sups.map((u) => ({ id: `JC-${u.id}`, label: `监督人员 ${u.displayName.replace(/^监督员\s*/, '')}`, userId: u.id, name: u.displayName, orgId: u.organizationId, employerCreditCode: null, expertId: null }));
  if (includeExperts) {
    const experts = await tx.expert.findMany({ where: { status: 'available' }, select: { id: true, code: true, name: true, userId: true, employerCreditCode: true } });
    const active = new Set((await tx.user.findMany({ where: { id: { in: experts.map((e) => e.userId) }, active: true }, select: { id: true } })).map((u) => u.id));
    for (const e of experts) {
      if (!active.has(e.userId)) continue;
      out.push({ id: e.code, label: `专家 ${e.name}`, userId: e.userId, name: e.name, orgId: null, employerCreditCode: e.employerCreditCode, expertId: e.id });
    }
  }
  return out;
}

/** Screens the pool against the drawn agencies: nobody inspects their own organization or an agency they are related to. */
async function inspectorCandidates(tx: Tx, pool: PoolMember[], targets: { orgId: string; creditCode: string; name: string }[], at: Date): Promise<DrawCandidateInput[]> {
  const byOrg = new Map(targets.map((t) => [t.orgId, t]));
  const byCode = new Map(targets.map((t) => [t.creditCode, t]));
  const expertIds = pool.map((p) => p.expertId).filter((x): x is string => !!x);
  const relations = expertIds.length
    ? await tx.expertRelation.findMany({
        where: { expertId: { in: expertIds }, orgCreditCode: { in: [...byCode.keys()] }, OR: [{ endedOn: null }, { endedOn: { gte: new Date(at.getTime() - RELATION_LOOKBACK_DAYS * DAY) } }] },
        select: { expertId: true, orgCreditCode: true },
      })
    : [];
  const relatedBy = new Map(relations.map((r) => [r.expertId, r.orgCreditCode]));
  return pool.map((p) => {
    const base = { id: p.id, label: p.label };
    const sameOrg = p.orgId ? byOrg.get(p.orgId) : undefined;
    if (sameOrg) return { ...base, eligible: false, reason: `与检查对象${sameOrg.name}属同一单位，回避` };
    const employer = p.employerCreditCode ? byCode.get(p.employerCreditCode) : undefined;
    if (employer) return { ...base, eligible: false, reason: `工作单位为检查对象${employer.name}，回避` };
    const rel = p.expertId ? relatedBy.get(p.expertId) : undefined;
    if (rel) return { ...base, eligible: false, reason: `与检查对象${byCode.get(rel)!.name}存在利害关系，回避` };
    return { ...base, eligible: true };
  });
}

export async function runInspectionDraw(prisma: Db, actor: Actor, id: string) {
  return prisma.$transaction(async (tx) => {
    // Row lock: two supervisors pressing the button at once run the draw once.
    await tx.$queryRawUnsafe('SELECT id FROM "Inspection" WHERE id = $1 FOR UPDATE', id);
    const ins = await tx.inspection.findUnique({ where: { id } });
    if (!ins) throw new InspectionError('抽查计划不存在', 404);
    if (ins.status !== 'committed') throw new InspectionError('该抽查计划已完成抽取');
    const at = clockNow();
    if (ins.drawAt && at < ins.drawAt) throw new InspectionError(`未到公示的抽取时间（${ins.drawAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}）`);
    const seed = unseal(sealScope(ins.no), ins.seedHex);
    const agencyDraw = runDraw({ seed, commitment: ins.commitment, candidates: ins.agencyCandidates as unknown as DrawCandidateInput[], count: ins.agencyCount, purpose: agencyPurpose(ins.no) });
    if (agencyDraw.candidatesHash !== ins.agencyCandidatesHash) throw new Error('frozen agency candidates changed since the commitment');
    const agencies = await tx.agencyProfile.findMany({ where: { creditCode: { in: agencyDraw.winners } }, select: { id: true, orgId: true, name: true, creditCode: true } });
    const byCode = new Map(agencies.map((a) => [a.creditCode, a]));
    const targets = agencyDraw.winners.map((code) => {
      const a = byCode.get(code);
      if (!a) throw new InspectionError(`抽中的机构（${code}）已不在库中，请联系管理员`, 409);
      return a;
    });
    const pool = await inspectorPool(tx, ins.includeExperts);
    const inspectorInputs = await inspectorCandidates(tx, pool, targets, at);
    const eligible = inspectorInputs.filter((c) => c.eligible).length;
    if (eligible < ins.inspectorCount) throw new InspectionError(`回避后可抽取的检查人员只有 ${eligible} 名，少于计划的 ${ins.inspectorCount} 名`);
    const inspectorDraw = runDraw({ seed, commitment: ins.commitment, candidates: inspectorInputs, count: ins.inspectorCount, purpose: inspectorPurpose(ins.no) });
    const poolBy = new Map(pool.map((p) => [p.id, p]));
    const team = inspectorDraw.winners.map((w) => poolBy.get(w)!);
    for (const a of targets) {
      await tx.inspectionTarget.create({
        data: { inspectionId: ins.id, orgId: a.orgId, orgName: a.name, agencyId: a.id, creditCode: a.creditCode, inspectorIds: team.map((m) => m.userId), inspectorNames: team.map((m) => m.name) },
      });
    }
    await tx.inspection.update({
      where: { id: ins.id },
      data: { status: 'drawn', drawnAt: at, seedHex: agencyDraw.seed, agencyDraw: agencyDraw as unknown as object, inspectorDraw: inspectorDraw as unknown as object },
    });
    await appendAuditEntry(tx, actor, {
      action: 'supervision.inspection.draw',
      objectType: 'Inspection',
      objectId: ins.id,
      payload: { no: ins.no, seed: agencyDraw.seed, agencies: agencyDraw.winners, agencyCandidatesHash: agencyDraw.candidatesHash, inspectors: inspectorDraw.winners, inspectorCandidatesHash: inspectorDraw.candidatesHash },
    });
    await notifyUsers(tx, team.map((m) => m.userId), {
      title: `您被抽取为检查人员：${ins.no}`,
      body: `${ins.title}：检查对象 ${targets.map((t) => t.name).join('、')}。请按计划实施检查并在平台录入检查结果。`,
      link: `/inspections/${ins.id}`,
      kind: 'info',
    });
    const agencyUsers = await tx.user.findMany({ where: { organizationId: { in: targets.map((t) => t.orgId) }, active: true }, select: { id: true } });
    await notifyUsers(tx, agencyUsers.map((u) => u.id), {
      title: `随机抽查通知：${ins.no}`,
      body: `贵单位在“${ins.title}”中被随机抽取为检查对象。检查事项：${ins.scope}。抽取过程公开可复核。`,
      link: `/inspections/${ins.id}`,
      kind: 'warning',
    });
    return { agencyDraw, inspectorDraw };
  });
}

export async function recordInspectionResult(prisma: Db, actor: Actor, user: User, inspectionId: string, input: InspectionResultInput) {
  return prisma.$transaction(async (tx) => {
    const target = await tx.inspectionTarget.findUnique({ where: { id: input.targetId }, include: { inspection: true } });
    if (!target || target.inspectionId !== inspectionId) throw new InspectionError('检查对象不存在', 404);
    const ins = target.inspection;
    if (ins.status !== 'drawn') throw new InspectionError(ins.status === 'published' ? '结果已公开，不能再修改' : '尚未抽取，不能录入结果');
    // Only the drawn team (or the supervisor who made the plan, on behalf of expert members) records.
    if (!target.inspectorIds.includes(user.id) && ins.createdById !== user.id) throw new InspectionError('您不是该检查对象的检查人员', 403);
    const at = clockNow();
    const rectifyDueAt = input.result === 'rectify' && input.rectifyDays ? new Date(at.getTime() + input.rectifyDays * DAY) : null;
    const updated = await tx.inspectionTarget.update({
      where: { id: target.id },
      data: { result: input.result, findings: input.findings, checkedAt: at, checkedById: user.id, rectifyDueAt },
    });
    await appendAuditEntry(tx, actor, {
      action: 'supervision.inspection.result',
      objectType: 'InspectionTarget',
      objectId: target.id,
      payload: { inspectionId, no: ins.no, orgId: target.orgId, result: input.result, rectifyDueAt: rectifyDueAt?.toISOString() ?? null, previous: target.result },
    });
    return updated;
  });
}

export async function publishInspectionResults(prisma: Db, actor: Actor, user: User, id: string) {
  return prisma.$transaction(async (tx) => {
    const ins = await tx.inspection.findUnique({ where: { id }, include: { targets: { orderBy: { orgName: 'asc' } } } });
    if (!ins) throw new InspectionError('抽查计划不存在', 404);
    if (ins.status !== 'drawn') throw new InspectionError(ins.status === 'published' ? '结果已公开' : '尚未抽取');
    const missing = ins.targets.filter((t) => !t.result);
    if (missing.length) throw new InspectionError(`还有 ${missing.length} 家检查对象未录入结论：${missing.map((t) => t.orgName).join('、')}`);
    const at = clockNow();
    const lines = ins.targets.map((t, i) => {
      const due = t.rectifyDueAt ? `（整改期限至 ${chinaDay(t.rectifyDueAt)}）` : '';
      return `${i + 1}. ${t.orgName}（${t.creditCode ?? ''}）：${INSPECTION_RESULTS[t.result as InspectionResult]}${due}。检查发现：${t.findings ?? ''}`;
    });
    const body = [
      `抽查编号：${ins.no}`,
      `检查事项：${ins.scope}`,
      `检查人员：${ins.targets[0]?.inspectorNames.join('、') ?? ''}`,
      `随机种子：${ins.seedHex}（承诺值 ${ins.commitment}）`,
      '检查结果：',
      ...lines,
    ].join('\n');
    const ann = await publishAnnouncement(tx, { kind: 'inspection', title: `${ins.title}抽查结果公示（${ins.no}）`, body, market: 'market', sourceType: 'Inspection', sourceId: ins.id, publisherId: user.id });
    await tx.inspection.update({ where: { id }, data: { status: 'published', publishedAt: at, resultAnnouncementId: ann.id } });
    await appendAuditEntry(tx, actor, {
      action: 'supervision.inspection.publish',
      objectType: 'Inspection',
      objectId: id,
      payload: { no: ins.no, announcementId: ann.id, results: ins.targets.map((t) => ({ orgId: t.orgId, result: t.result })) },
    });
    const agencyUsers = await tx.user.findMany({ where: { organizationId: { in: ins.targets.map((t) => t.orgId) }, active: true }, select: { id: true } });
    await notifyUsers(tx, agencyUsers.map((u) => u.id), { title: `抽查结果已公开：${ins.no}`, body: `“${ins.title}”的检查结果已公开，请登录查看。`, link: `/inspections/${id}`, kind: 'info' });
    return ann;
  });
}

export async function listInspections(db: Tx) {
  return db.inspection.findMany({
    orderBy: { createdAt: 'desc' },
    take: 100,
    select: { id: true, no: true, title: true, status: true, agencyCount: true, inspectorCount: true, createdAt: true, drawnAt: true, publishedAt: true, drawAt: true },
  });
}

export async function getInspection(db: Tx, id: string) {
  return db.inspection.findUnique({ where: { id }, include: { targets: { orderBy: { orgName: 'asc' } } } });
}

export type InspectionRow = NonNullable<Awaited<ReturnType<typeof getInspection>>>;

/** The published draw record (after the draw), or null. */
export function inspectionRecord(ins: Pick<InspectionRow, 'agencyDraw' | 'inspectorDraw'>, which: 'agencies' | 'inspectors'): DrawRecord | null {
  const r = which === 'agencies' ? ins.agencyDraw : ins.inspectorDraw;
  return (r as unknown as DrawRecord | null) ?? null;
}

/** Inspections of one agency whose results are public (for the agency profile). */
export async function publishedInspectionsOf(db: Tx, orgId: string) {
  return db.inspectionTarget.findMany({
    where: { orgId, inspection: { status: 'published' } },
    select: { result: true, checkedAt: true, inspection: { select: { id: true, no: true, title: true, publishedAt: true } } },
    orderBy: { checkedAt: 'desc' },
  });
}
