import { expect, test } from '@playwright/test';
import { withCheckChar } from '../../app/modules/auth/credit-code';

const DEMO_PASSWORD = 'Demo2026!';

test('an organization registers, lands on its home, logs out and logs in again', async ({ page }) => {
  const suffix = String(Date.now()).slice(-5);
  const creditCode = withCheckChar(`91420100MA4E${suffix}`);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '交易公告' })).toBeVisible();
  await page.getByRole('link', { name: '注册' }).first().click();
  await expect(page.getByRole('heading', { name: '单位注册' })).toBeVisible();

  await page.getByLabel('单位名称').fill('江城测试建设有限公司');
  // A wrong check character is caught next to the field, before anything is sent.
  await page.getByLabel('统一社会信用代码').fill(creditCode.slice(0, 17) + (creditCode[17] === '0' ? '1' : '0'));
  await page.getByLabel('主体类型').selectOption({ label: '投标人' });
  await page.getByLabel('联系人').fill('王测试');
  await expect(page.getByText('统一社会信用代码校验位不正确，请核对')).toBeVisible();
  await page.getByLabel('统一社会信用代码').fill(creditCode);
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByLabel('用户名').fill(`e2e${suffix}`);
  await page.getByLabel('密码', { exact: true }).fill('weakpass');
  await page.getByLabel('确认密码').fill('weakpass');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.getByText('密码须同时包含字母和数字')).toBeVisible();

  await page.getByLabel('密码', { exact: true }).fill('E2eStrong2026');
  await page.getByLabel('确认密码').fill('E2eStrong2026');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.getByText('注册成功')).toBeVisible();
  await expect(page.getByRole('heading', { name: /王测试，您好/ })).toBeVisible();
  await expect(page.getByText('投标人', { exact: true }).first()).toBeVisible();
  // Role-aware navigation: a bidder sees no audit log or user management.
  await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '审计日志' })).toHaveCount(0);

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();

  await page.getByRole('link', { name: '登录', exact: true }).click();
  await page.getByLabel('用户名').fill(`e2e${suffix}`);
  await page.getByLabel('密码').fill('wrong-Password1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '用户名或密码错误' })).toBeVisible();
  await page.getByLabel('密码').fill('E2eStrong2026');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: /王测试，您好/ })).toBeVisible();
});

test('the same registration cannot be made twice', async ({ page }) => {
  await page.goto('/register');
  await page.getByLabel('单位名称').fill('重复注册测试公司');
  // The credit code of a demo bidder, already registered by the seed.
  await page.getByLabel('统一社会信用代码').fill(withCheckChar('91420100MA4K0D001'));
  await page.getByLabel('主体类型').selectOption({ label: '投标人' });
  await page.getByLabel('联系人').fill('李重复');
  await page.getByLabel('手机号').fill('13912345670');
  await page.getByLabel('用户名').fill('dup-user');
  await page.getByLabel('密码', { exact: true }).fill('Dup2026pass');
  await page.getByLabel('确认密码').fill('Dup2026pass');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.getByText(/该统一社会信用代码已注册/).first()).toBeVisible();
});

const DEMO_HOMES: [string, string][] = [
  ['admin', '用户管理'],
  ['supervisor1', '审计日志'],
  ['agency1', '站内消息'],
  ['owner1', '站内消息'],
  ['tenderer1', '站内消息'],
  ['bidder1', '站内消息'],
];

for (const [username, tile] of DEMO_HOMES) {
  test(`demo account ${username} logs in to its home`, async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
    await expect(page.getByRole('link', { name: new RegExp(tile) }).first()).toBeVisible();
  });
}

test('a supervisor browses and verifies the audit log; a bidder is refused', async ({ page }) => {
  await page.goto('/login?redirectTo=/audit');
  await page.getByLabel('用户名').fill('supervisor1');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '审计日志' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'auth.login' }).first()).toBeVisible();
  await page.getByRole('button', { name: '核验哈希链' }).click();
  await expect(page.getByText(/哈希链完整，未发现篡改/)).toBeVisible();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();

  await page.goto('/login?redirectTo=/audit');
  await page.getByLabel('用户名').fill('bidder2');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
});

test('bad requests are answered clearly', async ({ request, page }) => {
  const big = await request.post('/login', { data: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(big.status()).toBe(413);
  const forged = await request.get('/inbox', { headers: { cookie: '__ggzy_session=forged.value' }, maxRedirects: 0 });
  expect(forged.status()).toBe(302);
  expect(forged.headers()['location']).toContain('/login');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
});
