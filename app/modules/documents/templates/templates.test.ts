import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderPdf, type PdfDoc } from '../pdf.server';
import { hasPoppler, pdfPages, rasterize, squash } from '../testing.server';
import { bidReceipt } from './bidReceipt.server';
import { evaluationReport, rankBids } from './evaluationReport.server';
import { monthlyReport } from './monthlyReport.server';
import { awardNotice, resultNotice } from './notices.server';
import { openingRecord } from './openingRecord.server';
import {
  sampleAwardNotice,
  sampleBidReceipt,
  sampleEvaluationReport,
  sampleMonthlyReport,
  sampleOpeningRecord,
  sampleResultNotice,
  sampleServiceContract,
  sampleStatement,
} from './samples';
import { serviceContract } from './serviceContract.server';
import { statement, statementTotals } from './statement.server';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function text(doc: PdfDoc) {
  const bytes = await renderPdf(doc);
  const pages = pdfPages(bytes);
  // Every page renders without a poppler error.
  expect(rasterize(bytes, 50)).toHaveLength(pages.length);
  pages.forEach((page, i) => expect(squash(page)).toContain(`第${i + 1}页/共${pages.length}页`));
  return { all: squash(pages.join('\n')), pages, bytes };
}

describe.skipIf(!hasPoppler)('templates rendered and read back', () => {
  it('bid receipt 投标回执', async () => {
    const { all, pages } = await text(bidReceipt(sampleBidReceipt));
    expect(pages).toHaveLength(1);
    for (const s of [
      '投标回执',
      '回执编号：HZ-2025-0317-000481',
      '临江建工集团有限公司',
      '91330100MA2KXXXX7Q',
      '第一标段（01）',
      // 08:42:03.517 UTC is 16:42:03.517 in Beijing.
      '2025-03-1716:42:03.517',
      'd2a84f4b 8b650937',
      '0x5F3A9C21D4E8',
      '18,734,209字节',
      '104217',
      '7f83b165',
      'https://ggzy.linjiang.gov.cn/verify/HZ-2025-0317-000481',
    ]) {
      expect(all).toContain(squash(s));
    }
  });

  it('opening record 开标记录', async () => {
    const { all, pages } = await text(openingRecord(sampleOpeningRecord));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const s of [
      '开标记录',
      '临江正信工程咨询有限公司',
      '刘建国（临江市住房和城乡建设局）',
      '未签到',
      '共4份投标文件：解密成功2份，视为撤销1份，视为撤回1份。',
      '视为撤回',
      '平台解密服务异常，经监督人员确认非投标人原因',
      '投标人未在解密时限（30分钟）内完成解密',
      '¥48,623,915.50',
      '¥47,950,060.00',
      '保函',
      '请求延长解密时间',
      '开标密钥分片汇集（3/5）',
      '60303ae2',
      'MEUCIQDx3Yq9cH1m2Qw0',
      '招标人代表',
    ]) {
      expect(all).toContain(squash(s));
    }
    // The withdrawn and revoked bidders are listed under decryption but their prices are not read out.
    const readOut = all.slice(all.indexOf('四、唱标记录'), all.indexOf('五、异议及答复'));
    expect(readOut).toContain('临江建工集团有限公司');
    expect(readOut).not.toContain('华南路桥集团股份有限公司');
    expect(readOut).not.toContain('江城市政工程有限公司');
  });

  it('service contract 中介服务合同, with the fee in figures and in words', async () => {
    const { all } = await text(serviceContract(sampleServiceContract));
    for (const s of [
      '中介服务合同',
      '合同编号：ZJHT-2025-0402-0037',
      '临江市滨江新区建设发展有限公司',
      '91330106MA2BZZZZ5E',
      '¥12,345.67',
      '人民币壹万贰仟叁佰肆拾伍元陆角柒分',
      '20个工作日内完成全部服务',
      'HJ2.1-2016',
      '第五条　甲方的权利和义务',
      '第十二条　其他',
      '签订日期：2025年4月2日',
      '乙方（盖章）',
    ]) {
      expect(all).toContain(squash(s));
    }
  });

  it('award notice 中标通知书 and result notice 中标结果通知书', async () => {
    const award = await text(awardNotice(sampleAwardNotice));
    for (const s of [
      '中标通知书',
      '浙东建设工程有限公司：',
      '人民币肆仟柒佰玖拾伍万零陆拾元整（¥47,950,060.00）',
      '请你方在2025年4月25日前',
      '履约担保，金额为人民币肆佰柒拾玖万伍仟零陆元整',
    ]) {
      expect(award.all).toContain(squash(s));
    }
    const result = await text(resultNotice(sampleResultNotice));
    expect(result.all).toContain(squash('中标结果通知书'));
    expect(result.all).toContain(squash('临江建工集团有限公司：'));
    expect(result.all).toContain(squash('确定浙东建设工程有限公司为中标人'));
    expect(result.all).not.toContain('请你方在');
  });

  it('evaluation report 评标报告, ranked by total score', async () => {
    const { all } = await text(evaluationReport(sampleEvaluationReport));
    for (const s of ['评标报告', '高明远', '省综合评标专家库随机抽取', '投标报价（60分）', '江城市政工程有限公司', '投标文件视为撤销，未进入评审', '94.50', '92.82', '第一中标候选人浙东建设工程有限公司', '第二中标候选人临江建工集团有限公司']) {
      expect(all).toContain(squash(s));
    }
  });

  it('statement 对账单 with a running balance', async () => {
    const { all } = await text(statement(sampleStatement));
    for (const s of ['账户对账单', '2025-03-01至2025-03-31', '期初余额', '¥500,000.00', '¥1,300,000.00', '¥800,000.00', '¥1,100,000.00', '¥1,100,123.45', '¥300,123.45', '本期合计']) {
      expect(all).toContain(squash(s));
    }
  });

  it('monthly report 月度报告', async () => {
    const { all } = await text(monthlyReport(sampleMonthlyReport));
    for (const s of ['2025年3月公共资源交易情况报告', '成交金额¥312,456,789.00', '98.7%', '土地使用权和矿业权出让', '¥312,456,789.00', 'AAA', '95.7%']) {
      expect(all).toContain(squash(s));
    }
  });

  it('renders every template deterministically', async () => {
    for (const doc of [openingRecord(sampleOpeningRecord), serviceContract(sampleServiceContract)]) {
      expect(sha256(await renderPdf(doc))).toBe(sha256(await renderPdf(doc)));
    }
  });
});

describe('template rules', () => {
  it('refuses an opening record that reads out a bid that was not decrypted', () => {
    const quotes = [
      ...sampleOpeningRecord.quotes,
      { ...sampleOpeningRecord.quotes[0], bidder: '江城市政工程有限公司' },
    ];
    expect(() => openingRecord({ ...sampleOpeningRecord, quotes })).toThrow(/not decrypted/);
  });

  it('refuses an opening record that leaves a decrypted bid unread', () => {
    expect(() => openingRecord({ ...sampleOpeningRecord, quotes: sampleOpeningRecord.quotes.slice(1) })).toThrow(/missing from the read-out/);
  });

  it('requires a reason for every bid deemed revoked or withdrawn', () => {
    const decryption = sampleOpeningRecord.decryption.map((d) => (d.outcome === 'deemedRevoked' ? { ...d, reason: undefined } : d));
    expect(() => openingRecord({ ...sampleOpeningRecord, decryption })).toThrow(/needs a reason/);
  });

  it('ranks by score, then lower price, sharing a rank only on a full tie', () => {
    const ranked = rankBids([
      { bidder: 'A', priceFen: 300, byCriterion: [50, 40.1] },
      { bidder: 'B', priceFen: 200, byCriterion: [60, 30.1] },
      { bidder: 'C', priceFen: 100, byCriterion: [90] },
      { bidder: 'D', priceFen: 300, byCriterion: [90.1] },
      { bidder: 'E', priceFen: 100, byCriterion: [0.1, 0.2] },
    ]);
    expect(ranked.map((r) => [r.bidder, r.rank])).toEqual([
      ['B', 1],
      ['A', 2],
      ['D', 2],
      ['C', 4],
      ['E', 5],
    ]);
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; totals are kept in hundredths.
    expect(ranked[4].totalCentiPoints).toBe(30);
  });

  it('refuses scores above a criterion maximum and scores for rejected bidders', () => {
    const over = sampleEvaluationReport.scores.map((s, i) => (i === 0 ? { ...s, byCriterion: [61, 20, 9, 5] } : s));
    expect(() => evaluationReport({ ...sampleEvaluationReport, scores: over })).toThrow(/outside 0–60/);
    const rejected = [{ bidder: sampleEvaluationReport.scores[0].bidder, reason: '未按要求提交', basis: '招标文件' }];
    expect(() => evaluationReport({ ...sampleEvaluationReport, rejected })).toThrow(/rejected/);
  });

  it('keeps the contract deadline of an award notice within 30 days', () => {
    const late = new Date(sampleAwardNotice.issuedAt.getTime() + 31 * 86_400_000);
    expect(() => awardNotice({ ...sampleAwardNotice, contractDeadline: late })).toThrow(/30 days/);
  });

  it('sends the winner an award notice, never a result notice', () => {
    expect(() => resultNotice({ ...sampleResultNotice, recipient: sampleResultNotice.winner.name })).toThrow();
  });

  it('computes statement totals in exact fen', () => {
    const totals = statementTotals(sampleStatement);
    expect(totals.incomeFen).toBe(110_012_345n);
    expect(totals.expenseFen).toBe(130_000_000n);
    expect(totals.closingBalanceFen).toBe(30_012_345n);
    expect(totals.balancesFen).toEqual([130_000_000n, 80_000_000n, 110_000_000n, 110_012_345n, 30_012_345n]);
    const shuffled = [sampleStatement.entries[1], sampleStatement.entries[0]];
    expect(() => statement({ ...sampleStatement, entries: shuffled })).toThrow(/booking order/);
  });

  it('refuses a contract without a positive whole number of working days', () => {
    expect(() => serviceContract({ ...sampleServiceContract, timeLimitWorkingDays: 0 })).toThrow(RangeError);
    expect(() => serviceContract({ ...sampleServiceContract, timeLimitWorkingDays: 2.5 })).toThrow(RangeError);
  });
});

if (!hasPoppler) console.log('[documents] poppler-utils (pdftotext, pdftoppm) not installed: template read-back tests skipped');
