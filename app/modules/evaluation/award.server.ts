// After the evaluation: candidate publicity (中标候选人公示) with objections (异议) answered on the
// record, the award (定标) with signed notices, deposit refunds, and contract filing (合同备案).
//   reported → publicity → awarded → closed
import { canonicalJson } from '../../../crypto/auditlog';
import { CryptoVerifyError } from '../../../crypto/errors';
import { fromBase64, utf8 } from '../../../crypto/hash';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { formatDateTime } from '~/modules/documents/datetime';
import { formatFen } from '~/modules/documents/money';
import { deliverMails, notifyUsers } from '~/modules/notify/notify.server';
import { scheduleDepositRefunds } from '~/modules/payments/orders.server';
import { verifyUserSignature } from '~/modules/pki/user-certs.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { closeLinkedObjection, fileLinkedObjection } from '~/modules/supervision/complaints.server';
import type { Finding, WarningRule } from '~/modules/supervision/warnings.server';
import { EvaluationError, type EvalUser } from './evaluation.server';
import { issueNoticePdf, noticeNoFor } from './report.server';
import type { BidResult } from './results';
import { awardStatement, centiText, METHOD_LABELS } from './types';

const DAY_MS = 24 * 3600_000;
/** 实施条例 第五十四条: publicity of at least 3 days. */
export const MIN_PUBLICITY_DAYS = 3;
/** 招标投标法 第四十六条: the contract within 30 days of the award notice. */
export const CONTRACT_DAYS = 30;
/** 实施条例 第五十七条: deposits returned within 5 days after the contract (losers: of the notice). */
export const REFUND_DAYS = 5;

async function ownEvaluation(tx: Tx, user: EvalUser, evaluationId: string) {
  await tx.$queryRaw`SELECT id FROM "TenderEvaluation" WHERE id = ${evaluationId} FOR UPDATE`;
  const ev = await tx.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  if (!ev) throw new EvaluationError('评标项目不存在', 404);
  const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
  if (!user.organizationId || tender.agentOrgId !== user.organizationId) throw new EvaluationError('只能办理本单位的招标项目', 403);
  const section = await tx.tenderSection.findUniqueOrThrow({ where: { id: ev.sectionId } });
  return { ev, tender, section };
}

export function resultsOf(ev: { results: unknown }): BidResult[] {
  return (Array.isArray(ev.results) ? ev.results : []) as BidResult[];
}

async function bidderUserIds(tx: Tx, evaluationId: string) {
  const bids = await tx.evaluationBid.findMany({ where: { evaluationId }, select: { bidderOrgId: true } });
  const users = await tx.user.findMany({ where: { organizationId: { in: bids.map((b) => b.bidderOrgId) }, active: true }, select: { id: true } });
  return users.map((u) => u.id);
}

// ---------------------------------------------------------------------------------------------
// Candidate publicity and objections

export async function publishCandidates(actor: Actor, user: EvalUser, evaluationId: string, days: number) {
  if (!Number.isInteger(days) || days < MIN_PUBLICITY_DAYS || days > 10) throw new EvaluationError('公示期有误', 400, { days: [`公示期不得少于${MIN_PUBLICITY_DAYS}日，最长10日`] });
  const prisma = await getPrisma();
  const { mails } = await prisma.$transaction(async (tx) => {
    const { ev, tender, section } = await ownEvaluation(tx, user, evaluationId);
    if (ev.state !== 'reported') throw new EvaluationError('评标结束后才能公示中标候选人', 409);
    const cands = resultsOf(ev).filter((r) => r.rank !== null && r.rank <= 3);
    if (cands.length === 0) throw new EvaluationError('没有中标候选人，请依法重新招标', 409);
    const at = now();
    const end = new Date(at.getTime() + days * DAY_MS);
    const members = await tx.evaluationMember.findMany({ where: { evaluationId, status: 'accepted' }, orderBy: { seq: 'asc' } });
    const experts = await tx.expert.findMany({ where: { id: { in: members.map((m) => m.expertId) } }, select: { id: true, name: true } });
    const lines = cands.map((c) => `第${c.rank}名：${c.bidderName}，投标报价 ${formatFen(c.priceFen)}${ev.method === 'comprehensive' ? `，综合得分 ${centiText(c.totalCenti)}` : ''}`);
    const rejected = resultsOf(ev).filter((r) => r.rejected);
    const ann = await publishAnnouncement(tx, {
      kind: 'candidate',
      title: `${tender.name}（第${section.seq}标段）中标候选人公示`,
      body: [
        `项目编号：${tender.code}　招标人：${tender.tendererName}`,
        `评标办法：${METHOD_LABELS[ev.method]}　评标时间：${formatDateTime(ev.startedAt ?? ev.scheduledAt)}`,
        '',
        '中标候选人（按排序）：',
        ...lines,
        '',
        rejected.length ? `被否决的投标：${rejected.map((r) => `${r.bidderName}（${r.rejectReasons.join('；')}）`).join('；')}` : '被否决的投标：无',
        `评标委员会成员：${experts.map((e) => e.name).join('、')}`,
        '',
        `公示期：${formatDateTime(at)} 至 ${formatDateTime(end)}。投标人或者其他利害关系人对评标结果有异议的，应当在公示期内通过本平台向招标人提出（《招标投标法实施条例》第五十四条），招标人自收到异议之日起3日内作出答复；作出答复前，暂停招标投标活动。`,
      ].join('\n'),
      sourceType: 'evaluation',
      sourceId: ev.id,
      publisherId: user.id,
    });
    await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { state: 'publicity', publicityDays: days, publicityStart: at, publicityEnd: end, candidateAnnouncementId: ann.id, updatedAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.publicity.start', objectType: 'evaluation', objectId: ev.id, payload: { announcementId: ann.id, days, publicityEnd: end.toISOString(), candidates: cands.map((c) => ({ bidId: c.bidId, rank: c.rank })) } });
    const mails = await notifyUsers(tx, await bidderUserIds(tx, ev.id), { title: '中标候选人公示', body: `${tender.code} 中标候选人公示至 ${formatDateTime(end)}，如有异议请在公示期内通过平台提出。`, link: `/award/${ev.id}`, email: true });
    return { mails };
  });
  await deliverMails(mails);
}

/** 异议 by a bidder of the section, during the publicity. */
export async function raiseObjection(actor: Actor, user: EvalUser, evaluationId: string, text: string) {
  const body = text.trim();
  if (body.length < 10 || body.length > 2000) throw new EvaluationError('请写明异议事项和理由（10-2000字）', 400, { text: ['请写明异议事项和理由（10-2000字）'] });
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "TenderEvaluation" WHERE id = ${evaluationId} FOR UPDATE`;
    const ev = await tx.tenderEvaluation.findUnique({ where: { id: evaluationId } });
    if (!ev) throw new EvaluationError('评标项目不存在', 404);
    const org = user.organizationId ? await tx.organization.findUnique({ where: { id: user.organizationId } }) : null;
    const opening = await tx.opening.findUnique({ where: { tenderId: ev.tenderId }, select: { id: true } });
    const bid = org && opening ? await tx.openingBid.findFirst({ where: { openingId: opening.id, sectionId: ev.sectionId, bidderOrgId: org.id } }) : null;
    if (!org || !bid) throw new EvaluationError('只有本标段的投标人可以提出异议', 403);
    const at = now();
    if (ev.state !== 'publicity' || !ev.publicityEnd || at >= ev.publicityEnd) throw new EvaluationError('不在公示期内，不能提出异议', 409);
    const seq = ((await tx.awardObjection.aggregate({ where: { evaluationId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
    const section = await tx.tenderSection.findUniqueOrThrow({ where: { id: ev.sectionId } });
    const agentOrg = await tx.organization.findUniqueOrThrow({ where: { id: tender.agentOrgId } });
    // Mirrored in the supervision complaints (docs/decisions/112): statutory deadline, overtime warnings.
    const complaint = await fileLinkedObjection(tx, actor, {
      complainant: { userId: user.id, orgId: org.id, name: org.name, actorName: user.displayName },
      tenderId: tender.id,
      subjectLabel: `${tender.code} ${tender.name}（第${section.seq}标段）中标候选人公示`,
      respondentOrgId: agentOrg.id,
      respondentName: `${tender.tendererName}（代理：${agentOrg.name}）`,
      title: `对${tender.code}第${section.seq}标段评标结果的异议（第${seq}号）`,
      facts: body,
      demands: '请招标人依法答复，答复前暂停招标投标活动。',
    });
    const o = await tx.awardObjection.create({ data: { evaluationId, seq, userId: user.id, orgId: org.id, orgName: org.name, text: body, complaintId: complaint.id, createdAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.objection.raise', objectType: 'evaluation', objectId: evaluationId, payload: { objectionId: o.id, seq, orgId: org.id, complaintNo: complaint.no, answerDueAt: complaint.answerDueAt.toISOString() } });
    const agents = await tx.user.findMany({ where: { organizationId: tender.agentOrgId, active: true }, select: { id: true } });
    await notifyUsers(tx, agents.map((a) => a.id), { title: '收到中标候选人公示异议', body: `${org.name} 对 ${tender.code} 的评标结果提出异议（${complaint.no}），请在 ${formatDateTime(complaint.answerDueAt)} 前答复；答复前暂停定标。`, link: `/award/${evaluationId}`, kind: 'warning' });
  });
}

export async function answerObjection(actor: Actor, user: EvalUser, evaluationId: string, objectionId: string, answer: string) {
  const body = answer.trim();
  if (body.length < 10 || body.length > 2000) throw new EvaluationError('请填写答复内容（10-2000字）', 400, { answer: ['请填写答复内容（10-2000字）'] });
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const { ev } = await ownEvaluation(tx, user, evaluationId);
    const o = await tx.awardObjection.findUnique({ where: { id: objectionId } });
    if (!o || o.evaluationId !== ev.id) throw new EvaluationError('异议不存在', 404);
    if (o.answeredAt) throw new EvaluationError('该异议已答复', 409);
    const at = now();
    await tx.awardObjection.update({ where: { id: o.id }, data: { answer: body, answeredById: user.id, answeredAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.objection.answer', objectType: 'evaluation', objectId: ev.id, payload: { objectionId: o.id, seq: o.seq } });
    if (o.complaintId) await closeLinkedObjection(tx, actor, o.complaintId, body);
    await notifyUsers(tx, [o.userId], { title: '异议已答复', body: '招标人已答复您提出的异议，请登录查看。对答复不服的，可依法向行政监督部门投诉。', link: `/award/${ev.id}` });
  });
}

// ---------------------------------------------------------------------------------------------
// Award (定标): notices prepared, signed by the tenderer, issued

export interface AwardManifest {
  evaluationId: string;
  tenderCode: string;
  sectionSeq: number;
  winner: { orgId: string; name: string; amountFen: number };
  notices: { noticeNo: string; kind: string; orgId: string; name: string; pdfSha256: string }[];
}

export { awardStatement } from './types';

/**
 * Prepares the award to the chosen candidate (normally the first ranked; another needs a reason,
 * 实施条例 第五十五条): renders and platform-signs the notices. Nothing is issued until the
 * tenderer signs the manifest (issueAward). Re-preparing replaces the unsigned drafts.
 */
export async function prepareAward(actor: Actor, user: EvalUser, evaluationId: string, input: { evaluationBidId: string; reason?: string }) {
  const prisma = await getPrisma();
  const pre = await prisma.$transaction((tx) => ownEvaluation(tx, user, evaluationId));
  const { ev, tender, section } = pre;
  const at = now();
  if (ev.state !== 'publicity') throw new EvaluationError('当前阶段不能定标', 409);
  if (!ev.publicityEnd || at < ev.publicityEnd) throw new EvaluationError(`公示期至 ${ev.publicityEnd ? formatDateTime(ev.publicityEnd) : "—"}，公示期满后方可定标`, 409);
  const open = await prisma.awardObjection.count({ where: { evaluationId, answeredAt: null } });
  if (open) throw new EvaluationError(`还有${open}项异议未答复，答复前暂停定标`, 409);
  const results = resultsOf(ev);
  const chosen = results.find((r) => r.bidId === input.evaluationBidId);
  if (!chosen || chosen.rank === null || chosen.rank > 3) throw new EvaluationError('只能从中标候选人中确定中标人', 400, { evaluationBidId: ['只能从中标候选人中确定中标人'] });
  const reason = input.reason?.trim() ?? '';
  if (chosen.rank !== 1 && reason.length < 10) throw new EvaluationError('未确定排名第一的候选人为中标人，须写明理由', 400, { reason: ['排名第一的中标候选人放弃中标、不能履约或被查实存在违法行为的，方可依次确定其他候选人；请写明理由（至少10字）'] });
  const bids = await prisma.evaluationBid.findMany({ where: { evaluationId }, orderBy: { position: 'asc' } });
  const winner = bids.find((b) => b.id === chosen.bidId)!;
  const agent = await prisma.organization.findUnique({ where: { id: tender.agentOrgId } });
  const form = (winner.form ?? {}) as Record<string, unknown>;
  const publicityStart = ev.publicityStart!;
  const contractDueAt = new Date(at.getTime() + CONTRACT_DAYS * DAY_MS);
  const notices: AwardManifest['notices'] = [];
  const rows: { kind: string; noticeNo: string; bidderOrgId: string; bidderName: string; pdfSha256: string; platformSignature: string }[] = [];
  let i = 0;
  for (const b of [winner, ...bids.filter((x) => x.id !== winner.id)]) {
    const kind = b.id === winner.id ? 'award' : 'result';
    const noticeNo = noticeNoFor(tender.code, section.seq, kind, ++i);
    const pdf = await issueNoticePdf({
      kind,
      noticeNo,
      tenderCode: tender.code,
      tenderName: tender.name,
      sectionSeq: section.seq,
      sectionName: section.name,
      tendererName: tender.tendererName,
      agentName: agent?.name ?? '',
      recipientName: b.bidderName,
      winnerName: winner.bidderName,
      amountFen: Number(winner.priceFen),
      durationDays: typeof form.durationDays === 'number' ? form.durationDays : null,
      projectManager: typeof form.projectManager === 'string' ? form.projectManager : null,
      publicityStart,
      publicityEnd: ev.publicityEnd,
      contractDueAt,
      at,
    });
    notices.push({ noticeNo, kind, orgId: b.bidderOrgId, name: b.bidderName, pdfSha256: pdf.sha256 });
    rows.push({ kind, noticeNo, bidderOrgId: b.bidderOrgId, bidderName: b.bidderName, pdfSha256: pdf.sha256, platformSignature: pdf.platformSignature });
  }
  const manifest: AwardManifest = { evaluationId, tenderCode: tender.code, sectionSeq: section.seq, winner: { orgId: winner.bidderOrgId, name: winner.bidderName, amountFen: Number(winner.priceFen) }, notices };
  const manifestText = canonicalJson(manifest);
  await prisma.$transaction(async (tx) => {
    const { ev: locked } = await ownEvaluation(tx, user, evaluationId);
    if (locked.state !== 'publicity') throw new EvaluationError('当前阶段不能定标', 409);
    await tx.awardNotice.deleteMany({ where: { evaluationId, issuedAt: null } });
    for (const r of rows) await tx.awardNotice.create({ data: { evaluationId, ...r, createdAt: at } });
    await tx.tenderEvaluation.update({
      where: { id: evaluationId },
      data: { winnerOrgId: winner.bidderOrgId, winnerName: winner.bidderName, awardAmountFen: winner.priceFen, awardReason: chosen.rank === 1 ? null : reason, awardManifest: manifestText, awardSignature: null, awardCertSha256: null, updatedAt: at },
    });
    await appendAuditEntry(tx, actor, { action: 'evaluation.award.prepare', objectType: 'evaluation', objectId: evaluationId, payload: { winnerOrgId: winner.bidderOrgId, rank: chosen.rank, reason: chosen.rank === 1 ? null : reason, notices: notices.map((n) => ({ noticeNo: n.noticeNo, pdfSha256: n.pdfSha256 })) } });
  });
  return manifestText;
}

/** The tenderer signs the manifest: notices issued, award announced, deposits scheduled for refund, filing opened. */
export async function issueAward(actor: Actor, user: EvalUser, evaluationId: string, signatureB64: string) {
  const prisma = await getPrisma();
  const pre = await prisma.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  if (!pre?.awardManifest) throw new EvaluationError('请先生成中标通知书', 409);
  let certificateId: string;
  try {
    certificateId = (await verifyUserSignature({ userId: user.id, signedData: fromBase64(signatureB64), content: utf8(awardStatement(pre.awardManifest)) })).certificateId;
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw new EvaluationError(`签名验证未通过（${e.code}）：请使用本人有效的数字证书签名`);
    throw e;
  }
  const { mails, sectionId, winnerOrgId, at, tenderCode } = await prisma.$transaction(async (tx) => {
    const { ev, tender, section } = await ownEvaluation(tx, user, evaluationId);
    if (ev.state !== 'publicity' || ev.awardManifest !== pre.awardManifest) throw new EvaluationError('中标通知书已变更，请刷新后重新签署', 409);
    const at = now();
    const cert = await tx.certificate.findUniqueOrThrow({ where: { id: certificateId }, select: { sha256: true } });
    await tx.awardNotice.updateMany({ where: { evaluationId, issuedAt: null }, data: { issuedAt: at } });
    const ann = await publishAnnouncement(tx, {
      kind: 'award',
      title: `${tender.name}（第${section.seq}标段）中标结果公告`,
      body: [
        `项目编号：${tender.code}　招标人：${tender.tendererName}`,
        `中标人：${ev.winnerName}`,
        `中标价：${formatFen(ev.awardAmountFen ?? 0n)}`,
        `评标办法：${METHOD_LABELS[ev.method]}`,
        ev.awardReason ? `说明：${ev.awardReason}` : '',
        `中标通知书发出时间：${formatDateTime(at)}`,
      ]
        .filter(Boolean)
        .join('\n'),
      sourceType: 'evaluation',
      sourceId: ev.id,
      publisherId: user.id,
    });
    await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { state: 'awarded', awardedAt: at, awardSignature: signatureB64, awardCertSha256: cert.sha256, awardAnnouncementId: ann.id, updatedAt: at } });
    await tx.contractFiling.create({ data: { evaluationId: ev.id, dueAt: new Date(at.getTime() + CONTRACT_DAYS * DAY_MS), createdAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.award.issue', objectType: 'evaluation', objectId: ev.id, payload: { winnerOrgId: ev.winnerOrgId, amountFen: ev.awardAmountFen, certificateId, announcementId: ann.id } });
    const notices = await tx.awardNotice.findMany({ where: { evaluationId } });
    const mails = [];
    for (const n of notices) {
      const users = await tx.user.findMany({ where: { organizationId: n.bidderOrgId, active: true }, select: { id: true } });
      mails.push(
        ...(await notifyUsers(tx, users.map((u) => u.id), {
          title: n.kind === 'award' ? '中标通知书' : '中标结果通知书',
          body: n.kind === 'award' ? `恭喜！您单位为 ${tender.code} 的中标人，请在30日内签订合同并办理合同备案。` : `${tender.code} 中标结果已确定，投标保证金将在5日内退还。`,
          link: `/award/${ev.id}`,
          kind: n.kind === 'award' ? 'success' : 'info',
          email: true,
        })),
      );
    }
    return { mails, sectionId: ev.sectionId, winnerOrgId: ev.winnerOrgId!, at, tenderCode: tender.code };
  });
  await deliverMails(mails);
  // Losers' deposits: within 5 days of the notice. The winner's waits for the contract.
  await scheduleDepositRefunds(actor, { refType: 'tender_section', refId: sectionId, keepPayerOrgIds: [winnerOrgId], dueAt: new Date(at.getTime() + REFUND_DAYS * DAY_MS), reason: `${tenderCode} 未中标，退还投标保证金` });
}

// ---------------------------------------------------------------------------------------------
// Contract filing (合同备案)

export interface ContractInput {
  fileSha256: string;
  fileName: string;
  fileSize: number;
  amountFen: number;
  partyAName: string;
  partyBCreditCode: string;
  signedOn: Date;
}

/**
 * Checks the signed contract against the award (招标投标法 第四十六条: no terms departing from the
 * tender and the winning bid): amount equal to the award, parties the tenderer and the winner.
 * Filing after the due date is accepted but marked late (the overdue warning stays on record).
 */
export async function fileContract(actor: Actor, user: EvalUser, evaluationId: string, input: ContractInput) {
  const prisma = await getPrisma();
  const { at, sectionId, tenderCode } = await prisma.$transaction(async (tx) => {
    const { ev, tender } = await ownEvaluation(tx, user, evaluationId);
    const filing = await tx.contractFiling.findUnique({ where: { evaluationId } });
    if (ev.state !== 'awarded' || !filing || filing.status !== 'open') throw new EvaluationError('当前不能办理合同备案', 409);
    const winner = await tx.organization.findUniqueOrThrow({ where: { id: ev.winnerOrgId! } });
    const errors: Record<string, string[]> = {};
    if (ev.awardAmountFen === null || BigInt(input.amountFen) !== ev.awardAmountFen) errors.amount = [`合同金额须与中标价一致（中标价 ${formatFen(ev.awardAmountFen ?? 0n)}）`];
    if (input.partyAName.trim() !== tender.tendererName) errors.partyAName = [`发包人（甲方）须为招标人“${tender.tendererName}”`];
    if (input.partyBCreditCode.trim().toUpperCase() !== winner.creditCode) errors.partyBCreditCode = [`承包人（乙方）须为中标人“${winner.name}”（${winner.creditCode}）`];
    const at = now();
    if (input.signedOn.getTime() < (ev.awardedAt ?? at).getTime() - DAY_MS || input.signedOn.getTime() > at.getTime() + DAY_MS) errors.signedOn = ['签订日期须在中标通知书发出之后、今天或之前'];
    if (Object.keys(errors).length) throw new EvaluationError('合同与中标结果不一致', 400, errors);
    const late = at > filing.dueAt;
    await tx.contractFiling.update({
      where: { id: filing.id },
      data: { status: 'filed', fileSha256: input.fileSha256, fileName: input.fileName.slice(0, 200), fileSize: input.fileSize, amountFen: BigInt(input.amountFen), partyAName: input.partyAName.trim(), partyBName: winner.name, partyBCreditCode: winner.creditCode, signedOn: input.signedOn, filedAt: at, filedById: user.id, late },
    });
    await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { state: 'closed', updatedAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.contract.file', objectType: 'evaluation', objectId: ev.id, payload: { fileSha256: input.fileSha256, amountFen: input.amountFen, partyBCreditCode: winner.creditCode, signedOn: input.signedOn.toISOString(), late } });
    const users = await tx.user.findMany({ where: { organizationId: ev.winnerOrgId!, active: true }, select: { id: true } });
    await notifyUsers(tx, users.map((u) => u.id), { title: '合同已备案', body: `${tender.code} 合同已备案，投标保证金将在5日内退还。`, link: `/award/${ev.id}` });
    return { at, sectionId: ev.sectionId, tenderCode: tender.code };
  });
  // The winner's deposit: within 5 days after the contract (实施条例 第五十七条).
  await scheduleDepositRefunds(actor, { refType: 'tender_section', refId: sectionId, keepPayerOrgIds: [], dueAt: new Date(at.getTime() + REFUND_DAYS * DAY_MS), reason: `${tenderCode} 合同已签订备案，退还中标人投标保证金` });
}

// ---------------------------------------------------------------------------------------------
// Supervision hook: overdue contract filing (a warning rule run by this context's job)

export const contractFilingOverdueRule: WarningRule = {
  id: 'evaluation.contract-overdue',
  name: '合同备案超期',
  level: 'red',
  category: 'overtime',
  description: '中标通知书发出之日起30日内未订立合同并备案（《招标投标法》第四十六条）',
  async evaluate(db, at): Promise<Finding[]> {
    const rows = await db.contractFiling.findMany({ where: { status: 'open', dueAt: { lt: at } }, include: { evaluation: true } });
    const out: Finding[] = [];
    for (const r of rows) {
      const tender = await db.tender.findUnique({ where: { id: r.evaluation.tenderId }, select: { code: true, name: true, agentOrgId: true } });
      out.push({
        subjectType: 'evaluation',
        subjectId: r.evaluationId,
        subjectLabel: `${tender?.code ?? ''} ${tender?.name ?? ''}`,
        title: '中标合同超期未备案',
        detail: `中标通知书发出后应于 ${formatDateTime(r.dueAt)} 前订立合同并备案，至今未备案（中标人：${r.evaluation.winnerName ?? ''}）。`,
        facts: { dueAt: r.dueAt.toISOString(), winnerOrgId: r.evaluation.winnerOrgId },
        link: `/award/${r.evaluationId}`,
        responsibleOrgIds: [tender?.agentOrgId, r.evaluation.winnerOrgId].filter((x): x is string => !!x),
      });
    }
    return out;
  },
};

