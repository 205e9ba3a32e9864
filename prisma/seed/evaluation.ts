// Evaluation demo data, run after the opening seed:
//   1. the expert library: 32 experts across the specialties, each with a login (password
//      Demo2026!) and a certificate whose key is written to ${DATA_DIR}/demo-keys/<username>.p12;
//      some work for a bidder or the tenderer, some have recent relations with bidders, two are
//      suspended — so every draw shows exclusions with reasons;
//   2. two earlier tenders (recorded as opened before this demo; their opening rows carry the
//      results only) taken through the real evaluation code paths in the past:
//      JC-2026-SZ-0008 awarded, notices issued and its contract filed;
//      JC-2026-YL-0011 in evaluation (committee drawn and declared, scores being entered);
//      JC-2026-JT-0009 with its committee short: refusals used up the reserves, the seed of the
//      redraw (补抽) round is committed and the centre has added an expert: the agent (tenderer2)
//      or the centre (admin) presses 补抽专家 on the evaluation page;
//      their bid files (PDFs) are kept as the opening keeps decrypted bids; the committees elect
//      their chair by vote (SZ-0008 elected, YL-0011 voting); SZ-0008's objection is mirrored in the
//      supervision complaints (answered on time);
//   3. JC-2026-FJ-0015 (opened by the opening seed, its decrypted bid PDFs kept) is left for the
//      live demo and the e2e test: the agent registers its evaluation, the centre draws, the
//      experts elect the chair, read the bids and score online.
import fs from 'node:fs';
import path from 'node:path';
import { signData } from '../../crypto/cms';
import { toBase64, utf8 } from '../../crypto/hash';
import { certInfo } from '../../crypto/pki';
import type { Actor } from '~/modules/audit/audit.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { withCheckChar } from '~/modules/auth/credit-code';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { awardStatement, fileContract, issueAward, prepareAward, publishCandidates, raiseObjection, answerObjection } from '~/modules/evaluation/award.server';
import { acceptInvitation, aggregateAndReport, createEvaluationPlan, declarationFor, declineInvitation, runExpertDraw, saveScore, signReport, submitScores, voteChair } from '~/modules/evaluation/evaluation.server';
import { recordDecryptedFiles, storeDecryptedFiles } from '~/modules/opening/plaintext.server';
import { reportStatement } from '~/modules/evaluation/types';
import { addRelation, createExpert, setExpertStatus } from '~/modules/experts/experts.server';
import type { SpecialtyCode } from '~/modules/experts/specialties';
import { log } from '~/modules/log.server';
import { localGateway } from '~/modules/payments/config.server';
import { createOrder, payUrlFor, performRefund, syncOrderWithAlipay } from '~/modules/payments/orders.server';
import { enrollLocally, enrolmentP12, type LocalEnrolment } from '~/modules/pki/local-enroll.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { putBytes } from '~/modules/files/store.server';
import { renderPdf } from '~/modules/documents/pdf.server';
import { DEMO_PASSWORD } from './accounts';
import type { SeedContext } from './seed';
import { demoKeysDir } from './trust';

const DAY = 24 * 3600_000;
const ADMIN: Actor = { ...SYSTEM_ACTOR, role: 'admin', name: '交易中心管理员' };

type SeedUser = SeedContext['users'] extends Map<string, infer U> ? U : never;
function actor(u: SeedUser | { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖';
const GIVEN = ['建国', '立新', '海涛', '晓燕', '志强', '丽华', '文博', '国庆', '春梅', '德明', '秀英', '振华', '玉兰', '永刚', '雪松', '慧敏', '俊杰', '红霞', '宏伟', '静怡', '长江', '明远', '思源', '佳琪', '卫东', '淑芬', '家豪', '素琴', '鹏飞', '婉清', '光辉', '亚楠'];
const TITLES = ['高级工程师', '正高级工程师', '高级工程师', '高级经济师', '教授级高级工程师'];
const EMPLOYERS = [
  '江城市市政工程设计研究院有限公司',
  '江城大学土木工程学院',
  '江城市建筑设计院有限公司',
  '楚江工程咨询有限公司',
  '江城市水务规划设计院',
  '江城理工大学',
  '中建三局江城分公司技术中心',
  '江城市园林科学研究所',
];

// Specialty mix: every code has enough experts for a 5-person committee plus reserves where it matters.
const MIX: SpecialtyCode[][] = [
  ['A02', 'B01'], ['A02'], ['A02', 'A03'], ['A02'], ['A02', 'A05'], ['A02'], ['A02', 'B02'], ['A02'], ['A02'], ['A02'],
  ['A01', 'A05'], ['A01', 'B01'], ['A01'], ['A01', 'A07'], ['A01'], ['A01', 'B02'], ['A01', 'A05'], ['A01'], ['A01', 'A06'], ['A01'],
  ['A05'], ['A05', 'A02'], ['A05'], ['A05'], ['A05'], ['A05'], ['A05'],
  ['A03', 'A05'], ['A04'], ['A06', 'C01'], ['A07'], ['C01'],
];

async function pdfFile(title: string, lines: string[]) {
  const bytes = await renderPdf({ title, meta: { createdAt: now() }, blocks: lines.map((text) => ({ type: 'paragraph' as const, text })) });
  return { ...(await putBytes(bytes)), size: bytes.length };
}

export async function seedEvaluation(ctx: SeedContext) {
  const prisma = ctx.db.prisma;
  const T = now();
  const at = (ms: number) => setClock(new Date(T.getTime() + ms));
  const org = (key: string) => ctx.orgs.get(key)!;
  const u = (name: string) => ctx.users.get(name)!;
  const pki = await getPlatformPki();
  const dir = demoKeysDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  // The earlier tenders are evaluated "in the past": signatures are verified at the platform
  // clock, which must not precede the platform CA. Without a CA that old, only the library is seeded.
  const history = certInfo(pki.ca.cert).notBefore.getTime() <= T.getTime() - 46 * DAY;
  try {
    // Certificates issued in the past are still valid now.
    if (history) at(-45 * DAY);
    const experts: { id: string; userId: string; user: { id: string; displayName: string; organizationId: string | null; role: string }; key: LocalEnrolment }[] = [];
    async function addExpert(i: number, specialties: SpecialtyCode[]) {
      const n = i + 1;
      // Conflicts on purpose: #3 works for bidder1, #12 for the tenderer 江城市第一人民医院, #21 for bidder6.
      const employer =
        n === 3 ? { employerName: org('bidder1').name, employerCreditCode: org('bidder1').creditCode } : n === 12 ? { employerName: org('owner2').name, employerCreditCode: org('owner2').creditCode } : n === 21 ? { employerName: org('bidder6').name, employerCreditCode: org('bidder6').creditCode } : { employerName: EMPLOYERS[i % EMPLOYERS.length], employerCreditCode: withCheckChar(`91420100MA4W${String(700 + (i % EMPLOYERS.length)).padStart(5, '0')}`) };
      const e = await createExpert(ADMIN, {
        username: `expert${String(n).padStart(2, '0')}`,
        name: i < GIVEN.length ? `${SURNAMES[i]}${GIVEN[i]}` : '陆振宇',
        title: TITLES[i % TITLES.length],
        specialties,
        region: i % 4 === 0 ? '江城市江北区' : i % 4 === 1 ? '江城市江南区' : i % 4 === 2 ? '江城市高新区' : '江城市临江区',
        ...employer,
        phone: `139${String(10_000_000 + n * 7919).slice(0, 8)}`,
        password: DEMO_PASSWORD,
      });
      const user = await prisma.user.findUniqueOrThrow({ where: { id: e.userId } });
      const key = await enrollLocally(SYSTEM_ACTOR, user.id, { rsaBits: 2048 });
      fs.writeFileSync(path.join(dir, `${user.username}.p12`), await enrolmentP12(key, [pki.ca.cert], DEMO_PASSWORD, user.displayName), { mode: 0o600 });
      const x = { id: e.id, userId: user.id, user, key };
      experts.push(x);
      return x;
    }
    for (const [i, specialties] of MIX.entries()) await addExpert(i, specialties);
    // Relations (回避): #5 left bidder2 a year ago; #14 advises bidder3; #24 holds shares in bidder6.
    await addRelation(ADMIN, experts[4].id, { kind: 'former_employer', orgName: org('bidder2').name, orgCreditCode: org('bidder2').creditCode, endedOn: new Date(T.getTime() - 400 * DAY).toISOString().slice(0, 10) });
    await addRelation(ADMIN, experts[13].id, { kind: 'cooperation', orgName: org('bidder3').name, orgCreditCode: org('bidder3').creditCode });
    await addRelation(ADMIN, experts[23].id, { kind: 'shareholder', orgName: org('bidder6').name, orgCreditCode: org('bidder6').creditCode });
    await setExpertStatus(ADMIN, experts[8].id, 'suspended', '出国访学，2026年12月前暂停抽取');
    await setExpertStatus(ADMIN, experts[25].id, 'suspended', '信用处理期内');
    const expertByUser = new Map(experts.map((e) => [e.userId, e]));
    if (!history) {
      log.warn('seed.evaluation.history-skipped', { reason: 'the platform CA is younger than the demo history', experts: experts.length });
      return;
    }
    const sign = async (key: LocalEnrolment, text: string) => toBase64(await signData({ content: utf8(text), signerCert: key.cert, signerKey: key.signKey, detached: true }));

    // The earlier tenders, recorded as opened (their bids as read out at the opening).
    const agent = u('tenderer2');
    const agentKey = await enrollLocally(actor(agent), agent.id, { rsaBits: 2048 });
    async function openedTender(code: string, name: string, tendererName: string, specialtyNote: string, bids: { bidder: string; price: number; days: number; pm: string }[], daysAgo: number) {
      const opened = new Date(T.getTime() - daysAgo * DAY);
      const tender = await prisma.tender.create({
        data: {
          code,
          name,
          agentOrgId: agent.organizationId!,
          createdById: agent.id,
          tendererName,
          method: 'open',
          summary: specialtyNote,
          bidDeadline: opened,
          depositFen: 5_000_000,
          bidForm: [
            { key: 'price', label: '投标报价', type: 'money', required: true },
            { key: 'durationDays', label: '工期（日历天）', type: 'days', required: true },
            { key: 'projectManager', label: '项目经理', type: 'text', required: true },
          ],
          status: 'opened',
          publishedAt: new Date(opened.getTime() - 25 * DAY),
          createdAt: new Date(opened.getTime() - 26 * DAY),
          updatedAt: opened,
          sections: { create: [{ seq: 1, name: '施工', budgetFen: Math.max(...bids.map((b) => b.price)) + 10_000_000 }] },
        },
        include: { sections: true },
      });
      const section = tender.sections[0];
      const opening = await prisma.opening.create({ data: { tenderId: tender.id, state: 'closed', hostUserId: agent.id, hostOrgId: agent.organizationId!, startedAt: opened, closedAt: new Date(opened.getTime() + 3600_000), createdAt: opened, updatedAt: opened } });
      for (const [i, b] of bids.entries()) {
        const bidder = org(b.bidder);
        const ob = await prisma.openingBid.create({
          data: { openingId: opening.id, bidId: `${code}-${i + 1}`, sectionId: section.id, sectionSeq: 1, bidderOrgId: bidder.id, bidderName: bidder.name, position: i + 1, envelopeSha256: '0'.repeat(64), result: 'valid', decryptedBy: 'bidder', form: { price: b.price, durationDays: b.days, projectManager: b.pm }, processedAt: opened, readAt: opened },
        });
        // The bid files as the opening keeps them once decrypted (plaintext in the file store).
        const pdf = await renderPdf({
          title: '投标文件',
          subtitle: `${name} 第1标段`,
          header: bidder.name,
          meta: { createdAt: opened },
          blocks: [
            { type: 'heading', text: '投标函' },
            { type: 'paragraph', indent: true, text: `我方已仔细研究招标文件的全部内容，愿意以人民币 ${(b.price / 100).toFixed(2)} 元的投标总报价、${b.days} 日历天的工期，按合同约定实施和完成承包工程。拟派项目经理：${b.pm}。` },
            { type: 'heading', text: '施工组织设计（摘要）' },
            { type: 'paragraph', indent: true, text: specialtyNote },
            { type: 'signatures', signers: [{ role: '投标人', name: bidder.name }] },
          ],
        });
        const kept = await storeDecryptedFiles([{ name: '投标文件.pdf', bytes: pdf }]);
        await prisma.$transaction((tx) => recordDecryptedFiles(tx, ob.id, kept));
        // Deposits paid at the local Alipay gateway (as the payments seed does), so refunds really go back.
        const gateway = localGateway();
        if (gateway) {
          const payer = u(b.bidder);
          const o = await prisma.$transaction((tx) => createOrder(tx, { purpose: 'bid_deposit', refType: 'tender_section', refId: section.id, payerOrgId: bidder.id, payerUserId: payer.id, amountFen: 5_000_000, subject: `投标保证金 ${code} 第1标段` }));
          await (await fetch(await payUrlFor(o.id))).text();
          gateway.confirmPayment(o.outTradeNo);
          await syncOrderWithAlipay(o.id, 'query');
        }
      }
      return { tender, section };
    }

    // The refunds job would return these within the day; the seed does it at the time.
    async function refundPending(sectionId: string) {
      const pending = await prisma.paymentRefund.findMany({ where: { status: 'pending', order: { refType: 'tender_section', refId: sectionId } } });
      for (const r of pending) await performRefund(r.id);
    }

    async function drawAndDeclare(evId: string, declineFirst: boolean) {
      await runExpertDraw(ADMIN, evId);
      if (declineFirst) {
        const first = await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId: evId }, orderBy: { seq: 'asc' } });
        const e = expertByUser.get(first.userId)!;
        await declineInvitation(actor(e.user), e.user, evId, '当日有其他项目评审任务，不能参加');
      }
      const members = await prisma.evaluationMember.findMany({ where: { evaluationId: evId, status: 'invited' }, orderBy: { seq: 'asc' } });
      for (const m of members) {
        const e = expertByUser.get(m.userId)!;
        await acceptInvitation(actor(e.user), e.user, evId, await sign(e.key, await declarationFor(evId, e.userId)));
      }
      return prisma.evaluationMember.findMany({ where: { evaluationId: evId, status: 'accepted' }, orderBy: { seq: 'asc' } });
    }

    // ---- 1. JC-2026-SZ-0008: awarded, contract filed ------------------------------------
    at(-40 * DAY);
    const sz = await openedTender(
      'JC-2026-SZ-0008',
      '江城市滨江大道（二期）道路及排水工程施工',
      '江城市城市建设投资集团有限公司',
      '滨江大道二期道路全长3.2公里，含道路、排水、照明及交通设施。计划工期365日历天。',
      [
        { bidder: 'bidder2', price: 86_450_000_00, days: 360, pm: '何俊' },
        { bidder: 'bidder3', price: 84_980_000_00, days: 365, pm: '罗娟' },
        { bidder: 'bidder1', price: 88_120_000_00, days: 350, pm: '黄伟' },
      ],
      40,
    );
    at(-39 * DAY);
    const ev1 = await createEvaluationPlan(actor(agent), agent, { sectionId: sz.section.id, method: 'comprehensive', specialty: 'A02', expertCount: 5, scheduledAt: new Date(T.getTime() - 38 * DAY + 8 * 3600_000).toISOString().slice(0, 16), priceWeight: 40, criteriaText: '施工组织设计=35\n项目管理机构=10\n企业业绩与信誉=15' });
    at(-38 * DAY - 3 * 3600_000);
    const m1 = await drawAndDeclare(ev1.id, true);
    // 组长推选: the second drawn gets a majority of the five on the fourth vote.
    at(-38 * DAY - 2 * 3600_000);
    for (const [voter, choice] of [[0, 1], [1, 1], [2, 0], [3, 1]] as const) {
      const e = expertByUser.get(m1[voter].userId)!;
      const r = await voteChair(actor(e.user), e.user, ev1.id, m1[choice].id);
      if (r.chairMemberId) break;
    }
    at(-38 * DAY);
    const bids1 = await prisma.evaluationBid.findMany({ where: { evaluationId: ev1.id }, orderBy: { position: 'asc' } });
    const chairUser = expertByUser.get(m1[0].userId)!.user;
    await (await import('~/modules/evaluation/evaluation.server')).askClarification(actor(chairUser), chairUser, ev1.id, { evaluationBidId: bids1[1].id, question: '请说明投标报价中雨水管道顶管段单价明显偏低的原因。' });
    at(-38 * DAY + 3600_000);
    const b3 = u('bidder3');
    const clar = await prisma.clarification.findFirstOrThrow({ where: { evaluationId: ev1.id } });
    await (await import('~/modules/evaluation/evaluation.server')).answerClarification(actor(b3), b3, clar.id, '我方自有顶管设备，且同期在建项目可共用泥水处理设施，单价已包含全部成本，详见投标文件第五章。');
    at(-38 * DAY + 2 * 3600_000);
    const marks = [
      ['32.5', '9', '13.5'],
      ['30', '8.5', '12'],
      ['33', '9.5', '14'],
    ];
    for (const [j, m] of m1.entries()) {
      const e = expertByUser.get(m.userId)!;
      for (const [i, b] of bids1.entries()) {
        const adj = (j % 3) * 0.5;
        const [c1, c2, c3] = marks[i].map((x) => String(Math.max(0, Number(x) - adj)));
        await saveScore(actor(e.user), e.user, ev1.id, { evaluationBidId: b.id, points: { c1, c2, c3 }, reject: false, comment: i === 1 ? '报价偏低但已澄清合理' : undefined });
      }
      await submitScores(actor(e.user), e.user, ev1.id);
    }
    const chair1 = (await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId: ev1.id, isChair: true } }))!;
    await aggregateAndReport(actor(expertByUser.get(chair1.userId)!.user), expertByUser.get(chair1.userId)!.user, ev1.id);
    const rep1 = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev1.id } });
    for (const m of m1) {
      const e = expertByUser.get(m.userId)!;
      await signReport(actor(e.user), e.user, ev1.id, await sign(e.key, reportStatement(ev1.id, rep1.reportPdfSha256!)));
    }
    at(-37 * DAY);
    await publishCandidates(actor(agent), agent, ev1.id, 3);
    at(-36 * DAY);
    const b1 = u('bidder1');
    await raiseObjection(actor(b1), b1, ev1.id, '第一中标候选人拟派项目经理同时在其他在建项目任职，请核查其是否满足招标文件关于项目经理不得兼任的要求。');
    at(-35 * DAY);
    const obj = await prisma.awardObjection.findFirstOrThrow({ where: { evaluationId: ev1.id } });
    await answerObjection(actor(agent), agent, ev1.id, obj.id, '经核查全国建筑市场监管公共服务平台，该项目经理原任职项目已于2026年8月竣工验收并办理变更，不存在兼任情形，异议不成立。');
    at(-33 * DAY);
    const results1 = (await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev1.id } })).results as unknown as { bidId: string; rank: number | null }[];
    const first = results1.find((r) => r.rank === 1)!;
    const manifest = await prepareAward(actor(agent), agent, ev1.id, { evaluationBidId: first.bidId });
    await issueAward(actor(agent), agent, ev1.id, await sign(agentKey, awardStatement(manifest)));
    at(-32 * DAY);
    await refundPending(sz.section.id);
    at(-20 * DAY);
    const winnerBid = bids1.find((b) => b.id === first.bidId)!;
    const winnerOrg = await prisma.organization.findUniqueOrThrow({ where: { id: winnerBid.bidderOrgId } });
    const contract = await pdfFile('建设工程施工合同', [`发包人：江城市城市建设投资集团有限公司`, `承包人：${winnerOrg.name}`, `工程名称：江城市滨江大道（二期）道路及排水工程施工`, `签约合同价：${(Number(winnerBid.priceFen) / 100).toFixed(2)} 元`, '（双方签章页略）']);
    await fileContract(actor(agent), agent, ev1.id, { fileSha256: contract.sha256, fileName: '滨江大道二期施工合同（签章版）.pdf', fileSize: contract.size, amountFen: Number(winnerBid.priceFen), partyAName: '江城市城市建设投资集团有限公司', partyBCreditCode: winnerOrg.creditCode, signedOn: new Date(T.getTime() - 21 * DAY) });
    at(-19 * DAY);
    await refundPending(sz.section.id);

    // ---- 2. JC-2026-YL-0011: in evaluation ------------------------------------------------
    at(-3 * DAY);
    const yl = await openedTender(
      'JC-2026-YL-0011',
      '江城市月湖公园景观提升及绿化工程',
      '江城市园林和林业局',
      '月湖公园约18公顷景观提升，含绿化种植、园路、照明及海绵设施。计划工期240日历天。',
      [
        { bidder: 'bidder6', price: 23_870_000_00, days: 240, pm: '韩磊' },
        { bidder: 'bidder3', price: 24_150_000_00, days: 230, pm: '罗娟' },
        { bidder: 'bidder1', price: 23_560_000_00, days: 240, pm: '黄伟' },
        { bidder: 'bidder2', price: 25_020_000_00, days: 220, pm: '何俊' },
      ],
      3,
    );
    at(-2 * DAY);
    const ev2 = await createEvaluationPlan(actor(agent), agent, { sectionId: yl.section.id, method: 'comprehensive', specialty: 'A05', expertCount: 5, scheduledAt: new Date(T.getTime() - 4 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16), priceWeight: 30, criteriaText: '景观设计与施工方案=40\n苗木来源与养护=15\n企业业绩=15' });
    at(-6 * 3600_000);
    const m2 = await drawAndDeclare(ev2.id, false);
    at(-3 * 3600_000);
    // The chair election is under way: two of five have voted.
    for (const [voter, choice] of [[0, 2], [1, 2]] as const) {
      const e = expertByUser.get(m2[voter].userId)!;
      await voteChair(actor(e.user), e.user, ev2.id, m2[choice].id);
    }
    const bids2 = await prisma.evaluationBid.findMany({ where: { evaluationId: ev2.id }, orderBy: { position: 'asc' } });
    // Two members have scored every bid so far.
    for (const m of m2.slice(0, 2)) {
      const e = expertByUser.get(m.userId)!;
      for (const [i, b] of bids2.entries()) await saveScore(actor(e.user), e.user, ev2.id, { evaluationBidId: b.id, points: { c1: String(34 - i * 2), c2: String(13 - i), c3: String(12 - (i % 2)) }, reject: false });
    }

    // ---- 3. JC-2026-JT-0009: refusals used up the reserves; the redraw (补抽) is due -----
    at(-2 * DAY);
    const jt = await openedTender(
      'JC-2026-JT-0009',
      '江城市公交枢纽站场改造工程施工',
      '江城市交通运输局',
      '公交枢纽站场改造，含站房装修、雨棚、场坪及充电设施。计划工期180日历天。',
      [
        { bidder: 'bidder4', price: 31_280_000_00, days: 180, pm: '周敏' },
        { bidder: 'bidder5', price: 30_960_000_00, days: 175, pm: '吴昊' },
        { bidder: 'bidder3', price: 31_540_000_00, days: 170, pm: '罗娟' },
      ],
      2,
    );
    at(-1 * DAY);
    const ev3 = await createEvaluationPlan(actor(agent), agent, { sectionId: jt.section.id, method: 'lowest_price', specialty: 'A01', expertCount: 5, scheduledAt: new Date(T.getTime() + DAY + 8 * 3600_000).toISOString().slice(0, 16) });
    at(-5 * 3600_000);
    await runExpertDraw(ADMIN, ev3.id);
    // Five refusals: the four reserves are taken in record order, then they run out.
    const reasons = ['当日有其他项目评审任务', '身体原因不能参加', '出差在外地', '与投标人存在未登记的合作关系，主动回避', '当日有其他项目评审任务'];
    for (const [i, why] of reasons.entries()) {
      at(-4 * 3600_000 + i * 10 * 60_000);
      const invited = await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId: ev3.id, status: 'invited' }, orderBy: { seq: 'asc' } });
      const e = expertByUser.get(invited.userId)!;
      await declineInvitation(actor(e.user), e.user, ev3.id, why);
    }
    // The centre adds an expert of the specialty to the library; the redraw round's seed is committed already.
    at(-2 * 3600_000);
    await addExpert(32, ['A01']);
    log.info('seed.evaluation', { experts: experts.length, awarded: ev1.id, evaluating: ev2.id, redrawDue: ev3.id });
  } finally {
    resetClock();
  }
}
