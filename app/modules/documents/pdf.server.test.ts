import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import zlib from 'node:zlib';
import { columnWidths, documentDigest, renderPdf, type Block, type PdfDoc } from './pdf.server';
import { renderPdfInThisThread, usesNativeDeflate } from './pdf-render.server';
import { hasPoppler, inkCoverage, pdfInfo, pdfPages, rasterize, squash, wordBoxes } from './testing.server';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const createdAt = new Date('2025-03-18T01:30:00.000Z');

const BIDDERS = ['临江建工集团有限公司', '浙东建设工程有限公司', '华南路桥集团股份有限公司', 'ABC Construction (China) Co., Ltd.'];

function longTable(rowCount: number): Extract<Block, { type: 'table' }> {
  return {
    type: 'table',
    columns: [
      { title: '序号', width: 0.08, align: 'center' },
      { title: '投标人名称' },
      { title: '投标报价（元）', width: 0.2, align: 'right' },
      { title: '备注', width: 0.28 },
    ],
    rows: Array.from({ length: rowCount }, (_, i) => [
      `R${String(i + 1).padStart(3, '0')}`,
      `${BIDDERS[i % BIDDERS.length]}`,
      `¥${(1_000 + i * i * 1_234.5).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
      i % 9 === 0 ? '投标文件已按时递交并完成解密，报价经复核无算术错误，项目经理证书在有效期内。' : '—',
    ]),
  };
}

function sampleDoc(overrides: Partial<PdfDoc> = {}): PdfDoc {
  return {
    title: '开标记录',
    subtitle: '临江市第一人民医院门诊综合楼改扩建工程施工（LJGGZY-2025-JS-0012）',
    header: '临江市公共资源交易中心',
    meta: { createdAt, documentId: 'KB-2025-0318-0012', author: '临江市公共资源交易中心', keywords: ['开标记录'] },
    blocks: [
      { type: 'heading', text: '一、项目概况' },
      {
        type: 'kv',
        rows: [
          ['项目名称', '临江市第一人民医院门诊综合楼改扩建工程施工'],
          ['密文摘要', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
        ],
      },
      {
        type: 'paragraph',
        indent: true,
        text: '根据《中华人民共和国招标投标法》《电子招标投标办法》的规定，本项目于2025年3月18日09:30在临江市公共资源交易中心进行远程不见面开标，ABC Construction (China) Co., Ltd. 等4家投标人参加。',
      },
      { type: 'heading', text: '二、唱标记录', level: 2 },
      longTable(70),
      { type: 'note', text: '注：因投标人原因未解密的视为撤销，因投标人之外的原因未解密的视为撤回。' },
      { type: 'verification', url: 'https://ggzy.linjiang.gov.cn/verify/KB-2025-0318-0012', code: '7Q4K-M2XD' },
      {
        type: 'signatures',
        signers: [
          { role: '开标主持人', name: '陈晓峰', time: '2025-03-18 10:20:11', fingerprint: '3fa9'.repeat(16) },
          { role: '监督人员', name: '刘建国' },
        ],
      },
    ],
    ...overrides,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('renderPdf', () => {
  it('compresses its streams with zlib, and every FlateDecode stream inflates', async () => {
    const bytes = Buffer.from(await renderPdfInThisThread(sampleDoc()));
    expect(usesNativeDeflate()).toBe(true);
    const text = bytes.toString('latin1');
    let streams = 0;
    for (const m of text.matchAll(/\/Filter \/FlateDecode[^]*?stream\r?\n/g)) {
      const start = m.index! + m[0].length;
      const end = text.indexOf('endstream', start);
      expect(() => zlib.inflateSync(bytes.subarray(start, end))).not.toThrow();
      streams++;
    }
    // fonts (2 × file + CMap), page contents, object and cross-reference streams
    expect(streams).toBeGreaterThanOrEqual(6);
  });

  it('is deterministic: the same document renders to the same bytes, whatever was rendered before', async () => {
    const doc = sampleDoc();
    const first = await renderPdf(doc);
    await renderPdf(sampleDoc({ title: '另一份文件', meta: { createdAt: new Date('2026-01-01T00:00:00Z') } }));
    const again = await renderPdf(sampleDoc());
    expect(sha256(again)).toBe(sha256(first));
  });

  it('does not depend on the wall clock (pdf-lib stamps the current time unless told not to)', async () => {
    const now = sha256(await renderPdf(sampleDoc()));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-07-01T12:00:00Z'));
    expect(sha256(await renderPdf(sampleDoc()))).toBe(now);
  });

  it('changes the bytes when the content or the date changes', async () => {
    const base = sha256(await renderPdf(sampleDoc()));
    expect(sha256(await renderPdf(sampleDoc({ title: '开标记录（更正）' })))).not.toBe(base);
    expect(sha256(await renderPdf(sampleDoc({ meta: { ...sampleDoc().meta, createdAt: new Date(createdAt.getTime() + 1000) } })))).not.toBe(base);
  });

  it('embeds font subsets, not the 10 MB fonts', async () => {
    const bytes = await renderPdf(sampleDoc());
    expect(bytes.length).toBeLessThan(150_000);
    expect(bytes.length).toBeGreaterThan(5_000);
  });

  it('derives the content digest from the data, independent of key order', () => {
    const a = sampleDoc();
    const b = { blocks: a.blocks, meta: a.meta, header: a.header, subtitle: a.subtitle, title: a.title };
    expect(documentDigest(b)).toBe(documentDigest(a));
    expect(documentDigest({ ...a, title: 'x' })).not.toBe(documentDigest(a));
  });
});

describe('columnWidths', () => {
  it('mixes fractions, points and shared columns and always fills the text width', () => {
    const widths = columnWidths([{ title: 'a', width: 0.25 }, { title: 'b', width: 100 }, { title: 'c' }, { title: 'd' }], 400);
    expect(widths).toEqual([100, 100, 100, 100]);
    const over = columnWidths([{ title: 'a', width: 0.8 }, { title: 'b', width: 0.8 }], 400);
    expect(over).toEqual([200, 200]);
  });
});

describe.skipIf(!hasPoppler)('renderPdf output read back with poppler', () => {
  it('contains the Chinese text, extractable and in order', async () => {
    const pages = pdfPages(await renderPdf(sampleDoc()));
    const all = squash(pages.join(''));
    for (const expected of ['开标记录', '一、项目概况', '临江市第一人民医院门诊综合楼改扩建工程施工', '《中华人民共和国招标投标法》', 'ABCConstruction(China)Co.,Ltd.', '视为撤销', '开标主持人', '陈晓峰', '核验码：7Q4K-M2XD']) {
      expect(all).toContain(squash(expected));
    }
    expect(all.indexOf('一、项目概况')).toBeLessThan(all.indexOf('二、唱标记录'));
  });

  it('continues a long table on the next pages, repeating its header, losing and duplicating no row', async () => {
    const pages = pdfPages(await renderPdf(sampleDoc()));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const rowIds = pages.map((p) => p.match(/R\d{3}/g) ?? []);
    const pagesWithRows = rowIds.filter((ids) => ids.length > 0).length;
    expect(pagesWithRows).toBeGreaterThanOrEqual(2);
    pages.forEach((page, i) => {
      // The running header (issuer left, title right) interleaves with the first line in pdftotext.
      const body = squash(page).replace('临江市公共资源交易中心', '').replace('开标记录', '');
      if (rowIds[i].length) expect(body).toContain('序号投标人名称投标报价（元）备注');
    });
    expect(rowIds.flat()).toEqual(Array.from({ length: 70 }, (_, i) => `R${String(i + 1).padStart(3, '0')}`));
  });

  it('numbers every page "第 X 页 / 共 Y 页" and prints the document id and digest on each', async () => {
    const doc = sampleDoc();
    const pages = pdfPages(await renderPdf(doc));
    const digest = documentDigest(doc);
    pages.forEach((page, i) => {
      const text = squash(page);
      expect(text).toContain(`第${i + 1}页/共${pages.length}页`);
      expect(text).toContain('文档编号：KB-2025-0318-0012');
      expect(text).toContain(digest);
    });
  });

  it('keeps every word inside the text block and off the footer', async () => {
    const words = wordBoxes(await renderPdf(sampleDoc()));
    expect(words.length).toBeGreaterThan(100);
    for (const w of words) {
      expect(w.xMin).toBeGreaterThanOrEqual(56 - 0.5);
      expect(w.xMax).toBeLessThanOrEqual(595.28 - 56 + 0.5);
    }
    // Body text stays above the footer rule at 54 pt from the bottom (787.9 pt from the top).
    const body = words.filter((w) => w.text.startsWith('R0') || w.text.startsWith('R1'));
    for (const w of body) expect(w.yMax).toBeLessThan(841.89 - 54);
  });

  it('right-aligns number columns', async () => {
    const words = wordBoxes(await renderPdf(sampleDoc()));
    const prices = words.filter((w) => w.text.startsWith('¥'));
    expect(prices.length).toBe(70);
    const rightEdges = new Set(prices.map((w) => w.xMax.toFixed(0)));
    expect(rightEdges.size).toBe(1);
    expect(new Set(prices.map((w) => w.xMin.toFixed(0))).size).toBeGreaterThan(1);
  });

  it('writes the injected metadata', async () => {
    const info = pdfInfo(await renderPdf(sampleDoc()));
    expect(info.Title).toBe('开标记录');
    expect(info.Author).toBe('临江市公共资源交易中心');
    expect(info.CreationDate).toBe('2025-03-18T01:30:00Z');
    expect(info.ModDate).toBe('2025-03-18T01:30:00Z');
    expect(info.Producer).toMatch(/pdf-lib/);
    expect(info['Page size']).toMatch(/595\.2\d? x 841\.8\d? pts \(A4\)/);
  });

  it('draws visible glyphs (a broken CJK subset renders blank pages)', async () => {
    const text = '中华人民共和国招标投标法规定招标投标活动应当遵循公开公平公正和诚实信用的原则。'.repeat(12);
    const bytes = await renderPdf({ title: '字形检查', meta: { createdAt }, blocks: [{ type: 'paragraph', text }] });
    const [page] = rasterize(bytes, 50);
    // The band below the title holds only the paragraph's Han characters.
    const ink = inkCoverage(page, { x0: 0.08, y0: 0.15, x1: 0.92, y1: 0.3 });
    expect(ink).toBeGreaterThan(0.05);
    const margin = inkCoverage(page, { x0: 0, y0: 0.15, x1: 0.07, y1: 0.3 });
    expect(margin).toBe(0);
  });

  it('splits a table row taller than a page across pages without losing its text', async () => {
    const huge = Array.from({ length: 120 }, (_, i) => `第${i + 1}项：投标文件签名与时间戳核验通过。`).join('\n');
    const bytes = await renderPdf({
      title: '长单元格',
      meta: { createdAt },
      blocks: [{ type: 'table', columns: [{ title: '项目', width: 0.2 }, { title: '内容' }], rows: [['核验明细', huge], ['结论', '全部通过']] }],
    });
    const pages = pdfPages(bytes);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const all = squash(pages.join(''));
    for (let i = 1; i <= 120; i++) expect(all).toContain(`第${i}项：`);
    expect(all.indexOf('第120项')).toBeLessThan(all.indexOf('全部通过'));
    expect(rasterize(bytes, 30)).toHaveLength(pages.length);
  });

  it('never leaves a heading alone at the foot of a page', async () => {
    // Slide the heading down the page in steps smaller than a signature card.
    for (let filler = 450; filler <= 640; filler += 5) {
      const render = async (blocks: Block[]) =>
        pdfPages(await renderPdf({ title: '分页', meta: { createdAt }, blocks: [{ type: 'spacer', height: filler }, ...blocks] })).map(squash);
      let pages = await render([
        { type: 'heading', text: '八、签署' },
        { type: 'signatures', signers: [{ role: '开标主持人', name: '陈晓峰' }, { role: '监督人员', name: '刘建国' }] },
      ]);
      expect(pages[pages.findIndex((p) => p.includes('八、签署'))]).toContain('开标主持人');
      pages = await render([
        { type: 'heading', text: '九、评分' },
        {
          type: 'table',
          columns: [{ title: '投标人' }, { title: '施工组织设计（25分）', width: 0.12 }, { title: '总分', width: 0.1 }],
          rows: [['临江建工集团有限公司', '21.60', '92.82']],
        },
      ]);
      expect(pages[pages.findIndex((p) => p.includes('九、评分'))]).toContain('临江建工集团有限公司');
    }
  });

  it('indents every paragraph of an indented block by two characters and keeps tall notes on the page', async () => {
    const note = Array.from({ length: 80 }, (_, i) => `说明第${i + 1}条：投标文件解密失败的，按规定分类处理。`).join('\n');
    const bytes = await renderPdf({
      title: '缩进',
      meta: { createdAt },
      blocks: [
        { type: 'paragraph', indent: true, text: '甲段首行。\n乙段首行。' },
        { type: 'note', text: note },
      ],
    });
    const words = wordBoxes(bytes);
    for (const first of ['甲段首行。', '乙段首行。']) {
      const w = words.find((x) => x.text.startsWith(first.slice(0, 2)));
      expect(w?.xMin).toBeCloseTo(56 + 21, 0);
    }
    const all = squash(pdfPages(bytes).join(''));
    for (let i = 1; i <= 80; i++) expect(all).toContain(`说明第${i}条`);
    for (const w of words.filter((x) => x.text.startsWith('说明'))) expect(w.yMax).toBeLessThan(841.89 - 54);
  });

  it('renders a three-page document quickly once the fonts are loaded', async () => {
    await renderPdf(sampleDoc());
    const doc = sampleDoc();
    const started = performance.now();
    const bytes = await renderPdf(doc);
    const elapsed = performance.now() - started;
    const pages = pdfPages(bytes).length;
    console.log(`[documents] ${pages}-page document: ${elapsed.toFixed(0)} ms warm, ${(bytes.length / 1024).toFixed(1)} KB`);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(elapsed).toBeLessThan(5_000);
  });
});

if (!hasPoppler) console.log('[documents] poppler-utils (pdftotext, pdftoppm) not installed: PDF read-back tests skipped');
