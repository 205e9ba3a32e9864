// Trust services in Chromium: a demo bidder imports its .p12 and logs in with the certificate,
// enrols a new browser key, revokes the old certificate (which then cannot log in); a supervisor
// verifies an audit entry's inclusion and two tree heads' consistency in the browser; the public
// TSA answers OpenSSL over real HTTP.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const DEMO_PASSWORD = 'Demo2026!';
const dataDir = process.env.E2E_DATA_DIR!;
const shots = path.resolve('test-results/trust-shots');
fs.mkdirSync(shots, { recursive: true });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function passwordLogin(page: Page, username: string) {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: /您好/ })).toBeVisible();
}

async function logout(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();
}

test('a bidder imports its .p12, logs in with the certificate, enrols a new key and revokes the old certificate', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const p12 = path.join(dataDir, 'demo-keys', 'bidder1.p12');
  expect(fs.existsSync(p12)).toBe(true);

  await page.goto('/login');
  await page.getByRole('tab', { name: '数字证书登录' }).click();
  await expect(page.getByText('本机浏览器中没有可用的数字证书')).toBeVisible();
  await page.getByLabel('证书备份文件').setInputFiles(p12);
  await page.getByLabel('备份密码').fill('wrong-password');
  await page.getByRole('button', { name: '导入证书' }).click();
  await expect(page.getByText('证书备份密码不正确')).toBeVisible();
  await page.getByLabel('备份密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '导入证书' }).click();
  await expect(page.getByLabel('使用证书')).toContainText('黄伟（江城建工集团有限公司）');
  await shot(page, 'login-certificate');
  await page.getByRole('button', { name: '使用数字证书登录' }).click();
  await expect(page.getByRole('heading', { name: /黄伟，您好/ })).toBeVisible();

  // The account page lists the certificate and knows this browser holds its key.
  await page.getByRole('link', { name: '数字证书' }).click();
  await expect(page.getByRole('heading', { name: '我的数字证书' })).toBeVisible();
  const rows = page.locator('table.cert-table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('有效');
  await expect(rows.first()).toContainText('已保存');

  // Enrol a new key generated here: mismatching passwords are refused next to the field.
  await page.getByLabel('设置备份密码').fill('Backup2026!');
  await page.getByLabel('确认备份密码').fill('Backup2026?');
  await page.getByRole('button', { name: '生成密钥并申请证书' }).click();
  await expect(page.getByText('两次输入的密码不一致')).toBeVisible();
  await page.getByLabel('确认备份密码').fill('Backup2026!');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: '生成密钥并申请证书' }).click();
  const backup = await download;
  expect(backup.suggestedFilename()).toMatch(/\.p12$/);
  const backupPath = path.join(os.tmpdir(), `e2e-backup-${Date.now()}.p12`);
  await backup.saveAs(backupPath);
  await expect(page.getByText('证书已签发并保存到本机')).toBeVisible({ timeout: 60_000 });
  await expect(rows).toHaveCount(2);
  // The backup is a standard PKCS#12 that OpenSSL opens with the chosen password.
  const info = execFileSync('openssl', ['pkcs12', '-in', backupPath, '-nokeys', '-passin', 'pass:Backup2026!'], { encoding: 'utf8' });
  expect(info).toContain('BEGIN CERTIFICATE');
  await shot(page, 'account-certificate');

  // Revoke the imported (older) certificate: the newest is listed first.
  const old = rows.nth(1);
  await old.getByRole('button', { name: '注销' }).click();
  await old.getByLabel('注销原因').selectOption({ label: '已更换新证书' });
  await old.getByRole('button', { name: '确认注销' }).click();
  await expect(page.getByText(/已注销，并已列入证书吊销列表/)).toBeVisible();
  await expect(rows.nth(1)).toContainText('已注销');

  // The revoked certificate can no longer log in; the new one can.
  await logout(page);
  await page.goto('/login');
  await page.getByRole('tab', { name: '数字证书登录' }).click();
  const picker = page.getByLabel('使用证书');
  await expect(picker.locator('option')).toHaveCount(2);
  // newest first in the local store too: the imported (now revoked) key was stored first
  const oldValue = await picker.locator('option').nth(1).getAttribute('value');
  const newValue = await picker.locator('option').nth(0).getAttribute('value');
  await picker.selectOption(oldValue!);
  await page.getByRole('button', { name: '使用数字证书登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '该证书已注销，不能用于登录' })).toBeVisible();
  await picker.selectOption(newValue!);
  await page.getByRole('button', { name: '使用数字证书登录' }).click();
  await expect(page.getByRole('heading', { name: /黄伟，您好/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a supervisor verifies an entry inclusion and tree head consistency in the browser', async ({ page }) => {
  await passwordLogin(page, 'supervisor1');
  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: 'Merkle 透明日志核验' })).toBeVisible();
  await page.getByLabel('记录序号').fill('3');
  await page.getByRole('button', { name: '核验包含证明' }).click();
  const inclusion = page.locator('.transparency-checks .two-col > div').first();
  await expect(inclusion.getByText('核验通过')).toBeVisible();
  await expect(inclusion.getByText(/第 3 条记录包含在规模为 \d+ 的签名树中/)).toBeVisible();
  const dl = page.waitForEvent('download');
  await inclusion.getByRole('button', { name: '下载证明' }).click();
  const proofFile = await dl;
  const bundle = JSON.parse(fs.readFileSync(await proofFile.path(), 'utf8')) as { entry: { seq: string }; inclusionProof: { proof: string[] } };
  expect(bundle.entry.seq).toBe('3');

  // An entry newer than the latest signed head is explained, not failed.
  await page.getByLabel('记录序号').fill('999999');
  await page.getByRole('button', { name: '核验包含证明' }).click();
  await expect(page.getByText(/晚于最新签名树头/)).toBeVisible();

  const consistency = page.locator('.transparency-checks .two-col > div').nth(1);
  await consistency.getByRole('button', { name: '核验一致性' }).click();
  await expect(consistency.getByText('核验通过')).toBeVisible();
  await expect(consistency.getByText(/没有任何记录被修改、删除或插入/)).toBeVisible();
  await shot(page, 'audit-transparency');
});

test('the public transparency page and the TSA over HTTP with OpenSSL', async ({ page, request }) => {
  await page.goto('/transparency');
  await expect(page.getByRole('heading', { name: '审计透明' })).toBeVisible();
  await page.getByRole('button', { name: '在浏览器中核验最新树头' }).click();
  await expect(page.getByText('核验通过。')).toBeVisible();
  await shot(page, 'transparency');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-tsa-'));
  fs.writeFileSync(path.join(dir, 'doc.txt'), '开标记录 JC-2026-GC-001');
  execFileSync('openssl', ['ts', '-query', '-data', 'doc.txt', '-sha256', '-cert', '-out', 'doc.tsq'], { cwd: dir });
  const res = await request.post('/tsa', { data: fs.readFileSync(path.join(dir, 'doc.tsq')), headers: { 'Content-Type': 'application/timestamp-query' } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/timestamp-reply');
  fs.writeFileSync(path.join(dir, 'doc.tsr'), await res.body());
  fs.writeFileSync(path.join(dir, 'ca.pem'), await (await request.get('/pki/ca.pem')).text());
  const out = execFileSync('openssl', ['ts', '-verify', '-data', 'doc.txt', '-in', 'doc.tsr', '-CAfile', 'ca.pem'], { cwd: dir, encoding: 'utf8' });
  expect(out).toContain('Verification: OK');
  const crl = await request.get('/pki/crl.der');
  expect(crl.headers()['content-type']).toBe('application/pkix-crl');
});

test('the centre administrator lists certificates and sees the revoked demo certificate', async ({ page }) => {
  await passwordLogin(page, 'admin');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '证书管理' }).click();
  await expect(page.getByRole('heading', { name: '证书管理' })).toBeVisible();
  await page.getByLabel('状态').selectOption({ label: '已注销' });
  await page.getByRole('button', { name: '筛选' }).click();
  const rows = page.locator('table.cert-table tbody tr');
  await expect(rows.filter({ hasText: '韩磊' })).toHaveCount(1);
  await expect(rows.first()).toContainText('已更换新证书');
  await page.getByLabel('状态').selectOption({ label: '全部' });
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(rows).not.toHaveCount(0);
  await shot(page, 'admin-certificates');
});
