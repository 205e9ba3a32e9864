import { expect, test, type Page } from '@playwright/test';

const DEMO_PASSWORD = 'Demo2026!';
const SHOTS = process.env.E2E_SCREENSHOTS;

async function login(page: Page, username: string) {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
}

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test('a bidder pays a bid deposit at the Alipay cashier and the order shows 已支付', async ({ page }) => {
  await login(page, 'bidder4');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的订单' }).click();
  await expect(page.getByRole('heading', { name: '我的订单' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: '投标保证金' }).filter({ hasText: '待支付' });
  await expect(row).toHaveCount(1);
  await shot(page, 'orders');
  await row.getByRole('link', { name: /查看订单/ }).click();
  await expect(page).toHaveURL(/\/payments\/orders\/[^/?]+$/);
  await expect(page.getByRole('button', { name: '去支付' })).toBeVisible();
  await expect(page.getByText('投标保证金', { exact: true })).toBeVisible();
  await shot(page, 'order-unpaid');

  await page.getByRole('button', { name: '去支付' }).click();
  // Alipay's cashier (the local gateway speaking Alipay's protocol).
  await expect(page.getByRole('button', { name: '确认付款' })).toBeVisible();
  await shot(page, 'cashier');
  await page.getByRole('button', { name: '确认付款' }).click();

  await expect(page).toHaveURL(/\/payments\/orders\/[^/?]+\?returned=1/);
  await expect(page.getByText('已支付', { exact: true })).toBeVisible();
  await expect(page.getByText('支付成功，款项已由支付宝确认到账。')).toBeVisible();
  await expect(page.getByText('支付宝交易号')).toBeVisible();
  await expect(page.getByRole('button', { name: '去支付' })).toHaveCount(0);
  await shot(page, 'order-paid');

  // The paid deposit appears in the center's books, which balance.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();
  await login(page, 'admin');
  await page.goto('/finance');
  await expect(page.getByRole('heading', { name: '资金监管' })).toBeVisible();
  await expect(page.getByText('借贷平衡')).toBeVisible();
  await expect(page.getByRole('cell', { name: '鸿达市政工程有限公司' }).or(page.getByRole('cell', { name: '安泰智能科技股份有限公司' })).first()).toBeVisible();
  await shot(page, 'finance');
});
