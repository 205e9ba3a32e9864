import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';

const DEMO_PASSWORD = 'Demo2026!';
// Screenshots for review; another suite's run may clear test-results/, so it can be redirected.
const SHOTS = process.env.SHOT_DIR ?? 'test-results';

async function login(page: Page, username: string, to = '/') {
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
}

test('a supervisor reads the statistics, downloads the CSV, the Excel file and the monthly PDF', async ({ page }) => {
  await login(page, 'supervisor1', '/stats');
  await expect(page.getByRole('heading', { name: '统计分析', level: 1 })).toBeVisible();
  // Charts with data: the seeded year of market history gives bars in most months.
  const volume = page.getByRole('figure', { name: '月度交易量' });
  await expect(volume).toBeVisible();
  expect(await volume.locator('rect.bar[height]').evaluateAll((els) => els.filter((e) => Number(e.getAttribute('height')) > 0).length)).toBeGreaterThan(6);
  await expect(page.getByRole('figure', { name: '中介机构信用等级分布' }).locator('path.slice').first()).toBeVisible();
  await expect(page.getByRole('figure', { name: /平均办结时间/ }).locator('circle.dot').first()).toBeVisible();
  // The data table behind a chart.
  await volume.getByText('数据表').click();
  await expect(volume.getByRole('table')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/stats.png`, fullPage: true });
  await page.screenshot({ path: `${SHOTS}/stats-top.png` });

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 CSV' }).first().click()]);
  expect(csv.suggestedFilename()).toMatch(/^stats-monthly-.*\.csv$/);
  const text = fs.readFileSync((await csv.path())!, 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text).toContain('月份,招标项目（个）,中介采购（宗）');
  expect(text.split('\r\n').length).toBeGreaterThan(12);

  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '全部表格导出 Excel' }).click()]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile((await xlsx.path())!);
  expect(wb.worksheets.map((w) => w.name)).toContain('月度交易量与成交金额');

  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载月度报告（PDF）' }).click()]);
  expect(pdf.suggestedFilename()).toMatch(/^monthly-report-\d{4}-\d{2}\.pdf$/);
  const bytes = fs.readFileSync((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  expect(bytes.length).toBeGreaterThan(5000);

  await page.getByRole('link', { name: '查看按机构、部门、窗口的满意度明细' }).click();
  await expect(page.getByRole('heading', { name: '满意度评价（一事一评）' })).toBeVisible();
  await expect(page.getByRole('region', { name: '按中介机构' }).getByRole('row')).not.toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/satisfaction.png`, fullPage: true });
});

test('a supervisor plans a double-random inspection, runs the draw and verifies it in the browser', async ({ page }) => {
  await login(page, 'supervisor1', '/inspections');
  await expect(page.getByRole('heading', { name: '双随机抽查' })).toBeVisible();
  // The seeded, published inspection verifies too.
  await expect(page.getByRole('cell', { name: /第一批双随机抽查/ })).toBeVisible();

  await page.getByRole('link', { name: '新建抽查计划' }).click();
  await page.getByLabel('计划名称').fill('第二批中介机构收费行为抽查');
  await page.getByLabel('检查事项和依据').fill('服务收费是否符合统一收费标准，合同与发票是否一致。');
  // Too many agencies: refused next to the field, nothing created.
  await page.getByLabel('抽取检查对象（家）').fill('50');
  await page.getByLabel('抽取检查人员（名）').fill('2');
  await page.getByRole('button', { name: '保存并公示承诺值' }).click();
  await expect(page.getByText(/可参加抽取的中介机构只有 \d+ 家/)).toBeVisible();
  await page.getByLabel('抽取检查对象（家）').fill('3');
  await page.getByRole('button', { name: '保存并公示承诺值' }).click();
  await expect(page.getByRole('status').filter({ hasText: '承诺值已公示' })).toBeVisible();
  const commitment = (await page.getByTestId('commitment').textContent())!.trim();
  expect(commitment).toMatch(/^[0-9a-f]{64}$/);

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: '揭示种子并抽取' }).click();
  await expect(page.getByRole('status').filter({ hasText: '抽取完成' })).toBeVisible();
  for (const name of ['抽取一：检查对象', '抽取二：检查人员']) {
    const panel = page.getByRole('region', { name });
    await panel.getByRole('button', { name: '在本浏览器中重新计算' }).click();
    await expect(panel.getByText('复核通过：抽取结果与公开记录一致')).toBeVisible();
  }
  const [rec] = await Promise.all([page.waitForEvent('download'), page.getByRole('region', { name: '抽取一：检查对象' }).getByRole('link', { name: '下载抽取记录（JSON）' }).click()]);
  const record = JSON.parse(fs.readFileSync((await rec.path())!, 'utf8'));
  expect(record.commitment).toBe(commitment);
  expect(record.winners).toHaveLength(3);
  await page.screenshot({ path: `${SHOTS}/inspection.png`, fullPage: true });

  // Record a conclusion for the first agency.
  const first = page.locator('.insp-target').first();
  await first.getByLabel('合格', { exact: true }).check();
  await first.getByLabel('检查发现').fill('执业人员在岗，收费符合标准。');
  await first.getByRole('button', { name: '保存结论' }).click();
  await expect(page.getByRole('status').filter({ hasText: '检查结论已保存' })).toBeVisible();
  await expect(page.locator('.insp-target').first().locator('.insp-pass')).toBeVisible();
});
