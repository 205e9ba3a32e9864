// Bid deposits in Chromium, from Alipay's cashier to the refund (issue 6):
// 1. bidder4 (安泰智能) gets the documents of JC-2026-GC-0031 (open for bids) and seals a bid in its
//    browser: the section shows 已递交 but 保证金 未缴纳, and says such a bid is invalid. It pays the
//    deposit at Alipay's cashier (the local gateway, real protocol; 确认付款) → the order is 已支付 →
//    the bid page shows 已缴纳. The centre's 资金监管 shows nothing of that tender before its opening.
// 2. The seeded JC-2026-SZ-0019 (prisma/seed/payments.ts): its opening list shows each bid's deposit
//    (保函已核验 / 已缴纳 / 未缴纳) and the publicity names the bid rejected for want of a deposit.
//    The agent signs and issues the award; the admin moves the demo clock (the refund job runs);
//    安泰's deposit order shows 已退款; the finance page shows the tender's deposits held at ¥0.00
//    and its entries balanced.
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';

const DEMO_PASSWORD = 'Demo2026!';
const SHOTS = process.env.E2E_SCREENSHOTS;
const keyFile = (username: string) => path.join(process.env.E2E_DATA_DIR!, 'demo-keys', `${username}.p12`);
const OPEN_TENDER = 'JC-2026-GC-0031';
const AWARD_TENDER = 'JC-2026-SZ-0019';

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/payments-${name}.png`, fullPage: true });
}

async function as(browser: Browser, username: string, to = '/') {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(30_000);
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[${username}] console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) console.log(`[${username}] HTTP ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

async function importKey(page: Page, username: string) {
  const box = page.getByRole('group', { name: '导入证书备份' }).first();
  await box.getByLabel('证书备份文件').setInputFiles(keyFile(username));
  await box.getByLabel('备份密码').fill(DEMO_PASSWORD);
  await box.getByRole('button', { name: '导入证书' }).click();
  await expect(page.getByLabel('使用证书').first()).toBeVisible();
}

async function tenderUrl(page: Page, code: string) {
  await page.goto(`/tenders?q=${code}`);
  await page.getByRole('row').filter({ hasText: code }).getByRole('link').first().click();
  await page.waitForURL(/\/tenders\/[a-z0-9]+$/);
  return new URL(page.url()).pathname;
}

test('a deposit paid at the cashier makes the bid count; after the award the loser is refunded and the tender holds nothing', async ({ browser }) => {
  test.setTimeout(180_000);

  // ---- 1. Pay the deposit of a sealed bid ------------------------------------------------
  const bidder = await as(browser, 'bidder4');
  const openUrl = await tenderUrl(bidder, OPEN_TENDER);
  await bidder.getByRole('button', { name: '免费获取招标文件' }).click();
  await bidder.getByRole('link', { name: '递交 / 修改投标文件' }).click();
  await expect(bidder.getByRole('heading', { name: '递交第1标段投标文件' })).toBeVisible();
  const bidUrl = new URL(bidder.url()).pathname;
  const section1 = bidder.getByRole('region', { name: '第1标段' });
  await expect(section1.getByText('未缴纳（未缴纳保证金或保函未通过核验的投标无效）')).toBeVisible();

  await importKey(bidder, 'bidder4');
  await bidder.getByLabel('投标报价（元）').fill('178200000.00');
  await bidder.getByLabel('工期（日历天）').fill('520');
  await bidder.getByLabel('质量承诺').fill('合格');
  await bidder.getByLabel('项目经理').fill('邓强');
  await bidder.getByLabel(/选择文件/).setInputFiles({ name: '投标文件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 安泰智能科技股份有限公司 投标文件\n%%EOF\n') });
  await bidder.getByRole('button', { name: '签名加密并递交' }).click();
  await expect(bidder.getByText(/投标文件已递交，回执编号/)).toBeVisible({ timeout: 60_000 });
  // The bid is on file, but without a deposit it does not count.
  await expect(section1.getByText('已递交 第1版')).toBeVisible();
  await expect(section1.getByText('未缴纳（未缴纳保证金或保函未通过核验的投标无效）')).toBeVisible();
  await shot(bidder, 'bid-unpaid');

  await section1.getByText('缴纳保证金或提交保函').click();
  await section1.getByRole('button', { name: /^在线缴纳/ }).click();
  // Alipay's cashier (the local gateway speaking Alipay's protocol).
  await expect(bidder.getByRole('button', { name: '确认付款' })).toBeVisible();
  await shot(bidder, 'cashier');
  await bidder.getByRole('button', { name: '确认付款' }).click();
  await expect(bidder).toHaveURL(/\/payments\/orders\/[^/?]+\?returned=1/);
  await expect(bidder.getByText('已支付', { exact: true })).toBeVisible();
  await expect(bidder.getByText('支付成功，款项已由支付宝确认到账。')).toBeVisible();
  await expect(bidder.getByText('投标保证金', { exact: true })).toBeVisible();
  await expect(bidder.getByRole('button', { name: '去支付' })).toHaveCount(0);
  await shot(bidder, 'order-paid');
  await bidder.goto(bidUrl);
  await expect(section1.getByText('已缴纳', { exact: true })).toBeVisible();
  await expect(section1.getByText(/未缴纳/)).toHaveCount(0);
  await shot(bidder, 'bid-paid');

  // Before its opening the centre's finance page tells nothing of that tender (decision 032).
  const admin = await as(browser, 'admin', `/finance?project=${OPEN_TENDER}`);
  await expect(admin.getByRole('heading', { name: '资金监管' })).toBeVisible();
  await expect(admin.getByRole('status').filter({ hasText: `${OPEN_TENDER}` })).toContainText('尚未开标');
  await expect(admin.getByRole('region', { name: new RegExp(`项目资金台账 ${OPEN_TENDER}`) })).toHaveCount(0);
  await expect(admin.getByRole('cell', { name: new RegExp(OPEN_TENDER) })).toHaveCount(0);
  expect(openUrl).toMatch(/^\/tenders\//);

  // ---- 2. The award of a tender whose deposits were paid the same way -------------------
  // The opening list: the deposit of each bid as the opening found it.
  const awardTenderUrl = await tenderUrl(bidder, AWARD_TENDER);
  await bidder.goto(`/opening/${awardTenderUrl.split('/').pop()}`);
  const reading = bidder.getByRole('table', { name: '开标一览表' });
  await expect(reading.getByRole('row', { name: /江城建工集团有限公司.*保函已核验/ })).toBeVisible();
  await expect(reading.getByRole('row', { name: /安泰智能科技股份有限公司.*已缴纳/ })).toBeVisible();
  await expect(reading.getByRole('row', { name: /楚天路桥建设有限公司.*已缴纳/ })).toBeVisible();
  await expect(reading.getByRole('row', { name: /众诚园林绿化有限公司.*未缴纳/ })).toBeVisible();
  await shot(bidder, 'opening-deposits');
  // The cheapest bid had no deposit: the committee rejected it, and the publicity says so.
  await bidder.goto('/announcements');
  await bidder.getByRole('link', { name: /沙湖路雨污分流改造工程施工（第1标段）中标候选人公示/ }).first().click();
  await expect(bidder.getByText(/被否决的投标：众诚园林绿化有限公司（未按招标文件要求缴纳投标保证金/)).toBeVisible();
  await expect(bidder.getByText(/第1名：江城建工集团有限公司/)).toBeVisible();

  // The agent issues the award, signed with its certificate.
  const agent = await as(browser, 'tenderer1', '/evaluation');
  await agent.getByRole('link', { name: new RegExp(AWARD_TENDER) }).click();
  await agent.waitForURL(/\/award\/[a-z0-9]+$/);
  const deposits = agent.getByRole('region', { name: '投标保证金退还' });
  await expect(deposits.getByRole('row', { name: /安泰智能科技股份有限公司.*已支付/ })).toBeVisible();
  await agent.getByRole('button', { name: '生成中标通知书' }).click();
  await expect(agent.getByRole('status').filter({ hasText: '中标通知书和中标结果通知书已生成' })).toBeVisible();
  await agent.getByRole('button', { name: '签名并发出中标通知书' }).click();
  const panel = agent.getByRole('group', { name: '数字证书签名' });
  await expect(panel.getByText(/使用证书|导入证书备份/).first()).toBeVisible();
  if (await panel.getByRole('group', { name: '导入证书备份' }).isVisible()) await importKey(agent, 'tenderer1');
  await panel.getByRole('button', { name: '签名并发出中标通知书' }).click();
  await expect(agent.getByRole('status').filter({ hasText: '中标通知书已发出' })).toBeVisible();

  // The demo clock moves on; the refund job returns the losers' deposits through Alipay.
  await admin.goto('/admin/clock');
  await admin.getByLabel('快进（分钟）').fill('60');
  await admin.getByRole('button', { name: '快进' }).click();
  await expect(admin.getByText(/已快进/)).toBeVisible();
  await expect(async () => {
    await agent.reload();
    await expect(deposits.getByRole('row', { name: /安泰智能科技股份有限公司.*已退款/ })).toBeVisible({ timeout: 2000 });
    await expect(deposits.getByRole('row', { name: /楚天路桥建设有限公司.*已退款/ })).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 60_000 });
  await shot(agent, 'award-refunds');

  // The loser sees its deposit order refunded.
  await bidder.goto('/payments/orders');
  await expect(bidder.getByRole('row').filter({ hasText: AWARD_TENDER }).filter({ hasText: '投标保证金' })).toContainText('已退款');
  await shot(bidder, 'orders-refunded');

  // The centre's books: that tender holds nothing any more, and its entries balance.
  await admin.goto(`/finance?project=${AWARD_TENDER}`);
  const ledger = admin.getByRole('region', { name: `项目资金台账 ${AWARD_TENDER}` });
  await expect(ledger).toContainText('代收保证金余额¥0.00');
  await expect(ledger).toContainText('应退未退¥0.00');
  await expect(ledger).toContainText('借贷平衡');
  await expect(ledger.getByRole('row', { name: /安泰智能科技股份有限公司 ¥30,000\.00 ¥30,000\.00 ¥0\.00/ })).toBeVisible();
  await expect(ledger.getByRole('row', { name: /楚天路桥建设有限公司 ¥30,000\.00 ¥30,000\.00 ¥0\.00/ })).toBeVisible();
  await expect(admin.getByText('全部台账（含尚未开标项目）借贷平衡')).toBeVisible();
  await shot(admin, 'finance');
});
