// 招标文件: uploaded by the agent into the content-addressed store; bidders obtain them free or
// after paying the document fee (an order from the payments context). Who obtained them is
// visible to supervisors only (招标投标法 第二十二条: no disclosure of who and how many).
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { FileTooLargeError, putStream } from '~/modules/files/store.server';
import { createOrder, findPaidOrder, payUrlFor } from '~/modules/payments/orders.server';
import { BiddingError } from './errors';
import { loadOwnTender, type AgentUser } from './tenders.server';
import { MAX_TENDER_DOCUMENT_BYTES } from './types';

const ALLOWED = /\.(pdf|zip|docx?|xlsx?|dwg|rar|7z)$/i;

export async function uploadTenderDocument(actor: Actor, user: AgentUser, tenderId: string, input: { name: string; mime: string; body: ReadableStream<Uint8Array> | null; amendmentId?: string | null }) {
  const prisma = await getPrisma();
  const tender = await prisma.$transaction((tx) => loadOwnTender(tx, user, tenderId));
  if (!['draft', 'published'].includes(tender.status)) throw new BiddingError('当前状态不能上传招标文件', 409);
  const name = input.name.replace(/[\\/\0]/g, '_').slice(0, 120);
  if (!ALLOWED.test(name)) throw new BiddingError('仅支持 PDF、ZIP、Word、Excel、DWG、RAR、7z 文件', 400);
  if (!input.body) throw new BiddingError('缺少文件内容', 400);
  let stored: { sha256: string; size: number };
  try {
    stored = await putStream(input.body, { maxBytes: MAX_TENDER_DOCUMENT_BYTES });
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new BiddingError('单个文件不能超过 200 MB', 413);
    throw e;
  }
  if (stored.size === 0) throw new BiddingError('文件为空', 400);
  return prisma.$transaction(async (tx) => {
    const doc = await tx.tenderDocument.create({
      data: { tenderId, amendmentId: input.amendmentId ?? null, name, sha256: stored.sha256, size: stored.size, mime: input.mime.slice(0, 100) || 'application/octet-stream', uploadedById: user.id, createdAt: now() },
    });
    await appendAuditEntry(tx, actor, { action: 'tender.document.upload', objectType: 'tender', objectId: tenderId, payload: { documentId: doc.id, name, sha256: stored.sha256, size: stored.size } });
    return doc;
  });
}

export async function removeTenderDocument(actor: Actor, user: AgentUser, tenderId: string, documentId: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const tender = await loadOwnTender(tx, user, tenderId);
    if (tender.status !== 'draft') throw new BiddingError('项目发布后不能删除招标文件，请通过澄清/修改公告更正', 409);
    const doc = await tx.tenderDocument.findFirst({ where: { id: documentId, tenderId } });
    if (!doc) throw new BiddingError('文件不存在', 404);
    await tx.tenderDocument.delete({ where: { id: doc.id } });
    await appendAuditEntry(tx, actor, { action: 'tender.document.remove', objectType: 'tender', objectId: tenderId, payload: { documentId, name: doc.name, sha256: doc.sha256 } });
  });
}

export interface BidderUserLike {
  id: string;
  organizationId: string | null;
}

function docTenderOpen(t: { status: string; bidDeadline: Date }) {
  return t.status === 'published' && now() < t.bidDeadline;
}

/** Whether the bidder's organization holds the documents, and what it would have to pay. */
export async function documentAccess(user: BidderUserLike, tenderId: string) {
  if (!user.organizationId) return { holder: false, feeFen: 0, paid: false };
  const prisma = await getPrisma();
  const [tender, holder] = await Promise.all([
    prisma.tender.findUnique({ where: { id: tenderId }, select: { documentFeeFen: true } }),
    prisma.documentHolder.findUnique({ where: { tenderId_orgId: { tenderId, orgId: user.organizationId } } }),
  ]);
  return { holder: !!holder, feeFen: tender?.documentFeeFen ?? 0, paid: !!holder?.orderId };
}

/**
 * 获取招标文件: free documents are granted at once; with a fee the bidder gets the order's pay URL
 * and becomes a holder when the paid order is found (on return from the cashier, or any later visit).
 */
export async function obtainDocuments(actor: Actor, user: BidderUserLike, tenderId: string): Promise<{ granted: true } | { granted: false; payUrl: string }> {
  if (!user.organizationId) throw new BiddingError('您的账号未关联投标单位', 403);
  const orgId = user.organizationId;
  const prisma = await getPrisma();
  const tender = await prisma.tender.findUnique({ where: { id: tenderId } });
  if (!tender || tender.status === 'draft') throw new BiddingError('招标项目不存在', 404);
  if (!docTenderOpen(tender)) throw new BiddingError('投标截止时间已到，不再发售招标文件', 409);
  if (tender.method === 'invited' && !tender.invitedOrgIds.includes(orgId)) throw new BiddingError('本项目为邀请招标，贵单位不在邀请范围内', 403);
  const existing = await prisma.documentHolder.findUnique({ where: { tenderId_orgId: { tenderId, orgId } } });
  if (existing) return { granted: true };
  let orderId: string | null = null;
  if (tender.documentFeeFen > 0) {
    const paid = await findPaidOrder({ purpose: 'document_fee', refType: 'tender', refId: tenderId, payerOrgId: orgId });
    if (!paid) {
      const order = await prisma.$transaction((tx) =>
        createOrder(tx, {
          purpose: 'document_fee',
          refType: 'tender',
          refId: tenderId,
          payerOrgId: orgId,
          payerUserId: user.id,
          payeeOrgId: tender.agentOrgId,
          amountFen: tender.documentFeeFen,
          subject: `招标文件费 ${tender.code}`,
        }),
      );
      return { granted: false, payUrl: await payUrlFor(order.id) };
    }
    orderId = paid.id;
  }
  await prisma.$transaction(async (tx) => {
    const row = await tx.documentHolder.upsert({
      where: { tenderId_orgId: { tenderId, orgId } },
      create: { tenderId, orgId, userId: user.id, orderId, obtainedAt: now() },
      update: {},
    });
    await appendAuditEntry(tx, actor, { action: 'tender.document.obtain', objectType: 'tender', objectId: tenderId, payload: { holderId: row.id, orderId } });
  });
  return { granted: true };
}

export async function documentForDownload(actor: Actor, user: BidderUserLike & { role: string }, tenderId: string, documentId: string) {
  const prisma = await getPrisma();
  const doc = await prisma.tenderDocument.findFirst({ where: { id: documentId, tenderId }, include: { tender: true } });
  if (!doc) throw new BiddingError('文件不存在', 404);
  const isAgent = doc.tender.agentOrgId === user.organizationId;
  const isSupervisor = user.role === 'supervisor';
  if (!isAgent && !isSupervisor) {
    if (!user.organizationId) throw new BiddingError('请先获取招标文件', 403);
    const holder = await prisma.documentHolder.findUnique({ where: { tenderId_orgId: { tenderId, orgId: user.organizationId } } });
    if (!holder) throw new BiddingError('请先获取招标文件', 403);
    await prisma.$transaction(async (tx) => {
      await tx.documentHolder.update({ where: { id: holder.id }, data: { downloads: { increment: 1 }, lastDownloadAt: now() } });
      await appendAuditEntry(tx, actor, { action: 'tender.document.download', objectType: 'tender', objectId: tenderId, payload: { documentId, sha256: doc.sha256 } });
    });
  }
  return doc;
}

/** Supervisors only (read-only, and the reading is itself logged by the caller's route). */
export async function listDocumentHolders(tenderId: string) {
  const prisma = await getPrisma();
  const rows = await prisma.documentHolder.findMany({ where: { tenderId }, orderBy: { obtainedAt: 'asc' } });
  const orgs = await prisma.organization.findMany({ where: { id: { in: rows.map((r) => r.orgId) } }, select: { id: true, name: true, creditCode: true } });
  return rows.map((r) => ({ ...r, org: orgs.find((o) => o.id === r.orgId) ?? null }));
}
