// Evaluation and award end to end through the module functions: plan with a committed seed, the
// draw (conflicted expert excluded, recomputed from the record), a refusal replaced from the
// reserves, signed declarations, scoring, rejection by majority, clarification, the report signed
// by every member, publicity with an objection answered, the signed award, deposit refunds and the
// contract checked against the award; plus who may see what.
import { describe, expect, it } from 'vitest';
import { verifyDraw, type DrawRecord } from '../../crypto/draw';
import { getPrisma } from '~/db/index.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { hasEnded, loadAwardPage, loadEvaluationPage, loadScoreSheet } from '~/modules/evaluation/access.server';
import { answerObjection, awardStatement, contractFilingOverdueRule, fileContract, issueAward, prepareAward, publishCandidates, raiseObjection } from '~/modules/evaluation/award.server';
import {
  acceptInvitation,
  aggregateAndReport,
  answerClarification,
  askClarification,
  createEvaluationPlan,
  declarationFor,
  declineInvitation,
  runExpertDraw,
  saveScore,
  signReport,
  submitScores,
  verifyStoredDraw,
} from '~/modules/evaluation/evaluation.server';
import { DEPOSIT_UNPAID_CHECK, DEPOSIT_UNPAID_REASON, reportStatement } from '~/modules/evaluation/types';
import { addRelation } from '~/modules/experts/experts.server';
import { runWarningRules } from '~/modules/supervision/warnings.server';
import { loader as drawJsonLoader } from '~/routes/evaluation.$id.draw[.]json';
import { loader as evaluationLoader } from '~/routes/evaluation.$id';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { actorFor, ADMIN, createTestExpert, electChair, openedSection, signText, type TestExpert } from './evaluation.fixtures';

useTestDatabase();

const DAY = 24 * 3600_000;

function beijingLocal(d: Date) {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

async function library(s: Awaited<ReturnType<typeof openedSection>>, size = 9) {
  const prisma = await getPrisma();
  const bidderOrg = await prisma.organization.findUniqueOrThrow({ where: { id: s.bidders[0].organizationId! } });
  const experts: TestExpert[] = [];
  // One works for a bidder, one had a relation with another bidder last year, one is suspended.
  const conflicted = await createTestExpert({ employerCreditCode: bidderOrg.creditCode, employerName: bidderOrg.name });
  const related = await createTestExpert();
  const otherOrg = await prisma.organization.findUniqueOrThrow({ where: { id: s.bidders[1].organizationId! } });
  await addRelation(ADMIN, related.expertId, { kind: 'former_employer', orgName: otherOrg.name, orgCreditCode: otherOrg.creditCode, endedOn: new Date(now().getTime() - 200 * DAY).toISOString().slice(0, 10) });
  for (let i = 0; i < size; i++) experts.push(await createTestExpert());
  // Another specialty: never part of the pool.
  await createTestExpert({ specialty: 'A04' });
  return { conflicted, related, experts, all: [conflicted, related, ...experts] };
}

async function planAndDraw(s: Awaited<ReturnType<typeof openedSection>>, method: 'comprehensive' | 'lowest_price' = 'comprehensive', specialty = 'A02') {
  const ev = await createEvaluationPlan(actorFor(s.agent), s.agent, {
    sectionId: s.sectionId,
    method,
    specialty,
    expertCount: 5,
    scheduledAt: beijingLocal(new Date(now().getTime() + DAY)),
    priceWeight: 40,
    criteriaText: '技术标=40\n商务标=20',
  });
  await runExpertDraw(ADMIN, ev.id);
  return ev;
}

describe('evaluation and award', () => {
  it('runs from the draw to the filed contract, with every step verifiable', async () => {
    const s = await openedSection({ valid: 3 });
    const lib = await library(s);
    const prisma = await getPrisma();
    const ev = await planAndDraw(s);
    const stored = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } });
    const record = stored.drawRecord as unknown as DrawRecord;

    // The record recomputes, against the commitment published at planning.
    expect(verifyStoredDraw(stored)).toMatchObject({ ok: true });
    expect(verifyDraw(record, { commitment: ev.drawCommitment, purpose: ev.drawPurpose }).ok).toBe(true);
    // Recusals decided before the draw, with reasons, and never drawn.
    const byId = new Map(record.candidates.map((c) => [c.id, c]));
    expect(byId.get(lib.conflicted.expertId)).toMatchObject({ eligible: false, reason: expect.stringContaining('工作单位与投标人') });
    expect(byId.get(lib.related.expertId)).toMatchObject({ eligible: false, reason: expect.stringContaining('曾在该单位任职') });
    expect([...record.winners, ...record.reserves]).not.toContain(lib.conflicted.expertId);
    expect([...record.winners, ...record.reserves]).not.toContain(lib.related.expertId);
    expect(record.candidates).toHaveLength(lib.all.length); // the other specialty is not in the pool
    expect(record.candidates.every((c) => c.label?.startsWith('JCZJ-'))).toBe(true); // codes, not names
    // A tampered record (a conflicted expert made eligible) no longer verifies.
    const forged = structuredClone(record);
    forged.candidates.find((c) => c.id === lib.conflicted.expertId)!.eligible = true;
    delete forged.candidates.find((c) => c.id === lib.conflicted.expertId)!.reason;
    expect(verifyDraw(forged, { commitment: ev.drawCommitment })).toMatchObject({ ok: false, code: 'CANDIDATES_HASH_MISMATCH' });

    const experts = new Map(lib.all.map((e) => [e.expertId, e]));
    let members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id }, orderBy: { seq: 'asc' } });
    expect(members.map((m) => m.expertId)).toEqual(record.winners);

    // The first drawn declines: the first reserve is invited, in record order.
    const declining = experts.get(members[0].expertId)!;
    await expect(declineInvitation(actorFor(declining.user), declining.user, ev.id, '')).rejects.toThrow(/原因/);
    await declineInvitation(actorFor(declining.user), declining.user, ev.id, '出差在外地，不能按时参加');
    members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id, status: { not: 'declined' } }, orderBy: { seq: 'asc' } });
    expect(members).toHaveLength(5);
    expect(members[4]).toMatchObject({ expertId: record.reserves[0], seq: 6 });

    // Before accepting, an invited expert sees no bids.
    const invited = experts.get(members[0].expertId)!;
    expect((await loadEvaluationPage(invited.user, ev.id)).bids).toEqual([]);
    await expect(loadScoreSheet(invited.user, ev.id)).rejects.toMatchObject({ status: 404 });

    // A signature over another text, or by another person's certificate, is refused.
    await expect(acceptInvitation(actorFor(invited.user), invited.user, ev.id, await signText(invited.user, '其他内容'))).rejects.toThrow(/签名验证未通过/);
    const other = experts.get(members[1].expertId)!;
    await expect(acceptInvitation(actorFor(invited.user), invited.user, ev.id, await signText(other.user, await declarationFor(ev.id, invited.userId)))).rejects.toThrow(/签名验证未通过/);
    for (const m of members) {
      const e = experts.get(m.expertId)!;
      await acceptInvitation(actorFor(e.user), e.user, ev.id, await signText(e.user, await declarationFor(ev.id, e.userId)));
    }
    const started = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } });
    expect(started.state).toBe('evaluating');
    // Nobody chairs until the committee elects one.
    expect(await prisma.evaluationMember.count({ where: { evaluationId: ev.id, isChair: true } })).toBe(0);
    const chair = (await electChair(ev.id)).userId;

    // Names sealed from the tenderer and the bidders; visible to members and supervisors.
    const supervisor = await createUser('supervisor');
    expect((await loadEvaluationPage(s.agent, ev.id)).committee).toBeNull();
    expect((await loadEvaluationPage(s.bidders[0], ev.id)).committee).toBeNull();
    expect((await loadEvaluationPage(s.bidders[0], ev.id)).bids).toEqual([]);
    expect((await loadEvaluationPage(supervisor, ev.id)).committee).toHaveLength(6);
    expect((await loadEvaluationPage(invited.user, ev.id)).committee?.map((c) => c.name)).toHaveLength(5);
    expect((await loadEvaluationPage(invited.user, ev.id)).bids).toHaveLength(3);

    const bids = await prisma.evaluationBid.findMany({ where: { evaluationId: ev.id }, orderBy: { position: 'asc' } });
    // A clarification to a bidder, answered in the platform.
    await askClarification(actorFor(invited.user), invited.user, ev.id, { evaluationBidId: bids[1].id, question: '请说明投标报价中暂列金额的构成。' });
    const c = await prisma.clarification.findFirstOrThrow({ where: { evaluationId: ev.id } });
    await expect(answerClarification(actorFor(s.bidders[0]), s.bidders[0], c.id, '不是我方')).rejects.toMatchObject({ status: 404 });
    await answerClarification(actorFor(s.bidders[1]), s.bidders[1], c.id, '暂列金额按招标文件规定计列，共计50万元。');

    // Scores: bid 3 rejected by four of five members; bid 1 gets the best technical marks.
    for (const [i, m] of members.entries()) {
      const e = experts.get(m.expertId)!;
      await expect(saveScore(actorFor(e.user), e.user, ev.id, { evaluationBidId: bids[0].id, points: { c1: '41', c2: '10' }, reject: false })).rejects.toMatchObject({ fieldErrors: { p_c1: ['不能超过40分'] } });
      await saveScore(actorFor(e.user), e.user, ev.id, { evaluationBidId: bids[0].id, points: { c1: '38.5', c2: '18' }, reject: false });
      await saveScore(actorFor(e.user), e.user, ev.id, { evaluationBidId: bids[1].id, points: { c1: '33', c2: String(15 + i) }, reject: false });
      if (i < 4) await saveScore(actorFor(e.user), e.user, ev.id, { evaluationBidId: bids[2].id, points: {}, reject: true, rejectReason: '项目经理资格不符合招标文件要求' });
      else await saveScore(actorFor(e.user), e.user, ev.id, { evaluationBidId: bids[2].id, points: { c1: '30', c2: '12' }, reject: false });
    }
    const chairUser = members.map((m) => experts.get(m.expertId)!.user).find((u) => u.id === chair)!;
    await expect(aggregateAndReport(actorFor(chairUser), chairUser, ev.id)).rejects.toThrow(/未提交评分/);
    for (const m of members) {
      const e = experts.get(m.expertId)!;
      await submitScores(actorFor(e.user), e.user, ev.id);
    }
    const notChair = members.map((m) => experts.get(m.expertId)!.user).find((u) => u.id !== chair)!;
    await expect(aggregateAndReport(actorFor(notChair), notChair, ev.id)).rejects.toThrow(/组长/);
    await aggregateAndReport(actorFor(chairUser), chairUser, ev.id);
    const reported = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } });
    const results = reported.results as unknown as { bidId: string; rank: number | null; rejected: boolean; totalCenti: number | null; priceCenti: number | null }[];
    expect(results.find((r) => r.bidId === bids[2].id)).toMatchObject({ rejected: true, rank: null });
    // Base price = the lower valid price (bid 2): bid 2 gets the full 40 price points.
    expect(results.find((r) => r.bidId === bids[1].id)?.priceCenti).toBe(4000);
    expect(results.find((r) => r.bidId === bids[0].id)?.priceCenti).toBe(Math.floor((2 * 4000 * s.prices[1] + s.prices[0]) / (2 * s.prices[0])));
    expect(results[0]).toMatchObject({ bidId: bids[0].id, rank: 1 });
    expect(reported.reportPdfSha256).toMatch(/^[0-9a-f]{64}$/);

    // Every member signs the report's SHA-256; the last signature ends the evaluation.
    for (const [i, m] of members.entries()) {
      const e = experts.get(m.expertId)!;
      expect(hasEnded((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).state)).toBe(false);
      if (i === 0) await expect(signReport(actorFor(e.user), e.user, ev.id, await signText(e.user, reportStatement(ev.id, '00'.repeat(32))))).rejects.toThrow(/签名验证未通过/);
      await signReport(actorFor(e.user), e.user, ev.id, await signText(e.user, reportStatement(ev.id, reported.reportPdfSha256!)));
    }
    expect((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).state).toBe('reported');
    expect((await loadEvaluationPage(s.agent, ev.id)).committee?.map((m) => m.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);

    // Candidate publicity (at least 3 days), an objection answered on the record.
    await expect(publishCandidates(actorFor(s.agent), s.agent, ev.id, 2)).rejects.toMatchObject({ fieldErrors: { days: [expect.stringContaining('不得少于3日')] } });
    await publishCandidates(actorFor(s.agent), s.agent, ev.id, 3);
    const ann = await prisma.announcement.findFirstOrThrow({ where: { kind: 'candidate', sourceId: ev.id } });
    expect(ann.body).toContain(s.bidders[0].organization!.name);
    await raiseObjection(actorFor(s.bidders[2]), s.bidders[2], ev.id, '我方项目经理具有一级建造师资格，否决理由不成立，请复核。');
    const outsider = await createUser('bidder');
    await expect(raiseObjection(actorFor(outsider), outsider, ev.id, '我不是本标段投标人但想提出异议。')).rejects.toMatchObject({ status: 403 });
    advanceClock(3 * DAY + 60_000);
    await expect(raiseObjection(actorFor(s.bidders[1]), s.bidders[1], ev.id, '公示期已过后才提出的异议内容。')).rejects.toThrow(/不在公示期内/);
    await expect(prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids[0].id })).rejects.toThrow(/异议未答复/);
    const objection = await prisma.awardObjection.findFirstOrThrow({ where: { evaluationId: ev.id } });
    await answerObjection(actorFor(s.agent), s.agent, ev.id, objection.id, '经评标委员会复核，该项目经理注册单位与投标人不一致，否决理由成立。');

    // Award: a candidate other than the first needs a reason; the manifest is signed by the tenderer.
    await expect(prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids[1].id })).rejects.toMatchObject({ fieldErrors: { reason: expect.any(Array) } });
    await expect(prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids[2].id, reason: '被否决的投标不能中标，测试用理由' })).rejects.toThrow(/中标候选人/);
    const manifest = await prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids[0].id });
    await expect(issueAward(actorFor(s.agent), s.agent, ev.id, await signText(s.agent, awardStatement(manifest + ' ')))).rejects.toThrow(/签名验证未通过/);
    await issueAward(actorFor(s.agent), s.agent, ev.id, await signText(s.agent, awardStatement(manifest)));
    const notices = await prisma.awardNotice.findMany({ where: { evaluationId: ev.id } });
    expect(notices.map((n) => n.kind).sort()).toEqual(['award', 'result', 'result']);
    expect(notices.every((n) => n.issuedAt && n.platformSignature.length > 100)).toBe(true);
    expect(await prisma.announcement.count({ where: { kind: 'award', sourceId: ev.id } })).toBe(1);

    // Losers' deposits (including the bid deemed revoked at the opening) are due within 5 days; the winner's is kept.
    const refunds = await prisma.paymentRefund.findMany({ include: { order: true } });
    expect(refunds.map((r) => r.order.payerOrgId).sort()).toEqual([s.bidders[1], s.bidders[2], s.bidders[3]].map((b) => b.organizationId!).sort());
    expect(refunds.every((r) => r.kind === 'deposit_return' && r.dueAt.getTime() - now().getTime() <= 5 * DAY)).toBe(true);

    // The winner sees its award notice; a loser sees only its own result notice.
    expect((await loadAwardPage(s.bidders[0], ev.id)).notices.map((n) => n.kind)).toEqual(['award']);
    expect((await loadAwardPage(s.bidders[1], ev.id)).notices.map((n) => n.kind)).toEqual(['result']);

    // Contract filing, checked against the award.
    const winner = await prisma.organization.findUniqueOrThrow({ where: { id: s.bidders[0].organizationId! } });
    const good = { fileSha256: 'ef'.repeat(32), fileName: '施工合同.pdf', fileSize: 1234, amountFen: s.prices[0], partyAName: s.tendererName, partyBCreditCode: winner.creditCode, signedOn: now() };
    await expect(fileContract(actorFor(s.agent), s.agent, ev.id, { ...good, amountFen: s.prices[0] - 100 })).rejects.toMatchObject({ fieldErrors: { amount: [expect.stringContaining('中标价')] } });
    const loser = await prisma.organization.findUniqueOrThrow({ where: { id: s.bidders[1].organizationId! } });
    await expect(fileContract(actorFor(s.agent), s.agent, ev.id, { ...good, partyBCreditCode: loser.creditCode })).rejects.toMatchObject({ fieldErrors: { partyBCreditCode: expect.any(Array) } });
    await fileContract(actorFor(s.agent), s.agent, ev.id, good);
    expect((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).state).toBe('closed');
    const winnerRefund = await prisma.paymentRefund.findMany({ where: { order: { payerOrgId: s.bidders[0].organizationId! } } });
    expect(winnerRefund).toHaveLength(1);

    // Every step is in the audit log.
    const actions = (await prisma.auditEntry.findMany({ where: { objectType: 'evaluation', objectId: ev.id }, orderBy: { seq: 'asc' } })).map((a) => a.action);
    for (const a of ['evaluation.plan', 'evaluation.draw', 'evaluation.member.decline', 'evaluation.member.replace', 'evaluation.member.accept', 'evaluation.start', 'evaluation.chair.vote', 'evaluation.chair.elect', 'evaluation.clarification.ask', 'evaluation.clarification.answer', 'evaluation.score.save', 'evaluation.score.submit', 'evaluation.aggregate', 'evaluation.report.sign', 'evaluation.end', 'evaluation.publicity.start', 'evaluation.objection.raise', 'evaluation.objection.answer', 'evaluation.award.prepare', 'evaluation.award.issue', 'evaluation.contract.file']) {
      expect(actions, a).toContain(a);
    }
  });

  it('keeps experts to their own evaluation and names sealed on every route until the end', async () => {
    const s1 = await openedSection({ valid: 2 });
    const s2 = await openedSection({ valid: 2 });
    const lib = await library(s1, 10);
    const ev1 = await planAndDraw(s1);
    for (let i = 0; i < 5; i++) await createTestExpert({ specialty: 'A04' });
    const ev2 = await planAndDraw(s2, 'lowest_price', 'A04');
    const prisma = await getPrisma();
    const m1 = await prisma.evaluationMember.findMany({ where: { evaluationId: ev1.id } });
    const outsider = lib.all.find((e) => e.expertId === m1[0].expertId)!;
    // An accepted expert of evaluation 1: evaluation 2's page, scores and bids answer "not found".
    await acceptInvitation(actorFor(outsider.user), outsider.user, ev1.id, await signText(outsider.user, await declarationFor(ev1.id, outsider.userId)));
    await expect(loadEvaluationPage(outsider.user, ev2.id)).rejects.toMatchObject({ status: 404 });
    await expect(loadScoreSheet(outsider.user, ev2.id)).rejects.toMatchObject({ status: 404 });
    const r404 = await evaluationLoader({ request: makeRequest(`/evaluation/${ev2.id}`, { cookie: await sessionCookieFor(outsider.userId) }), params: { id: ev2.id }, context: {} }).catch((e) => e);
    expect((r404 as Response).status).toBe(404);
    expect((await prisma.evaluationMember.count({ where: { evaluationId: ev2.id, expertId: outsider.expertId } }))).toBe(0);
    // A bidder of section 1 cannot see evaluation 2 at all; the tenderer of 1 neither.
    await expect(loadEvaluationPage(s1.bidders[0], ev2.id)).rejects.toMatchObject({ status: 404 });
    await expect(loadEvaluationPage(s1.agent, ev2.id)).rejects.toMatchObject({ status: 404 });

    // Through the route as each role: the tenderer, a bidder and the admin get no names, no record.
    for (const u of [s1.agent, s1.bidders[0], await createUser('admin')]) {
      const cookie = await sessionCookieFor(u.id);
      const page = (await evaluationLoader({ request: makeRequest(`/evaluation/${ev1.id}`, { cookie }), params: { id: ev1.id }, context: {} })) as Awaited<ReturnType<typeof loadEvaluationPage>>;
      expect(page.committee, u.role).toBeNull();
      expect(page.draw.excluded, u.role).toBeNull();
      expect(page.draw.recordAvailable, u.role).toBe(false);
      expect(JSON.stringify(page)).not.toMatch(/专家\d+/);
      const r = await drawJsonLoader({ request: makeRequest(`/evaluation/${ev1.id}/draw.json`, { cookie }), params: { id: ev1.id }, context: {} }).catch((e) => e);
      expect((r as Response).status, u.role).toBe(403);
    }
    const sup = await createUser('supervisor');
    const r = (await drawJsonLoader({ request: makeRequest(`/evaluation/${ev1.id}/draw.json`, { cookie: await sessionCookieFor(sup.id) }), params: { id: ev1.id }, context: {} })) as Response;
    expect(r.status).toBe(200);
    expect(verifyDraw(await r.json(), { commitment: ev1.drawCommitment }).ok).toBe(true);
  });

  it('refuses to score as responsive a bid the opening found without its deposit; the committee rejects it with the system check', async () => {
    const s = await openedSection({ valid: 2 });
    await library(s, 6);
    const prisma = await getPrisma();
    // The opening recorded the second bid as unpaid (no paid order, no verified guarantee).
    const unpaidOpening = await prisma.openingBid.findFirstOrThrow({ where: { sectionId: s.sectionId, position: 2 } });
    await prisma.openingBid.update({ where: { id: unpaidOpening.id }, data: { depositStatus: 'unpaid' } });
    await prisma.openingBid.updateMany({ where: { sectionId: s.sectionId, position: 1 }, data: { depositStatus: 'paid' } });
    const ev = await planAndDraw(s, 'lowest_price');
    const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id, status: 'invited' } });
    const users = await prisma.user.findMany({ where: { id: { in: members.map((m) => m.userId) } } });
    for (const u of users) await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
    const unpaid = await prisma.evaluationBid.findFirstOrThrow({ where: { evaluationId: ev.id, openingBidId: unpaidOpening.id } });
    const paid = await prisma.evaluationBid.findFirstOrThrow({ where: { evaluationId: ev.id, NOT: { id: unpaid.id } } });
    const u = users[0];

    const sheet = await loadScoreSheet(u, ev.id);
    expect(sheet.bids.find((b) => b.id === unpaid.id)?.deposit).toBe('unpaid');
    expect(sheet.bids.find((b) => b.id === paid.id)?.deposit).toBe('paid');
    await expect(saveScore(actorFor(u), u, ev.id, { evaluationBidId: unpaid.id, points: {}, reject: false })).rejects.toMatchObject({ status: 400, fieldErrors: { rejectReason: [DEPOSIT_UNPAID_CHECK] } });
    expect(await prisma.evaluationScore.count({ where: { evaluationBidId: unpaid.id } })).toBe(0);
    await saveScore(actorFor(u), u, ev.id, { evaluationBidId: unpaid.id, points: {}, reject: true, rejectReason: DEPOSIT_UNPAID_REASON });
    await saveScore(actorFor(u), u, ev.id, { evaluationBidId: paid.id, points: {}, reject: false });
    expect(await prisma.evaluationScore.findFirstOrThrow({ where: { evaluationBidId: unpaid.id } })).toMatchObject({ reject: true, rejectReason: DEPOSIT_UNPAID_REASON });
  });

  it('raises a red warning when the contract is not filed within 30 days', async () => {
    const s = await openedSection({ valid: 1, depositFen: 0 });
    const lib = await library(s, 6);
    void lib;
    const prisma = await getPrisma();
    const ev = await planAndDraw(s, 'lowest_price');
    const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id } });
    const users = await prisma.user.findMany({ where: { id: { in: members.map((m) => m.userId) } } });
    for (const u of users) await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
    const bid = await prisma.evaluationBid.findFirstOrThrow({ where: { evaluationId: ev.id } });
    for (const u of users) {
      await saveScore(actorFor(u), u, ev.id, { evaluationBidId: bid.id, points: {}, reject: false });
      await submitScores(actorFor(u), u, ev.id);
    }
    const chair = await electChair(ev.id);
    const chairUser = users.find((u) => u.id === chair.userId)!;
    await aggregateAndReport(actorFor(chairUser), chairUser, ev.id);
    const sha = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).reportPdfSha256!;
    for (const u of users) await signReport(actorFor(u), u, ev.id, await signText(u, reportStatement(ev.id, sha)));
    await publishCandidates(actorFor(s.agent), s.agent, ev.id, 3);
    advanceClock(3 * DAY + 1000);
    const manifest = await prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bid.id });
    await issueAward(actorFor(s.agent), s.agent, ev.id, await signText(s.agent, awardStatement(manifest)));
    await createUser('supervisor');
    expect((await runWarningRules(prisma, [contractFilingOverdueRule], now())).raised).toBe(0);
    advanceClock(31 * DAY);
    expect((await runWarningRules(prisma, [contractFilingOverdueRule], now())).raised).toBe(1);
    const w = await prisma.warning.findFirstOrThrow({ where: { ruleId: 'evaluation.contract-overdue' } });
    expect(w).toMatchObject({ level: 'red', subjectId: ev.id });
    expect((await loadAwardPage(s.agent, ev.id)).contract?.overdue).toBe(true);
  });
});
