// The remote opening (不见面开标) in Chromium with a fake camera: an agent, three bidders and two
// supervisors, each in their own browser context with their own certificate, open the seeded tender
// JC-2026-GC-0046 (four bids sealed through the real upload path; bidder3's inner signature is
// broken): signed check-in → the admin moves the clock past the deadline → live video → key
// ceremony 2 of 3 (the room names who is missing) → bidders decrypt in their browsers (bidder2 uses
// the wrong certificate and is deemed revoked; bidder3's bid is rejected with its reason; bidder4 is
// absent and the host opens its bid with the opening key for a recorded non-bidder cause) → 唱标
// equals the sealed forms → objection and answer → supervisor pause → record signed, published,
// downloaded and verified offline by the CLI. Every context must have seen every event in order.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { UPCOMING_BIDS, UPCOMING_CODE } from '../../prisma/seed/opening-upcoming';

const PASSWORD = 'Demo2026!';
const keyFile = (username: string) => path.join(process.env.E2E_DATA_DIR!, 'demo-keys', `${username}.p12`);
const SHOTS = process.env.E2E_SHOTS;

interface Seat {
  name: string;
  ctx: BrowserContext;
  page: Page;
  errors: string[];
}

async function enter(browser: Browser, username: string): Promise<Seat> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    // A refused step (409) is an expected answer the room shows; anything else is a bug.
    if (m.type() === 'error' && !/status of 409/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/login?redirectTo=${encodeURIComponent('/openings')}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: '不见面开标大厅' })).toBeVisible();
  await page.getByRole('row', { name: new RegExp(UPCOMING_CODE) }).getByRole('link', { name: '进入开标室' }).click();
  await page.waitForURL(/\/opening\/[a-z0-9]+$/);
  await expect(page.getByText('实时', { exact: true })).toBeVisible();
  return { name: username, ctx, page, errors };
}

async function importKey(page: Page, username: string, scope = page.locator('body')) {
  const box = scope.getByRole('group', { name: '导入证书备份' }).first();
  await box.getByLabel('证书备份文件').setInputFiles(keyFile(username));
  await box.getByLabel('备份密码').fill(PASSWORD);
  await box.getByRole('button', { name: '导入证书' }).click();
  await expect(page.getByLabel('使用证书').first()).toBeVisible();
}

async function moveClock(browser: Browser, minutes: number) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`/login?redirectTo=${encodeURIComponent('/admin/clock')}`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByLabel('快进（分钟）').fill(String(minutes));
  await page.getByRole('button', { name: '快进' }).click();
  await expect(page.getByText(/已快进/)).toBeVisible();
  await ctx.close();
}

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `opening-${name}.png`), fullPage: true });
}

const state = (p: Page) => p.getByTestId('room-state');
const bidRow = (p: Page, position: number) => p.locator(`tr[data-bid="${position}"]`);

function yuan(fen: number) {
  return `¥${Math.floor(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;
}

test('remote opening: check-in, key ceremony, bidder decryption with failures, 唱标, objection, pause, signed record verified offline', async ({ browser }) => {
  test.setTimeout(600_000);
  const agent = await enter(browser, 'tenderer1');
  const sup1 = await enter(browser, 'supervisor1');
  const sup2 = await enter(browser, 'supervisor2');
  const b1 = await enter(browser, 'bidder1');
  const b2 = await enter(browser, 'bidder2');
  const b3 = await enter(browser, 'bidder3');
  const seats = [agent, sup1, sup2, b1, b2, b3];

  // 1. check-in: each person signs a fresh challenge with their own certificate
  await expect(agent.page.getByTestId('countdown')).toHaveText(/^\d\d:\d\d:\d\d$/);
  await expect(state(agent.page)).toHaveText('签到');
  for (const s of seats) {
    await importKey(s.page, s.name);
    await s.page.getByRole('button', { name: '签到', exact: true }).click();
    await expect(s.page.getByText('✓ 已签到')).toBeVisible();
  }
  for (const s of seats) await expect(s.page.getByRole('heading', { name: '签到（6）' })).toBeVisible();
  // before the deadline the host cannot open
  await expect(agent.page.getByRole('button', { name: '开始开标' })).toBeDisabled();
  await shot(agent.page, '1-checkin');

  // 2. the trusted clock passes the deadline; the host starts the camera and opens
  await moveClock(browser, 15);
  await agent.page.reload();
  await agent.page.getByRole('button', { name: '开启摄像头直播' }).click();
  await expect(agent.page.getByTestId('video-status')).toContainText('正在直播');
  await agent.page.getByRole('button', { name: '开始开标' }).click();
  for (const s of seats) await expect(state(s.page)).toHaveText('开标密钥恢复');
  await expect(b1.page.getByTestId('video-status')).toContainText(/已接收 \d+\/\d+ 个片段 · 摘要均与审计日志一致/);

  // 3. key ceremony, 2 of 3: with one share the room names who is missing
  await sup1.page.getByRole('button', { name: /解密并提交第 \d 份密钥份额/ }).click();
  await expect(sup1.page.getByText(/✓ 已提交第 \d 份密钥份额/)).toBeVisible();
  for (const s of seats) await expect(s.page.getByTestId('missing-holders')).toHaveText(/还需 1 份，尚未提交：.*陈静.*林岚|还需 1 份，尚未提交：.*林岚.*陈静/);
  await shot(b1.page, '2-ceremony');
  await agent.page.getByRole('button', { name: /解密并提交第 \d 份密钥份额/ }).click();
  for (const s of seats) await expect(state(s.page)).toHaveText('投标文件解密');
  await expect(sup2.page.getByText(/开标密钥已于 .* 恢复并与开标证书核对一致/)).toBeVisible();

  // 4. decryption: bidder1 valid; bidder3's broken signature rejected with its reason
  await b1.page.getByRole('button', { name: '解密我的投标文件' }).click();
  await expect(b1.page.getByText('✓ 我的投标文件已解密核验')).toBeVisible();
  await expect(bidRow(sup2.page, 1)).toContainText('有效');
  await b3.page.getByRole('button', { name: '解密我的投标文件' }).click();
  for (const s of [b3, sup1, agent]) {
    await expect(bidRow(s.page, 3)).toContainText('无效（验证未通过）（投标人原因）');
    await expect(bidRow(s.page, 3)).toContainText('投标文件的数字签名无效（签名与内容不符）');
  }
  // bidder2 picks a certificate that is not the one it sealed with: the browser cannot unwrap
  await b2.page.getByRole('button', { name: '导入其他证书（.p12）' }).click();
  await importKey(b2.page, 'bidder5');
  await b2.page.getByRole('button', { name: '解密我的投标文件' }).click();
  await expect(b2.page.getByRole('alert').filter({ hasText: '解密失败：所选证书无法解开投标文件' })).toBeVisible();
  await expect(agent.page.getByTestId('timeline')).toContainText('投标人解密失败（可在时限内重试） · 楚天路桥建设有限公司');
  // bidder4 is not in the room: the host records a non-bidder cause and opens it with the opening key
  await bidRow(agent.page, 4).getByText('非投标人原因无法解密？').click();
  await bidRow(agent.page, 4).getByPlaceholder(/说明经核实的非投标人原因/).fill('投标人来电反映平台解密服务在其所在网段不可用，经运维核实为平台网络故障');
  await agent.page.getByRole('button', { name: '以开标密钥解密第4号' }).click();
  for (const s of seats) {
    await expect(bidRow(s.page, 4)).toContainText('开标密钥');
    await expect(bidRow(s.page, 4)).toContainText('有效');
  }
  await expect(agent.page.getByRole('progressbar', { name: '解密进度' })).toHaveAttribute('aria-valuenow', '3');
  await shot(agent.page, '3-decrypting');
  // the window is still open while bidder2 has not decrypted
  await agent.page.getByRole('button', { name: '结束解密' }).click();
  await expect(agent.page.getByRole('alert').filter({ hasText: '解密时限未到，仍有 1 份投标文件未解密' })).toBeVisible();

  // 5. the window runs out: bidder2's bid is deemed revoked, the opening goes on
  await moveClock(browser, 31);
  for (const s of seats) await expect(state(s.page)).toHaveText('唱标', { timeout: 30_000 });
  await expect(bidRow(b2.page, 2)).toContainText('视为撤销（投标人原因）');
  await expect(bidRow(b2.page, 2)).toContainText('投标人未在解密时限内完成解密（期间解密失败 1 次）');
  await expect(agent.page.getByRole('progressbar', { name: '解密进度' })).toHaveAttribute('aria-valuenow', '4');

  // 6. 唱标: the table equals the sealed bid forms of the valid bids, in reading order
  await agent.page.getByRole('button', { name: '唱标（下一家）' }).click();
  await expect(b1.page.getByRole('table', { name: '开标一览表' }).locator('tbody tr')).toHaveCount(1);
  await agent.page.getByRole('button', { name: '唱标（下一家）' }).click();
  const expected = [UPCOMING_BIDS[0], UPCOMING_BIDS[3]].map((b, i) => [String(i === 0 ? 1 : 4), b.org, yuan(b.price), `${b.days} 天`, '合格', b.pm, '无需缴纳']);
  for (const s of seats) {
    const rows = s.page.getByRole('table', { name: '开标一览表' }).locator('tbody tr');
    await expect(rows).toHaveCount(2);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())));
    expect(cells).toEqual(expected);
  }

  // 7. an objection raised and answered on the record; a supervisor pauses the opening
  await b2.page.getByPlaceholder(/当场提出/).fill('我单位已按时登录并点击解密，请核实解密失败的原因。');
  await b2.page.getByRole('button', { name: '提出异议' }).click();
  await expect(agent.page.getByText('我单位已按时登录并点击解密，请核实解密失败的原因。')).toBeVisible();
  await sup1.page.getByPlaceholder('暂停原因').fill('核实投标人提出的异议');
  await sup1.page.getByRole('button', { name: '暂停开标' }).click();
  for (const s of seats) await expect(s.page.getByRole('alert').filter({ hasText: '开标已被监督人员暂停：核实投标人提出的异议' })).toBeVisible();
  await agent.page.getByRole('button', { name: '结束开标并生成开标记录' }).click();
  await expect(agent.page.getByRole('alert').filter({ hasText: '开标已被监督人员暂停' }).last()).toBeVisible();
  await sup1.page.getByRole('button', { name: '恢复开标' }).click();
  await expect(agent.page.getByText('开标已被监督人员暂停：核实投标人提出的异议')).toHaveCount(0);
  await agent.page.getByPlaceholder('答复内容将记入开标记录').fill('经核查审计日志，贵单位所用证书不是投标时加密所用的证书，时限内未完成解密，依法视为撤销。');
  await agent.page.getByRole('button', { name: '答复异议 1' }).click();
  for (const s of seats) await expect(s.page.getByText('主持人答复：经核查审计日志')).toBeVisible();
  await b1.page.getByRole('button', { name: '确认开标结果' }).click();
  await expect(agent.page.getByText('已确认')).toBeVisible();
  await shot(b2.page, '4-reading');

  // 8. close, sign (agent + supervisor), publish
  await agent.page.getByRole('button', { name: '结束开标并生成开标记录' }).click();
  for (const s of seats) await expect(state(s.page)).toHaveText('开标记录签署');
  await expect(sup2.page.locator('.hash').first()).toHaveText(/^[0-9a-f]{64}$/);
  for (const [s, signer] of [[agent, '主持人 陈静'], [sup1, '监督人员 监督员 张诚']] as const) {
    await s.page.getByRole('button', { name: '签署开标记录' }).click();
    const panel = s.page.getByRole('group', { name: '数字证书签名' });
    await expect(panel.getByLabel('使用证书')).toBeVisible();
    await panel.getByRole('button', { name: '签署开标记录' }).click();
    for (const x of seats) await expect(x.page.getByTestId('record-signers')).toContainText(signer);
  }
  await agent.page.getByRole('button', { name: '发布开标记录' }).click();
  for (const s of seats) await expect(state(s.page)).toHaveText('开标结束', { timeout: 60_000 });
  await expect(b1.page.getByTestId('video-status')).toContainText(/开标录像 · 已接收 (\d+)\/\1 个片段 · 摘要均与审计日志一致/);
  await shot(b1.page, '5-closed');

  // 9. the record PDF and the evidence package, verified offline with the CLI
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opening-evidence-'));
  const [pdf] = await Promise.all([b1.page.waitForEvent('download'), b1.page.getByRole('link', { name: '下载开标记录（PDF）' }).click()]);
  await pdf.saveAs(path.join(dir, 'downloaded.pdf'));
  expect(fs.readFileSync(path.join(dir, 'downloaded.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  const [tar] = await Promise.all([b1.page.waitForEvent('download'), b1.page.getByRole('link', { name: '下载证据包（离线核验）' }).click()]);
  await tar.saveAs(path.join(dir, 'evidence.tar'));
  execFileSync('tar', ['-xf', 'evidence.tar'], { cwd: dir });
  expect(fs.readFileSync(path.join(dir, 'record.pdf'))).toEqual(fs.readFileSync(path.join(dir, 'downloaded.pdf')));
  const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'record.pdf'), '-'], { encoding: 'utf8' });
  for (const b of [UPCOMING_BIDS[0], UPCOMING_BIDS[3]]) expect(text).toContain(yuan(b.price));
  expect(text).toContain('视为撤销');
  fs.rmSync(path.join(dir, 'evidence.tar'));
  fs.rmSync(path.join(dir, 'downloaded.pdf'));
  const out = execFileSync('npx', ['tsx', 'crypto/cli.ts', 'record', 'verify', '--in', dir], { encoding: 'utf8' });
  expect(out).toContain('verification: OK');
  expect(out).toMatch(/opening record: equals the record re-derived/);
  // one changed byte of the recording is named
  const chunk = fs.readdirSync(dir).find((f) => f.startsWith('video-'))!;
  const bytes = fs.readFileSync(path.join(dir, chunk));
  bytes[bytes.length >> 1] ^= 1;
  fs.writeFileSync(path.join(dir, chunk), bytes);
  let failed = '';
  try {
    execFileSync('npx', ['tsx', 'crypto/cli.ts', 'record', 'verify', '--in', dir], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    failed = String((e as { stdout?: string }).stdout ?? '');
  }
  expect(failed).toContain(chunk);

  // 10. every context saw every event, in the same order
  const logs = async () => Promise.all(seats.map((s) => s.page.evaluate(() => (window as unknown as { __openingEvents?: { seq: number; type: string }[] }).__openingEvents ?? [])));
  await expect.poll(async () => new Set((await logs()).map((l) => l.length)).size).toBe(1);
  const all = await logs();
  expect(all[0].map((e) => e.seq)).toEqual(all[0].map((_, i) => i + 1));
  for (const l of all) expect(l).toEqual(all[0]);
  const types = all[0].map((e) => e.type);
  for (const t of ['create', 'checkin', 'start', 'video.chunk', 'share.submit', 'key.rebuilt', 'bid.result', 'bid.decrypt.fail', 'bid.fallback', 'decrypt.end', 'decrypt.finish', 'bid.read', 'objection', 'pause', 'resume', 'answer', 'confirm', 'close', 'sign', 'finalize']) {
    expect(types, t).toContain(t);
  }
  for (const s of seats) expect(s.errors, s.name).toEqual([]);
  for (const s of seats) await s.ctx.close();
});
