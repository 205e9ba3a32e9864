// Realistic sample inputs for every template: used by the tests and for previewing layouts.
import type { BidReceiptData } from './bidReceipt.server';
import type { EvaluationReportData } from './evaluationReport.server';
import type { MonthlyReportData } from './monthlyReport.server';
import type { AwardNoticeData, ResultNoticeData } from './notices.server';
import type { OpeningRecordData } from './openingRecord.server';
import type { ServiceContractData } from './serviceContract.server';
import type { StatementData } from './statement.server';

const ISSUER = '临江市公共资源交易中心';
const at = (iso: string) => new Date(`${iso}+08:00`);
const TENDER = { name: '临江市第一人民医院门诊综合楼改扩建工程施工', code: 'LJGGZY-2025-JS-0012' };
const SECTION = { code: '01', name: '第一标段' };
const HEX = (seed: string) => seed.repeat(64).slice(0, 64);

export const sampleBidReceipt: BidReceiptData = {
  issuer: ISSUER,
  issuedAt: at('2025-03-17T16:42:05'),
  verifyUrl: 'https://ggzy.linjiang.gov.cn/verify/HZ-2025-0317-000481',
  receiptId: 'HZ-2025-0317-000481',
  tender: TENDER,
  section: SECTION,
  bidder: { name: '临江建工集团有限公司', creditCode: '91330100MA2KXXXX7Q' },
  submittedAt: new Date('2025-03-17T08:42:03.517Z'),
  bidDeadline: at('2025-03-18T09:30:00'),
  ciphertextSha256: 'd2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26',
  ciphertextBytes: 18_734_209,
  timestamp: { serial: '0x5F3A9C21D4E8', tsaTime: new Date('2025-03-17T08:42:04.102Z'), tsaName: '临江市公共资源交易中心可信时间戳服务' },
  auditLog: { index: 104_217, treeSize: 104_218, rootHash: '7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069' },
};

const BIDDERS = ['临江建工集团有限公司', '浙东建设工程有限公司', '华南路桥集团股份有限公司', '江城市政工程有限公司'];

export const sampleOpeningRecord: OpeningRecordData = {
  issuer: ISSUER,
  issuedAt: at('2025-03-18T10:21:40'),
  verifyUrl: 'https://ggzy.linjiang.gov.cn/verify/KB-2025-0318-0012',
  verifyCode: '7Q4K-M2XD',
  recordId: 'KB-2025-0318-0012',
  tender: { ...TENDER, tenderer: '临江市第一人民医院', agent: '临江正信工程咨询有限公司' },
  sections: [SECTION],
  bidDeadline: at('2025-03-18T09:30:00'),
  openingTime: at('2025-03-18T09:30:00'),
  venue: '临江市公共资源交易中心不见面开标大厅（线上）',
  host: { name: '陈晓峰', organization: '临江正信工程咨询有限公司' },
  supervisors: [
    { name: '刘建国', organization: '临江市住房和城乡建设局' },
    { name: '周敏', organization: '临江市公共资源交易监督管理办公室' },
  ],
  attendance: BIDDERS.map((bidder, i) => ({
    bidder,
    representative: ['王志强', '李春华', '赵丽娟', '孙海涛'][i],
    checkedInAt: i === 3 ? undefined : at(`2025-03-18T09:1${i}:2${i}`),
    ipAddress: i === 3 ? undefined : `112.17.${40 + i}.${200 + i}`,
  })),
  decryption: [
    { section: '01', bidder: BIDDERS[0], outcome: 'decrypted', at: at('2025-03-18T09:36:12') },
    { section: '01', bidder: BIDDERS[1], outcome: 'decrypted', at: at('2025-03-18T09:37:45') },
    {
      section: '01',
      bidder: BIDDERS[2],
      outcome: 'deemedWithdrawn',
      reason: '平台解密服务异常，经监督人员确认非投标人原因',
    },
    { section: '01', bidder: BIDDERS[3], outcome: 'deemedRevoked', reason: '投标人未在解密时限（30分钟）内完成解密' },
  ],
  quotes: [
    { section: '01', bidder: BIDDERS[0], priceFen: 4_862_391_550, durationDays: 540, quality: '合格', projectManager: '王志强', deposit: 'paid' },
    { section: '01', bidder: BIDDERS[1], priceFen: 4_795_006_000, durationDays: 520, quality: '合格', projectManager: '李春华', deposit: 'guarantee' },
  ],
  objections: [
    {
      raisedBy: BIDDERS[2],
      raisedAt: at('2025-03-18T09:52:00'),
      content: '我方投标文件解密失败系平台原因，请求延长解密时间。',
      answer: '经技术核查确认平台解密服务异常，按《电子招标投标办法》第三十一条视为撤回，投标保证金予以退还。',
      answeredBy: '陈晓峰',
      answeredAt: at('2025-03-18T10:05:30'),
    },
  ],
  timeline: [
    { at: at('2025-03-18T09:30:00'), event: '投标截止，系统停止接收投标文件', actor: '系统' },
    { at: at('2025-03-18T09:31:10'), event: '开标密钥分片汇集（3/5），重建开标私钥并与公布的公钥核对一致', actor: '陈晓峰' },
    { at: at('2025-03-18T09:33:00'), event: '宣布开标，投标人开始解密' },
    { at: at('2025-03-18T10:03:00'), event: '解密时限届满' },
    { at: at('2025-03-18T10:12:00'), event: '唱标完成，公示开标结果', actor: '陈晓峰' },
  ],
  recordingSha256: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
  auditLog: {
    treeSize: 104_391,
    rootHash: 'a3f1c0de9b7e2d45a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4',
    signedTreeHead: 'MEUCIQDx3Yq9cH1m2Qw0Pp6tYJ7nVb8oN9+L4kR2sT5uVwXyZAIgU8h3Kz1Q6pN7mB2vC5xJ4rT9wE0aS1dF6gH7jK8lM9o=',
    signedAt: at('2025-03-18T10:21:00'),
  },
  signers: [
    { role: '开标主持人', name: '陈晓峰', signedAt: at('2025-03-18T10:20:11'), certificateFingerprint: HEX('3fa9') },
    { role: '监督人员', name: '刘建国', signedAt: at('2025-03-18T10:20:48'), certificateFingerprint: HEX('b71c') },
    { role: '监督人员', name: '周敏' },
    { role: '招标人代表', name: '林文博' },
  ],
};

export const sampleServiceContract: ServiceContractData = {
  issuer: ISSUER,
  issuedAt: at('2025-04-02T15:00:00'),
  verifyUrl: 'https://ggzy.linjiang.gov.cn/verify/ZJHT-2025-0402-0037',
  contractNo: 'ZJHT-2025-0402-0037',
  project: { name: '临江市滨江新区污水处理厂三期扩建工程', code: 'ZJCS-2025-0211' },
  client: {
    name: '临江市滨江新区建设发展有限公司',
    creditCode: '91330100MA27YYYY3L',
    address: '临江市滨江新区江南大道1288号',
    representative: '郑国平',
    contact: '徐倩',
    phone: '0571-8765 4321',
  },
  provider: {
    name: '临江绿源环境科技咨询有限公司',
    creditCode: '91330106MA2BZZZZ5E',
    address: '临江市西湖区文三路90号东部软件园5号楼',
    representative: '黄立新',
    contact: '吴思远',
    phone: '138 0571 2468',
  },
  serviceItem: '建设项目环境影响评价报告书编制',
  selectionMethod: '随机抽取',
  feeFen: 1_234_567,
  feeBasis: '《临江市网上中介服务超市统一收费标准（2024年版）》环评类第3项',
  timeLimitWorkingDays: 20,
  serviceStandard:
    '服务成果应符合《环境影响评价技术导则 总纲》（HJ 2.1-2016）及相关专项导则要求，数据真实、结论明确，满足生态环境主管部门审批要求；报告书应经乙方内部三级审核并由持证环评工程师签字。',
  deliverables: ['环境影响报告书（送审稿、报批稿）', '公众参与说明', '技术审查意见答复'],
  place: '临江市网上中介服务超市',
  signers: [
    { role: '甲方（盖章）', name: '临江市滨江新区建设发展有限公司', signedAt: at('2025-04-02T14:31:09'), certificateFingerprint: HEX('c0de') },
    { role: '乙方（盖章）', name: '临江绿源环境科技咨询有限公司' },
  ],
};

const NOTICE_BASE = {
  issuer: ISSUER,
  issuedAt: at('2025-03-28T09:00:00'),
  noticeNo: 'ZBTZ-2025-0012-01',
  tender: TENDER,
  section: SECTION,
  tenderer: '临江市第一人民医院',
  agent: '临江正信工程咨询有限公司',
  winner: { name: BIDDERS[1], creditCode: '91330200MA2CWWWW1K' },
  priceFen: 4_795_006_000,
  durationDays: 520,
  quality: '合格',
  projectManager: '李春华',
  openedAt: at('2025-03-18T09:30:00'),
  signers: [
    { role: '招标人（盖章）', name: '临江市第一人民医院', signedAt: at('2025-03-28T08:55:00') },
    { role: '招标代理机构（盖章）', name: '临江正信工程咨询有限公司' },
  ],
  verifyUrl: 'https://ggzy.linjiang.gov.cn/verify/ZBTZ-2025-0012-01',
};

export const sampleAwardNotice: AwardNoticeData = {
  ...NOTICE_BASE,
  contractDeadline: at('2025-04-25T17:00:00'),
  contractPlace: '临江市第一人民医院基建处（门诊楼4楼）',
  performanceSecurityFen: 479_500_600,
};

export const sampleResultNotice: ResultNoticeData = {
  ...NOTICE_BASE,
  noticeNo: 'ZBJG-2025-0012-03',
  recipient: BIDDERS[0],
};

export const sampleEvaluationReport: EvaluationReportData = {
  issuer: ISSUER,
  issuedAt: at('2025-03-20T17:30:00'),
  reportId: 'PBBG-2025-0012',
  tender: TENDER,
  section: SECTION,
  method: '综合评估法',
  evaluationStart: at('2025-03-20T09:00:00'),
  evaluationEnd: at('2025-03-20T16:45:00'),
  venue: '临江市公共资源交易中心评标区 3 号室（全程录音录像）',
  experts: [
    { name: '高明远', role: '组长', specialty: '房屋建筑工程', source: '省综合评标专家库随机抽取' },
    { name: '钱雨萱', role: '成员', specialty: '工程造价', source: '省综合评标专家库随机抽取' },
    { name: '蒋卫东', role: '成员', specialty: '给排水工程', source: '省综合评标专家库随机抽取' },
    { name: '沈佳琪', role: '成员', specialty: '电气工程', source: '省综合评标专家库随机抽取' },
    { name: '林文博', role: '成员', specialty: '建设管理', source: '招标人代表' },
  ],
  criteria: [
    { name: '投标报价', maxScore: 60 },
    { name: '施工组织设计', maxScore: 25 },
    { name: '项目管理机构', maxScore: 10 },
    { name: '企业信用', maxScore: 5 },
  ],
  scores: [
    { bidder: BIDDERS[0], priceFen: 4_862_391_550, byCriterion: [57.42, 21.6, 8.8, 5] },
    { bidder: BIDDERS[1], priceFen: 4_795_006_000, byCriterion: [60, 20.8, 9.2, 4.5] },
  ],
  rejected: [{ bidder: '江城市政工程有限公司', reason: '投标文件视为撤销，未进入评审', basis: '《电子招标投标办法》第三十一条' }],
  candidateCount: 2,
  signers: [
    { role: '评标委员会组长', name: '高明远', signedAt: at('2025-03-20T17:10:00'), certificateFingerprint: HEX('a1b2') },
    { role: '评标委员会成员', name: '钱雨萱', signedAt: at('2025-03-20T17:11:00'), certificateFingerprint: HEX('c3d4') },
    { role: '评标委员会成员', name: '蒋卫东' },
    { role: '评标委员会成员', name: '沈佳琪' },
    { role: '评标委员会成员', name: '林文博' },
  ],
};

export const sampleStatement: StatementData = {
  issuer: ISSUER,
  issuedAt: at('2025-04-01T08:00:00'),
  statementNo: 'DZD-2025-03-000219',
  account: { holder: '临江建工集团有限公司', creditCode: '91330100MA2KXXXX7Q', number: '6228 4800 1234 5678 019', kind: '投标保证金子账户' },
  periodStart: at('2025-03-01T00:00:00'),
  periodEnd: at('2025-03-31T23:59:59'),
  openingBalanceFen: 50_000_000,
  entries: [
    { at: at('2025-03-05T10:12:00'), summary: '缴纳投标保证金 LJGGZY-2025-JS-0012', reference: 'BZJ202503050001', amountFen: 80_000_000 },
    { at: at('2025-03-11T14:30:00'), summary: '退还投标保证金 LJGGZY-2025-SZ-0007（未中标）', reference: 'TH202503110017', amountFen: -50_000_000 },
    { at: at('2025-03-19T09:05:00'), summary: '缴纳投标保证金 LJGGZY-2025-JS-0019', reference: 'BZJ202503190044', amountFen: 30_000_000 },
    { at: at('2025-03-21T16:20:00'), summary: '保证金利息', reference: 'LX202503210001', amountFen: 12_345 },
    { at: at('2025-03-31T11:00:00'), summary: '退还投标保证金 LJGGZY-2025-JS-0012（未中标）', reference: 'TH202503310008', amountFen: -80_000_000 },
  ],
};

export const sampleMonthlyReport: MonthlyReportData = {
  issuer: ISSUER,
  issuedAt: at('2025-04-03T09:00:00'),
  reportNo: 'YB-2025-03',
  year: 2025,
  month: 3,
  summary: {
    tendersPublished: 86,
    tendersOpened: 74,
    dealCount: 69,
    dealAmountFen: 312_456_789_00,
    savedFen: 18_765_432_10,
    purchasesCompleted: 142,
    overdueWarnings: { red: 2, yellow: 11 },
    complaints: 3,
    satisfaction: 0.987,
  },
  byCategory: [
    { category: '工程建设', count: 38, amountFen: 254_321_000_00 },
    { category: '政府采购', count: 21, amountFen: 41_235_789_00 },
    { category: '土地使用权和矿业权出让', count: 4, amountFen: 15_800_000_00 },
    { category: '国有产权交易', count: 6, amountFen: 1_100_000_00 },
  ],
  agencies: [
    { name: '临江绿源环境科技咨询有限公司', services: 17, onTimeRate: 1, averageRating: 4.86, creditGrade: 'AAA' },
    { name: '临江正信工程咨询有限公司', services: 23, onTimeRate: 0.957, averageRating: 4.71, creditGrade: 'AA' },
    { name: '江南测绘地理信息有限公司', services: 9, onTimeRate: 0.889, averageRating: 4.52, creditGrade: 'A' },
  ],
  remarks: ['3月共发出红色预警2次，均为中介服务超时办结，已约谈相关中介机构并记入信用档案。', '投诉举报3件，已办结2件，1件正在调查处理中。'],
};
