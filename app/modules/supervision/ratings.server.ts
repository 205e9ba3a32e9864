// 一事一评: after each service or transaction its participant rates it, once. The server decides
// who is a participant of what (the client only names the subject), and what the rating is about:
// the agency (中介机构), the department (部门: the organization that ran the matter) and the window
// (窗口: the kind of service). Results feed /satisfaction and the statistics. Decision 096.
import { Prisma } from '~/generated/prisma/client';
import type { Db, Tx } from '~/db/db.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now as clockNow } from '~/modules/clock/clock.server';
import { isSatisfied, RATING_SUBJECTS, type RateInput, type RatingState, type RatingSubjectType } from './ratings-types';

export class RatingError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

type User = { id: string; role: string; organizationId: string | null };

interface RatedSubject {
  label: string;
  agencyOrgId: string | null;
  department: string | null;
  window: string;
}

const CENTER = '公共资源交易中心';
const NOT_PARTICIPANT = '只有该事项的当事人可以评价';

/**
 * Resolves a subject for this user: returns what it is about when the user took part in it and the
 * matter is finished; throws RatingError otherwise (403 not a participant, 409 not finished yet).
 * A subject that does not exist answers like one the user did not take part in.
 */
export async function resolveRatingSubject(tx: Tx, user: User, subjectType: RatingSubjectType, subjectId: string): Promise<RatedSubject> {
  const window = RATING_SUBJECTS[subjectType];
  const deny = () => new RatingError(NOT_PARTICIPANT, 403);
  if (!user.organizationId) throw deny();
  switch (subjectType) {
    case 'market-order': {
      const o = await tx.serviceOrder.findUnique({ where: { id: subjectId }, select: { code: true, ownerOrgId: true, agencyId: true, status: true } });
      if (!o || user.role !== 'owner' || o.ownerOrgId !== user.organizationId) throw deny();
      if (o.status !== 'accepted') throw new RatingError('服务验收通过后才能评价', 409);
      const [agency, owner] = await Promise.all([
        tx.agencyProfile.findUnique({ where: { id: o.agencyId }, select: { orgId: true, name: true } }),
        tx.organization.findUnique({ where: { id: o.ownerOrgId }, select: { name: true } }),
      ]);
      return { label: `中介服务订单 ${o.code}（${agency?.name ?? ''}）`, agencyOrgId: agency?.orgId ?? null, department: owner?.name ?? null, window };
    }
    case 'payment-order': {
      const p = await tx.paymentOrder.findUnique({ where: { id: subjectId }, select: { subject: true, payerOrgId: true, payerUserId: true, status: true, paidAt: true } });
      if (!p || p.payerOrgId !== user.organizationId) throw deny();
      if (!p.paidAt) throw new RatingError('支付完成后才能评价', 409);
      return { label: `支付：${p.subject}`, agencyOrgId: null, department: CENTER, window };
    }
    case 'complaint': {
      const c = await tx.complaint.findUnique({ where: { id: subjectId }, select: { no: true, complainantUserId: true, complainantOrgId: true, status: true } });
      if (!c || c.complainantOrgId !== user.organizationId) throw deny();
      if (c.status !== 'decided' && c.status !== 'rejected') throw new RatingError('办结后才能评价', 409);
      return { label: `投诉/异议 ${c.no}`, agencyOrgId: null, department: `${CENTER}监督科`, window };
    }
    case 'tender': {
      const t = await tx.tender.findUnique({ where: { id: subjectId }, select: { code: true, name: true, agentOrgId: true, status: true, tendererName: true } });
      if (!t) throw deny();
      const bid = await tx.bid.findFirst({ where: { tenderId: subjectId, bidderOrgId: user.organizationId }, select: { id: true } });
      if (!bid) throw deny();
      if (t.status !== 'opened') throw new RatingError('开标结束后才能评价', 409);
      const agent = await tx.organization.findUnique({ where: { id: t.agentOrgId }, select: { name: true } });
      return { label: `${t.code} ${t.name}`, agencyOrgId: null, department: agent?.name ?? t.tendererName, window };
    }
    case 'agency-registration': {
      const a = await tx.agencyProfile.findUnique({ where: { id: subjectId }, select: { orgId: true, name: true, status: true } });
      if (!a || a.orgId !== user.organizationId || user.role !== 'agency') throw deny();
      if (!['approved', 'returned', 'rejected'].includes(a.status)) throw new RatingError('审核完成后才能评价', 409);
      return { label: `机构入驻：${a.name}`, agencyOrgId: null, department: `${CENTER}入驻审核`, window };
    }
  }
}

/** What the rating widget shows to this user for this subject. */
export async function ratingState(db: Tx, user: User, subjectType: RatingSubjectType, subjectId: string): Promise<RatingState> {
  const existing = await db.serviceRating.findUnique({ where: { subjectType_subjectId_raterUserId: { subjectType, subjectId, raterUserId: user.id } } });
  if (existing) return { canRate: false, existing: { score: existing.score, comment: existing.comment, createdAt: existing.createdAt.toISOString() } };
  try {
    await resolveRatingSubject(db, user, subjectType, subjectId);
    return { canRate: true, existing: null };
  } catch (e) {
    if (e instanceof RatingError) return { canRate: false, existing: null, reason: e.message };
    throw e;
  }
}

export async function rateService(prisma: Db, actor: Actor, user: User, input: RateInput) {
  try {
    return await prisma.$transaction(async (tx) => {
      const subject = await resolveRatingSubject(tx, user, input.subjectType, input.subjectId);
      const dup = await tx.serviceRating.findUnique({ where: { subjectType_subjectId_raterUserId: { subjectType: input.subjectType, subjectId: input.subjectId, raterUserId: user.id } } });
      if (dup) throw new RatingError('您已评价过该事项，每个事项只能评价一次', 409);
      const r = await tx.serviceRating.create({
        data: {
          subjectType: input.subjectType,
          subjectId: input.subjectId,
          subjectLabel: subject.label,
          raterUserId: user.id,
          raterOrgId: user.organizationId,
          score: input.score,
          comment: input.comment || null,
          agencyOrgId: subject.agencyOrgId,
          department: subject.department,
          window: subject.window,
          createdAt: clockNow(),
        },
      });
      await appendAuditEntry(tx, actor, {
        action: 'supervision.rating.create',
        objectType: 'ServiceRating',
        objectId: r.id,
        payload: { subjectType: r.subjectType, subjectId: r.subjectId, score: r.score, agencyOrgId: r.agencyOrgId, hasComment: !!r.comment },
      });
      return r;
    });
  } catch (e) {
    // Two tabs submitting at once: the unique index answers for the second.
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') throw new RatingError('您已评价过该事项，每个事项只能评价一次', 409);
    throw e;
  }
}

export interface RatingGroup {
  key: string;
  label: string;
  count: number;
  average: number;
  /** Counts of 1..5 stars (index 0 = 1 star). */
  distribution: [number, number, number, number, number];
  satisfiedRate: number;
}

/** Averages and star distributions grouped by a key; pure, so that tests can feed it rows. */
export function groupRatings<T extends { score: number }>(rows: T[], keyOf: (r: T) => string | null, labelOf: (key: string) => string = (k) => k): RatingGroup[] {
  const groups = new Map<string, { sum: number; dist: [number, number, number, number, number]; sat: number }>();
  for (const r of rows) {
    const k = keyOf(r);
    if (!k) continue;
    const g = groups.get(k) ?? { sum: 0, dist: [0, 0, 0, 0, 0], sat: 0 };
    g.sum += r.score;
    g.dist[r.score - 1]++;
    if (isSatisfied(r.score)) g.sat++;
    groups.set(k, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => {
      const count = g.dist.reduce((a, b) => a + b, 0);
      return { key, label: labelOf(key), count, average: Math.round((g.sum / count) * 100) / 100, distribution: g.dist, satisfiedRate: g.sat / count };
    })
    .sort((a, b) => b.count - a.count || b.average - a.average || a.label.localeCompare(b.label, 'zh-CN'));
}

export interface SatisfactionSummary {
  total: number;
  average: number;
  satisfiedRate: number;
  distribution: [number, number, number, number, number];
  byAgency: RatingGroup[];
  byDepartment: RatingGroup[];
  byWindow: RatingGroup[];
  recent: { id: string; subjectLabel: string; score: number; comment: string | null; window: string | null; createdAt: string }[];
}

export async function satisfactionSummary(db: Tx, range: { from?: Date; to?: Date } = {}): Promise<SatisfactionSummary> {
  const where = { createdAt: { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lt: range.to } : {}) } };
  const rows = await db.serviceRating.findMany({ where, select: { id: true, score: true, agencyOrgId: true, department: true, window: true, subjectLabel: true, comment: true, createdAt: true }, orderBy: { createdAt: 'desc' } });
  const orgIds = [...new Set(rows.map((r) => r.agencyOrgId).filter((x): x is string => !!x))];
  const names = new Map((await db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } })).map((o) => [o.id, o.name]));
  const all = groupRatings(rows, () => 'all')[0];
  return {
    total: rows.length,
    average: all?.average ?? 0,
    satisfiedRate: all?.satisfiedRate ?? 0,
    distribution: all?.distribution ?? [0, 0, 0, 0, 0],
    byAgency: groupRatings(rows, (r) => r.agencyOrgId, (k) => names.get(k) ?? k),
    byDepartment: groupRatings(rows, (r) => r.department),
    byWindow: groupRatings(rows, (r) => r.window),
    recent: rows.slice(0, 20).map((r) => ({ id: r.id, subjectLabel: r.subjectLabel, score: r.score, comment: r.comment, window: r.window, createdAt: r.createdAt.toISOString() })),
  };
}

/** Public summary for an agency's profile: count and average of its service ratings. */
export async function agencySatisfaction(db: Tx, agencyOrgId: string) {
  const a = await db.serviceRating.aggregate({ where: { agencyOrgId }, _avg: { score: true }, _count: { _all: true } });
  return { count: a._count._all, average: a._avg.score ? Math.round(a._avg.score * 100) / 100 : null };
}
