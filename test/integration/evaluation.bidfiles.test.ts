// The decrypted bids (docs/decisions/112): the opening keeps the plaintext files of valid bids (the
// bidder's own decryption and the opening-key fallback alike) in the file store; the evaluation
// serves them to the accepted members of THIS committee once the evaluation started, to
// supervisors, and to the tenderer once it ended — every read in the audit log — and refuses
// experts of another tender, bidders, administrators and the public.
import { describe, expect, it } from 'vitest';
import { sha256, toHex, utf8 } from '../../crypto/hash';
import { getPrisma } from '~/db/index.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { loadEvaluationPage } from '~/modules/evaluation/access.server';
import { acceptInvitation, aggregateAndReport, createEvaluationPlan, declarationFor, runExpertDraw, saveScore, signReport, submitScores } from '~/modules/evaluation/evaluation.server';
import { reportStatement } from '~/modules/evaluation/types';
import { readBytes } from '~/modules/files/store.server';
import { endDecryption, grantFallback } from '~/modules/opening/decrypt.server';
import { closeOpening, finalizeRecord, recordBytesFor, signRecord } from '~/modules/opening/record.server';
import { confirmResult, readNext, startOpening } from '~/modules/opening/room.server';
import { loader as bidFileLoader } from '~/routes/evaluation.$id.bids.$fileId';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { actorFor, ADMIN, createTestExpert, electChair, openedSection, signText } from './evaluation.fixtures';
import { bidderDecrypts, handInShare, openingScenario, signedCheckIn, signRecordAs } from './opening.fixtures';

useTestDatabase();

const DAY = 24 * 3600_000;

function beijingLocal(d: Date) {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

async function get(evaluationId: string, fileId: string, user: { id: string } | null, query = '') {
  const cookie = user ? await sessionCookieFor(user.id) : undefined;
  const r = await bidFileLoader({ request: makeRequest(`/evaluation/${evaluationId}/bids/${fileId}${query}`, { cookie }), params: { id: evaluationId, fileId }, context: {} }).catch((e) => e);
  expect(r).toBeInstanceOf(Response);
  return r as Response;
}

/** An opening run for real: bidder 1 decrypts in "its browser", bidder 2's bid is opened with the opening key (fallback), bidder 3's signature is broken. */
async function openedForReal() {
  const s = await openingScenario();
  const id = s.opening.id;
  const [b1, b2, b3] = s.bidders;
  for (const p of [s.host, ...s.supervisors, b1, b2, b3]) await signedCheckIn(p, id);
  await startOpening(actorFor(s.host.user), s.host.user, id);
  await handInShare(s.supervisors[0], s.tender.id, id);
  await handInShare(s.host, s.tender.id, id);
  expect(await bidderDecrypts(b1, id)).toEqual([{ result: 'valid' }]);
  expect(await bidderDecrypts(b3, id)).toEqual([{ result: 'rejected' }]);
  await grantFallback(actorFor(s.host.user), s.host.user, id, { bidId: (await (await getPrisma()).bid.findFirstOrThrow({ where: { tenderId: s.tender.id, bidderOrgId: b2.user.organizationId! } })).id, reason: '投标人所在区域网络中断，非投标人原因' });
  advanceClock(31 * 60_000);
  await endDecryption(actorFor(s.host.user), s.host.user, id);
  await readNext(actorFor(s.host.user), s.host.user, id);
  await readNext(actorFor(s.host.user), s.host.user, id);
  await confirmResult(actorFor(b1.user), b1.user, id);
  await closeOpening(actorFor(s.host.user), s.host.user, id);
  const bytes = await recordBytesFor(id);
  await signRecord(actorFor(s.host.user), s.host.user, id, await signRecordAs(s.host, bytes));
  await signRecord(actorFor(s.supervisors[0].user), s.supervisors[0].user, id, await signRecordAs(s.supervisors[0], bytes));
  await finalizeRecord(actorFor(s.host.user), s.host.user, id);
  return s;
}

describe('decrypted bid files', () => {
  it('are kept at the opening and readable by this committee, supervisors and (after the end) the tenderer only, every read logged', async () => {
    const s = await openedForReal();
    const prisma = await getPrisma();
    const [b1, b2, b3] = s.bidders;
    const obs = await prisma.openingBid.findMany({ where: { openingId: s.opening.id } });
    const ob = (i: number) => obs.find((o) => o.bidderOrgId === s.bidders[i].user.organizationId)!;
    expect(ob(0)).toMatchObject({ result: 'valid', decryptedBy: 'bidder' });
    expect(ob(1)).toMatchObject({ result: 'valid', decryptedBy: 'opening-key' });
    expect(ob(2)).toMatchObject({ result: 'rejected' });

    // The opening kept the plaintext of both valid bids, whoever decrypted them; nothing of the rejected one.
    const files = await prisma.openingBidFile.findMany({ orderBy: { createdAt: 'asc' } });
    expect(files.map((f) => f.openingBidId).sort()).toEqual([ob(0).id, ob(1).id].sort());
    for (const [i, marker] of [[0, 'A'], [1, 'B']] as const) {
      const f = files.find((x) => x.openingBidId === ob(i).id)!;
      const plain = utf8(`%PDF-1.4 投标文件 ${marker} 正文`);
      expect(f).toMatchObject({ name: '投标文件.pdf', seq: 0, size: plain.length, sha256: toHex(await sha256(plain)) });
      expect(Buffer.from(await readBytes(f.sha256)).equals(Buffer.from(plain))).toBe(true);
    }
    const fileOf = (i: number) => files.find((x) => x.openingBidId === ob(i).id)!;

    // The evaluation of this section, and a committee drawn for it.
    for (let i = 0; i < 7; i++) await createTestExpert();
    const agent = s.host.user;
    const ev = await createEvaluationPlan(actorFor(agent), agent, { sectionId: s.section.id, method: 'lowest_price', specialty: 'A02', expertCount: 5, scheduledAt: beijingLocal(new Date(now().getTime() + DAY)) });
    await runExpertDraw(ADMIN, ev.id);
    const members = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id }, orderBy: { seq: 'asc' } });
    const users = await Promise.all(members.map((m) => prisma.user.findUniqueOrThrow({ where: { id: m.userId } })));

    // Another tender's accepted expert (its own committee, another specialty).
    const other = await openedSection({ valid: 1, depositFen: 0 });
    for (let i = 0; i < 5; i++) await createTestExpert({ specialty: 'A04' });
    const ev2 = await createEvaluationPlan(actorFor(other.agent), other.agent, { sectionId: other.sectionId, method: 'lowest_price', specialty: 'A04', expertCount: 5, scheduledAt: beijingLocal(new Date(now().getTime() + DAY)) });
    await runExpertDraw(ADMIN, ev2.id);
    const others = await prisma.user.findMany({ where: { id: { in: (await prisma.evaluationMember.findMany({ where: { evaluationId: ev2.id } })).map((m) => m.userId) } } });
    for (const u of others) await acceptInvitation(actorFor(u), u, ev2.id, await signText(u, await declarationFor(ev2.id, u.id)));
    const outsider = others[0];
    expect((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev2.id } })).state).toBe('evaluating');

    const f1 = fileOf(0);
    // Drawn but not yet declared: no bids.
    expect((await get(ev.id, f1.id, users[0])).status).toBe(403);
    expect((await loadEvaluationPage(users[0], ev.id)).bids).toEqual([]);
    for (const u of users) await acceptInvitation(actorFor(u), u, ev.id, await signText(u, await declarationFor(ev.id, u.id)));
    expect((await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).state).toBe('evaluating');

    // A member of this committee: the PDF inline, or as a download; the page lists the files.
    const page = await loadEvaluationPage(users[0], ev.id);
    expect(page.bids.map((b) => b.files.map((f) => f.name))).toEqual([['投标文件.pdf'], ['投标文件.pdf']]);
    const inline = await get(ev.id, f1.id, users[0]);
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-type')).toBe('application/pdf');
    expect(inline.headers.get('content-disposition')).toMatch(/^inline; .*filename\*=UTF-8''%E6%8A%95%E6%A0%87%E6%96%87%E4%BB%B6\.pdf$/);
    expect(inline.headers.get('x-content-sha256')).toBe(f1.sha256);
    expect(Buffer.from(await inline.arrayBuffer()).toString()).toBe('%PDF-1.4 投标文件 A 正文');
    const dl = await get(ev.id, fileOf(1).id, users[1], '?download=1');
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; /);
    await dl.arrayBuffer();

    // Supervisors read, logged as such.
    const supervisor = await createUser('supervisor');
    const sv = await get(ev.id, f1.id, supervisor);
    expect(sv.status).toBe(200);
    await sv.arrayBuffer();

    // Refused: an expert of another tender (nothing leaks: 404, also through their own evaluation's
    // id), the bidders (their own bid included), another bidder, the centre's administrator, the
    // tenderer before the end, and the public (sent to log in).
    expect((await get(ev.id, f1.id, outsider)).status).toBe(404);
    expect((await get(ev2.id, f1.id, outsider)).status).toBe(404);
    expect((await get(ev.id, f1.id, b1.user)).status).toBe(403);
    expect((await get(ev.id, fileOf(1).id, b2.user)).status).toBe(403);
    expect((await get(ev.id, f1.id, b3.user)).status).toBe(403);
    expect((await get(ev.id, f1.id, await createUser('bidder'))).status).toBe(404);
    expect((await get(ev.id, f1.id, await createUser('admin'))).status).toBe(403);
    expect((await get(ev.id, f1.id, agent)).status).toBe(403);
    const anon = await get(ev.id, f1.id, null);
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toMatch(/^\/login\?redirectTo=/);
    // A file id that is not a bid of this evaluation: 404 for a member too.
    expect((await get(ev.id, 'nope', users[0])).status).toBe(404);

    const reads = await prisma.auditEntry.findMany({ where: { action: 'evaluation.bid-file.read', objectId: ev.id }, orderBy: { seq: 'asc' } });
    expect(reads.map((r) => [r.actorUserId, (r.payload as { reader: string }).reader, (r.payload as { disposition: string }).disposition])).toEqual([
      [users[0].id, 'member', 'inline'],
      [users[1].id, 'member', 'attachment'],
      [supervisor.id, 'supervisor', 'inline'],
    ]);
    expect(reads[0].payload).toMatchObject({ sha256: f1.sha256, bidderOrgId: b1.user.organizationId, name: '投标文件.pdf' });
    // The log holds the file's hash, never its contents.
    expect(JSON.stringify(reads.map((r) => r.payload))).not.toContain('投标文件 A');

    // After the evaluation ends, the tenderer may read the bids.
    const bids = await prisma.evaluationBid.findMany({ where: { evaluationId: ev.id } });
    for (const u of users) {
      for (const b of bids) await saveScore(actorFor(u), u, ev.id, { evaluationBidId: b.id, points: {}, reject: false });
      await submitScores(actorFor(u), u, ev.id);
    }
    const chair = await electChair(ev.id);
    const chairUser = users.find((u) => u.id === chair.userId)!;
    await aggregateAndReport(actorFor(chairUser), chairUser, ev.id);
    const sha = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } })).reportPdfSha256!;
    for (const u of users) await signReport(actorFor(u), u, ev.id, await signText(u, reportStatement(ev.id, sha)));
    const after = await get(ev.id, f1.id, agent);
    expect(after.status).toBe(200);
    await after.arrayBuffer();
    expect((await get(ev.id, f1.id, b1.user)).status).toBe(403);
    expect(await prisma.auditEntry.count({ where: { action: 'evaluation.bid-file.read', objectId: ev.id, actorUserId: agent.id } })).toBe(1);
  });
});
