// Supervision demo data: complaints in every state (one overdue), warnings in every state (the
// market's order past 80 % of its time limit stays yellow until the clock moves), built through
// the supervision module so that events, notifications and audit entries are real.
import { getPrisma } from '~/db/index.server';
import type { Actor } from '~/modules/audit/audit.server';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { fileComplaint, handleComplaint } from '~/modules/supervision/complaints.server';
import { WARNING_RULES } from '~/modules/supervision/rules/index.server';
import { closeWarning, runWarningRules, startHandling } from '~/modules/supervision/warnings.server';
import type { SeedContext } from './seed';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function actorFor(u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

export async function seedSupervision(ctx: SeedContext) {
  const prisma = await getPrisma();
  const T = now();
  const at = (ms: number) => setClock(new Date(T.getTime() + ms));
  const user = async (username: string) => {
    const u = await prisma.user.findUniqueOrThrow({ where: { username }, include: { organization: true } });
    return u;
  };
  try {
    const sup1 = await user('supervisor1');
    const purchase = await prisma.purchase.findFirst({ where: { status: 'announced' }, orderBy: { publishedAt: 'desc' } });

    // 1. An objection answered late, 20 days ago: a red warning was raised, then handled and closed.
    at(-20 * DAY);
    const b3 = await user('bidder3');
    const late = await fileComplaint(prisma, actorFor(b3), b3, {
      kind: 'objection',
      subjectType: 'other',
      subjectLabel: '江城市滨江公园景观提升工程（施工）',
      title: '对招标文件资格条件的异议',
      facts: '招标文件要求投标人近三年须有两项本市园林工程业绩，属于以特定行政区域业绩作为加分条件，排斥外地潜在投标人。',
      demands: '请求删除“本市业绩”要求并相应顺延投标截止时间。',
    });
    at(-16 * DAY);
    await runWarningRules(prisma, WARNING_RULES, now());
    at(-15 * DAY);
    await handleComplaint(prisma, actorFor(sup1), late.id, { intent: 'decide', outcome: 'upheld', reason: '经核查，招标文件设置本市业绩要求违反《招标投标法实施条例》第三十二条，已责令招标人修改招标文件并顺延投标截止时间15日。', publish: true });
    await runWarningRules(prisma, WARNING_RULES, now());
    const lateWarning = await prisma.warning.findFirst({ where: { subjectType: 'complaint', subjectId: late.id } });
    if (lateWarning) {
      const assignee = await prisma.user.findUniqueOrThrow({ where: { id: lateWarning.assigneeId ?? sup1.id } });
      at(-14 * DAY);
      await startHandling(prisma, actorFor(assignee), lateWarning.id, '已核实：异议于法定期限后1日答复，原因为承办人出差未及时转办。');
      await closeWarning(prisma, actorFor(assignee), lateWarning.id, { conclusion: 'confirmed', reason: '已对承办科室通报批评，建立异议专人转办机制，后续纳入月度考核。' });
    }

    // 2. A complaint not accepted within 3 working days: overdue (red warning below).
    at(-9 * DAY);
    const b2 = await user('bidder2');
    await fileComplaint(prisma, actorFor(b2), b2, {
      kind: 'complaint',
      subjectType: 'other',
      subjectLabel: '江城市第二水厂扩建工程（施工总承包）',
      respondentName: '江城公共资源招标代理有限公司',
      title: '评标委员会未按招标文件规定评分',
      facts: '我公司投标报价为最低有效报价，但价格分仅得38分。按招标文件第三章评分办法，最低有效报价应得满分40分，评标委员会计算有误。',
      demands: '请求责令评标委员会复核价格分并重新推荐中标候选人。',
    });

    // 3. A complaint accepted two days ago, inside its 30-working-day decision period.
    at(-3 * DAY);
    const a3 = await user('agency3');
    const accepted = await fileComplaint(prisma, actorFor(a3), a3, {
      kind: 'complaint',
      subjectType: purchase ? 'purchase' : 'other',
      subjectId: purchase?.id,
      subjectLabel: purchase ? purchase.projectName : '中介服务采购项目',
      title: '随机抽取前报名资格审查不公',
      facts: '我单位资质等级满足采购公告要求，但报名被判定为不符合资格条件，未进入随机抽取。审查理由与公告条件不一致。',
      demands: '请求核查报名资格审查结果，如审查有误，重新组织抽取。',
    });
    at(-2 * DAY);
    await handleComplaint(prisma, actorFor(sup1), accepted.id, { intent: 'accept', note: '材料齐全，属于本部门受理范围，予以受理。已调取报名资格审查记录。' });

    // 4. A complaint filed an hour ago, waiting to be accepted (the e2e handles this one).
    at(-1 * HOUR);
    const a4 = await user('agency4');
    await fileComplaint(prisma, actorFor(a4), a4, {
      kind: 'complaint',
      subjectType: 'owner',
      subjectLabel: '江城市交通运输局',
      title: '业主拖延验收服务成果',
      facts: '我单位已于上月按合同约定提交环境影响评价报告，业主至今未组织验收也未说明理由，已超过合同约定的10个工作日验收期限。',
      demands: '请求督促业主依约组织验收并支付服务费。',
    });

    // 5. Warnings at "now": the overdue complaint (red), the market's order past 80 % (yellow),
    //    and 围标串标 on the opened tender JC-2026-FJ-0015: two bidders' decrypted bids carry the
    //    same technical proposal (prisma/seed/bidding.ts), found from the file hashes and document
    //    metadata read at the opening (red, left pending for a supervisor to take up).
    at(0);
    await runWarningRules(prisma, WARNING_RULES, now());
    const red = await prisma.warning.findFirst({ where: { status: 'pending', level: 'red', ruleId: 'complaint.answer.overtime' }, orderBy: { raisedAt: 'asc' } });
    if (red?.assigneeId) {
      const assignee = await prisma.user.findUniqueOrThrow({ where: { id: red.assigneeId } });
      await startHandling(prisma, actorFor(assignee), red.id, '已电话联系承办科室，要求当日作出受理决定。');
    }
  } finally {
    resetClock();
  }
  void ctx;
  void DAY;
}
