// Evaluation and award in Chromium, after the demo seed's opening of JC-2026-FJ-0015 (section 1:
// three valid bids): the agent registers the evaluation, the centre draws 5 experts (experts with a
// conflict are excluded with reasons), each expert imports their certificate, signs the declaration,
// the committee elects its chair by vote, an expert opens a decrypted bid PDF (read logged), each
// scores online and signs the report; the agent publishes the candidates, answers an objection
// (mirrored in the supervisors' complaint list with its statutory deadline),
// signs and issues the award notices; the losers' deposits are refunded once the demo clock moves;
// the contract is filed and checked against the award.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { withCheckChar } from '../../app/modules/auth/credit-code';

const DEMO_PASSWORD = 'Demo2026!';
const DAY = 24 * 3600_000;
const keyDir = () => path.join(process.env.E2E_DATA_DIR!, 'demo-keys');

async function login(page: Page, username: string, to = '/') {
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function as(browser: Browser, username: string, to: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(30_000);
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[${username}] console error: ${m.text()}`);
  });
  await login(page, username, to);
  return { ctx, page };
}

/** Clicks a SignButton; the first time in this browser, imports the user's .p12 backup. */
async function sign(page: Page, label: string, username: string) {
  await page.getByRole('button', { name: label }).click();
  const panel = page.getByRole('group', { name: '数字证书签名' });
  const importBox = panel.getByRole('group', { name: '导入证书备份' });
  await expect(panel.getByText(/使用证书|导入证书备份|没有可用的数字证书/).first()).toBeVisible();
  if (await importBox.isVisible()) {
    await importBox.getByLabel('证书备份文件').setInputFiles(path.join(keyDir(), `${username}.p12`));
    await importBox.getByLabel('备份密码').fill(DEMO_PASSWORD);
    await importBox.getByRole('button', { name: '导入证书' }).click();
    await expect(panel.getByLabel('使用证书')).toBeVisible();
  }
  await panel.getByRole('button', { name: label }).click();
}

function beijingLocal(d: Date) {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

test('experts drawn and scoring online, report signed by all, publicity, award, refunds, contract filing', async ({ browser }) => {
  test.setTimeout(900_000);

  // 1. The agent registers the evaluation of the opened section.
  const agent = await as(browser, 'tenderer1', '/evaluation/new');
  await expect(agent.page.getByRole('heading', { name: '登记评标' })).toBeVisible();
  await agent.page.getByLabel('标段').selectOption({ label: 'JC-2026-FJ-0015 江城市第一人民医院门诊楼改扩建工程施工 · 第1标段 土建及安装工程' });
  await agent.page.getByLabel('评标办法').selectOption({ label: '综合评分法' });
  await agent.page.getByLabel('评标专业').selectOption({ label: 'A01 房屋建筑工程' });
  await agent.page.getByLabel('评标专家人数').selectOption({ label: '5 人' });
  await agent.page.getByLabel('评标时间').fill(beijingLocal(new Date(Date.now() + DAY)));
  // Weights that do not add up to 100 are refused next to the field.
  await agent.page.getByLabel('价格分值', { exact: true }).fill('50');
  await agent.page.getByRole('button', { name: '登记评标' }).click();
  await expect(agent.page.getByText(/合计须为100分（当前合计110分）/)).toBeVisible();
  await agent.page.getByLabel('价格分值', { exact: true }).fill('40');
  await agent.page.getByRole('button', { name: '登记评标' }).click();
  await agent.page.waitForURL((u) => /^\/evaluation\/[a-z0-9]+$/.test(u.pathname) && u.pathname !== '/evaluation/new');
  const evalUrl = new URL(agent.page.url()).pathname;
  const evalId = evalUrl.split('/').pop()!;
  await expect(agent.page.getByText('种子承诺值')).toBeVisible();
  const commitment = (await agent.page.locator('.hash').first().textContent())!.trim();
  expect(commitment).toMatch(/^[0-9a-f]{64}$/);

  // 2. The centre draws.
  const admin = await as(browser, 'admin', evalUrl);
  await admin.page.getByRole('button', { name: '立即抽取专家' }).click();
  await expect(admin.page.getByRole('status').filter({ hasText: '专家抽取完成' })).toBeVisible();
  await expect(admin.page.getByText('评标委员会成员名单在评标结束前保密')).toBeVisible();

  // 3. A supervisor sees who was drawn, who was excluded and why; the agent sees no names.
  const sup = await as(browser, 'supervisor1', evalUrl);
  const excluded = sup.page.locator('.excluded-list');
  await expect(excluded).toContainText('JCZJ-0012');
  await expect(excluded).toContainText('工作单位与招标人“江城市第一人民医院”相同');
  await expect(excluded).toContainText('与投标人“鸿达市政工程有限公司”存在回避关系');
  const rows = sup.page.getByRole('table', { name: '评标委员会成员' }).locator('tbody tr');
  await expect(rows).toHaveCount(5);
  const members: { username: string; name: string; code: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const cells = rows.nth(i).locator('td');
    const code = (await cells.nth(2).textContent())!.trim();
    const nameCell = (await cells.nth(1).textContent())!;
    members.push({ username: `expert${code.slice(-2)}`, name: nameCell.trim(), code });
  }
  expect(members.map((m) => m.username)).not.toContain('expert12');
  expect(members.map((m) => m.username)).not.toContain('expert14');
  await agent.page.reload();
  await expect(agent.page.getByText('评标委员会成员名单在评标结束前保密')).toBeVisible();
  for (const m of members) await expect(agent.page.getByText(m.name)).toHaveCount(0);
  const draw = await sup.page.request.get(`${evalUrl}/draw.json`);
  expect(draw.status()).toBe(200);
  expect((await draw.json()).commitment).toBe(commitment);
  expect((await agent.page.request.get(`${evalUrl}/draw.json`)).status()).toBe(403);

  // 4. Each expert signs the declaration with their certificate and scores every bid.
  const experts: { username: string; ctx: BrowserContext; page: Page }[] = [];
  for (const m of members) {
    const e = await as(browser, m.username, evalUrl);
    await expect(e.page.getByRole('heading', { name: '评标邀请' })).toBeVisible();
    await expect(e.page.locator('pre.declaration')).toContainText('不存在利害关系');
    await sign(e.page, '确认参加并签署声明', m.username);
    await expect(e.page.getByRole('status').filter({ hasText: '已确认参加并签署回避声明' })).toBeVisible();
    experts.push({ ...e, username: m.username });
  }
  // The last acceptance started the evaluation. The committee elects its chair (推选组长): the
  // second drawn gets 3 of 5 votes on the last ballot (2-2 before it).
  const votes = [1, 1, 2, 2, 1];
  for (const [i, e] of experts.entries()) {
    await e.page.goto(evalUrl);
    const vote = e.page.getByRole('region', { name: '推选评标委员会组长' });
    await vote.getByLabel('推选组长').selectOption({ label: `${members[votes[i]].name}（${members[votes[i]].code}）` });
    await vote.getByRole('button', { name: '投票' }).click();
    await expect(e.page.getByRole('status').filter({ hasText: i < 4 ? '等待其他成员投票' : '组长已推选产生' })).toBeVisible();
  }
  await expect(experts[4].page.getByRole('region', { name: '推选评标委员会组长' })).toContainText(`${members[1].name} 得 3 票，超过委员会成员（5人）半数`);

  // The bids are visible to the committee only: an expert opens a bid's decrypted PDF in the browser.
  await experts[0].page.reload();
  const files = experts[0].page.getByRole('list', { name: '鸿达市政工程有限公司的投标文件' });
  const pdfLink = files.getByRole('link', { name: '投标文件.pdf', exact: true });
  await expect(pdfLink).toBeVisible();
  const fileUrl = (await pdfLink.getAttribute('href'))!;
  const bidPdf = await experts[0].page.request.get(fileUrl);
  expect(bidPdf.status()).toBe(200);
  expect(bidPdf.headers()['content-type']).toBe('application/pdf');
  expect(bidPdf.headers()['content-disposition']).toMatch(/^inline;/);
  expect((await bidPdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  // The agent (before the evaluation ends) may not.
  expect((await agent.page.request.get(fileUrl)).status()).toBe(403);
  for (const e of experts) {
    await e.page.goto(`${evalUrl}/score`);
    await expect(e.page.getByRole('heading', { name: '在线评分' })).toBeVisible();
    const forms = e.page.getByRole('form', { name: /^评审 / });
    await expect(forms).toHaveCount(3);
    for (let i = 0; i < 3; i++) {
      const f = e.page.getByRole('form', { name: /^评审 / }).nth(i);
      await f.getByLabel(/技术标/).fill('30');
      await f.getByLabel(/商务标/).fill('12.5');
      await f.getByLabel(/项目管理机构/).fill('8');
      await f.getByRole('button', { name: '保存评审' }).click();
      await expect(e.page.getByRole('form', { name: /^评审 / }).nth(i).getByRole('status')).toContainText('已保存');
    }
    await e.page.getByRole('button', { name: '提交全部评分' }).click();
    await expect(e.page.getByRole('status').filter({ hasText: '评分已提交' })).toBeVisible();
  }
  await experts[0].page.screenshot({ path: 'test-results/award-scoring.png', fullPage: true });

  // 5. The elected chair aggregates; every member signs the report.
  await sup.page.reload();
  const chairRow = sup.page.getByRole('table', { name: '评标委员会成员' }).locator('tbody tr').filter({ hasText: '组长' });
  const chairCode = (await chairRow.locator('td').nth(2).textContent())!.trim();
  const chair = experts.find((e) => e.username === `expert${chairCode.slice(-2)}`)!;
  expect(chair.username).toBe(members[1].username);
  await chair.page.goto(evalUrl);
  await chair.page.getByRole('button', { name: '汇总评分并生成评标报告' }).click();
  await expect(chair.page.getByRole('status').filter({ hasText: '评标报告已生成' })).toBeVisible();
  for (const e of experts) {
    await e.page.goto(evalUrl);
    await sign(e.page, '签署评标报告', e.username);
    await expect(e.page.getByRole('status').filter({ hasText: '已签署评标报告' })).toBeVisible();
  }
  await sup.page.reload();
  await expect(sup.page.getByText('已签署 5/5 人')).toBeVisible();
  await sup.page.screenshot({ path: 'test-results/award-evaluation-supervisor.png', fullPage: true });
  // The evaluation has ended: the agent now sees the committee and the report.
  await agent.page.reload();
  await expect(agent.page.getByRole('table', { name: '评标委员会成员' }).locator('tbody tr')).toHaveCount(5);
  await expect(agent.page.getByRole('list', { name: '鸿达市政工程有限公司的投标文件' }).getByRole('link', { name: '投标文件.pdf', exact: true })).toBeVisible();
  expect((await agent.page.request.get(fileUrl)).status()).toBe(200);
  const pdf = await agent.page.request.get(`${evalUrl}/report.pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

  // 6. Candidates published; a bidder objects; the agent answers on the record.
  await agent.page.goto(`/award/${evalId}`);
  await expect(agent.page.getByRole('row', { name: /第1名 鸿达市政工程有限公司/ })).toBeVisible();
  await agent.page.getByRole('button', { name: '发布中标候选人公示' }).click();
  await expect(agent.page.getByRole('status').filter({ hasText: '中标候选人已在交易公告中公示' })).toBeVisible();
  const bidder = await as(browser, 'bidder2', `/award/${evalId}`);
  await bidder.page.getByLabel('对评标结果提出异议').fill('第一中标候选人的投标报价明显低于其他投标人，请评标委员会复核其是否低于成本。');
  await bidder.page.getByRole('button', { name: '提交异议' }).click();
  await expect(bidder.page.getByRole('status').filter({ hasText: '异议已提交招标人' })).toBeVisible();
  // A bidder never reads the bids.
  expect((await bidder.page.request.get(fileUrl)).status()).toBe(403);
  await agent.page.reload();
  await expect(agent.page.getByText(/监察编号 TS\d{4}-\d{4} · 答复期限/)).toBeVisible();
  await agent.page.getByLabel('答复第1号异议').fill('经评标委员会复核，第一中标候选人已就报价构成作出书面澄清，报价不低于成本，异议不成立。');
  await agent.page.getByRole('button', { name: '提交答复' }).click();
  await expect(agent.page.getByRole('status').filter({ hasText: '答复已发送并记录在案' })).toBeVisible();
  await expect(agent.page.getByRole('button', { name: '生成中标通知书' })).toBeDisabled();
  // Supervisors followed the objection in their complaint list; the answer closed it.
  await sup.page.goto('/supervision/complaints?status=decided');
  await expect(sup.page.getByRole('row', { name: /对JC-2026-FJ-0015第1标段评标结果的异议（第1号）.*已办结/ })).toBeVisible();

  // 7. Three days later (demo clock) the publicity is over: the award is signed and issued.
  await admin.page.goto('/admin/clock');
  await admin.page.getByLabel('快进（分钟）').fill(String(3 * 24 * 60 + 10));
  await admin.page.getByRole('button', { name: '快进' }).click();
  await expect(admin.page.getByText(/已快进/).or(admin.page.getByRole('heading', { name: '用户登录' }))).toBeVisible();
  await agent.ctx.clearCookies();
  await login(agent.page, 'tenderer1', `/award/${evalId}`);
  await agent.page.getByRole('button', { name: '生成中标通知书' }).click();
  await expect(agent.page.getByRole('status').filter({ hasText: '中标通知书和中标结果通知书已生成' })).toBeVisible();
  await sign(agent.page, '签名并发出中标通知书', 'tenderer1');
  await expect(agent.page.getByRole('status').filter({ hasText: '中标通知书已发出' })).toBeVisible();
  await expect(agent.page.getByRole('link', { name: /中标通知书（ZB-.*）· 鸿达市政工程有限公司/ })).toBeVisible();

  // 8. The losers' deposits are refunded when the refund job runs (the demo clock moves again).
  await admin.ctx.clearCookies();
  await login(admin.page, 'admin', '/admin/clock');
  await admin.page.getByLabel('快进（分钟）').fill('60');
  await admin.page.getByRole('button', { name: '快进' }).click();
  await expect(admin.page.getByText(/已快进/)).toBeVisible();
  await expect(async () => {
    await agent.page.reload();
    const deposits = agent.page.getByRole('region', { name: '投标保证金退还' });
    await expect(deposits.getByRole('row', { name: /江城建工集团有限公司.*已退款/ })).toBeVisible({ timeout: 2000 });
    await expect(deposits.getByRole('row', { name: /楚天路桥建设有限公司.*已退款/ })).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 90_000 });
  // The winner's deposit is kept until the contract.
  await expect(agent.page.getByRole('region', { name: '投标保证金退还' }).getByRole('row', { name: /鸿达市政工程有限公司/ })).not.toContainText('已退款');
  await agent.page.screenshot({ path: 'test-results/award-notices.png', fullPage: true });

  // 9. The contract, checked against the award, is filed.
  const contract = { name: '门诊楼改扩建施工合同.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% 施工合同（双方签章）\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') };
  const today = new Date(Date.now() + 3 * DAY + 8 * 3600_000 + 80 * 60_000).toISOString().slice(0, 10);
  await agent.page.getByLabel(/合同文件/).setInputFiles(contract);
  await agent.page.getByLabel('合同金额（元）').fill('227650000.01');
  await agent.page.getByLabel('承包人（乙方）统一社会信用代码').fill(withCheckChar('91420100MA4K0D003'));
  await agent.page.getByLabel('合同签订日期').fill(today);
  await agent.page.getByRole('button', { name: '提交合同备案' }).click();
  await expect(agent.page.getByText(/合同金额须与中标价一致/)).toBeVisible();
  await agent.page.getByLabel(/合同文件/).setInputFiles(contract);
  await agent.page.getByLabel('合同金额（元）').fill('227650000.00');
  await agent.page.getByLabel('承包人（乙方）统一社会信用代码').fill(withCheckChar('91420100MA4K0D003'));
  await agent.page.getByLabel('合同签订日期').fill(today);
  await agent.page.getByRole('button', { name: '提交合同备案' }).click();
  await expect(agent.page.getByRole('status').filter({ hasText: '合同已备案' })).toBeVisible();
  await expect(agent.page.getByText('已备案', { exact: true })).toBeVisible();
  await agent.page.screenshot({ path: 'test-results/award-contract.png', fullPage: true });

  // The public sees the candidate publicity and the award announcement.
  const pub = await browser.newPage();
  await pub.goto('/announcements');
  await expect(pub.getByText(/门诊楼改扩建工程施工（第1标段）中标候选人公示/).first()).toBeVisible();
  await expect(pub.getByText(/门诊楼改扩建工程施工（第1标段）中标结果公告/).first()).toBeVisible();
  expect(fs.existsSync(keyDir())).toBe(true);
});
