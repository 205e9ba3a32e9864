// Demo data for statistics, double-random inspections and satisfaction ratings:
//  - twelve months of market history imported "from the predecessor system" (purchases awarded by
//    direct selection and their accepted orders, some over their time limit), so that the charts
//    on /stats show a realistic year; marked 历史数据 in their descriptions;
//  - one-matter-one-rating (一事一评) ratings for those orders, spread across the agencies;
//  - a double-random inspection run through the real module functions five weeks ago (committed,
//    drawn from the committed seed, results recorded and published), so its records verify.
import type { Prisma } from '~/generated/prisma/client';
import { getPrisma } from '~/db/index.server';
import type { Actor } from '~/modules/audit/audit.server';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { createInspection, publishInspectionResults, recordInspectionResult, runInspectionDraw } from '~/modules/supervision/inspections.server';
import type { SeedContext } from './seed';

const DAY = 86_400_000;

/** Small deterministic PRNG (mulberry32): the demo looks the same on every start. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMENTS = [
  '成果质量高，沟通及时，按期交付。',
  '服务规范，收费符合统一标准。',
  '整体满意，个别细节需要返工一次。',
  '响应较慢，交付比承诺时限晚了几天。',
  '专业水平高，现场踏勘认真。',
  null,
  null,
];

const PROJECTS = ['城区道路提升改造', '老旧小区改造', '污水管网完善', '学校教学楼新建', '社区卫生服务中心', '公园绿地提升', '农贸市场改造', '河道综合治理', '停车场建设', '体育馆维修'];

function actorFor(u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

export async function seedSupervisionStats(_ctx: SeedContext) {
  const prisma = await getPrisma();
  const T = now();
  const random = rng(20260101);
  const cal = await loadWorkCalendar(prisma);
  const owners = await prisma.user.findMany({ where: { role: 'owner' }, include: { organization: true }, orderBy: { username: 'asc' } });
  const agencies = await prisma.agencyProfile.findMany({ where: { status: 'approved' }, include: { listings: { where: { status: 'active' }, include: { item: true } } }, orderBy: { createdAt: 'asc' } });
  const withListings = agencies.filter((a) => a.listings.length > 0);
  if (!owners.length || !withListings.length) return;

  // 1. Twelve months of imported market history.
  let n = 0;
  const ratings: Prisma.ServiceRatingCreateManyInput[] = [];
  for (let monthsAgo = 12; monthsAgo >= 1; monthsAgo--) {
    const perMonth = 3 + Math.floor(random() * 4) + (monthsAgo % 4 === 0 ? 2 : 0);
    for (let k = 0; k < perMonth; k++) {
      n++;
      const agency = withListings[Math.floor(random() * withListings.length)];
      const listing = agency.listings[Math.floor(random() * agency.listings.length)];
      const item = listing.item;
      const owner = owners[Math.floor(random() * owners.length)];
      const published = new Date(T.getTime() - monthsAgo * 30 * DAY - Math.floor(random() * 25) * DAY);
      const budget = item.feeKind === 'fixed' && item.feeFixedFen ? item.feeFixedFen : Math.round(((item.feeMinFen ?? 2_000_000) + (item.feeMaxFen ?? 8_000_000)) / 2 / 1000) * 1000;
      const fee = Math.round((budget * (1 - (listing.discountPct + Math.floor(random() * 12)) / 100)) / 100) * 100;
      const code = `CG-LS-${String(n).padStart(4, '0')}`;
      const resultAt = new Date(published.getTime() + 6 * DAY);
      const started = new Date(resultAt.getTime() + (2 + Math.floor(random() * 3)) * DAY);
      const limit = item.timeLimitDays;
      const due = cal.dueAt(started, limit)!;
      // About one order in six runs late.
      const late = random() < 0.17;
      const submitted = late ? new Date(due.getTime() + (1 + Math.floor(random() * 6)) * DAY) : new Date(started.getTime() + Math.max(1, Math.floor(limit * (0.45 + random() * 0.45))) * 1.4 * DAY);
      const accepted = new Date(submitted.getTime() + (1 + Math.floor(random() * 3)) * DAY);
      if (accepted > T) continue;
      const p = await prisma.purchase.create({
        data: {
          code,
          ownerOrgId: owner.organizationId!,
          ownerUserId: owner.id,
          projectName: `${owner.organization!.name.replace(/有限公司|集团/g, '')}${PROJECTS[n % PROJECTS.length]}${item.name}`,
          projectCode: `2025-420100-48-01-${String(100000 + n)}`,
          itemId: item.id,
          budgetFen: budget,
          requiredQualType: item.qualificationType,
          requiredQualLevel: item.qualificationLevel,
          description: '历史数据：由原中介服务平台迁移，采购方式为直接选取。',
          method: 'direct',
          minSignups: 1,
          signupStart: published,
          signupEnd: new Date(published.getTime() + 5 * DAY),
          selectAt: new Date(published.getTime() + 5 * DAY),
          status: 'awarded',
          directAgencyId: agency.id,
          winnerAgencyId: agency.id,
          winningFeeFen: fee,
          resultAt,
          publishedAt: published,
          updatedAt: accepted,
        },
      });
      const order = await prisma.serviceOrder.create({
        data: {
          code: `HT-LS-${String(n).padStart(4, '0')}`,
          purchaseId: p.id,
          ownerOrgId: owner.organizationId!,
          agencyId: agency.id,
          itemId: item.id,
          feeFen: fee,
          timeLimitDays: limit,
          status: 'accepted',
          filedAt: started,
          startedAt: started,
          submittedAt: submitted,
          acceptedAt: accepted,
          warnedLevel: late ? 'red' : 'normal',
          overtime: late,
          createdAt: resultAt,
        },
      });
      if (random() < 0.8) {
        const base = late ? 2.6 : 4.3;
        const score = Math.max(1, Math.min(5, Math.round(base + (random() - 0.5) * 2)));
        ratings.push({
          subjectType: 'market-order',
          subjectId: order.id,
          subjectLabel: `中介服务订单 ${order.code}（${agency.name}）`,
          raterUserId: owner.id,
          raterOrgId: owner.organizationId,
          score,
          comment: score <= 2 ? COMMENTS[3] : COMMENTS[Math.floor(random() * COMMENTS.length)],
          agencyOrgId: agency.orgId,
          department: owner.organization!.name,
          window: '中介服务',
          createdAt: new Date(accepted.getTime() + DAY),
        });
      }
    }
  }
  // Ratings of other windows (payments, registration, complaint handling) by the demo participants.
  const windows = [
    { window: '网上支付', department: '公共资源交易中心', label: '支付：投标保证金' },
    { window: '机构入驻', department: '公共资源交易中心入驻审核', label: '机构入驻审核' },
    { window: '投诉处理', department: '公共资源交易中心监督科', label: '投诉办理' },
    { window: '招标投标', department: '江城公共资源招标代理有限公司', label: '开标服务' },
  ];
  const raters = await prisma.user.findMany({ where: { role: { in: ['bidder', 'agency'] } }, orderBy: { username: 'asc' } });
  for (let i = 0; i < 36 && raters.length; i++) {
    const w = windows[i % windows.length];
    const u = raters[i % raters.length];
    ratings.push({
      subjectType: 'legacy',
      subjectId: `LS-${w.window}-${i}`,
      subjectLabel: `${w.label}（历史评价）`,
      raterUserId: u.id,
      raterOrgId: u.organizationId,
      score: Math.max(2, Math.min(5, Math.round(4.4 + (random() - 0.6) * 2))),
      comment: null,
      agencyOrgId: null,
      department: w.department,
      window: w.window,
      createdAt: new Date(T.getTime() - Math.floor(random() * 330 + 5) * DAY),
    });
  }
  await prisma.serviceRating.createMany({ data: ratings });

  // 2. A double-random inspection, five weeks ago, run through the module so its records verify.
  const sup = await prisma.user.findUniqueOrThrow({ where: { username: 'supervisor1' } });
  const sup2 = await prisma.user.findUniqueOrThrow({ where: { username: 'supervisor2' } });
  try {
    setClock(new Date(T.getTime() - 36 * DAY));
    const ins = await createInspection(prisma, actorFor(sup), sup, {
      title: '2026年度中介机构执业行为第一批双随机抽查',
      scope: '执业人员在岗及持证情况；服务收费是否符合统一收费标准；服务成果质量与归档；承诺时限履行情况。依据《江城市网上中介超市管理办法》第二十八条。',
      agencyCount: 4,
      inspectorCount: 3,
      includeExperts: true,
      drawInHours: 24,
    });
    setClock(new Date(T.getTime() - 35 * DAY));
    await runInspectionDraw(prisma, actorFor(sup), ins.id);
    const targets = await prisma.inspectionTarget.findMany({ where: { inspectionId: ins.id }, orderBy: { orgName: 'asc' } });
    const outcomes = [
      { result: 'pass' as const, findings: '执业人员均在岗持证，抽查的3宗服务收费符合统一标准，成果资料归档完整。' },
      { result: 'rectify' as const, findings: '2名执业人员注册证书变更未及时更新；1宗服务成果未按规定归档。责令30日内整改并报送整改报告。', rectifyDays: 30 },
      { result: 'pass' as const, findings: '未发现问题。' },
      { result: 'fail' as const, findings: '1宗服务收费高于统一收费标准上限，且未在承诺时限内交付成果。已移交信用管理部门处理。' },
    ];
    setClock(new Date(T.getTime() - 20 * DAY));
    for (const [i, t] of targets.entries()) {
      const inspector = t.inspectorIds.includes(sup2.id) ? sup2 : sup;
      await recordInspectionResult(prisma, actorFor(inspector), inspector, ins.id, { targetId: t.id, ...outcomes[i % outcomes.length] });
    }
    setClock(new Date(T.getTime() - 18 * DAY));
    await publishInspectionResults(prisma, actorFor(sup), sup, ins.id);
  } finally {
    resetClock();
  }
}
