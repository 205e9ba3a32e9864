// The committee after the draw: 补抽 (a redraw when refusals exhaust the reserves) from a seed
// committed the moment they ran out, recomputable from its record, conflicts excluded, logged;
// and 组长推选 (the members elect the chair: majority, or most votes, a tie to the one drawn first).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifyDraw, type DrawRecord } from '../../crypto/draw';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { loadEvaluationPage } from '~/modules/evaluation/access.server';
import { tallyChairElection } from '~/modules/evaluation/chair';
import {
  acceptInvitation,
  aggregateAndReport,
  createEvaluationPlan,
  declarationFor,
  declineInvitation,
  runExpertDraw,
  runRedraw,
  saveScore,
  submitScores,
  verifyStoredRedraw,
  voteChair,
} from '~/modules/evaluation/evaluation.server';
import { pathOf } from '~/modules/files/store.server';
import { action as evaluationAction } from '~/routes/evaluation.$id';
import { useTestDatabase } from '../setup/db';
import { createUser, formBody, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { actorFor, ADMIN, createTestExpert, openedSection, signText } from './evaluation.fixtures';

useTestDatabase();

const DAY = 24 * 3600_000;
const beijingLocal = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

async function plan(s: Awaited<ReturnType<typeof openedSection>>, specialty: string) {
  return createEvaluationPlan(actorFor(s.agent), s.agent, { sectionId: s.sectionId, method: 'lowest_price', specialty, expertCount: 5, scheduledAt: beijingLocal(new Date(now().getTime() + DAY)) });
}

async function userOf(userId: string) {
  return (await getPrisma()).user.findUniqueOrThrow({ where: { id: userId } });
}

async function declineNextInvited(evaluationId: string, why = '当日另有评审任务') {
  const prisma = await getPrisma();
  const m = await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId, status: 'invited' }, orderBy: { seq: 'asc' } });
  const u = await userOf(m.userId);
  await declineInvitation(actorFor(u), u, evaluationId, why);
  return m;
}

describe('补抽 (redraw after the reserves run out)', () => {
  it('commits a seed when the reserves run out, then draws the vacancy verifiably, excluding conflicts and everyone already drawn', async () => {
    const prisma = await getPrisma();
    const s = await openedSection({ valid: 2, depositFen: 0 });
    const bidderOrg = await prisma.organization.findUniqueOrThrow({ where: { id: s.bidders[0].organizationId! } });
    // 7 eligible (5 + 2 reserves) and one who works for a bidder.
    await createTestExpert({ specialty: 'A06', employerCreditCode: bidderOrg.creditCode, employerName: bidderOrg.name });
    for (let i = 0; i < 7; i++) await createTestExpert({ specialty: 'A06' });
    const ev = await plan(s, 'A06');
    await runExpertDraw(ADMIN, ev.id);
    const first = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).drawRecord as unknown as DrawRecord;
    expect(first.reserves).toHaveLength(2);

    // Two refusals take the reserves; nothing to redraw yet.
    await declineNextInvited(ev.id);
    await declineNextInvited(ev.id);
    expect(await prisma.expertRedraw.count({ where: { evaluationId: ev.id } })).toBe(0);
    const admin = await createUser('admin');
    expect((await loadEvaluationPage(admin, ev.id)).canRedraw).toBe(false);
    // The third runs them out: the round's seed is committed at once, and published.
    const third = await declineNextInvited(ev.id);
    const round = await prisma.expertRedraw.findFirstOrThrow({ where: { evaluationId: ev.id } });
    expect(round).toMatchObject({ round: 1, drawnAt: null, record: null, purpose: `${ev.drawPurpose}:redraw-1` });
    const commitEntry = await prisma.auditEntry.findFirstOrThrow({ where: { action: 'evaluation.redraw.commit', objectId: ev.id } });
    expect(commitEntry.payload).toMatchObject({ round: 1, commitment: round.commitment });
    const agentPage = await loadEvaluationPage(s.agent, ev.id);
    expect(agentPage.canRedraw).toBe(true);
    expect(agentPage.draw.redraws).toEqual([expect.objectContaining({ round: 1, commitment: round.commitment, drawnAt: null, recordAvailable: false })]);
    expect(JSON.stringify(agentPage)).not.toContain(round.seed);
    expect((await loadEvaluationPage(s.bidders[0], ev.id)).canRedraw).toBe(false);
    // The agent and the admins were told.
    expect(await prisma.notification.count({ where: { userId: s.agent.id, title: { contains: '请补抽' } } })).toBe(1);

    // Nobody eligible left in the library: refused, nothing drawn.
    await expect(runRedraw(actorFor(s.agent), s.agent, ev.id)).rejects.toThrow(/符合条件的专家不足（需要补抽1名，符合条件0名）/);
    // The centre adds two experts: one works for a bidder (must recuse), one does not.
    const conflicted = await createTestExpert({ specialty: 'A06', employerCreditCode: bidderOrg.creditCode, employerName: bidderOrg.name });
    const fresh = await createTestExpert({ specialty: 'A06' });
    // Only the agent of this tender or a centre administrator may redraw.
    const otherAgent = await createUser('tenderer');
    await expect(runRedraw(actorFor(otherAgent), otherAgent, ev.id)).rejects.toMatchObject({ status: 403 });
    await expect(runRedraw(actorFor(s.bidders[0]), s.bidders[0], ev.id)).rejects.toMatchObject({ status: 403 });

    // The agent presses 补抽专家 (the evaluation page's action).
    const res = (await evaluationAction({ request: makeRequest(`/evaluation/${ev.id}`, { method: 'POST', body: formBody({ intent: 'redraw' }), cookie: await sessionCookieFor(s.agent.id) }), params: { id: ev.id }, context: {} })) as { ok?: string };
    expect(res.ok).toContain('补抽完成');
    const drawn = await prisma.expertRedraw.findFirstOrThrow({ where: { evaluationId: ev.id } });
    const record = drawn.record as unknown as DrawRecord;
    // Recomputed from the record against the commitment published when the reserves ran out.
    expect(verifyStoredRedraw(drawn)).toMatchObject({ ok: true });
    expect(verifyDraw(record, { commitment: (commitEntry.payload as { commitment: string }).commitment, purpose: `${ev.drawPurpose}:redraw-1` }).ok).toBe(true);
    expect(record.winners).toEqual([fresh.expertId]);
    const byId = new Map(record.candidates.map((c) => [c.id, c]));
    expect(byId.get(conflicted.expertId)).toMatchObject({ eligible: false, reason: expect.stringContaining('工作单位与投标人') });
    const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id }, orderBy: { seq: 'asc' } });
    for (const m of members.filter((x) => x.expertId !== fresh.expertId)) expect(byId.get(m.expertId)).toMatchObject({ eligible: false });
    expect(byId.get(third.expertId)?.reason).toBe('已拒绝参加本项目评标');
    // The new member fills the third refusal's place and is invited.
    expect(members.at(-1)).toMatchObject({ expertId: fresh.expertId, seq: 8, status: 'invited', replacesMemberId: third.id });
    expect(members.filter((m) => m.status !== 'declined')).toHaveLength(5);
    // A forged record (the conflicted expert made eligible) does not verify.
    const forged = structuredClone(record);
    forged.candidates.find((c) => c.id === conflicted.expertId)!.eligible = true;
    delete forged.candidates.find((c) => c.id === conflicted.expertId)!.reason;
    expect(verifyDraw(forged, { commitment: drawn.commitment }).ok).toBe(false);
    // Logged after the commitment, by the agent; nothing left to redraw.
    const drawEntry = await prisma.auditEntry.findFirstOrThrow({ where: { action: 'evaluation.redraw', objectId: ev.id } });
    expect(drawEntry.seq > commitEntry.seq).toBe(true);
    expect(drawEntry).toMatchObject({ actorUserId: s.agent.id, payload: expect.objectContaining({ round: 1, commitment: drawn.commitment, candidatesHash: record.candidatesHash, count: 1 }) });
    await expect(runRedraw(ADMIN, admin, ev.id)).rejects.toThrow(/没有需要补抽的名额/);
    // Supervisors see the round's exclusions; the new expert can accept like any member.
    const sup = await createUser('supervisor');
    expect((await loadEvaluationPage(sup, ev.id)).draw.redraws[0]).toMatchObject({ round: 1, vacancies: 1, recordAvailable: true, excluded: expect.arrayContaining([expect.objectContaining({ code: conflicted.code })]) });
    for (const m of members.filter((x) => x.status === 'invited')) {
      const u = await userOf(m.userId);
      await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
    }
    expect((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).state).toBe('evaluating');

    expect(await prisma.expertRedraw.count({ where: { evaluationId: ev.id } })).toBe(1);
  });
});

describe('组长推选 (the committee elects its chair)', () => {
  it('decides by strict majority at once, else by most votes once all voted, a tie to the one drawn first', () => {
    const m = (voteFor: (string | null)[]) => voteFor.map((v, i) => ({ id: `m${i + 1}`, seq: i + 1, voteFor: v }));
    expect(tallyChairElection(m(['m3', 'm3', null, 'm3', null]))).toMatchObject({ chairMemberId: 'm3', rule: 'majority', cast: 3 });
    expect(tallyChairElection(m(['m3', 'm3', null, 'm2', null]))).toMatchObject({ chairMemberId: null, rule: null });
    // All voted, 2-2-1: the tied m2 and m4, m2 was drawn first.
    expect(tallyChairElection(m(['m4', 'm2', 'm4', 'm2', 'm1']))).toMatchObject({ chairMemberId: 'm2', chairSeq: 2, rule: 'tie' });
    // All voted, 2-1-1-1 among five: most votes without a majority.
    expect(tallyChairElection(m(['m5', 'm5', 'm1', 'm2', 'm3']))).toMatchObject({ chairMemberId: 'm5', rule: 'plurality' });
    // Order of input does not matter; draw order does.
    expect(tallyChairElection(m(['m4', 'm2', 'm4', 'm2', 'm1']).reverse()).chairMemberId).toBe('m2');
  });

  it('lets each accepted member vote once in the platform, records the tally, and only the elected chair aggregates', async () => {
    const prisma = await getPrisma();
    const s = await openedSection({ valid: 1, depositFen: 0 });
    for (let i = 0; i < 7; i++) await createTestExpert({ specialty: 'A07' });
    const ev = await plan(s, 'A07');
    await runExpertDraw(ADMIN, ev.id);
    const declined = await declineNextInvited(ev.id);
    const invited = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id, status: 'invited' }, orderBy: { seq: 'asc' } });
    const users = await Promise.all(invited.map((m) => userOf(m.userId)));
    // Not before everyone declared (the evaluation has not started).
    await acceptInvitation(actorFor(users[0]), users[0], ev.id, await signText(users[0], await declarationFor(ev.id, users[0].id)));
    await expect(voteChair(actorFor(users[0]), users[0], ev.id, invited[0].id)).rejects.toThrow(/当前阶段不能推选组长/);
    for (const u of users.slice(1)) await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
    expect(await prisma.evaluationMember.count({ where: { evaluationId: ev.id, isChair: true } })).toBe(0);

    // Scores in; nobody may aggregate before a chair is elected.
    const bid = await prisma.evaluationBid.findFirstOrThrow({ where: { evaluationId: ev.id } });
    for (const u of users) {
      await saveScore(actorFor(u), u, ev.id, { evaluationBidId: bid.id, points: {}, reject: false });
      await submitScores(actorFor(u), u, ev.id);
    }
    await expect(aggregateAndReport(actorFor(users[0]), users[0], ev.id)).rejects.toThrow(/尚未推选组长/);

    // Refused: a vote for the member who declined, a vote by an outsider.
    await expect(voteChair(actorFor(users[0]), users[0], ev.id, declined.id)).rejects.toMatchObject({ fieldErrors: { candidate: expect.any(Array) } });
    const outsider = await createUser('expert');
    await expect(voteChair(actorFor(outsider), outsider, ev.id, invited[0].id)).rejects.toMatchObject({ status: 403 });

    // Votes by draw order of the voter: [→3rd, →2nd, →3rd, →2nd, →1st]: a 2-2 tie, the 2nd wins.
    const plan5 = [2, 1, 2, 1, 0];
    for (const [i, u] of users.entries()) {
      const r = await voteChair(actorFor(u), u, ev.id, invited[plan5[i]].id);
      expect(r.chairMemberId).toBe(i < 4 ? null : invited[1].id);
      if (i === 0) await expect(voteChair(actorFor(u), u, ev.id, invited[0].id)).rejects.toThrow(/您已投票/);
    }
    const stored = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } });
    expect(stored.chairElectedAt).not.toBeNull();
    expect(stored.chairElection).toMatchObject({ rule: 'tie', chairSeq: invited[1].seq, cast: 5, members: 5 });
    const chair = await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId: ev.id, isChair: true } });
    expect(chair.id).toBe(invited[1].id);
    // The member drawn first did not become chair by being first.
    expect(chair.seq).not.toBe(invited[0].seq);

    // Members and supervisors see the tally with names; the tenderer sees nothing of it before the end.
    const page = await loadEvaluationPage(users[0], ev.id);
    expect(page.election).toMatchObject({ rule: 'tie', cast: 5, members: 5, myVoteMemberId: invited[2].id, chairVotes: 2 });
    expect(page.election?.tally?.map((t) => t.votes)).toEqual([1, 2, 2, 0, 0]);
    expect((await loadEvaluationPage(s.agent, ev.id)).election?.tally).toBeNull();
    expect((await loadEvaluationPage(s.agent, ev.id)).election?.chairName).toBeNull();

    // Only the elected chair aggregates; the report records the election.
    await expect(aggregateAndReport(actorFor(users[0]), users[0], ev.id)).rejects.toThrow(/只有评标委员会组长/);
    const chairUser = users[1];
    await aggregateAndReport(actorFor(chairUser), chairUser, ev.id);
    const sha = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).reportPdfSha256!;
    const text = execFileSync('pdftotext', ['-layout', pathOf(sha), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    const chairName = (await prisma.expert.findUniqueOrThrow({ where: { id: chair.expertId } })).name;
    expect(text).toContain(`评标委员会组长由全体成员在平台推选产生：${chairName}全体5名成员投票，得票最多者票数相同（各2票），按抽取顺序由排序在先者担任，当选组长。`);
    const actions = (await prisma.auditEntry.findMany({ where: { objectId: ev.id, action: { startsWith: 'evaluation.chair.' } }, orderBy: { seq: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['evaluation.chair.vote', 'evaluation.chair.vote', 'evaluation.chair.vote', 'evaluation.chair.vote', 'evaluation.chair.vote', 'evaluation.chair.elect']);
  });
});
