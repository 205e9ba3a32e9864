// Demo tenders in realistic states, made through the real code paths with real cryptography:
//   1. open for bids (deadline in 16 days), 2 sections, several sealed bids already in (one replaced);
//   2. about to open: the deadline is 10 minutes after the seed ran, 3 sealed bids;
//   3. past its deadline and closed, ready for the opening: 4 sealed bids over 2 sections;
//   4. a draft with its documents uploaded, waiting for the key ceremony.
// Opening keys are generated and split exactly as in the agent's browser (ceremony.ts), shares are
// encrypted to the demo holders' certificates (their .p12 files are under DATA_DIR/demo-keys/,
// password Demo2026!, from the trust seed), and every bid is sealed with the bidder's demo key.
import fs from 'node:fs';
import path from 'node:path';
import { importPkcs12, importPrivateKeyPem } from '../../crypto/pki';
import { sealBid } from '../../crypto/seal';
import type { Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { runOpeningKeyCeremony } from '~/modules/bidding/ceremony';
import { submitGuarantee } from '~/modules/bidding/deposits.server';
import { obtainDocuments, uploadTenderDocument } from '~/modules/bidding/documents.server';
import { certifyOpeningKey, createTender, encryptionCertOf, publishTender } from '~/modules/bidding/tenders.server';
import { DAY_MS, toBeijingLocal, type TenderInput } from '~/modules/bidding/types';
import { appendChunk, closeDueTenders, completeBidUpload, startBidUpload } from '~/modules/bidding/uploads.server';
import { renderPdf } from '~/modules/documents/pdf.server';
import { log } from '~/modules/log.server';
import { pemToDer } from '../../crypto/pki';
import { DEMO_PASSWORD } from './accounts';
import type { SeedContext } from './seed';
import { demoKeysDir } from './trust';

type SeedUser = SeedContext['users'] extends Map<string, infer U> ? U : never;

function actor(u: SeedUser): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

async function tenderDocumentPdf(name: string, code: string) {
  return renderPdf({
    title: `${name}\n招标文件`,
    subtitle: `项目编号 ${code}`,
    header: '江城公共资源招标代理有限公司',
    meta: { createdAt: now(), documentId: code },
    blocks: [
      { type: 'heading', text: '第一章 招标公告' },
      { type: 'paragraph', indent: true, text: `本招标项目${name}已由江城市发展和改革委员会批准建设，资金来自财政资金，已落实。项目已具备招标条件，现对该项目的施工进行公开招标。` },
      { type: 'heading', text: '第二章 投标人须知' },
      { type: 'paragraph', indent: true, text: '投标文件须在江城市公共资源交易平台使用数字证书签名并加密后在线递交；逾期送达或者未完整送达的投标文件，招标人不予受理。开标采用远程不见面方式，投标人在线解密。' },
      { type: 'heading', text: '第三章 评标办法（综合评估法）' },
      { type: 'table', columns: [{ title: '评分因素' }, { title: '分值', width: 0.2, align: 'right' }], rows: [['投标报价', '60'], ['施工组织设计', '25'], ['项目管理机构', '10'], ['信用评价', '5']] },
    ],
  });
}

async function bidPdf(org: string, tender: string, section: string, price: number) {
  return renderPdf({
    title: '投标文件',
    subtitle: `${tender} ${section}`,
    header: org,
    meta: { createdAt: now() },
    blocks: [
      { type: 'heading', text: '投标函' },
      { type: 'paragraph', indent: true, text: `我方已仔细研究招标文件的全部内容，愿意以人民币 ${(price / 100).toFixed(2)} 元的投标总报价，按合同约定实施和完成承包工程。` },
      { type: 'signatures', signers: [{ role: '投标人', name: org }] },
    ],
  });
}

// 围标串标 in the demo: bidder1's and bidder3's bids for JC-2026-FJ-0015 carry the same technical
// proposal, byte for byte — one consultant (周立群) wrote it for both. Nothing shows before the
// deadline; once the bids are decrypted at the opening, supervision's collusion rule names both
// bidders with the shared file hash and its author metadata (docs/decisions/097).
let sharedProposal: Promise<Uint8Array> | null = null;
function sharedProposalPdf(tender: string) {
  sharedProposal ??= renderPdf({
    title: '施工组织设计',
    subtitle: tender,
    header: '技术标',
    meta: { author: '周立群', creator: 'WPS 文字', createdAt: new Date(now().getTime() - 9 * DAY_MS) },
    blocks: [
      { type: 'heading', text: '第一章 工程概况' },
      { type: 'paragraph', indent: true, text: '本工程为门诊楼改扩建，新建地上12层、地下2层，建筑面积约4.8万平方米。施工期间医院正常运营，须严格控制噪声、扬尘与交通组织。' },
      { type: 'heading', text: '第二章 施工部署与进度计划' },
      { type: 'paragraph', indent: true, text: '按“先地下、后地上，先结构、后装饰”的顺序组织流水施工，划分三个施工段，关键线路为基坑支护—地下室结构—主体结构—机电安装—竣工验收。' },
    ],
  });
  return sharedProposal;
}

async function demoKey(username: string) {
  const p12 = fs.readFileSync(path.join(demoKeysDir(), `${username}.p12`));
  const { cert, keyPem } = await importPkcs12(new Uint8Array(p12), DEMO_PASSWORD);
  return { cert, key: await importPrivateKeyPem(keyPem, 'sign', { alg: 'RSA-PSS' }) };
}

interface DemoTender {
  input: Omit<TenderInput, 'bidDeadline' | 'supervisorIds' | 'threshold' | 'fields' | 'customFields' | 'invitedCreditCodes'>;
  fields: string[];
  /** days after now for the deadline used at creation (the law's 20 days); adjusted afterwards */
  bids: { bidder: string; section: number; price: number; days: number; replaceWith?: number; attachments?: (tender: string) => Promise<{ name: string; bytes: Uint8Array }[]> }[];
  guarantees?: { bidder: string; section: number; bank: string; reference: string }[];
}

async function seedTender(ctx: SeedContext, t: DemoTender, opts: { publish: boolean }) {
  const agent = ctx.users.get('tenderer1')!;
  const sup1 = ctx.users.get('supervisor1')!;
  const sup2 = ctx.users.get('supervisor2')!;
  const tender = await createTender(actor(agent), agent, {
    ...t.input,
    bidDeadline: toBeijingLocal(new Date(now().getTime() + 30 * DAY_MS)),
    fields: t.fields,
    customFields: '',
    supervisorIds: [sup1.id, sup2.id],
    threshold: 2,
    invitedCreditCodes: '',
  });
  await uploadTenderDocument(actor(agent), agent, tender.id, { name: `${t.input.code} 招标文件.pdf`, mime: 'application/pdf', body: stream(await tenderDocumentPdf(t.input.name, t.input.code)) });
  if (!opts.publish) return tender;
  const holders = await Promise.all([agent, sup1, sup2].map(async (u) => ({ userId: u.id, certPem: (await encryptionCertOf(u.id))!.certPem })));
  const ceremony = await runOpeningKeyCeremony({
    k: 2,
    holders,
    requestCertificate: (spkiB64, keyId) => certifyOpeningKey(actor(agent), agent, tender.id, { spkiB64, keyId }),
  });
  await publishTender(actor(agent), agent, tender.id, { shares: ceremony.shares });
  return tender;
}

async function submitBids(ctx: SeedContext, tenderId: string, t: DemoTender) {
  const prisma = ctx.db.prisma;
  const full = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId }, include: { sections: { orderBy: { seq: 'asc' } } } });
  const openingCert = pemToDer(full.openingCertPem!);
  const org = (u: SeedUser) => [...ctx.orgs.values()].find((o) => o.id === u.organizationId)!;
  for (const b of t.bids) {
    const user = ctx.users.get(b.bidder)!;
    await obtainDocuments(actor(user), user, tenderId);
    const key = await demoKey(b.bidder);
    const section = full.sections[b.section - 1];
    for (const price of [b.price, ...(b.replaceWith ? [b.replaceWith] : [])]) {
      const pdf = await bidPdf(org(user).name, full.name, `第${section.seq}标段`, price);
      const sealed = await sealBid({
        tenderId,
        sectionId: section.id,
        bidderId: user.organizationId!,
        form: { price, durationDays: b.days, quality: '合格，争创省级优质工程', projectManager: `${user.displayName}（一级建造师）` },
        files: [{ name: '投标文件.pdf', bytes: pdf }, ...(b.attachments ? await b.attachments(full.name) : [])],
        signerCert: key.cert,
        signerKey: key.key,
        recipients: [openingCert],
      });
      const up = await startBidUpload(actor(user), user, { tenderId, sectionId: section.id, submission: sealed.submission });
      await appendChunk(user, up.uploadId, 0, stream(sealed.envelope));
      await completeBidUpload(actor(user), user, up.uploadId);
    }
  }
  for (const g of t.guarantees ?? []) {
    const user = ctx.users.get(g.bidder)!;
    await submitGuarantee(actor(user), user, { tenderId, sectionId: full.sections[g.section - 1].id, bank: g.bank, reference: g.reference });
  }
}

export async function seedBidding(ctx: SeedContext) {
  const start = now();
  const prisma = ctx.db.prisma;
  if (!fs.existsSync(path.join(demoKeysDir(), 'bidder1.p12'))) {
    log.warn('seed.bidding.skipped', { reason: 'no demo keys (trust seed)' });
    return;
  }

  // 1. open for bids
  const open: DemoTender = {
    input: {
      code: 'JC-2026-GC-0031',
      name: '江城市滨江大道综合改造工程施工',
      tendererName: '江城市城市建设投资集团有限公司',
      method: 'open',
      summary: '滨江大道（长江二桥至沙湖路段）道路、排水、综合管廊及景观综合改造，全长4.6公里。计划工期540日历天，质量要求合格。',
      deposit: '80000',
      documentFee: '0',
      sections: [
        { name: '道路及排水工程', budget: '186500000' },
        { name: '综合管廊及景观工程', budget: '92300000' },
      ],
    },
    fields: ['durationDays', 'quality', 'projectManager'],
    bids: [
      { bidder: 'bidder1', section: 1, price: 178_650_000_00, days: 520 },
      { bidder: 'bidder2', section: 1, price: 181_200_000_00, days: 540, replaceWith: 179_980_000_00 },
      { bidder: 'bidder3', section: 2, price: 88_760_000_00, days: 480 },
    ],
    guarantees: [{ bidder: 'bidder3', section: 2, bank: '中国建设银行江城分行', reference: 'CCB-JC-2026-00871' }],
  };
  const t1 = await seedTender(ctx, open, { publish: true });
  await submitBids(ctx, t1.id, open);
  await prisma.tender.update({ where: { id: t1.id }, data: { bidDeadline: new Date(start.getTime() + 16 * DAY_MS), publishedAt: new Date(start.getTime() - 5 * DAY_MS) } });

  // 2. about to open: deadline 10 minutes after start
  const soon: DemoTender = {
    input: {
      code: 'JC-2026-SL-0008',
      name: '江城市东湖水系连通工程（二期）施工',
      tendererName: '江城市水务局',
      method: 'open',
      summary: '东湖—严西湖水系连通渠道疏挖4.2公里，新建节制闸2座、生态护岸6.8公里。计划工期360日历天。',
      deposit: '50000',
      documentFee: '0',
      sections: [{ name: '施工总承包', budget: '64800000' }],
    },
    fields: ['durationDays', 'quality', 'projectManager'],
    bids: [
      { bidder: 'bidder5', section: 1, price: 61_380_000_00, days: 350 },
      { bidder: 'bidder2', section: 1, price: 62_950_000_00, days: 360 },
      { bidder: 'bidder1', section: 1, price: 60_870_000_00, days: 345 },
    ],
  };
  const t2 = await seedTender(ctx, soon, { publish: true });
  await submitBids(ctx, t2.id, soon);
  await prisma.tender.update({ where: { id: t2.id }, data: { bidDeadline: new Date(start.getTime() + 10 * 60_000), publishedAt: new Date(start.getTime() - 21 * DAY_MS) } });

  // 3. past its deadline: bids stamped now, the deadline set right after the last one, then closed
  const past: DemoTender = {
    input: {
      code: 'JC-2026-FJ-0015',
      name: '江城市第一人民医院门诊楼改扩建工程施工',
      tendererName: '江城市第一人民医院',
      method: 'open',
      summary: '门诊楼改扩建，新建地上12层、地下2层，建筑面积约4.8万平方米，含土建、安装、装饰装修。计划工期720日历天。',
      deposit: '80000',
      documentFee: '0',
      sections: [
        { name: '土建及安装工程', budget: '238000000' },
        { name: '装饰装修工程', budget: '56000000' },
      ],
    },
    fields: ['durationDays', 'quality', 'projectManager', 'warrantyDays'],
    bids: [
      { bidder: 'bidder1', section: 1, price: 229_400_000_00, days: 700, attachments: async (t) => [{ name: '施工组织设计.pdf', bytes: await sharedProposalPdf(t) }] },
      { bidder: 'bidder2', section: 1, price: 231_880_000_00, days: 720 },
      { bidder: 'bidder3', section: 1, price: 227_650_000_00, days: 690, attachments: async (t) => [{ name: '技术标-施工组织设计.pdf', bytes: await sharedProposalPdf(t) }] },
      { bidder: 'bidder4', section: 2, price: 53_260_000_00, days: 300 },
    ],
  };
  const t3 = await seedTender(ctx, past, { publish: true });
  await submitBids(ctx, t3.id, past);
  const last = await prisma.bid.findFirst({ where: { tenderId: t3.id }, orderBy: { submittedAt: 'desc' } });
  await prisma.tender.update({
    where: { id: t3.id },
    data: { bidDeadline: new Date(Math.max(now().getTime() - 1000, (last?.submittedAt.getTime() ?? 0) + 1)), publishedAt: new Date(start.getTime() - 22 * DAY_MS) },
  });
  await closeDueTenders();

  // 4. a draft waiting for the key ceremony
  await seedTender(
    ctx,
    {
      input: {
        code: 'JC-2026-JT-0022',
        name: '江城市智慧交通信号控制系统升级改造项目',
        tendererName: '江城市交通运输局',
        method: 'open',
        summary: '全市286个路口信号机升级、区域协调控制平台建设及三年运维。',
        deposit: '20000',
        documentFee: '300',
        sections: [
          { name: '信号机及前端设备', budget: '18600000' },
          { name: '控制平台与运维', budget: '9400000' },
        ],
      },
      fields: ['durationDays', 'projectManager'],
      bids: [],
    },
    { publish: false },
  );
  // the announcements read as published on the backdated dates
  for (const t of [t1, t2, t3]) {
    const row = await prisma.tender.findUniqueOrThrow({ where: { id: t.id } });
    if (row.announcementId && row.publishedAt) await prisma.announcement.update({ where: { id: row.announcementId }, data: { publishedAt: row.publishedAt } });
  }
  log.info('seed.bidding', { tenders: 4, bids: await prisma.bid.count() });
}
