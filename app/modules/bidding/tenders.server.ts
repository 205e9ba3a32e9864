// Tender lifecycle (招标项目): draft → published → (amended) → closed at the bid deadline →
// opening → opened; or cancelled. Every transition appends an audit entry in its transaction;
// public notices go through publishAnnouncement.
import { canKeyTransport, isAddressedTo } from '../../../crypto/envelope';
import { fromBase64, toBase64, toHex, sha256 } from '../../../crypto/hash';
import { certInfo, derToPem, issueCertificate, pemToDer } from '../../../crypto/pki';
import { keyIdOf } from '../../../crypto/shamir';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { formatDateTime } from '~/modules/documents/datetime';
import { deliverMails, notifyUsers } from '~/modules/notify/notify.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { activeCertificatesOf } from '~/modules/pki/user-certs.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { BiddingError } from './errors';
import {
  AMENDMENT_NOTICE_DAYS,
  buildBidForm,
  DAY_MS,
  formatFenText,
  METHOD_LABELS,
  MIN_BIDDING_DAYS,
  parseBeijingLocal,
  yuanToFen,
  type BidFormField,
  type TenderInput,
} from './types';

export interface AgentUser {
  id: string;
  role: string;
  organizationId: string | null;
  displayName: string;
}

function requireOrg(user: AgentUser): string {
  if (!user.organizationId) throw new BiddingError('您的账号未关联单位，不能办理招标项目', 403);
  return user.organizationId;
}

export async function loadOwnTender(tx: Tx, user: AgentUser, tenderId: string) {
  const t = await tx.tender.findUnique({ where: { id: tenderId } });
  if (!t) throw new BiddingError('招标项目不存在', 404);
  if (t.agentOrgId !== user.organizationId) throw new BiddingError('只能办理本单位的招标项目', 403);
  return t;
}

/** Supervisors who can hold a share: they need an RSA certificate that can receive an encrypted share. */
export async function holderCandidates() {
  const prisma = await getPrisma();
  const sups = await prisma.user.findMany({ where: { role: 'supervisor', active: true }, orderBy: { username: 'asc' } });
  return Promise.all(sups.map(async (u) => ({ id: u.id, displayName: u.displayName, encryptionCert: await encryptionCertOf(u.id) })));
}

/** The newest active certificate of the user that can receive RSA key transport. */
export async function encryptionCertOf(userId: string) {
  const certs = await activeCertificatesOf(userId);
  const c = certs.find((x) => canKeyTransport(x.cert));
  return c ? { sha256: c.sha256, certPem: c.certPem } : null;
}

export async function createTender(actor: Actor, user: AgentUser, input: TenderInput) {
  const orgId = requireOrg(user);
  const deadline = parseBeijingLocal(input.bidDeadline)!;
  if (deadline.getTime() < now().getTime() + MIN_BIDDING_DAYS * DAY_MS) {
    throw new BiddingError('投标截止时间过早', 400, {
      bidDeadline: [`自招标文件发出之日起至投标截止不得少于${MIN_BIDDING_DAYS}日（招标投标法第二十四条）`],
    });
  }
  const supervisorIds = [...new Set(input.supervisorIds)];
  if (supervisorIds.length < 2) throw new BiddingError('密钥持有人不足', 400, { supervisorIds: ['请至少选择两名监督人员作为开标密钥持有人'] });
  const n = supervisorIds.length + 1;
  if (input.threshold > n) throw new BiddingError('门限过大', 400, { threshold: [`门限不能超过持有人数（${n}）`] });
  const bidForm = buildBidForm(input.fields, input.customFields);
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    if (await tx.tender.findUnique({ where: { code: input.code }, select: { id: true } })) {
      throw new BiddingError('项目编号已存在', 400, { code: ['项目编号已存在'] });
    }
    const sups = await tx.user.findMany({ where: { id: { in: supervisorIds }, role: 'supervisor', active: true }, select: { id: true } });
    if (sups.length !== supervisorIds.length) throw new BiddingError('所选监督人员无效', 400, { supervisorIds: ['所选监督人员无效'] });
    let invitedOrgIds: string[] = [];
    if (input.method === 'invited') {
      const codes = (input.invitedCreditCodes ?? '').split(/[\s,，]+/).filter(Boolean);
      const orgs = await tx.organization.findMany({ where: { creditCode: { in: codes } }, select: { id: true, creditCode: true } });
      const unknown = codes.filter((c) => !orgs.some((o) => o.creditCode === c));
      if (codes.length < 3) throw new BiddingError('邀请对象不足', 400, { invitedCreditCodes: ['邀请招标应当向三个以上的投标人发出投标邀请书'] });
      if (unknown.length) throw new BiddingError('邀请对象未注册', 400, { invitedCreditCodes: [`以下信用代码未在平台注册：${unknown.join('、')}`] });
      invitedOrgIds = orgs.map((o) => o.id);
    }
    const t = now();
    const tender = await tx.tender.create({
      data: {
        code: input.code,
        name: input.name,
        agentOrgId: orgId,
        createdById: user.id,
        tendererName: input.tendererName,
        method: input.method,
        invitedOrgIds,
        summary: input.summary,
        bidDeadline: deadline,
        depositFen: yuanToFen(input.deposit),
        documentFeeFen: yuanToFen(input.documentFee),
        bidForm: bidForm as unknown as object,
        threshold: input.threshold,
        status: 'draft',
        createdAt: t,
        updatedAt: t,
        sections: {
          create: input.sections.map((s, i) => ({ seq: i + 1, name: s.name, budgetFen: s.budget ? yuanToFen(s.budget) : null })),
        },
        holders: {
          create: [
            { userId: user.id, kind: 'agent', shareIndex: 1 },
            ...supervisorIds.map((id, i) => ({ userId: id, kind: 'supervisor', shareIndex: i + 2 })),
          ],
        },
      },
    });
    await appendAuditEntry(tx, actor, {
      action: 'tender.create',
      objectType: 'tender',
      objectId: tender.id,
      payload: { code: tender.code, name: tender.name, sections: input.sections.length, holders: n, threshold: input.threshold, deadline: deadline.toISOString() },
    });
    return tender;
  });
}

/** What the ceremony page needs: each holder with the certificate their share will be encrypted to. */
export async function ceremonyHolders(tenderId: string) {
  const prisma = await getPrisma();
  const holders = await prisma.keyHolder.findMany({ where: { tenderId }, orderBy: { shareIndex: 'asc' } });
  const users = await prisma.user.findMany({ where: { id: { in: holders.map((h) => h.userId) } }, select: { id: true, displayName: true, role: true } });
  return Promise.all(
    holders.map(async (h) => {
      const u = users.find((x) => x.id === h.userId);
      return { userId: h.userId, shareIndex: h.shareIndex, kind: h.kind, displayName: u?.displayName ?? '（已删除）', cert: await encryptionCertOf(h.userId), hasShare: !!h.encryptedShare };
    }),
  );
}

/**
 * Step 1 of the ceremony: the platform CA certifies the opening public key generated in the
 * agent's browser. The tender stays a draft; a retried ceremony replaces the certificate.
 */
export async function certifyOpeningKey(actor: Actor, user: AgentUser, tenderId: string, input: { spkiB64: string; keyId: string }) {
  const prisma = await getPrisma();
  const tender = await prisma.$transaction((tx) => loadOwnTender(tx, user, tenderId));
  if (tender.status !== 'draft') throw new BiddingError('项目已发布，开标密钥不可更换', 409);
  let spki: Uint8Array;
  try {
    spki = fromBase64(input.spkiB64);
  } catch {
    throw new BiddingError('公钥格式不正确', 400);
  }
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt']);
  } catch {
    throw new BiddingError('公钥格式不正确', 400);
  }
  const alg = publicKey.algorithm as RsaHashedKeyAlgorithm;
  if (alg.modulusLength < 3072) throw new BiddingError('开标密钥须为 RSA 3072 位或以上', 400);
  if (toHex(await keyIdOf(spki)) !== input.keyId) throw new BiddingError('密钥标识与公钥不符', 400);
  const pki = await getPlatformPki();
  const issued = await issueCertificate({
    ca: pki.ca,
    role: 'opening',
    commonName: `开标密钥 ${tender.code}`,
    organization: '江城市公共资源交易中心',
    publicKey,
    // valid well past the opening: bidders decrypt their own bids and auditors re-verify later
    validDays: 3 * 365,
    notBefore: new Date(now().getTime() - 5 * 60_000),
  });
  const info = certInfo(issued.cert);
  await prisma.$transaction(async (tx) => {
    await tx.tender.update({
      where: { id: tender.id },
      data: { openingCertPem: issued.certPem, openingCertSha256: info.sha256, openingKeyId: input.keyId, updatedAt: now() },
    });
    await appendAuditEntry(tx, actor, {
      action: 'tender.opening-cert.issue',
      objectType: 'tender',
      objectId: tender.id,
      payload: { keyId: input.keyId, certSha256: info.sha256, serialHex: info.serialHex },
    });
  });
  return issued.certPem;
}

export interface PublishInput {
  shares: { userId: string; shareIndex: number; encryptedShareB64: string; holderCertSha256: string }[];
}

/** Step 2: store the encrypted shares, publish the notice. Refuses anything incomplete. */
export async function publishTender(actor: Actor, user: AgentUser, tenderId: string, input: PublishInput) {
  const prisma = await getPrisma();
  const tender = await prisma.$transaction((tx) => loadOwnTender(tx, user, tenderId));
  if (tender.status !== 'draft') throw new BiddingError('项目已发布', 409);
  if (!tender.openingCertPem || !tender.openingKeyId) throw new BiddingError('请先完成开标密钥生成', 400);
  const t = now();
  if (tender.bidDeadline.getTime() < t.getTime() + MIN_BIDDING_DAYS * DAY_MS) {
    throw new BiddingError(`投标截止时间距发布不足${MIN_BIDDING_DAYS}日，请修改截止时间后再发布`, 400);
  }
  const holders = await prisma.keyHolder.findMany({ where: { tenderId }, orderBy: { shareIndex: 'asc' } });
  if (input.shares.length !== holders.length) throw new BiddingError('密钥份额数量与持有人数不符', 400);
  const verified: { id: string; userId: string; shareIndex: number; bytes: Uint8Array; certSha256: string; sha: string }[] = [];
  for (const h of holders) {
    const s = input.shares.find((x) => x.userId === h.userId);
    if (!s || s.shareIndex !== h.shareIndex) throw new BiddingError('密钥份额与持有人不对应', 400);
    const cert = (await activeCertificatesOf(h.userId)).find((c) => c.sha256 === s.holderCertSha256);
    if (!cert) throw new BiddingError('持有人证书无效或已注销，请刷新页面后重新生成', 400);
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(s.encryptedShareB64);
      if (bytes.length > 64 * 1024 || !isAddressedTo(bytes, cert.cert)) throw new Error('not addressed');
    } catch {
      throw new BiddingError('密钥份额未按持有人证书加密', 400);
    }
    verified.push({ id: h.id, userId: h.userId, shareIndex: h.shareIndex, bytes, certSha256: cert.sha256, sha: toHex(await sha256(bytes)) });
  }
  const docs = await prisma.tenderDocument.count({ where: { tenderId, amendmentId: null } });
  if (docs === 0) throw new BiddingError('请先上传招标文件', 400);
  const sections = await prisma.tenderSection.findMany({ where: { tenderId }, orderBy: { seq: 'asc' } });
  const notice = noticeText(tender, sections);
  const mails = await prisma.$transaction(async (tx) => {
    const fresh = await tx.tender.findUniqueOrThrow({ where: { id: tenderId } });
    if (fresh.status !== 'draft') throw new BiddingError('项目已发布', 409);
    for (const v of verified) {
      await tx.keyHolder.update({ where: { id: v.id }, data: { encryptedShare: toBase64(v.bytes), holderCertSha256: v.certSha256, encryptedShareSha256: v.sha } });
    }
    await appendAuditEntry(tx, actor, {
      action: 'tender.key-ceremony',
      objectType: 'tender',
      objectId: tenderId,
      payload: {
        keyId: tender.openingKeyId,
        openingCertSha256: tender.openingCertSha256,
        k: tender.threshold,
        n: verified.length,
        generatedIn: 'agent-browser',
        holders: verified.map((v) => ({ userId: v.userId, shareIndex: v.shareIndex, certSha256: v.certSha256, encryptedShareSha256: v.sha })),
      },
    });
    const ann = await publishAnnouncement(tx, { kind: 'tender', title: `${tender.name}招标公告`, body: notice, market: 'bidding', sourceType: 'tender', sourceId: tenderId, publisherId: user.id });
    await tx.tender.update({ where: { id: tenderId }, data: { status: 'published', publishedAt: t, ceremonyAt: t, announcementId: ann.id, updatedAt: t } });
    await appendAuditEntry(tx, actor, {
      action: 'tender.publish',
      objectType: 'tender',
      objectId: tenderId,
      payload: { code: tender.code, announcementId: ann.id, deadline: tender.bidDeadline.toISOString(), openingCertSha256: tender.openingCertSha256 },
    });
    return notifyUsers(
      tx,
      verified.filter((v) => v.userId !== user.id).map((v) => v.userId),
      { title: `您是“${tender.name}”的开标密钥持有人`, body: `项目 ${tender.code} 已发布。开标时（${formatDateTime(tender.bidDeadline)}）请使用您的数字证书解密所持密钥份额。`, link: `/tenders/${tenderId}`, email: true },
    );
  });
  await deliverMails(mails);
}

export function noticeText(
  tender: { code: string; name: string; tendererName: string; method: string; summary: string; bidDeadline: Date; depositFen: number; documentFeeFen: number; openingCertSha256: string | null },
  sections: { seq: number; name: string; budgetFen: number | bigint | null }[],
) {
  return [
    `项目编号：${tender.code}`,
    `招标人：${tender.tendererName}`,
    `招标方式：${METHOD_LABELS[tender.method] ?? tender.method}`,
    `项目概况：${tender.summary}`,
    `标段划分：${sections.map((s) => `第${s.seq}标段 ${s.name}${s.budgetFen != null ? `（最高投标限价 ${formatFenText(s.budgetFen)}）` : ''}`).join('；')}`,
    `招标文件获取：登录本平台在线获取${tender.documentFeeFen > 0 ? `，招标文件费 ${formatFenText(tender.documentFeeFen)}，在线支付` : '，免费'}。`,
    `投标保证金：${tender.depositFen > 0 ? `每标段 ${formatFenText(tender.depositFen)}，在线缴纳或提交银行保函` : '不收取'}。`,
    `投标截止时间及开标时间：${formatDateTime(tender.bidDeadline)}（北京时间，以平台可信时间为准）。投标人须在本平台使用数字证书对投标文件签名、加密后在线递交，逾期送达或未完整送达的投标文件不予受理。开标采用远程不见面方式。`,
    `开标证书指纹（SHA-256）：${tender.openingCertSha256 ?? '—'}`,
  ].join('\n');
}

/** Users to tell about a change: everyone in the organizations that obtained the documents. */
async function documentHolderUsers(tx: Tx, tenderId: string) {
  const holders = await tx.documentHolder.findMany({ where: { tenderId }, select: { orgId: true } });
  if (!holders.length) return [];
  const users = await tx.user.findMany({ where: { organizationId: { in: holders.map((h) => h.orgId) }, active: true }, select: { id: true } });
  return users.map((u) => u.id);
}

export interface AmendInput {
  kind: 'clarification' | 'modification';
  title: string;
  body: string;
  reason: string;
  newDeadline?: string;
  noImpact?: boolean;
}

export async function amendTender(actor: Actor, user: AgentUser, tenderId: string, input: AmendInput) {
  const prisma = await getPrisma();
  const tender = await prisma.$transaction((tx) => loadOwnTender(tx, user, tenderId));
  if (tender.status !== 'published') throw new BiddingError('只有投标中的项目可以发布澄清或修改', 409);
  const t = now();
  let newDeadline = tender.bidDeadline;
  if (input.newDeadline) {
    const d = parseBeijingLocal(input.newDeadline);
    if (!d) throw new BiddingError('时间格式不正确', 400, { newDeadline: ['请选择新的投标截止时间'] });
    if (d.getTime() <= tender.bidDeadline.getTime()) throw new BiddingError('只能顺延', 400, { newDeadline: ['新的截止时间须晚于原截止时间'] });
    newDeadline = d;
  }
  const minDeadline = new Date(t.getTime() + AMENDMENT_NOTICE_DAYS * DAY_MS);
  if (newDeadline.getTime() < minDeadline.getTime() && !input.noImpact) {
    throw new BiddingError('需要顺延投标截止时间', 400, {
      newDeadline: [
        `距投标截止不足${AMENDMENT_NOTICE_DAYS}日。澄清或修改可能影响投标文件编制的，应顺延投标截止时间至 ${formatDateTime(minDeadline)} 以后；确不影响的，请勾选下方声明。`,
      ],
    });
  }
  const mails = await prisma.$transaction(async (tx) => {
    const count = await tx.tenderAmendment.count({ where: { tenderId } });
    const extended = newDeadline.getTime() !== tender.bidDeadline.getTime();
    const body = `${input.body}\n\n原因：${input.reason}${extended ? `\n\n投标截止时间及开标时间顺延至：${formatDateTime(newDeadline)}（原为 ${formatDateTime(tender.bidDeadline)}）。` : ''}`;
    const ann = await publishAnnouncement(tx, {
      kind: 'amendment',
      title: `${tender.name}${input.kind === 'clarification' ? '澄清' : '修改'}公告（第${count + 1}号）`,
      body: `项目编号：${tender.code}\n${input.title}\n\n${body}`,
      market: 'bidding',
      sourceType: 'tender',
      sourceId: tenderId,
      publisherId: user.id,
    });
    const a = await tx.tenderAmendment.create({
      data: { tenderId, seq: count + 1, kind: input.kind, title: input.title, body: input.body, reason: input.reason, oldDeadline: tender.bidDeadline, newDeadline, announcementId: ann.id, createdById: user.id, createdAt: t },
    });
    if (extended) await tx.tender.update({ where: { id: tenderId }, data: { bidDeadline: newDeadline, updatedAt: t } });
    await appendAuditEntry(tx, actor, {
      action: 'tender.amend',
      objectType: 'tender',
      objectId: tenderId,
      payload: { seq: a.seq, kind: input.kind, title: input.title, reason: input.reason, oldDeadline: tender.bidDeadline.toISOString(), newDeadline: newDeadline.toISOString(), noImpact: !!input.noImpact },
    });
    return notifyUsers(tx, await documentHolderUsers(tx, tenderId), {
      title: `“${tender.name}”发布${input.kind === 'clarification' ? '澄清' : '修改'}（第${a.seq}号）`,
      body: `${input.title}${extended ? `。投标截止时间顺延至 ${formatDateTime(newDeadline)}` : ''}。请及时查阅，必要时修改您的投标文件。`,
      link: `/tenders/${tenderId}`,
      kind: 'warning',
      email: true,
    });
  });
  await deliverMails(mails);
}

export async function cancelTender(actor: Actor, user: AgentUser, tenderId: string, reason: string) {
  const prisma = await getPrisma();
  const mails = await prisma.$transaction(async (tx) => {
    const tender = await loadOwnTender(tx, user, tenderId);
    if (!['draft', 'published', 'closed'].includes(tender.status)) throw new BiddingError('该项目当前状态不能终止', 409);
    const t = now();
    let announcementId: string | null = null;
    if (tender.status !== 'draft') {
      const ann = await publishAnnouncement(tx, {
        kind: 'cancellation',
        title: `${tender.name}终止招标公告`,
        body: `项目编号：${tender.code}\n招标人：${tender.tendererName}\n\n本项目终止招标。\n原因：${reason}\n\n已缴纳的招标文件费、投标保证金及银行同期存款利息将依法退还。`,
        market: 'bidding',
        sourceType: 'tender',
        sourceId: tenderId,
        publisherId: user.id,
      });
      announcementId = ann.id;
    }
    await tx.tender.update({ where: { id: tenderId }, data: { status: 'cancelled', cancelledAt: t, cancelReason: reason, updatedAt: t } });
    await tx.bidUpload.updateMany({ where: { tenderId, status: 'receiving' }, data: { status: 'refused', reason: '招标项目已终止', updatedAt: t } });
    await appendAuditEntry(tx, actor, { action: 'tender.cancel', objectType: 'tender', objectId: tenderId, payload: { reason, announcementId, previousStatus: tender.status } });
    return notifyUsers(tx, await documentHolderUsers(tx, tenderId), {
      title: `“${tender.name}”已终止招标`,
      body: `原因：${reason}`,
      link: `/tenders/${tenderId}`,
      kind: 'danger',
      email: true,
    });
  });
  await deliverMails(mails);
}

export async function getTender(tenderId: string) {
  const prisma = await getPrisma();
  return prisma.tender.findUnique({
    where: { id: tenderId },
    include: {
      sections: { orderBy: { seq: 'asc' } },
      documents: { orderBy: { createdAt: 'asc' } },
      amendments: { orderBy: { seq: 'asc' } },
    },
  });
}

export function bidFormOf(tender: { bidForm: unknown }): BidFormField[] {
  return tender.bidForm as BidFormField[];
}

/** The public list: published and later tenders, plus the agent's own drafts. */
export async function listTenders(opts: { orgId?: string | null; mine?: boolean; q?: string; page?: number }) {
  const prisma = await getPrisma();
  const pageSize = 15;
  const page = Math.max(1, opts.page ?? 1);
  const where = opts.mine
    ? { agentOrgId: opts.orgId ?? '__none__' }
    : { status: { not: 'draft' }, ...(opts.q ? { OR: [{ name: { contains: opts.q } }, { code: { contains: opts.q } }] } : {}) };
  const [items, total] = await Promise.all([
    prisma.tender.findMany({ where, orderBy: [{ publishedAt: 'desc' }, { createdAt: 'desc' }], skip: (page - 1) * pageSize, take: pageSize, include: { sections: { select: { id: true } } } }),
    prisma.tender.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function openingCertificateDer(tenderId: string) {
  const prisma = await getPrisma();
  const t = await prisma.tender.findUnique({ where: { id: tenderId }, select: { openingCertPem: true, status: true, code: true } });
  if (!t || !t.openingCertPem || t.status === 'draft') return null;
  return { der: pemToDer(t.openingCertPem), pem: derToPem(pemToDer(t.openingCertPem), 'CERTIFICATE'), code: t.code };
}
