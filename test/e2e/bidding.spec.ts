// Electronic bidding in Chromium: an agent creates a tender with 2 sections and 3 key holders
// (k = 2) and publishes it (the opening key is generated and split in its browser); a bidder gets
// the documents, seals a 50 MB bid in a Web Worker and uploads it with visible progress (the network
// drops mid-upload; the page reports it and resumes on its own), downloads the receipt PDF,
// replaces the bid, withdraws and resubmits; after the deadline (demo clock moved by the admin)
// uploads are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';

const PASSWORD = 'Demo2026!';
const dataDir = process.env.E2E_DATA_DIR!;
const SHOTS = process.env.E2E_SCREENSHOTS;

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `bidding-${name}.png`), fullPage: true });
}

async function login(browser: Browser, username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[browser ${username}] ${m.text()}`);
  });
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
  return page;
}

function bigFile(name: string, size: number, marker: string) {
  const file = path.join(os.tmpdir(), `e2e-${Date.now()}-${name}`);
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) buf.write(`%PDF-1.4 ${marker} ${i} `, i);
  fs.writeFileSync(file, buf);
  return file;
}

async function fillBidForm(page: Page, price: string) {
  await page.getByLabel('投标报价（元）').fill(price);
  await page.getByLabel('工期（日历天）').fill('365');
  await page.getByLabel('质量承诺').fill('合格');
  await page.getByLabel('项目经理').fill('王建国');
}

test('tender → sealed 50 MB bid with receipt → replace → withdraw and resubmit → refused after the deadline', async ({ browser }) => {
  test.setTimeout(300_000);
  const code = `E2E-${String(Date.now()).slice(-8)}`;

  // --- the agent creates and publishes the tender -------------------------------------------
  const agent = await login(browser, 'tenderer1');
  await agent.goto('/tenders/new');
  await agent.getByLabel('项目编号').fill(code);
  await agent.getByLabel('项目名称').fill('江城市E2E测试道路工程施工');
  await agent.getByLabel('招标人', { exact: true }).fill('江城市城市建设投资集团有限公司');
  await agent.getByLabel('项目概况与招标范围').fill('道路及排水工程，全长1.2公里，计划工期365日历天。');
  await agent.getByLabel('标段名称').fill('道路工程');
  await agent.getByRole('button', { name: '＋ 添加标段' }).click();
  await agent.getByLabel('标段名称').nth(1).fill('排水工程');
  await agent.getByLabel('监督员 张诚').check();
  await agent.getByLabel('监督员 林岚').check();
  await agent.getByLabel('解密门限 k').selectOption('2');
  await shot(agent, 'new');
  await agent.getByRole('button', { name: '保存草稿' }).click();
  await expect(agent.getByText('草稿已保存')).toBeVisible();

  await agent.getByLabel(/上传招标文件/).setInputFiles({ name: '招标文件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 招标文件（E2E）') });
  await expect(agent.getByRole('link', { name: '招标文件.pdf' })).toBeVisible();
  await agent.getByRole('button', { name: '生成开标密钥并发布招标公告' }).click();
  await expect(agent.getByText('已完成开标密钥生成并发布')).toBeVisible({ timeout: 60_000 });
  await expect(agent.getByText(/份额 #3：监督员/)).toBeVisible();
  await shot(agent, 'manage-published');
  const tenderUrl = agent.url().replace(/\/manage.*$/, '');

  // --- a bidder obtains the documents and seals a 50 MB bid -----------------------------------
  let bidder = await login(browser, 'bidder6');
  await bidder.goto(tenderUrl);
  await expect(bidder.getByRole('heading', { name: '开标证书' })).toBeVisible();
  await bidder.getByRole('button', { name: '免费获取招标文件' }).click();
  await expect(bidder.getByRole('link', { name: '招标文件.pdf' })).toBeVisible();
  await bidder.getByRole('link', { name: '递交 / 修改投标文件' }).click();
  await expect(bidder.getByRole('heading', { name: '递交第1标段投标文件' })).toBeVisible();

  // the demo bidder's key (.p12 from the trust seed) goes into this browser's key store
  await bidder.getByLabel('证书备份文件').setInputFiles(path.join(dataDir, 'demo-keys', 'bidder6.p12'));
  await bidder.getByLabel('备份密码').fill(PASSWORD);
  await bidder.getByRole('button', { name: '导入证书' }).click();
  await expect(bidder.getByLabel('使用证书')).toBeVisible();

  // watch every progress message the page shows
  await bidder.evaluate(() => {
    const w = window as unknown as { __progress: string[] };
    w.__progress = [];
    new MutationObserver(() => {
      document.querySelectorAll('.bd-progress-box p').forEach((p) => w.__progress.push(p.textContent ?? ''));
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await fillBidForm(bidder, '11880000.00');
  await bidder.getByLabel(/选择文件/).setInputFiles(bigFile('bid.pdf', 50 * 1024 * 1024, 'E2E-MARKER-50MB'));
  await expect(bidder.getByText('已选 1 个文件，共 50.0 MB')).toBeVisible();

  // The network drops after the first 8 MB chunk: every request of the upload (chunks, the status
  // query, completion) fails as if offline until we restore it. The page must say so, retry on its
  // own and resume from what the server already has — not from zero.
  let offline = false;
  let cut = false;
  const reached: number[] = [];
  const uploadRequests = /\/api\/uploads\/bids\/bu_/;
  await bidder.route(uploadRequests, async (route) => {
    const offset = new URL(route.request().url()).searchParams.get('offset');
    if (!cut && offset !== null && Number(offset) > 0) offline = cut = true;
    if (offline) return route.abort('internetdisconnected');
    if (offset !== null) reached.push(Number(offset));
    return route.continue();
  });
  await bidder.getByRole('button', { name: '签名加密并递交' }).click();
  await expect(bidder.locator('.bd-progress-box progress')).toBeVisible();
  await expect(bidder.locator('.bd-progress-box').getByText(/^网络中断，正在自动重连续传（第\d+次）：8\.0 MB \/ 50\.0 MB/)).toBeVisible({ timeout: 120_000 });
  offline = false; // the network is back; nobody touches the page
  await expect(bidder.getByText(/投标文件已递交，回执编号/)).toBeVisible({ timeout: 120_000 });
  await bidder.unroute(uploadRequests);
  expect(reached[0]).toBe(0);
  expect(reached[1], 'resumed at the server\'s offset, not from zero').toBe(8 * 1024 * 1024);
  expect(reached.filter((o) => o === 0)).toHaveLength(1);
  const progress = await bidder.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
  expect(progress.some((p) => /^加密/.test(p))).toBe(true);
  expect(progress.some((p) => /^上传密文：.*\/ 50\.0 MB（\d+%）/.test(p))).toBe(true);
  expect(progress.some((p) => /^网络中断，正在自动重连续传（第1次）/.test(p))).toBe(true);
  await shot(bidder, 'submitted');

  const section1 = bidder.getByRole('region', { name: '第1标段' });
  await expect(section1.getByText('已递交 第1版')).toBeVisible();
  const [download] = await Promise.all([bidder.waitForEvent('download'), section1.getByRole('link', { name: '回执 PDF' }).first().click()]);
  const pdf = fs.readFileSync(await download.path());
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(download.suggestedFilename()).toMatch(/^HZ-\d{8}-[0-9A-F]{8}\.pdf$/);

  // --- replace (修改) -----------------------------------------------------------------------------
  await expect(bidder.getByRole('heading', { name: /修改第1标段投标文件（将替换第 1 版）/ })).toBeVisible();
  await fillBidForm(bidder, '11760000.00');
  await bidder.getByLabel(/选择文件/).setInputFiles(bigFile('bid-v2.pdf', 2 * 1024 * 1024, 'E2E-MARKER-V2'));
  await bidder.getByRole('button', { name: '签名加密并替换' }).click();
  await expect(section1.getByText('已递交 第2版')).toBeVisible({ timeout: 60_000 });
  await expect(section1.getByRole('cell', { name: '修改（替换）' })).toBeVisible();

  // --- withdraw (撤回), then resubmit -------------------------------------------------------------
  await section1.getByRole('button', { name: '撤回投标文件' }).click();
  await section1.getByRole('button', { name: '签名确认撤回' }).click();
  await expect(bidder.getByText(/投标文件已撤回，回执编号/)).toBeVisible();
  await expect(section1.getByText('未递交')).toBeVisible();
  await expect(section1.getByRole('cell', { name: '撤回' })).toBeVisible();
  await fillBidForm(bidder, '11700000.00');
  await bidder.getByLabel(/选择文件/).setInputFiles(bigFile('bid-v3.zip', 1024 * 1024, 'E2E-MARKER-V3'));
  await bidder.getByRole('button', { name: '签名加密并递交' }).click();
  await expect(section1.getByText('已递交 第3版')).toBeVisible({ timeout: 60_000 });
  await shot(bidder, 'resubmitted');

  // --- the deadline passes (demo clock) and uploads are refused ----------------------------------
  const admin = await login(browser, 'admin');
  await admin.goto('/admin/clock');
  await admin.getByLabel('快进（分钟）').fill(String(22 * 24 * 60));
  await admin.getByRole('button', { name: '快进' }).click();
  // 22 days later every 8-hour session has expired: the admin lands logged out
  await expect(admin.getByRole('link', { name: '登录', exact: true })).toBeVisible();

  const bidderUrl = bidder.url();
  await bidder.context().close();
  bidder = await login(browser, 'bidder6');
  await bidder.goto(bidderUrl);
  await expect(bidder.getByRole('alert').filter({ hasText: '投标截止时间已到，平台不再接收投标文件' })).toBeVisible();
  await expect(bidder.getByRole('button', { name: /签名加密并/ })).toHaveCount(0);
  await expect(bidder.getByRole('button', { name: '撤回投标文件' })).toBeDisabled();
  // the API refuses too, with the same clear message, before looking at anything else
  const refused = await bidder.evaluate(async () => {
    const section = document.querySelector<HTMLElement>('[data-section-id]')!;
    const r = await fetch('/api/uploads/bids', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenderId: section.dataset.tenderId, sectionId: section.dataset.sectionId, submissionB64: 'A'.repeat(200) }),
    });
    return { status: r.status, body: (await r.json()) as { error: string; code: string } };
  });
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('DEADLINE_PASSED');
  expect(refused.body.error).toContain('截止时间前未完整送达的投标文件视为未提交');
  await shot(bidder, 'after-deadline');
});
