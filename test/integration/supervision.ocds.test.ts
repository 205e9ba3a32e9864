// OCDS 1.1.5: every package the platform produces validates against the official schema (Ajv,
// draft-04) with zero errors — for fixtures covering every state mapping and for the demo seed —
// and confidential data never appears in it.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { getDatabase, getPrisma } from '~/db/index.server';
import { now, setClock } from '~/modules/clock/clock.server';
import { processPackage, releasePackagePage, PAGE_SIZE } from '~/modules/publish/ocds.server';
import { seedDemo } from '../../prisma/seed/seed';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';
import { activeBid, agency, marketItem, tender } from './supervision-fixtures';

useTestDatabase();

const DIR = path.resolve('..', 'shared', 'conformance', 'ocds-1.1.5');
const present = fs.existsSync(path.join(DIR, 'release-package-schema.json'));
if (!present) console.log(`OCDS conformance data not found at ${DIR}: schema validation skipped`);

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // RFC 3339 date-time and absolute URIs, as the schema's "format" keywords require.
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  const release = JSON.parse(fs.readFileSync(path.join(DIR, 'release-schema.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(DIR, 'release-package-schema.json'), 'utf8'));
  ajv.addSchema(release, 'https://standard.open-contracting.org/schema/1__1__5/release-schema.json');
  return ajv.compile(pkg);
}

function expectValid(validate: ReturnType<typeof validator>, pkg: unknown, label: string) {
  const ok = validate(pkg);
  expect(validate.errors ?? [], `${label}: ${JSON.stringify(validate.errors?.slice(0, 5))}`).toEqual([]);
  expect(ok).toBe(true);
}

const DAY = 86_400_000;

async function fixtures() {
  const prisma = await getPrisma();
  setClock(new Date('2026-03-02T09:00:00+08:00'));
  const item = await marketItem();
  const agencies = [await agency(), await agency(), await agency()];
  const owner = await createUser('owner');
  const statuses = ['published', 'closed', 'scoring', 'announced', 'awarded', 'failed', 'cancelled'];
  const orderStatus = ['contracting', 'in_progress', 'submitted', 'accepted', 'cancelled'];
  let k = 0;
  for (const status of statuses) {
    for (const method of ['direct', 'draw', 'price', 'compare']) {
      k++;
      const won = ['announced', 'awarded'].includes(status);
      const p = await prisma.purchase.create({
        data: {
          code: `CG2026-${String(k).padStart(4, '0')}`,
          ownerOrgId: owner.organizationId!,
          ownerUserId: owner.id,
          projectName: `采购项目${k}`,
          projectCode: '2026-420100-48-01-000001',
          itemId: item.id,
          budgetFen: 300_000,
          requiredQualType: '测绘资质',
          requiredQualLevel: '乙级',
          description: '采购需求',
          method,
          signupStart: now(),
          signupEnd: new Date(now().getTime() + 3 * DAY),
          selectAt: new Date(now().getTime() + 3 * DAY),
          status,
          winnerAgencyId: won ? agencies[0].agency.id : null,
          winningFeeFen: won ? 280_000 : null,
          resultAt: won ? now() : null,
          publishedAt: now(),
          updatedAt: now(),
        },
      });
      for (const a of agencies) await prisma.signup.create({ data: { purchaseId: p.id, agencyId: a.agency.id, userId: a.user.id, at: now() } });
      if (status === 'awarded') {
        await prisma.serviceOrder.create({
          data: { code: `DD-${k}`, purchaseId: p.id, ownerOrgId: owner.organizationId!, agencyId: agencies[0].agency.id, itemId: item.id, feeFen: 280_000, timeLimitDays: 5, status: orderStatus[k % orderStatus.length], startedAt: now(), createdAt: now(), ownerSignedAt: now(), agencySignedAt: now() },
        });
      }
    }
  }
  // Tenders: before the deadline (bids secret), opened (tenderers public), awarded with a filed contract, cancelled.
  const bidders = [await createUser('bidder', { orgName: '秘密投标人甲公司' }), await createUser('bidder', { orgName: '秘密投标人乙公司' })];
  const open = await tender({ status: 'published' });
  const opened = await tender({ status: 'opened', bidDeadline: new Date(now().getTime() - DAY) });
  const awarded = await tender({ status: 'opened', bidDeadline: new Date(now().getTime() - 10 * DAY), sections: 1 });
  const cancelled = await tender({ status: 'cancelled' });
  for (const t of [open, opened, awarded, cancelled]) await prisma.tender.update({ where: { id: t.id }, data: { publishedAt: new Date(now().getTime() - 20 * DAY) } });
  await prisma.tender.create({ data: { code: 'DRAFT-1', name: '草稿项目', agentOrgId: 'x', createdById: 'x', tendererName: 'x', method: 'open', summary: 'x', bidDeadline: now(), bidForm: [], status: 'draft', createdAt: now(), updatedAt: now() } });
  for (const t of [open, opened, awarded]) for (const b of bidders) await activeBid(t, b.organizationId!, b.id);
  const ev = await prisma.tenderEvaluation.create({
    data: {
      tenderId: awarded.id, sectionId: awarded.sections[0].id, method: 'comprehensive', criteria: [], specialty: 'A01', expertCount: 5, reserveCount: 2, scheduledAt: now(), state: 'awarded', drawSeed: '00'.repeat(32), drawCommitment: 'c', drawPurpose: 'p', committedAt: now(),
      awardedAt: now(), winnerOrgId: bidders[1].organizationId, winnerName: '秘密投标人乙公司', awardAmountFen: 12_345_600, createdById: 'x', createdAt: now(), updatedAt: now(),
    },
  });
  await prisma.contractFiling.create({ data: { evaluationId: ev.id, dueAt: now(), status: 'filed', amountFen: 12_345_600, signedOn: now(), filedAt: now(), createdAt: now() } });
  return { open, opened, awarded, cancelled };
}

describe('OCDS publication', () => {
  it.skipIf(!present)('every package for every state mapping validates with zero errors', async () => {
    const validate = validator();
    const t = await fixtures();
    const prisma = await getPrisma();
    const first = await releasePackagePage(prisma, 1, now());
    expect(first.total).toBe(28 + 4);
    expectValid(validate, first.package, 'page 1');
    for (const ref of [t.open.code, t.opened.code, t.awarded.code, t.cancelled.code, ...(await prisma.purchase.findMany()).map((p) => p.code)]) {
      const pkg = await processPackage(prisma, ref, now());
      expect(pkg, ref).not.toBeNull();
      expectValid(validate, pkg, ref);
    }
    const awarded = (await processPackage(prisma, t.awarded.code, now()))!.releases as { tag: string[]; tender: { status: string }; awards: unknown[]; contracts: unknown[] }[];
    expect(awarded[0].tag).toEqual(['tender', 'award', 'contract']);
    expect(awarded[0].tender.status).toBe('complete');
    expect((await processPackage(prisma, 'DRAFT-1', now()))).toBeNull();
  });

  it('publishes who bid only after the opening, and never bid contents', async () => {
    const t = await fixtures();
    const prisma = await getPrisma();
    const before = JSON.stringify(await processPackage(prisma, t.open.code, now()));
    expect(before).not.toContain('秘密投标人');
    expect(before).not.toContain('numberOfTenderers');
    const after = JSON.parse(JSON.stringify(await processPackage(prisma, t.opened.code, now())));
    expect(after.releases[0].tender.numberOfTenderers).toBe(2);
    expect(JSON.stringify(after)).toContain('秘密投标人甲公司');
    for (const secret of ['envelopeSha256', '"submission"', 'drawSeed', 'eeeeeeeeeeeeeeee']) expect(JSON.stringify(after)).not.toContain(secret);
    // A purchase still open for sign-up does not show who signed up.
    const openPurchase = await prisma.purchase.findFirstOrThrow({ where: { status: 'published' } });
    expect(JSON.stringify(await processPackage(prisma, openPurchase.code, now()))).not.toContain('tenderers');
  });

  it('pages with links.next / links.prev', async () => {
    const prisma = await getPrisma();
    const owner = await createUser('owner');
    const item = await marketItem();
    setClock(new Date('2026-03-02T09:00:00+08:00'));
    await prisma.purchase.createMany({
      data: Array.from({ length: PAGE_SIZE + 5 }, (_, i) => ({
        code: `CGP-${i}`, ownerOrgId: owner.organizationId!, ownerUserId: owner.id, projectName: `项目${i}`, projectCode: 'x', itemId: item.id, budgetFen: 100, requiredQualType: 'x', requiredQualLevel: 'x', description: 'x',
        method: 'draw', signupStart: now(), signupEnd: now(), selectAt: now(), status: 'published', publishedAt: new Date(now().getTime() - i * 1000), updatedAt: now(),
      })),
    });
    const p1 = await releasePackagePage(prisma, 1, now());
    expect((p1.package.releases as unknown[]).length).toBe(PAGE_SIZE);
    expect((p1.package.links as { next: string }).next).toMatch(/\/ocds\/releases\.json\?page=2$/);
    const p2 = await releasePackagePage(prisma, 2, now());
    expect((p2.package.releases as unknown[]).length).toBe(5);
    expect(p2.package.links).toEqual({ prev: expect.stringMatching(/page=1$/) });
  });

  it.skipIf(!present)('every package the demo seed produces validates with zero errors', { timeout: 600_000 }, async () => {
    const validate = validator();
    await seedDemo(await getDatabase());
    const prisma = await getPrisma();
    const { pages, total } = await releasePackagePage(prisma, 1, now());
    expect(total).toBeGreaterThan(0);
    for (let p = 1; p <= pages; p++) expectValid(validate, (await releasePackagePage(prisma, p, now())).package, `page ${p}`);
    const refs = [...(await prisma.tender.findMany({ where: { status: { not: 'draft' } } })).map((t) => t.code), ...(await prisma.purchase.findMany()).map((p) => p.code)];
    for (const ref of refs) {
      const pkg = await processPackage(prisma, ref, now());
      if (pkg) expectValid(validate, pkg, ref);
    }
  });
});
