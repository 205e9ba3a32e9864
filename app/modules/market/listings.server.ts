// 网上挂牌 and the public browse/search of the supermarket. Listings carry copies of the fields
// people filter and sort on (category, region, level, credit, ratings) so that the browse query
// is one index range scan even with tens of thousands of agencies (bench/market.ts).
import { z } from 'zod';
import type { Prisma } from '~/generated/prisma/client';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { getRules } from '~/modules/credit/credit.server';
import { feeBounds, GRADES, levelMeets, levelRank, MAX_DISCOUNT_PCT, SORTS, type Sort } from './constants';
import { MarketError } from './errors.server';

export const listingSchema = z.object({
  itemId: z.string({ required_error: '请选择服务事项' }).min(1, '请选择服务事项'),
  qualificationId: z.string({ required_error: '请选择所依据的资质' }).min(1, '请选择所依据的资质'),
  discountPct: z.coerce.number({ invalid_type_error: '请填写下浮比例' }).int('下浮比例须为整数').min(0, '下浮比例不能为负数（不得高于统一收费标准）').max(100, '下浮比例不能超过100%'),
  note: z.string().trim().max(500).default(''),
});
export type ListingInput = z.infer<typeof listingSchema>;

/** Largest discount (percent off the top of the standard) that keeps the fee inside the standard. */
export function maxDiscountFor(item: { feeKind: string; feeMinFen: number | null; feeMaxFen: number | null }): number {
  if (item.feeKind === 'range' && item.feeMaxFen) return Math.min(MAX_DISCOUNT_PCT, Math.floor((1 - (item.feeMinFen ?? 0) / item.feeMaxFen) * 100));
  return MAX_DISCOUNT_PCT;
}

export async function createListing(actor: Actor, orgId: string, input: ListingInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const a = await tx.agencyProfile.findUnique({ where: { orgId } });
    if (!a || !a.approvedAt || !['approved', 'submitted'].includes(a.status)) throw new MarketError('入驻审核通过后方可挂牌服务');
    if (a.blacklisted) throw new MarketError('贵机构已被列入黑名单，不能挂牌');
    const item = await tx.serviceItem.findUnique({ where: { id: input.itemId } });
    if (!item || !item.active) throw new MarketError('该服务事项不存在或已停用', { itemId: ['该服务事项不存在或已停用'] });
    const q = await tx.qualification.findFirst({ where: { id: input.qualificationId, agencyId: a.id } });
    if (!q) throw new MarketError('请选择本机构登记的资质', { qualificationId: ['请选择本机构登记的资质'] });
    if (q.validUntil <= now()) throw new MarketError('该资质证书已过期，不能据以挂牌', { qualificationId: ['该资质证书已过期，不能据以挂牌'] });
    if (q.type !== item.qualificationType || !levelMeets(q.level, item.qualificationLevel)) {
      const msg = `该事项要求“${item.qualificationType}”${item.qualificationLevel}及以上资质，所选资质为“${q.type}”${q.level}`;
      throw new MarketError(msg, { qualificationId: [msg] });
    }
    const maxD = maxDiscountFor(item);
    if (input.discountPct > maxD) {
      const msg = `下浮比例超出统一收费标准允许的范围（最多下浮 ${maxD}%）`;
      throw new MarketError(msg, { discountPct: [msg] });
    }
    const existing = await tx.listing.findUnique({ where: { agencyId_itemId: { agencyId: a.id, itemId: item.id } } });
    if (existing && existing.status !== 'withdrawn') throw new MarketError('该服务事项已挂牌', { itemId: ['该服务事项已挂牌'] });
    const data = {
      qualificationId: q.id,
      discountPct: input.discountPct,
      note: input.note ?? '',
      status: 'active',
      suspendReason: null,
      updatedAt: now(),
      categoryId: item.categoryId,
      region: a.region,
      levelRank: levelRank(q.level),
      creditGrade: a.creditGrade,
      creditScore: a.creditScore,
      ratingAvg: a.ratingAvg,
      completedOrders: a.completedOrders,
      agencyName: a.name,
    };
    const l = existing
      ? await tx.listing.update({ where: { id: existing.id }, data })
      : await tx.listing.create({ data: { ...data, agencyId: a.id, itemId: item.id, createdAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.listing.create', objectType: 'Listing', objectId: l.id, payload: { itemId: item.id, qualificationId: q.id, discountPct: input.discountPct } });
    return l;
  });
}

export async function withdrawListing(actor: Actor, orgId: string, listingId: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const l = await tx.listing.findFirst({ where: { id: listingId, agency: { orgId } } });
    if (!l) throw new MarketError('挂牌不存在', {}, 404);
    await tx.listing.update({ where: { id: l.id }, data: { status: 'withdrawn', updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.listing.withdraw', objectType: 'Listing', objectId: l.id });
  });
}

export async function listingsOfOrg(orgId: string) {
  const prisma = await getPrisma();
  return prisma.listing.findMany({ where: { agency: { orgId } }, include: { item: { include: { category: true } }, qualification: true }, orderBy: { createdAt: 'desc' } });
}


export interface BrowseQuery {
  q?: string;
  categoryId?: string;
  itemId?: string;
  region?: string;
  level?: string;
  grade?: string;
  sort?: Sort;
  page?: number;
  pageSize?: number;
}

export function parseBrowseQuery(u: URLSearchParams): BrowseQuery {
  const s = u.get('sort');
  return {
    q: u.get('q')?.trim().slice(0, 40) || undefined,
    categoryId: u.get('category') || undefined,
    itemId: u.get('item') || undefined,
    region: u.get('region')?.trim().slice(0, 40) || undefined,
    level: u.get('level') || undefined,
    grade: (GRADES as readonly string[]).includes(u.get('grade') ?? '') ? u.get('grade')! : undefined,
    sort: s && s in SORTS ? (s as Sort) : 'credit',
    page: Math.min(Math.max(Number(u.get('page')) || 1, 1), 500),
  };
}

/** Counting stops here: the pager shows "1000+" rather than scanning every match of a broad filter. */
export const COUNT_CAP = 1000;

/**
 * The public browse/search loader's query (benchmarked in bench/market.ts, decision 083). Every
 * filter and sort maps onto an index walked in order: the grade filter becomes a credit-score range
 * (grades are score bands), the region an equality, and free text matches the catalog items (resolved
 * to ids first) or the agency name.
 */
export async function browseListings(query: BrowseQuery) {
  const prisma = await getPrisma();
  const pageSize = Math.min(query.pageSize ?? 20, 50);
  const page = Math.min(query.page ?? 1, Math.ceil(COUNT_CAP / pageSize));
  let minScore: number | undefined;
  if (query.grade && query.grade !== 'C') {
    const { rules } = await getRulesCached();
    minScore = Math.round(rules.gradeMin[query.grade as 'AAA' | 'AA' | 'A' | 'B'] * 100);
  }
  let textMatch: Prisma.ListingWhereInput | undefined;
  if (query.q) {
    // Item names are a short list: resolve them first; agency names are filtered while the
    // sort index is walked (matches are dense enough that LIMIT stops early).
    const items = await prisma.serviceItem.findMany({ where: { OR: [{ name: { contains: query.q } }, { code: { contains: query.q } }] }, select: { id: true } });
    textMatch = { OR: [{ agencyName: { contains: query.q } }, ...(items.length ? [{ itemId: { in: items.map((i) => i.id) } }] : [])] };
  }
  const where: Prisma.ListingWhereInput = {
    status: 'active',
    ...(query.categoryId ? { categoryId: query.categoryId } : {}),
    ...(query.itemId ? { itemId: query.itemId } : {}),
    ...(query.region ? { region: query.region } : {}),
    ...(query.level ? { levelRank: { gte: levelRank(query.level) } } : {}),
    ...(minScore !== undefined ? { creditScore: { gte: minScore } } : {}),
    ...(textMatch ?? {}),
  };
  const orderBy: Prisma.ListingOrderByWithRelationInput[] =
    query.sort === 'rating'
      ? [{ ratingAvg: 'desc' }, { id: 'asc' }]
      : query.sort === 'orders'
        ? [{ completedOrders: 'desc' }, { id: 'asc' }]
        : query.sort === 'newest'
          ? [{ createdAt: 'desc' }, { id: 'asc' }]
          : [{ creditScore: 'desc' }, { id: 'asc' }];
  const [rows, total] = await Promise.all([
    prisma.listing.findMany({
      where,
      orderBy,
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        agencyId: true,
        agencyName: true,
        region: true,
        creditGrade: true,
        creditScore: true,
        ratingAvg: true,
        completedOrders: true,
        discountPct: true,
        qualification: { select: { type: true, level: true } },
        item: { select: { id: true, code: true, name: true, timeLimitDays: true, feeKind: true, feeFixedFen: true, feeMinFen: true, feeMaxFen: true, feeRatePpm: true } },
      },
    }),
    prisma.listing.count({ where, take: COUNT_CAP + 1 }),
  ]);
  return { rows, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP, page, pageSize };
}

let rulesCache: { at: number; value: Awaited<ReturnType<typeof getRules>> } | undefined;
async function getRulesCached() {
  if (!rulesCache || Date.now() - rulesCache.at > 10_000) rulesCache = { at: Date.now(), value: await getRules() };
  return rulesCache.value;
}

/** Regions that have active listings, for the browse filter. */
let regionsCache: { at: number; value: string[] } | undefined;
export async function listingRegions() {
  if (regionsCache && Date.now() - regionsCache.at < 60_000) return regionsCache.value;
  const prisma = await getPrisma();
  const rows = await prisma.agencyProfile.groupBy({ by: ['region'], where: { status: 'approved' }, orderBy: { region: 'asc' } });
  regionsCache = { at: Date.now(), value: rows.map((r) => r.region) };
  return regionsCache.value;
}

export async function publicAgencyProfile(id: string) {
  const prisma = await getPrisma();
  const agency = await prisma.agencyProfile.findFirst({
    where: { id, status: { in: ['approved', 'submitted', 'cleared'] }, approvedAt: { not: null } },
    include: {
      qualifications: { orderBy: { validUntil: 'desc' } },
      practitioners: { select: { id: true, name: true, certType: true, certValidUntil: true } },
      listings: { where: { status: { in: ['active', 'suspended'] } }, include: { item: { include: { category: true } }, qualification: true } },
    },
  });
  if (!agency) return null;
  const [evaluations, penalties] = await Promise.all([
    prisma.evaluation.findMany({ where: { agencyId: id }, orderBy: { at: 'desc' }, take: 10 }),
    prisma.creditEvent.findMany({ where: { agencyId: id, kind: { in: ['penalty', 'complaint', 'overtime', 'blacklist', 'clearout'] } }, orderBy: { at: 'desc' }, take: 20 }),
  ]);
  return { agency, evaluations, penalties, feeBounds };
}
