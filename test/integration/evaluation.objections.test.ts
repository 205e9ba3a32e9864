// 异议 to the candidate publicity (docs/decisions/112): answered by the tenderer on the evaluation's
// record before the award, and mirrored in the supervision complaints — statutory answer deadline
// (the centre's 异议 period, 3 days by default), overtime warnings, the supervisors' list — closed
// by the tenderer's answer; supervisors follow it read-only.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { loadAwardPage } from '~/modules/evaluation/access.server';
import { answerObjection, prepareAward, publishCandidates, raiseObjection } from '~/modules/evaluation/award.server';
import { acceptInvitation, aggregateAndReport, createEvaluationPlan, declarationFor, runExpertDraw, saveScore, signReport, submitScores } from '~/modules/evaluation/evaluation.server';
import { reportStatement } from '~/modules/evaluation/types';
import { handleComplaint, listComplaints, withdrawComplaint } from '~/modules/supervision/complaints.server';
import { complaintOvertimeRule } from '~/modules/supervision/rules/complaint-overtime.server';
import { runWarningRules } from '~/modules/supervision/warnings.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';
import { actorFor, ADMIN, createTestExpert, electChair, openedSection, signText } from './evaluation.fixtures';

useTestDatabase();

const DAY = 24 * 3600_000;
const beijingLocal = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

/** An evaluation taken to the candidate publicity through the module functions. */
async function inPublicity() {
  const prisma = await getPrisma();
  const s = await openedSection({ valid: 2, depositFen: 0 });
  for (let i = 0; i < 5; i++) await createTestExpert({ specialty: 'B01' });
  const ev = await createEvaluationPlan(actorFor(s.agent), s.agent, { sectionId: s.sectionId, method: 'lowest_price', specialty: 'B01', expertCount: 5, scheduledAt: beijingLocal(new Date(now().getTime() + DAY)) });
  await runExpertDraw(ADMIN, ev.id);
  const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id } });
  const users = await prisma.user.findMany({ where: { id: { in: members.map((m) => m.userId) } } });
  for (const u of users) await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
  const bids = await prisma.evaluationBid.findMany({ where: { evaluationId: ev.id } });
  for (const u of users) {
    for (const b of bids) await saveScore(actorFor(u), u, ev.id, { evaluationBidId: b.id, points: {}, reject: false });
    await submitScores(actorFor(u), u, ev.id);
  }
  const chairRow = await electChair(ev.id);
  const chairUser = users.find((u) => u.id === chairRow.userId)!;
  await aggregateAndReport(actorFor(chairUser), chairUser, ev.id);
  const sha = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).reportPdfSha256!;
  for (const u of users) await signReport(actorFor(u), u, ev.id, await signText(u, reportStatement(ev.id, sha)));
  await publishCandidates(actorFor(s.agent), s.agent, ev.id, 3);
  return { s, ev, bids };
}

describe('objections to the candidate publicity', () => {
  it('are mirrored in the supervision complaints with the statutory deadline and overtime warnings, and closed by the tenderer’s answer', async () => {
    const prisma = await getPrisma();
    const { s, ev, bids } = await inPublicity();
    const supervisor = await createUser('supervisor');
    const objector = s.bidders[1];
    await raiseObjection(actorFor(objector), objector, ev.id, '第一中标候选人的项目经理同时在其他在建项目任职，请核查。');
    const o = await prisma.awardObjection.findFirstOrThrow({ where: { evaluationId: ev.id } });
    expect(o.complaintId).not.toBeNull();

    // The mirror: an 异议 about this tender, the tenderer's agent as respondent, due at the end (24:00 Beijing time) of the 3rd calendar day.
    const c = await prisma.complaint.findUniqueOrThrow({ where: { id: o.complaintId! } });
    expect(c).toMatchObject({ kind: 'objection', subjectType: 'award', subjectId: s.tenderId, status: 'submitted', respondentOrgId: s.agent.organizationId, complainantUserId: objector.id, complainantOrgId: objector.organizationId, facts: o.text });
    const left = c.answerDueAt.getTime() - c.filedAt.getTime();
    expect(left).toBeGreaterThan(3 * DAY);
    expect(left).toBeLessThanOrEqual(4 * DAY);
    expect(new Date(c.answerDueAt.getTime() + 8 * 3600_000).toISOString().slice(11, 23)).toBe('23:59:59.999');
    expect((await listComplaints(prisma, { status: 'open' })).items.map((x) => x.id)).toContain(c.id);
    expect(await prisma.notification.count({ where: { userId: supervisor.id, link: `/supervision/complaints/${c.id}` } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { action: 'complaint.file', objectId: c.id } })).toBe(1);

    // The award page shows the number and the deadline (a link for supervisors and the objector).
    expect((await loadAwardPage(supervisor, ev.id)).objections[0].complaint).toEqual({ no: c.no, answerDueAt: c.answerDueAt.toISOString(), link: `/supervision/complaints/${c.id}` });
    expect((await loadAwardPage(objector, ev.id)).objections[0].complaint?.link).toBe(`/complaints/${c.id}`);
    expect((await loadAwardPage(s.agent, ev.id)).objections[0].complaint?.link).toBeNull();

    // Supervisors follow it but do not answer in the tenderer's place; it cannot be withdrawn there.
    await expect(handleComplaint(prisma, actorFor(supervisor), c.id, { intent: 'decide', outcome: 'dismissed', reason: '监督人员代为答复的尝试，应被拒绝。', publish: false })).rejects.toMatchObject({ status: 409 });
    await expect(withdrawComplaint(prisma, actorFor(objector), objector.id, c.id)).rejects.toMatchObject({ status: 409 });

    // Past 80 % of the period: yellow; past the deadline: red (the overtime rule, unchanged).
    expect((await runWarningRules(prisma, [complaintOvertimeRule], now())).raised).toBe(0);
    advanceClock(c.answerDueAt.getTime() - now().getTime() - 6 * 3600_000);
    await runWarningRules(prisma, [complaintOvertimeRule], now());
    expect(await prisma.warning.findFirstOrThrow({ where: { ruleId: 'complaint.answer.overtime', subjectId: c.id } })).toMatchObject({ level: 'yellow' });
    advanceClock(7 * 3600_000);
    await runWarningRules(prisma, [complaintOvertimeRule], now());
    expect(await prisma.warning.findFirstOrThrow({ where: { ruleId: 'complaint.answer.overtime', subjectId: c.id } })).toMatchObject({ level: 'red' });

    // No award while it is unanswered (the publicity is over by now).
    await expect(prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids[0].id })).rejects.toThrow(/异议未答复/);

    // The tenderer answers on the record: the mirror is closed with that answer, late, in the log.
    const answer = '经核查，该项目经理原任职项目已竣工验收并办理变更，不存在兼任情形，异议不成立。';
    await answerObjection(actorFor(s.agent), s.agent, ev.id, o.id, answer);
    const closed = await prisma.complaint.findUniqueOrThrow({ where: { id: c.id }, include: { events: { orderBy: { at: 'asc' } } } });
    expect(closed).toMatchObject({ status: 'decided', decisionReason: answer, handlerId: s.agent.id });
    expect(closed.events.map((e) => e.kind)).toEqual(['filed', 'decided']);
    expect(closed.events[1].note).toBe(`招标人答复：${answer}`);
    expect((await prisma.auditEntry.findFirstOrThrow({ where: { action: 'complaint.answer', objectId: c.id } })).payload).toMatchObject({ no: c.no, onTime: false });
    await runWarningRules(prisma, [complaintOvertimeRule], now());
    expect((await prisma.warning.findFirstOrThrow({ where: { ruleId: 'complaint.answer.overtime', subjectId: c.id } })).clearedAt).not.toBeNull();
    expect((await listComplaints(prisma, { status: 'open' })).items.map((x) => x.id)).not.toContain(c.id);
    // Now the award may proceed.
    await expect(prepareAward(actorFor(s.agent), s.agent, ev.id, { evaluationBidId: bids.find((b) => b.priceFen === BigInt(Math.min(...s.prices)))!.id })).resolves.toBeTypeOf('string');
  });
});
