// Demo data for the intermediary supermarket: the catalog, the working-day calendar, approved
// agencies with qualifications, listings and credit histories, and purchases in every selection
// method and in realistic states (sign-up open, draw pending, drawn with a verifiable record, in
// delivery with a yellow warning, completed and rated, comparison being scored, direct selection,
// failed). Past states are produced by running the real module functions with the clock set back,
// so every record (draw, contract signatures, audit chain) is genuine.
import { signData } from '../../crypto/cms';
import { withCheckChar } from '~/modules/auth/credit-code';
import { hashPassword } from '~/modules/auth/password.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { recomputeCredit } from '~/modules/credit/credit.server';
import { DEFAULT_RULES } from '~/modules/credit/rules';
import { loadWorkCalendar, seedCalendar } from '~/modules/market/calendar.server';
import { levelRank } from '~/modules/market/constants';
import { acceptResult, checkDeliveryWarnings, contractBytes, evaluateOrder, signContract, submitResult } from '~/modules/market/orders.server';
import { closeSignup, publishPurchase, runDuePurchaseSteps, signUp, submitScores, type PurchaseInput } from '~/modules/market/purchases.server';
import { storeBytes } from '~/modules/market/files.server';
import { DEMO_PASSWORD } from './accounts';
import { CATEGORIES, ITEMS, MODEL_CONTRACT, QUAL } from './market-catalog';
import type { SeedContext } from './seed';

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface AgencySeed {
  key: string;
  quals: { type: string; level: string }[];
  evals?: [number, number, number, number, number][]; // q, t, a, f, days ago
  events?: { kind: 'penalty' | 'commendation' | 'complaint' | 'blacklist'; points: number; note: string; daysAgo: number }[];
}

// Demo agencies that log in (DEMO_ORGS) plus extra listed agencies without demo logins.
const DEMO_AGENCIES: AgencySeed[] = [
  // agency1 and agency3 sit just below AA (two fair evaluations): one excellent rating lifts them.
  { key: 'agency1', quals: [{ type: QUAL.zixun, level: '甲级' }, { type: QUAL.zaojia, level: '不分级' }, { type: QUAL.zhaobiao, level: '不分级' }], evals: [[4, 4, 4, 4, 60], [4, 4, 4, 3, 120]] },
  { key: 'agency2', quals: [{ type: QUAL.kancha, level: '甲级' }, { type: QUAL.sheji, level: '乙级' }, { type: QUAL.cehui, level: '乙级' }, { type: QUAL.zaojia, level: '不分级' }], evals: [[5, 5, 4, 5, 30], [5, 4, 5, 5, 90], [4, 5, 5, 5, 150], [5, 5, 5, 4, 200]] },
  { key: 'agency3', quals: [{ type: QUAL.zaojia, level: '不分级' }, { type: QUAL.pinggu, level: '不分级' }], evals: [[4, 4, 4, 4, 45], [4, 3, 4, 4, 100]] },
  { key: 'agency4', quals: [{ type: QUAL.huanping, level: '不分级' }, { type: QUAL.jiance, level: '不分级' }, { type: QUAL.zaojia, level: '不分级' }], evals: [[5, 4, 5, 5, 20], [4, 4, 5, 4, 70], [5, 5, 5, 5, 130]] },
  { key: 'agency5', quals: [{ type: QUAL.jianli, level: '甲级' }, { type: QUAL.zaojia, level: '不分级' }], evals: [[3, 3, 4, 4, 40], [4, 3, 3, 4, 80]], events: [{ kind: 'penalty', points: 5, note: '监理日志记录不全，行业主管部门通报批评', daysAgo: 50 }] },
];

const EXTRA_NAMES = ['楚天', '华中', '长江', '汉江', '荆楚', '鄂东', '光谷', '东湖', '黄鹤', '江汉', '恒信', '正源', '广厦', '中天', '建科', '同创', '信达', '明德', '宏图', '诚信', '安澜', '远景', '鼎盛', '泰和', '众邦', '博远', '立信', '卓越', '天衡', '九州'];
const EXTRA_KINDS: { suffix: string; quals: { type: string; level: string }[] }[] = [
  { suffix: '工程咨询有限公司', quals: [{ type: QUAL.zixun, level: '乙级' }, { type: QUAL.zaojia, level: '不分级' }] },
  { suffix: '勘察设计有限公司', quals: [{ type: QUAL.kancha, level: '乙级' }, { type: QUAL.sheji, level: '乙级' }] },
  { suffix: '测绘地理信息有限公司', quals: [{ type: QUAL.cehui, level: '乙级' }] },
  { suffix: '环境科技有限公司', quals: [{ type: QUAL.huanping, level: '不分级' }] },
  { suffix: '检测技术有限公司', quals: [{ type: QUAL.jiance, level: '不分级' }, { type: QUAL.anping, level: '不分级' }] },
  { suffix: '项目管理有限公司', quals: [{ type: QUAL.jianli, level: '乙级' }, { type: QUAL.zhaobiao, level: '不分级' }] },
  { suffix: '资产评估有限公司', quals: [{ type: QUAL.pinggu, level: '不分级' }, { type: QUAL.tudi, level: '不分级' }] },
];
const REGIONS = ['江城市江北区', '江城市江南区', '江城市高新区', '江城市临江区', '江城市新港区', '江城市东湖区'];
const PRACTITIONER_NAMES = ['张伟', '王静', '李强', '刘洋', '陈杰', '杨帆', '赵敏', '黄磊', '周婷', '吴昊', '徐倩', '孙浩'];

function certFor(type: string): string {
  if (type === QUAL.zixun) return '注册咨询工程师（投资）';
  if (type === QUAL.kancha) return '注册土木工程师（岩土）';
  if (type === QUAL.sheji) return '一级注册建筑师';
  if (type === QUAL.jianli) return '注册监理工程师';
  if (type === QUAL.huanping) return '环境影响评价工程师';
  if (type === QUAL.cehui) return '注册测绘师';
  if (type === QUAL.zaojia) return '一级造价工程师';
  if (type === QUAL.pinggu || type === QUAL.tudi) return '资产评估师';
  if (type === QUAL.anping) return '注册安全工程师';
  return '检验检测人员上岗证';
}

export async function seedMarket(ctx: SeedContext) {
  const prisma = ctx.db.prisma;
  const T = now();
  try {
    // The seeded contracts were signed weeks ago, so the demo CA must already have existed then:
    // create it (if nobody has yet) with the clock set back. A CA made earlier by another seeder
    // at today's date would make those signatures fail verification (see docs/market.md).
    setClock(new Date(T.getTime() - 120 * DAY));
    const { getPlatformPki } = await import('~/modules/pki/platform.server');
    await getPlatformPki();
    resetClock();
    await seedStatic(ctx, T);
    await seedPurchases(ctx, T);
  } finally {
    resetClock();
  }
  await prisma.$transaction((tx) => appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.seed', payload: { items: ITEMS.length } }));
}

async function seedStatic(ctx: SeedContext, T: Date) {
  const prisma = ctx.db.prisma;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await prisma.$transaction(
    async (tx) => {
      await seedCalendar(tx);
      await tx.creditRuleSet.create({ data: { version: 1, rules: DEFAULT_RULES, note: '《江城市中介机构信用评价办法（试行）》初始规则', createdAt: T } });
      const catIds = new Map<string, string>();
      for (const [i, c] of CATEGORIES.entries()) catIds.set(c.code, (await tx.serviceCategory.create({ data: { ...c, sort: i } })).id);
      for (const it of ITEMS) {
        await tx.serviceItem.create({
          data: {
            code: it.code,
            categoryId: catIds.get(it.cat)!,
            name: it.name,
            legalBasis: it.legalBasis,
            approvalItem: it.approvalItem,
            qualificationType: it.qualificationType,
            qualificationLevel: it.qualificationLevel,
            feeKind: it.fee.kind,
            feeFixedFen: it.fee.kind === 'fixed' ? it.fee.fen : null,
            feeMinFen: it.fee.kind === 'fixed' ? null : it.fee.min,
            feeMaxFen: it.fee.kind === 'fixed' ? null : it.fee.max,
            feeRatePpm: it.fee.kind === 'rate' ? it.fee.ppm : null,
            timeLimitDays: it.days,
            serviceStandard: it.standard,
            modelContract: MODEL_CONTRACT,
            updatedAt: T,
          },
        });
      }
      // 城投集团 controls 中正监理: the conflict-of-interest rule keeps them apart.
      const owner1 = ctx.orgs.get('owner1')!;
      const agency5 = ctx.orgs.get('agency5')!;
      await tx.organization.update({ where: { id: owner1.id }, data: { affiliates: [agency5.creditCode] } });

      const seeds: (AgencySeed & { orgId: string; name: string; creditCode: string; region: string })[] = [];
      for (const a of DEMO_AGENCIES) {
        const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.orgs.get(a.key)!.id } });
        seeds.push({ ...a, orgId: org.id, name: org.name, creditCode: org.creditCode, region: org.region ?? '江城市' });
      }
      EXTRA_NAMES.forEach((n, i) => {
        const kind = EXTRA_KINDS[i % EXTRA_KINDS.length];
        const evals: AgencySeed['evals'] = [];
        for (let k = 0; k < (i * 7) % 6; k++) {
          const base = 3 + ((i + k) % 3);
          evals.push([base, Math.min(5, base + (k % 2)), 5 - (k % 2), Math.max(1, base - (i % 2)), 15 + k * 37 + i]);
        }
        const events: AgencySeed['events'] = i % 9 === 4 ? [{ kind: 'complaint', points: 0, note: '投诉成立：未按约定时限提交成果', daysAgo: 60 }, { kind: 'penalty', points: 12, note: '出具虚假报告，行政处罚', daysAgo: 30 }] : i % 10 === 7 ? [{ kind: 'commendation', points: 5, note: '年度优秀中介服务机构', daysAgo: 100 }] : i === 13 ? [{ kind: 'blacklist', points: 0, note: '串通报价，列入黑名单', daysAgo: 20 }] : [];
        seeds.push({ key: `x${i}`, quals: kind.quals, evals, events, orgId: '', name: `江城${n}${kind.suffix}`, creditCode: withCheckChar(`91420100MA4M${String(i + 1).padStart(5, '0')}`), region: REGIONS[i % REGIONS.length] });
      });

      const items = await tx.serviceItem.findMany();
      for (const [i, s] of seeds.entries()) {
        if (!s.orgId) {
          const org = await tx.organization.create({ data: { name: s.name, creditCode: s.creditCode, roles: ['agency'], region: s.region, contactName: PRACTITIONER_NAMES[i % 12], phone: '13800000000', createdAt: T } });
          s.orgId = org.id;
          const u = await tx.user.create({ data: { username: `agency-${s.key}`, displayName: PRACTITIONER_NAMES[(i + 3) % 12], role: 'agency', passwordHash, organizationId: org.id, email: `agency-${s.key}@example.cn`, createdAt: T } });
          ctx.users.set(u.username, u);
          ctx.orgs.set(s.key, org);
        }
        const approvedAt = new Date(T.getTime() - (200 + i * 5) * DAY);
        const agency = await tx.agencyProfile.create({
          data: {
            orgId: s.orgId,
            name: s.name,
            creditCode: s.creditCode,
            region: s.region,
            address: `${s.region}建设大道${100 + i * 17}号`,
            legalRep: PRACTITIONER_NAMES[(i + 5) % 12],
            contactName: PRACTITIONER_NAMES[i % 12],
            phone: `1380000${String(1000 + i).slice(-4)}`,
            intro: `${s.name}成立于${2005 + (i % 15)}年，专业从事${s.quals.map((q) => q.type.replace(/资质|登记|备案|单位资信|机构/g, '')).join('、')}等服务，拥有执业人员${8 + (i % 20)}名。`,
            licenceNo: s.creditCode,
            status: 'approved',
            submittedAt: approvedAt,
            reviewedAt: approvedAt,
            approvedAt,
            createdAt: approvedAt,
            updatedAt: T,
          },
        });
        await tx.registrationReview.create({ data: { agencyId: agency.id, decision: 'approve', items: [], reason: '材料齐全，符合入驻条件', reviewerId: ctx.users.get('admin')!.id, at: approvedAt } });
        const quals = [];
        for (const [k, q] of s.quals.entries()) {
          quals.push(
            await tx.qualification.create({
              data: {
                agencyId: agency.id,
                type: q.type,
                level: q.level,
                number: `${['A', 'B', 'C', 'D'][k]}${String(142001000 + i * 10 + k)}`,
                validFrom: new Date(T.getTime() - 700 * DAY),
                // One extra agency's certificate runs out soon (reminder), the rest in years.
                validUntil: new Date(T.getTime() + (i === 20 && k === 0 ? 12 : 400 + i * 20) * DAY),
                createdAt: approvedAt,
              },
            }),
          );
          await tx.practitioner.create({ data: { agencyId: agency.id, name: PRACTITIONER_NAMES[(i + k) % 12], certType: certFor(q.type), certNo: `${q.type.slice(0, 2)}${420100 + i * 13 + k}`, certValidUntil: new Date(T.getTime() + 900 * DAY) } });
        }
        for (const item of items) {
          const q = quals.find((x) => x.type === item.qualificationType && levelRank(x.level) >= levelRank(item.qualificationLevel));
          if (!q) continue;
          await tx.listing.create({
            data: {
              agencyId: agency.id, itemId: item.id, qualificationId: q.id, discountPct: (i * 3) % 4 === 0 ? 5 * (i % 3) : 0, note: '', status: 'active', createdAt: new Date(approvedAt.getTime() + DAY), updatedAt: T,
              categoryId: item.categoryId, region: s.region, levelRank: levelRank(q.level), creditGrade: 'A', creditScore: 7500, agencyName: s.name,
            },
          });
        }
        for (const e of s.evals ?? []) {
          await tx.evaluation.create({ data: { agencyId: agency.id, ownerOrgId: ctx.orgs.get(['owner1', 'owner2', 'owner3'][i % 3])!.id, quality: e[0], timeliness: e[1], attitude: e[2], feeCompliance: e[3], comment: '（历史评价，由原中介服务平台迁移）', at: new Date(T.getTime() - e[4] * DAY) } });
        }
        await tx.agencyProfile.update({ where: { id: agency.id }, data: { completedOrders: (s.evals ?? []).length + (i % 4) } });
        for (const ev of s.events ?? []) {
          await tx.creditEvent.create({ data: { agencyId: agency.id, kind: ev.kind, points: ev.kind === 'penalty' ? -ev.points : ev.points, note: ev.note, at: new Date(T.getTime() - ev.daysAgo * DAY), byUserId: ctx.users.get('admin')!.id } });
        }
        await tx.creditHistory.create({ data: { agencyId: agency.id, score: 7500, grade: 'A', reason: '入驻初始信用', at: approvedAt } });
        await recomputeCredit(tx, agency.id, '信用档案迁移');
        const a = await tx.agencyProfile.findUniqueOrThrow({ where: { id: agency.id } });
        await tx.listing.updateMany({ where: { agencyId: agency.id }, data: { completedOrders: a.completedOrders } });
      }
    },
    { timeout: 300_000 },
  );
}

// ---------------------------------------------------------------------------------------------

function actorFor(u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

async function seedPurchases(ctx: SeedContext, T: Date) {
  const prisma = ctx.db.prisma;
  const items = new Map((await prisma.serviceItem.findMany()).map((i) => [i.code, i]));
  const user = (name: string) => {
    const u = ctx.users.get(name);
    if (!u) throw new Error(`seed user ${name} missing`);
    return u;
  };
  const at = (ms: number) => setClock(new Date(T.getTime() + ms));
  const publish = (owner: string, input: Partial<PurchaseInput> & { itemCode: string }) => {
    const u = user(owner);
    const { itemCode, ...rest } = input;
    return publishPurchase(actorFor(u), u, {
      projectName: '项目',
      projectCode: '2026-420100-48-01-000001',
      itemId: items.get(itemCode)!.id,
      budgetFen: 0,
      investmentFen: null,
      description: '详见采购需求。',
      method: 'draw',
      minSignups: 3,
      rotation: false,
      ...rest,
    } as PurchaseInput);
  };
  const sign = async (p: { id: string }, agencyUser: string, quoteFen?: number) => {
    const u = user(agencyUser);
    return signUp(actorFor(u), u, p.id, { quoteFen });
  };

  // 1. Random draw, sign-up open.
  at(-2 * DAY);
  const p1 = await publish('owner2', { itemCode: 'ZJ-002', projectName: '江城市第一人民医院门诊楼改造工程', projectCode: '2026-420100-84-01-100231', budgetFen: 6_800_000, signupEnd: new Date(T.getTime() + 5 * DAY), selectAt: new Date(T.getTime() + 5 * DAY + 2 * HOUR), description: '编制门诊楼改造工程（建筑面积约1.2万平方米）工程量清单及招标控制价，配合招标答疑。', rotation: true });
  at(-1 * DAY);
  await sign(p1, 'agency2');
  await sign(p1, 'agency4');

  // 2. Random draw, sign-up closed, draw pending.
  at(-4 * DAY);
  const p2 = await publish('owner3', { itemCode: 'CH-001', projectName: '江城大道快速化改造工程竣工测量', projectCode: '2026-420100-48-01-100318', investmentFen: 180_000_000_00, budgetFen: 20_000_000, signupEnd: new Date(T.getTime() - 2 * HOUR), selectAt: new Date(T.getTime() + 22 * HOUR), description: '“多测合一”竣工测绘：规划核实测量、土地核验、房产测绘，成果满足联合验收及不动产登记。' });
  at(-3 * DAY);
  for (const u of ['agency2', 'agency-x2', 'agency-x9', 'agency-x16']) await sign(p2, u);
  at(-1 * HOUR);
  await closeSignup(p2.id);

  // 3. Random draw, drawn with a verifiable record, in the objection period.
  at(-6 * DAY);
  const p3 = await publish('owner2', { itemCode: 'HP-002', projectName: '江城市第一人民医院污水处理站扩容', projectCode: '2026-420100-77-01-100102', budgetFen: 4_500_000, signupEnd: new Date(T.getTime() - 26 * HOUR), selectAt: new Date(T.getTime() - 25 * HOUR), description: '编制污水处理站扩容项目环境影响报告表并配合审批。' });
  at(-5 * DAY);
  for (const u of ['agency4', 'agency-x3', 'agency-x10', 'agency-x17', 'agency-x24']) await sign(p3, u);
  at(-25 * HOUR + 60_000);
  await runDuePurchaseSteps();

  // 4. Random draw → contract signed → in delivery past 80 % of the time limit (yellow warning).
  const cal = await loadWorkCalendar();
  const limit = items.get('ZJ-001')!.timeLimitDays;
  let start = new Date(T.getTime() - limit * DAY);
  while (cal.elapsedFraction(start, limit, T) < 0.85) start = new Date(start.getTime() - 6 * HOUR);
  const rel = (d: Date) => d.getTime() - T.getTime();
  at(rel(start) - 14 * DAY);
  const p4 = await publish('owner3', { itemCode: 'ZJ-001', projectName: '江城市智慧交通指挥中心建设工程', projectCode: '2026-420100-54-01-100077', investmentFen: 32_000_000_00, budgetFen: 10_500_000, signupEnd: new Date(start.getTime() - 11 * DAY), selectAt: new Date(start.getTime() - 11 * DAY + HOUR), description: '编制指挥中心土建、安装及智能化工程施工图预算。' });
  at(rel(start) - 13 * DAY);
  for (const u of ['agency2', 'agency4', 'agency5']) await sign(p4, u);
  at(rel(start) - 11 * DAY + HOUR + 60_000);
  await runDuePurchaseSteps();
  at(rel(start) - 2 * HOUR);
  await runDuePurchaseSteps(); // objection period over → order
  await signBoth(ctx, p4.id, start);
  at(0);
  await checkDeliveryWarnings();

  // 5. Price competition → signed → delivered → accepted → rated.
  at(-60 * DAY);
  const p5 = await publish('owner2', { itemCode: 'ZJ-003', projectName: '江城市第一人民医院住院部装修工程结算', projectCode: '2026-420100-84-01-099812', budgetFen: 7_500_000, method: 'price', signupEnd: new Date(T.getTime() - 56 * DAY), selectAt: new Date(T.getTime() - 56 * DAY + HOUR), description: '审核住院部装修工程竣工结算，出具审核报告及结算审定单。' });
  at(-58 * DAY);
  await sign(p5, 'agency2', 6_200_000);
  await sign(p5, 'agency4', 5_900_000);
  await sign(p5, 'agency5', 6_600_000);
  at(-56 * DAY + HOUR + 60_000);
  await runDuePurchaseSteps();
  at(-50 * DAY);
  await runDuePurchaseSteps();
  const o5 = await signBoth(ctx, p5.id, new Date(T.getTime() - 49 * DAY));
  at(-42 * DAY);
  const winner5 = await agencyUser(ctx, o5.agencyId);
  const result = await storeBytes(new TextEncoder().encode('住院部装修工程结算审核报告（演示）\n审定金额：¥18,236,540.00\n'), '结算审核报告.pdf', 'application/pdf', winner5.organizationId);
  await submitResult(actorFor(winner5), winner5, o5.id, { fileId: result.id, note: '结算审核报告及审定单已上传。' });
  at(-40 * DAY);
  const owner2 = user('owner2');
  await acceptResult(actorFor(owner2), owner2, o5.id);
  await evaluateOrder(actorFor(owner2), owner2, o5.id, { quality: 5, timeliness: 5, attitude: 5, feeCompliance: 4, comment: '审核细致，按期提交，核减合理。' });

  // 6. Comparison: sign-up closed, the owner is scoring.
  at(-5 * DAY);
  const p6 = await publish('owner1', { itemCode: 'GCZX-002', projectName: '江城新港区综合管廊一期工程', projectCode: '2026-420100-48-01-100405', investmentFen: 260_000_000_00, budgetFen: 38_000_000, method: 'compare', signupEnd: new Date(T.getTime() - 3 * HOUR), selectAt: new Date(T.getTime() - 3 * HOUR), criteria: { price: 30, qualification: 25, experience: 30, credit: 15 }, description: '编制综合管廊一期工程可行性研究报告，含管线入廊论证、投资估算及经济评价。' });
  at(-4 * DAY);
  await sign(p6, 'agency1', 37_000_000);
  await sign(p6, 'agency-x0', 33_000_000);
  await sign(p6, 'agency-x7', 35_000_000);
  at(-2 * HOUR);
  await runDuePurchaseSteps();
  const owner1 = user('owner1');
  const su6 = await prisma.signup.findMany({ where: { purchaseId: p6.id, eligible: true } });
  await submitScores(actorFor(owner1), owner1, p6.id, su6.map((s, i) => ({ signupId: s.id, qualification: 20 + i, experience: 24 - i * 2, credit: 12, comment: '' })));

  // 7. Direct selection below the threshold.
  at(-3 * DAY);
  const agency2Profile = await prisma.agencyProfile.findUniqueOrThrow({ where: { orgId: ctx.orgs.get('agency2')!.id } });
  await publish('owner2', { itemCode: 'CH-003', projectName: '江城市第一人民医院发热门诊规划放线', projectCode: '2026-420100-84-01-100290', budgetFen: 800_000, method: 'direct', directAgencyId: agency2Profile.id, description: '发热门诊新建工程规划放线测量。' });

  // 8. Failed (流标): too few eligible sign-ups.
  at(-8 * DAY);
  const p8 = await publish('owner3', { itemCode: 'PG-003', projectName: '江城港危险货物码头改建工程', projectCode: '2026-420100-55-01-100011', budgetFen: 9_000_000, signupEnd: new Date(T.getTime() - 2 * DAY), selectAt: new Date(T.getTime() - 2 * DAY), description: '编制码头改建工程安全预评价报告。' });
  at(-6 * DAY);
  await sign(p8, 'agency-x4');
  at(-2 * DAY + 60_000);
  await runDuePurchaseSteps();

  // 9. Price competition, sign-up open.
  at(-1 * DAY);
  const p9 = await publish('owner1', { itemCode: 'SJ-003', projectName: '江城市民之家海绵城市改造', projectCode: '2026-420100-48-01-100512', budgetFen: 15_000_000, method: 'price', signupEnd: new Date(T.getTime() + 4 * DAY), selectAt: new Date(T.getTime() + 4 * DAY + HOUR), description: '市民之家园区海绵城市改造专项设计。' });
  at(-20 * HOUR);
  await sign(p9, 'agency2', 13_800_000);
  at(0);
}

async function agencyUser(ctx: SeedContext, agencyId: string) {
  const prisma = ctx.db.prisma;
  const a = await prisma.agencyProfile.findUniqueOrThrow({ where: { id: agencyId } });
  const u = await prisma.user.findFirstOrThrow({ where: { organizationId: a.orgId, role: 'agency' } });
  return u;
}

/** Both parties sign the generated contract with certificates enrolled for them (as their browsers would). */
async function signBoth(ctx: SeedContext, purchaseId: string, at: Date) {
  const prisma = ctx.db.prisma;
  const order = await prisma.serviceOrder.findUniqueOrThrow({ where: { purchaseId } });
  const owner = await prisma.user.findFirstOrThrow({ where: { organizationId: order.ownerOrgId, role: 'owner' } });
  const agency = await agencyUser(ctx, order.agencyId);
  const { enrollLocally } = await import('~/modules/pki/local-enroll.server');
  const content = (await contractBytes(order.id))!.bytes;
  for (const [i, u] of [owner, agency].entries()) {
    setClock(new Date(at.getTime() - 30 * 60_000 + i * 60_000));
    // A fresh certificate per signing: the clock goes back and forth while seeding.
    const existing = await enrollLocally(actorFor(u), u.id, { rsaBits: 2048 });
    const sig = await signData({ content: new Uint8Array(content), signerCert: existing.cert, signerKey: existing.signKey, detached: true });
    setClock(new Date(at.getTime() + i * 60_000));
    await signContract(actorFor(u), u, order.id, Buffer.from(sig).toString('base64'));
  }
  return prisma.serviceOrder.findUniqueOrThrow({ where: { id: order.id } });
}
