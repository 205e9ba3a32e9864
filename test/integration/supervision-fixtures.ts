// Rows of other contexts (market, bidding) that the supervision rules read, built directly so the
// rules can be tested against every scenario without driving the other modules' workflows.
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { createUser } from '../setup/fixtures';

let n = 0;

export async function marketItem(opts: { feeKind?: string; feeFixedFen?: number; feeMinFen?: number; feeMaxFen?: number; feeRatePpm?: number; timeLimitDays?: number } = {}) {
  const prisma = await getPrisma();
  const k = ++n;
  const cat = await prisma.serviceCategory.create({ data: { code: `C${k}`, name: `类别${k}` } });
  return prisma.serviceItem.create({
    data: {
      code: `I${k}`,
      categoryId: cat.id,
      name: `测绘服务${k}`,
      legalBasis: '依据',
      approvalItem: '审批事项',
      qualificationType: '测绘资质',
      qualificationLevel: '乙级',
      feeKind: opts.feeKind ?? 'range',
      feeFixedFen: opts.feeFixedFen ?? null,
      feeMinFen: opts.feeMinFen ?? 100_000,
      feeMaxFen: opts.feeMaxFen ?? 500_000,
      feeRatePpm: opts.feeRatePpm ?? null,
      timeLimitDays: opts.timeLimitDays ?? 5,
      serviceStandard: '标准',
      modelContract: '合同',
      updatedAt: now(),
    },
  });
}

export async function agency(status = 'approved', submittedAt: Date | null = null) {
  const prisma = await getPrisma();
  const u = await createUser('agency');
  const org = u.organization!;
  const a = await prisma.agencyProfile.create({
    data: {
      orgId: org.id,
      name: org.name,
      creditCode: org.creditCode,
      region: '江城市',
      address: '地址',
      legalRep: '法人',
      contactName: '联系人',
      phone: '13800000000',
      status,
      submittedAt,
      createdAt: now(),
      updatedAt: now(),
    },
  });
  return { user: u, agency: a };
}

export async function serviceOrder(opts: { agencyId: string; itemId: string; feeFen?: number; timeLimitDays?: number; startedAt?: Date; status?: string }) {
  const prisma = await getPrisma();
  const owner = await createUser('owner');
  return prisma.serviceOrder.create({
    data: {
      code: `DD${++n}`,
      ownerOrgId: owner.organizationId!,
      agencyId: opts.agencyId,
      itemId: opts.itemId,
      feeFen: opts.feeFen ?? 200_000,
      timeLimitDays: opts.timeLimitDays ?? 5,
      status: opts.status ?? 'in_progress',
      startedAt: opts.startedAt ?? now(),
      createdAt: now(),
    },
  });
}

export async function tender(opts: { status?: string; bidDeadline?: Date; sections?: number } = {}) {
  const prisma = await getPrisma();
  const agent = await createUser('tenderer');
  const k = ++n;
  return prisma.tender.create({
    data: {
      code: `JC-2026-GC-${String(k).padStart(4, '0')}`,
      name: `测试工程${k}`,
      agentOrgId: agent.organizationId!,
      createdById: agent.id,
      tendererName: '江城市城投',
      method: 'open',
      summary: '概况',
      bidDeadline: opts.bidDeadline ?? new Date(now().getTime() + 30 * 86_400_000),
      bidForm: [],
      status: opts.status ?? 'published',
      createdAt: now(),
      updatedAt: now(),
      sections: { create: Array.from({ length: opts.sections ?? 1 }, (_, i) => ({ seq: i + 1, name: `第${i + 1}标段` })) },
    },
    include: { sections: true },
  });
}

export async function activeBid(t: { id: string; sections: { id: string }[] }, bidderOrgId: string, userId: string, certSha256 = 'a'.repeat(64)) {
  const prisma = await getPrisma();
  // Raw insert: the bytea column is filled by SQL (the test only needs the row to exist).
  const id = `bid${++n}`;
  await prisma.$executeRaw`INSERT INTO "Bid" (id, "tenderId", "sectionId", "bidderOrgId", "submittedById", version, "envelopeSha256", "envelopeSize", submission, "signerCertSha256", "signerSubject", status, "submittedAt")
    VALUES (${id}, ${t.id}, ${t.sections[0].id}, ${bidderOrgId}, ${userId}, 1, ${'e'.repeat(64)}, 100, decode('010203', 'hex'), ${certSha256}, 'CN=x', 'active', ${now()})`;
  return prisma.bid.findUniqueOrThrow({ where: { id } });
}
