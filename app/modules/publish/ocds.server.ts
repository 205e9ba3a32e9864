// Open data (公开数据): OCDS 1.1.5 release packages for the platform's procurement processes —
// e-bidding tenders (with awards from the evaluation context and filed contracts) and the
// intermediary supermarket's purchases (with the award and the service order as the contract).
//
// Confidentiality (decision 093): nothing here reads bid contents or envelopes; who bid (tenderers,
// numberOfTenderers) is published only after the opening (bids) or the sign-up close (purchases);
// expert names are never published (the evaluation report is where they appear once it ends);
// drafts are never published.
import { createHash } from 'node:crypto';
import type { Db } from '~/db/db.server';
import { env } from '~/env.server';

export const OCDS_VERSION = '1.1';
export const PAGE_SIZE = 100;

export function ocidPrefix(): string {
  const p = process.env.OCDS_OCID_PREFIX?.trim();
  return p && /^ocds-[a-z0-9]{6}$/.test(p) ? p : 'ocds-jcggzy';
}

type Json = Record<string, unknown>;

interface Party {
  id: string;
  name: string;
  identifier?: { scheme: string; id: string; legalName?: string };
  roles: string[];
}

class Parties {
  private map = new Map<string, Party>();
  add(id: string, name: string, role: string, creditCode?: string | null) {
    const p = this.map.get(id) ?? { id, name, roles: [], ...(creditCode ? { identifier: { scheme: 'CN-USCC', id: creditCode, legalName: name } } : {}) };
    if (!p.roles.includes(role)) p.roles.push(role);
    this.map.set(id, p);
    return { id, name };
  }
  list() {
    return [...this.map.values()];
  }
}

const yuan = (fen: number | bigint) => ({ amount: Number(fen) / 100, currency: 'CNY' });
const iso = (d: Date) => d.toISOString();

function releaseId(ocid: string, body: unknown) {
  // Deterministic: the same state gives the same release id, a change gives a new one.
  return `${ocid}-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12)}`;
}

function finishRelease(ocid: string, date: Date, body: Json): Json {
  const tags: string[] = ['tender'];
  const tender = body.tender as Json;
  if (tender.status === 'cancelled') tags.push('tenderCancellation');
  if (Array.isArray(body.awards) && body.awards.length) tags.push('award');
  if (Array.isArray(body.contracts) && body.contracts.length) tags.push('contract');
  return { ocid, id: releaseId(ocid, body), date: iso(date), tag: tags, initiationType: 'tender', language: 'zh', ...body };
}

// ---------------------------------------------------------------------------------------------
// E-bidding tenders

const TENDER_STATUS: Record<string, string> = { published: 'active', closed: 'active', opening: 'active', opened: 'active', cancelled: 'cancelled' };
const OPENED = ['opened'];

async function tenderReleases(prisma: Db, ids: string[]): Promise<Json[]> {
  if (ids.length === 0) return [];
  const tenders = await prisma.tender.findMany({ where: { id: { in: ids }, status: { not: 'draft' }, publishedAt: { not: null } }, include: { sections: { orderBy: { seq: 'asc' } } } });
  const orgIds = new Set<string>(tenders.map((t) => t.agentOrgId));
  const evaluations = await prisma.tenderEvaluation.findMany({ where: { tenderId: { in: ids } }, include: { contract: true } });
  const openings = await prisma.opening.findMany({ where: { tenderId: { in: ids } }, select: { tenderId: true, state: true } });
  const openedIds = new Set([...tenders.filter((t) => OPENED.includes(t.status)).map((t) => t.id), ...openings.filter((o) => o.state === 'closed').map((o) => o.tenderId)]);
  const bids = openedIds.size
    ? await prisma.bid.findMany({ where: { tenderId: { in: [...openedIds] }, status: 'active' }, select: { tenderId: true, bidderOrgId: true }, distinct: ['tenderId', 'bidderOrgId'] })
    : [];
  for (const b of bids) orgIds.add(b.bidderOrgId);
  for (const e of evaluations) if (e.winnerOrgId) orgIds.add(e.winnerOrgId);
  const orgs = new Map((await prisma.organization.findMany({ where: { id: { in: [...orgIds] } }, select: { id: true, name: true, creditCode: true } })).map((o) => [o.id, o]));
  return tenders.map((t) => {
    const ocid = `${ocidPrefix()}-${t.code}`;
    const parties = new Parties();
    const buyer = parties.add(`buyer-${t.id}`, t.tendererName, 'buyer');
    const agent = orgs.get(t.agentOrgId);
    const procuringEntity = agent ? parties.add(agent.id, agent.name, 'procuringEntity', agent.creditCode) : undefined;
    const budget = t.sections.reduce((s, x) => s + BigInt(x.budgetFen ?? 0), 0n);
    const evals = evaluations.filter((e) => e.tenderId === t.id);
    const sectionName = new Map(t.sections.map((s) => [s.id, `第${s.seq}标段 ${s.name}`]));
    const tenderers = openedIds.has(t.id)
      ? bids.filter((b) => b.tenderId === t.id).map((b) => orgs.get(b.bidderOrgId)).filter((o): o is NonNullable<typeof o> => !!o).map((o) => parties.add(o.id, o.name, 'tenderer', o.creditCode))
      : null;
    const awards = evals
      .filter((e) => e.awardedAt && e.winnerOrgId)
      .map((e) => {
        const w = orgs.get(e.winnerOrgId!);
        const supplier = parties.add(e.winnerOrgId!, w?.name ?? e.winnerName ?? '', 'supplier', w?.creditCode);
        return { id: e.id, title: sectionName.get(e.sectionId) ?? t.name, status: 'active', date: iso(e.awardedAt!), ...(e.awardAmountFen != null ? { value: yuan(e.awardAmountFen) } : {}), suppliers: [supplier] };
      });
    const contracts = evals
      .filter((e) => e.awardedAt && e.contract?.status === 'filed')
      .map((e) => ({
        id: e.contract!.id,
        awardID: e.id,
        title: `${sectionName.get(e.sectionId) ?? t.name} 施工合同`,
        status: 'active',
        ...(e.contract!.amountFen != null ? { value: yuan(e.contract!.amountFen) } : {}),
        ...(e.contract!.signedOn ? { dateSigned: iso(e.contract!.signedOn) } : {}),
      }));
    const allAwarded = t.sections.length > 0 && t.sections.every((s) => evals.some((e) => e.sectionId === s.id && e.awardedAt));
    const status = t.status === 'cancelled' ? 'cancelled' : allAwarded ? 'complete' : (TENDER_STATUS[t.status] ?? 'active');
    const body: Json = {
      parties: parties.list(),
      buyer,
      tender: {
        id: t.code,
        title: t.name,
        description: t.summary,
        status,
        ...(procuringEntity ? { procuringEntity } : {}),
        ...(budget > 0n ? { value: yuan(budget) } : {}),
        procurementMethod: t.method === 'invited' ? 'selective' : 'open',
        procurementMethodDetails: t.method === 'invited' ? '邀请招标' : '公开招标',
        mainProcurementCategory: 'works',
        submissionMethod: ['electronicSubmission'],
        tenderPeriod: { startDate: iso(t.publishedAt!), endDate: iso(t.bidDeadline) },
        ...(tenderers ? { tenderers, numberOfTenderers: tenderers.length } : {}),
      },
      ...(awards.length ? { awards } : {}),
      ...(contracts.length ? { contracts } : {}),
    };
    return finishRelease(ocid, t.updatedAt, body);
  });
}

// ---------------------------------------------------------------------------------------------
// Intermediary supermarket purchases

const PURCHASE_STATUS: Record<string, string> = { published: 'active', closed: 'active', scoring: 'active', announced: 'active', awarded: 'complete', failed: 'unsuccessful', cancelled: 'cancelled' };
const PURCHASE_METHOD: Record<string, [string, string]> = {
  direct: ['direct', '直接选取'],
  draw: ['open', '随机抽取'],
  price: ['open', '竞价选取'],
  compare: ['open', '比选'],
};
const AWARD_STATUS: Record<string, string> = { announced: 'pending', awarded: 'active', cancelled: 'cancelled' };
const CONTRACT_STATUS: Record<string, string> = { contracting: 'pending', in_progress: 'active', submitted: 'active', accepted: 'terminated', cancelled: 'cancelled' };

async function purchaseReleases(prisma: Db, ids: string[]): Promise<Json[]> {
  if (ids.length === 0) return [];
  const purchases = await prisma.purchase.findMany({ where: { id: { in: ids } }, include: { item: { select: { name: true } } } });
  const closed = purchases.filter((p) => p.status !== 'published').map((p) => p.id);
  const signups = closed.length ? await prisma.signup.findMany({ where: { purchaseId: { in: closed } }, select: { purchaseId: true, agencyId: true } }) : [];
  const orders = await prisma.serviceOrder.findMany({ where: { purchaseId: { in: ids } } });
  const agencyIds = new Set([...signups.map((s) => s.agencyId), ...purchases.map((p) => p.winnerAgencyId).filter((x): x is string => !!x)]);
  const agencies = new Map((await prisma.agencyProfile.findMany({ where: { id: { in: [...agencyIds] } }, select: { id: true, orgId: true, name: true, creditCode: true } })).map((a) => [a.id, a]));
  const owners = new Map((await prisma.organization.findMany({ where: { id: { in: purchases.map((p) => p.ownerOrgId) } }, select: { id: true, name: true, creditCode: true } })).map((o) => [o.id, o]));
  return purchases.map((p) => {
    const ocid = `${ocidPrefix()}-${p.code}`;
    const parties = new Parties();
    const owner = owners.get(p.ownerOrgId);
    const buyer = parties.add(p.ownerOrgId, owner?.name ?? '', 'buyer', owner?.creditCode);
    parties.add(p.ownerOrgId, owner?.name ?? '', 'procuringEntity', owner?.creditCode);
    const [method, details] = PURCHASE_METHOD[p.method] ?? ['open', p.method];
    const tenderers = p.status !== 'published'
      ? signups.filter((s) => s.purchaseId === p.id).map((s) => agencies.get(s.agencyId)).filter((a): a is NonNullable<typeof a> => !!a).map((a) => parties.add(a.orgId, a.name, 'tenderer', a.creditCode))
      : null;
    const winner = p.winnerAgencyId ? agencies.get(p.winnerAgencyId) : undefined;
    const awardStatus = AWARD_STATUS[p.status];
    const awards =
      winner && awardStatus
        ? [{ id: `${p.code}-award`, title: p.projectName, status: awardStatus, ...(p.resultAt ? { date: iso(p.resultAt) } : {}), ...(p.winningFeeFen != null ? { value: yuan(p.winningFeeFen) } : {}), suppliers: [parties.add(winner.orgId, winner.name, 'supplier', winner.creditCode)] }]
        : [];
    const order = orders.find((o) => o.purchaseId === p.id);
    const contracts =
      order && awards.length
        ? [
            {
              id: order.code,
              awardID: awards[0].id,
              title: `${p.item.name}服务合同`,
              status: CONTRACT_STATUS[order.status] ?? 'pending',
              value: yuan(order.feeFen),
              ...(order.agencySignedAt && order.ownerSignedAt ? { dateSigned: iso(order.agencySignedAt > order.ownerSignedAt ? order.agencySignedAt : order.ownerSignedAt) } : {}),
              ...(order.startedAt ? { period: { startDate: iso(order.startedAt), ...(order.acceptedAt ? { endDate: iso(order.acceptedAt) } : {}) } } : {}),
            },
          ]
        : [];
    const body: Json = {
      parties: parties.list(),
      buyer,
      tender: {
        id: p.code,
        title: p.projectName,
        description: p.description,
        status: PURCHASE_STATUS[p.status] ?? 'active',
        procuringEntity: buyer,
        value: yuan(p.budgetFen),
        procurementMethod: method,
        procurementMethodDetails: `网上中介超市·${details}`,
        mainProcurementCategory: 'services',
        submissionMethod: ['electronicSubmission'],
        tenderPeriod: { startDate: iso(p.signupStart), endDate: iso(p.signupEnd) },
        items: [{ id: '1', description: p.item.name, quantity: 1 }],
        ...(tenderers ? { tenderers, numberOfTenderers: tenderers.length } : {}),
      },
      ...(awards.length ? { awards } : {}),
      ...(contracts.length ? { contracts } : {}),
    };
    return finishRelease(ocid, p.updatedAt, body);
  });
}

// ---------------------------------------------------------------------------------------------
// Packages

function packageOf(releases: Json[], uri: string, publishedDate: Date, links?: { next?: string; prev?: string }): Json {
  return {
    uri,
    version: OCDS_VERSION,
    publishedDate: iso(publishedDate),
    publisher: { name: '江城市公共资源交易中心' },
    license: 'https://creativecommons.org/licenses/by/4.0/',
    publicationPolicy: `${env().PUBLIC_BASE_URL}/announcements`,
    releases,
    ...(links && (links.next || links.prev) ? { links } : {}),
  };
}

/** Every published process, newest first, paged. */
export async function releasePackagePage(prisma: Db, page: number, now: Date) {
  const base = env().PUBLIC_BASE_URL;
  const [tenders, purchases] = await Promise.all([
    prisma.tender.findMany({ where: { status: { not: 'draft' }, publishedAt: { not: null } }, select: { id: true, publishedAt: true } }),
    prisma.purchase.findMany({ select: { id: true, publishedAt: true } }),
  ]);
  const all = [...tenders.map((t) => ({ kind: 't' as const, id: t.id, at: t.publishedAt!.getTime() })), ...purchases.map((p) => ({ kind: 'p' as const, id: p.id, at: p.publishedAt.getTime() }))].sort(
    (a, b) => b.at - a.at || a.id.localeCompare(b.id),
  );
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const p = Math.min(Math.max(1, page), pages);
  const slice = all.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE);
  const releases = [
    ...(await tenderReleases(prisma, slice.filter((x) => x.kind === 't').map((x) => x.id))),
    ...(await purchaseReleases(prisma, slice.filter((x) => x.kind === 'p').map((x) => x.id))),
  ];
  // Newest change first within the page.
  releases.sort((a, b) => String(b.date).localeCompare(String(a.date)));
  const url = (n: number) => `${base}/ocds/releases.json?page=${n}`;
  return { package: packageOf(releases, url(p), now, { next: p < pages ? url(p + 1) : undefined, prev: p > 1 ? url(p - 1) : undefined }), page: p, pages, total: all.length };
}

/** One process by tender/purchase id or code; null when unknown or unpublished. */
export async function processPackage(prisma: Db, ref: string, now: Date) {
  const base = env().PUBLIC_BASE_URL;
  const t = await prisma.tender.findFirst({ where: { OR: [{ id: ref }, { code: ref }], status: { not: 'draft' }, publishedAt: { not: null } }, select: { id: true, code: true } });
  if (t) {
    const releases = await tenderReleases(prisma, [t.id]);
    return packageOf(releases, `${base}/ocds/tenders/${encodeURIComponent(t.code)}.json`, now);
  }
  const p = await prisma.purchase.findFirst({ where: { OR: [{ id: ref }, { code: ref }] }, select: { id: true, code: true } });
  if (p) {
    const releases = await purchaseReleases(prisma, [p.id]);
    return packageOf(releases, `${base}/ocds/tenders/${encodeURIComponent(p.code)}.json`, now);
  }
  return null;
}
