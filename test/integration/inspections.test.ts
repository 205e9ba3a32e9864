// 双随机一公开: two draws from one committed seed, recomputed independently from the stored records;
// exclusions (recent inspection, conflicts of interest) never drawn; results recorded and published.
import { describe, expect, it } from 'vitest';
import { commitSeed, generateSeed, runDraw, verifyDraw, type DrawRecord } from '../../crypto/draw';
import { toHex } from '../../crypto/hash';
import { getPrisma } from '~/db/index.server';
import type { Actor } from '~/modules/audit/audit.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { agencyPurpose, inspectorPurpose } from '~/modules/supervision/inspections-types';
import { agencyCandidates, createInspection, InspectionError, publishInspectionResults, recordInspectionResult, runInspectionDraw } from '~/modules/supervision/inspections.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';
import { agency } from './supervision-fixtures';

useTestDatabase();

const actorOf = (u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor => ({ userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '10.0.0.1', userAgent: 'vitest' });

async function world() {
  const prisma = await getPrisma();
  const agencies = [];
  for (let i = 0; i < 6; i++) agencies.push(await agency());
  const sup = await createUser('supervisor');
  const sups = [sup, await createUser('supervisor'), await createUser('supervisor')];
  // An expert employed by agency 0 and one with a past shareholding in agency 1: both must recuse
  // if their agency is drawn.
  const experts = [];
  for (let i = 0; i < 3; i++) {
    const u = await createUser('expert');
    experts.push(
      await prisma.expert.create({
        data: { userId: u.id, code: `JCZJ-T${i}`, name: `专家${i}`, title: '高级工程师', specialties: ['A01'], region: '江城市', employerName: i === 0 ? agencies[0].agency.name : '某大学', employerCreditCode: i === 0 ? agencies[0].agency.creditCode : '12420100MB0B0099XX', createdAt: now(), updatedAt: now() },
      }),
    );
  }
  await prisma.expertRelation.create({ data: { expertId: experts[1].id, kind: 'shareholder', orgName: agencies[1].agency.name, orgCreditCode: agencies[1].agency.creditCode, endedOn: new Date(now().getTime() - 200 * 86_400_000), createdAt: now() } });
  // Agency 5 was inspected three months ago: listed, not eligible.
  const prev = await prisma.inspection.create({
    data: { no: 'SC2020-99', title: '上次抽查', scope: '范围', agencyCount: 1, inspectorCount: 1, commitment: 'x'.repeat(64), seedHex: 'y', status: 'published', createdById: sup.id, createdAt: now(), drawnAt: new Date(now().getTime() - 90 * 86_400_000) },
  });
  await prisma.inspectionTarget.create({ data: { inspectionId: prev.id, orgId: agencies[5].agency.orgId, orgName: agencies[5].agency.name, inspectorIds: [sup.id], result: 'pass' } });
  return { prisma, agencies, sup, sups, experts };
}

const plan = { title: '第一批中介机构抽查', scope: '执业人员在岗情况与收费', agencyCount: 5, inspectorCount: 4, includeExperts: true, drawInHours: 2 };

describe('double-random inspections', () => {
  it('commits, draws twice from one seed, and every record recomputes independently', async () => {
    const { prisma, agencies, sup, sups } = await world();
    const ins = await createInspection(prisma, actorOf(sup), sup, plan);
    const ann = await prisma.announcement.findUniqueOrThrow({ where: { id: ins.announcementId! } });
    expect(ann.kind).toBe('inspection');
    expect(ann.body).toContain(ins.commitment);
    expect(ann.body).toContain(ins.agencyCandidatesHash!);
    // The seed is sealed at rest, not stored in clear before the draw.
    expect(ins.seedHex).not.toMatch(/^[0-9a-f]{64}$/);

    await expect(runInspectionDraw(prisma, actorOf(sup), ins.id)).rejects.toThrow(/未到公示的抽取时间/);
    advanceClock(3 * 3_600_000);
    await runInspectionDraw(prisma, actorOf(sup), ins.id);
    await expect(runInspectionDraw(prisma, actorOf(sup), ins.id)).rejects.toBeInstanceOf(InspectionError);

    const row = await prisma.inspection.findUniqueOrThrow({ where: { id: ins.id }, include: { targets: true } });
    const a = row.agencyDraw as unknown as DrawRecord;
    const b = row.inspectorDraw as unknown as DrawRecord;
    // Recomputed from the stored JSON only, against the values published before the draw.
    const va = verifyDraw(JSON.parse(JSON.stringify(a)), { commitment: ins.commitment, candidatesHash: ins.agencyCandidatesHash!, purpose: agencyPurpose(ins.no) });
    const vb = verifyDraw(JSON.parse(JSON.stringify(b)), { commitment: ins.commitment, purpose: inspectorPurpose(ins.no) });
    expect(va.ok && vb.ok).toBe(true);
    expect(a.seed).toBe(b.seed);
    expect(commitSeed(a.seed)).toBe(ins.commitment);
    expect(a.outcomeSeed).not.toBe(b.outcomeSeed);

    // The recently inspected agency is listed with its reason and not drawn.
    const recent = agencies[5].agency.creditCode;
    expect(a.candidates.find((c) => c.id === recent)).toMatchObject({ eligible: false, reason: expect.stringContaining('近12个月内已被抽查') });
    expect(a.winners).not.toContain(recent);
    expect(a.winners).toHaveLength(5);
    // All five eligible agencies are drawn, so both conflicted experts must have recused.
    expect(b.candidates.find((c) => c.id === 'JCZJ-T0')).toMatchObject({ eligible: false, reason: expect.stringContaining('工作单位') });
    expect(b.candidates.find((c) => c.id === 'JCZJ-T1')).toMatchObject({ eligible: false, reason: expect.stringContaining('利害关系') });
    expect(b.winners).not.toContain('JCZJ-T0');
    expect(b.winners).not.toContain('JCZJ-T1');
    expect(b.winners).toHaveLength(4);
    expect(new Set(b.winners).size).toBe(4);
    expect(row.targets).toHaveLength(5);
    expect(row.targets[0].inspectorIds).toHaveLength(4);
    // pool: 3 supervisors + 1 unconflicted expert, all drawn
    expect(b.candidates.filter((c) => c.eligible).map((c) => c.id).sort()).toEqual([...b.winners].sort());
    expect(b.winners.filter((w) => w.startsWith('JC-'))).toHaveLength(sups.length);

    // A tampered record (a winner swapped) is rejected.
    const forged = { ...a, winners: [recent, ...a.winners.slice(1)] };
    const vf = verifyDraw(forged, { commitment: ins.commitment, candidatesHash: ins.agencyCandidatesHash! });
    expect(vf.ok).toBe(false);

    const actions = (await prisma.auditEntry.findMany({ where: { objectId: ins.id }, select: { action: true } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['supervision.inspection.create', 'supervision.inspection.draw']));
  });

  it('the same seed gives independent target and inspector outcomes', () => {
    // Over many seeds, the first drawn agency and the first drawn inspector (both from 4 equal
    // candidates) are not correlated: each of the 16 pairs appears about 1/16 of the time.
    const cands = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    const pairs = new Map<string, number>();
    const N = 1600;
    for (let i = 0; i < N; i++) {
      const seed = generateSeed();
      const commitment = commitSeed(seed);
      const x = runDraw({ seed, commitment, candidates: cands, count: 1, purpose: 'inspection:T:agencies' }).winners[0];
      const y = runDraw({ seed: toHex(seed), commitment, candidates: cands, count: 1, purpose: 'inspection:T:inspectors' }).winners[0];
      pairs.set(x + y, (pairs.get(x + y) ?? 0) + 1);
    }
    expect(pairs.size).toBe(16);
    // chi-square with 15 degrees of freedom; 37.7 is the 0.999 quantile.
    const chi = [...pairs.values()].reduce((s, o) => s + (o - N / 16) ** 2 / (N / 16), 0);
    expect(chi).toBeLessThan(37.7);
  });

  it('never draws an excluded agency, over many seeds', async () => {
    const { prisma } = await world();
    const cands = await agencyCandidates(prisma, {}, now());
    const excluded = cands.filter((c) => !c.eligible).map((c) => c.id);
    expect(excluded).toHaveLength(1);
    for (let i = 0; i < 300; i++) {
      const seed = generateSeed();
      const r = runDraw({ seed, commitment: commitSeed(seed), candidates: cands, count: 3, purpose: 'inspection:P:agencies' });
      for (const id of excluded) expect(r.winners).not.toContain(id);
    }
  });

  it('inspectors record results; results are published once all are in', async () => {
    const { prisma, sup } = await world();
    const ins = await createInspection(prisma, actorOf(sup), sup, { ...plan, agencyCount: 2, inspectorCount: 2, includeExperts: false, drawInHours: 0 });
    await runInspectionDraw(prisma, actorOf(sup), ins.id);
    const targets = await prisma.inspectionTarget.findMany({ where: { inspectionId: ins.id } });
    const outsider = await createUser('supervisor');
    const inTeam = targets[0].inspectorIds.includes(outsider.id);
    if (!inTeam) {
      await expect(recordInspectionResult(prisma, actorOf(outsider), outsider, ins.id, { targetId: targets[0].id, result: 'pass', findings: '未发现问题' })).rejects.toMatchObject({ status: 403 });
    }
    await recordInspectionResult(prisma, actorOf(sup), sup, ins.id, { targetId: targets[0].id, result: 'rectify', findings: '执业人员证书过期', rectifyDays: 30 });
    await expect(publishInspectionResults(prisma, actorOf(sup), sup, ins.id)).rejects.toThrow(/未录入结论/);
    await recordInspectionResult(prisma, actorOf(sup), sup, ins.id, { targetId: targets[1].id, result: 'pass', findings: '未发现问题' });
    const ann = await publishInspectionResults(prisma, actorOf(sup), sup, ins.id);
    expect(ann.kind).toBe('inspection');
    expect(ann.body).toContain('责令整改');
    expect(ann.body).toContain(targets[0].orgName);
    const row = await prisma.inspection.findUniqueOrThrow({ where: { id: ins.id } });
    expect(row.status).toBe('published');
    expect(row.resultAnnouncementId).toBe(ann.id);
    await expect(recordInspectionResult(prisma, actorOf(sup), sup, ins.id, { targetId: targets[1].id, result: 'fail', findings: '改结论' })).rejects.toThrow(/不能再修改/);
    const actions = (await prisma.auditEntry.findMany({ where: { action: { startsWith: 'supervision.inspection.' } }, select: { action: true } })).map((e) => e.action);
    expect(actions.filter((x) => x === 'supervision.inspection.result')).toHaveLength(2);
    expect(actions).toContain('supervision.inspection.publish');
  });

  it('refuses a plan larger than the eligible scope, naming the field', async () => {
    const { prisma, sup } = await world();
    const err = await createInspection(prisma, actorOf(sup), sup, { ...plan, agencyCount: 6 }).catch((e) => e);
    expect(err).toBeInstanceOf(InspectionError);
    expect(err.fieldErrors.agencyCount[0]).toContain('5 家');
    expect(await prisma.inspection.count({ where: { no: { not: 'SC2020-99' } } })).toBe(0);
  });
});
