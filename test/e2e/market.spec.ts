// 网上中介超市 end to end, in Chromium against the demo seed: registration with a one-time notice,
// listing, a purchase by random draw verified from its public record, contract signed by both
// parties with browser-held certificates, the yellow time-limit warning, acceptance, rating and
// the credit grade that follows; then price competition, comparison and direct selection.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { withCheckChar } from '../../app/modules/auth/credit-code';
import { DEFAULT_RULES, gradeFor } from '../../app/modules/credit/rules';

const DEMO_PASSWORD = 'Demo2026!';
const PDF = (text: string) => ({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`) });

async function login(page: Page, username: string, password = DEMO_PASSWORD, to = '/') {
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
}

async function logout(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();
}

async function advanceClock(page: Page, minutes: number) {
  await login(page, 'admin', DEMO_PASSWORD, '/admin/clock');
  await page.getByLabel('快进（分钟）').fill(String(minutes));
  await page.getByRole('button', { name: '快进' }).click();
  await expect(page.getByText(/已快进/)).toBeVisible();
  await logout(page);
}

/** The sign-up form's default end (server time + 3 days) moved to about an hour from now. */
async function shortSignup(page: Page) {
  const def = await page.getByLabel('报名截止时间').inputValue();
  const end = new Date(new Date(`${def}:00+08:00`).getTime() - 3 * 86_400_000 + 40 * 60_000);
  const china = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
  await page.getByLabel('报名截止时间').fill(china(end));
  await page.getByLabel(/选取时间|评分开始时间/).fill(china(new Date(end.getTime() + 5 * 60_000)));
}

async function enrollCertificate(page: Page) {
  await page.goto('/account/certificate');
  const apply = page.locator('form').filter({ has: page.getByRole('button', { name: '生成密钥并申请证书' }) });
  // The new-certificate form: a backup password and its confirmation.
  await apply.locator('input[type=password]').nth(0).fill('Backup2026!x');
  await apply.locator('input[type=password]').nth(1).fill('Backup2026!x');
  await page.getByRole('button', { name: '生成密钥并申请证书' }).click();
  await expect(page.getByText(/证书已签发并保存到本机/)).toBeVisible({ timeout: 60_000 });
}

async function publishPurchase(page: Page, opts: { project: string; item: string; budget: string; method: string }) {
  await page.goto('/market/purchases/new');
  await page.getByLabel('项目名称').fill(opts.project);
  await page.getByLabel('投资项目代码').fill('2026-420100-48-01-200001');
  await page.getByLabel('服务事项').selectOption({ label: opts.item });
  await page.getByLabel('预算金额（元）').fill(opts.budget);
  await page.getByLabel('服务内容及要求').fill(`${opts.project}：按目录服务标准提供服务。`);
  await page.getByRole('radio', { name: opts.method }).check();
}

test('agency registration → draw → contract → delivery warning → rating → credit grade', async ({ page }) => {
  test.setTimeout(900_000);
  const suffix = String(Date.now()).slice(-5);
  const creditCode = withCheckChar(`91420100MA4N${suffix}`);
  const orgName = `江城衡信工程造价咨询有限公司${suffix}`;
  const username = `zj${suffix}`;
  const password = 'Agency2026pass';

  // 1. The agency registers on the platform.
  await page.goto('/register');
  await page.getByLabel('单位名称').fill(orgName);
  await page.getByLabel('统一社会信用代码').fill(creditCode);
  await page.getByLabel('主体类型').selectOption({ label: '中介机构' });
  await page.getByLabel('联系人').fill('钱衡');
  await page.getByLabel('手机号').fill('13912340001');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByLabel('确认密码').fill(password);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.getByText('注册成功')).toBeVisible();

  // 2. Registration (入驻): data, licence scan, a qualification with its scan, a practitioner.
  await page.getByRole('link', { name: /机构入驻/ }).first().click();
  await expect(page.getByRole('heading', { name: '中介机构入驻' })).toBeVisible();
  await page.getByLabel('所在区域').fill('江城市江北区');
  await page.getByLabel('办公地址').fill('江城市江北区建设大道88号');
  await page.getByLabel('法定代表人').fill('钱衡');
  await page.getByLabel('联系电话').fill('13912340001');
  await page.getByLabel('营业执照编号').fill(creditCode);
  await page.getByLabel(/营业执照扫描件/).setInputFiles(PDF('licence'));
  await page.getByRole('button', { name: '保存机构信息' }).click();
  await expect(page.getByText('机构信息已保存')).toBeVisible();

  await page.getByLabel('资质类别').fill('工程造价咨询');
  await page.getByLabel('资质等级').selectOption('不分级');
  await page.getByLabel('证书编号', { exact: true }).fill(`ZJ${suffix}`);
  await page.getByLabel('发证日期').fill('2025-01-10');
  // An expired certificate is refused next to its field.
  await page.getByLabel('有效期至', { exact: true }).fill('2025-06-30');
  await page.getByLabel('证书扫描件').setInputFiles(PDF('qualification'));
  await page.getByRole('button', { name: '登记资质' }).click();
  await expect(page.getByText('该资质证书已过期，不能登记')).toBeVisible();
  await page.getByLabel('有效期至', { exact: true }).fill('2029-12-31');
  await page.getByLabel('证书扫描件').setInputFiles(PDF('qualification'));
  await page.getByRole('button', { name: '登记资质' }).click();
  await expect(page.getByText('资质证书已登记')).toBeVisible();

  await page.getByLabel('姓名').fill('钱衡');
  await page.getByLabel('执业证书类别').fill('一级造价工程师');
  await page.getByLabel('执业证书编号').fill(`YZ${suffix}`);
  await page.getByLabel('证书有效期至').fill('2029-06-30');
  await page.getByRole('button', { name: '登记人员' }).click();
  await expect(page.getByText('执业人员已登记')).toBeVisible();
  await page.getByRole('button', { name: '提交入驻申请' }).click();
  await expect(page.getByText(/入驻申请已提交/)).toBeVisible();
  await logout(page);

  // 3. The center returns it with one complete list of what is missing.
  await login(page, 'admin', DEMO_PASSWORD, '/admin/registrations');
  await page.getByRole('link', { name: orgName }).click();
  await page.getByRole('radio', { name: '退回补正（一次性告知）' }).check();
  // Returning without listing what is missing is refused.
  await page.getByLabel('审核意见').fill('材料不全，请补正。');
  await page.getByRole('button', { name: '提交审核结论' }).click();
  await expect(page.getByText('退回补正须一次性列明全部需补正的材料')).toBeVisible();
  await page.getByRole('radio', { name: '退回补正（一次性告知）' }).check();
  await page.getByRole('checkbox', { name: '执业人员数量不满足资质标准要求' }).check();
  await page.getByLabel('其他需补正事项（每行一项）').fill('补充登记一名二级造价工程师');
  await page.getByLabel('审核意见').fill('执业人员不足，请一次性补正后重新提交。');
  await page.getByRole('button', { name: '提交审核结论' }).click();
  await expect(page.getByText(/已退回补正/)).toBeVisible();
  await logout(page);

  // 4. The agency sees the whole list at once, completes it and resubmits.
  await login(page, username, password, '/market/registration');
  const notice = page.getByRole('region', { name: '退回补正（一次性告知）' });
  await expect(notice).toContainText('执业人员数量不满足资质标准要求');
  await expect(notice).toContainText('补充登记一名二级造价工程师');
  await page.getByLabel('姓名').fill('孙平');
  await page.getByLabel('执业证书类别').fill('二级造价工程师');
  await page.getByLabel('执业证书编号').fill(`EZ${suffix}`);
  await page.getByLabel('证书有效期至').fill('2028-06-30');
  await page.getByRole('button', { name: '登记人员' }).click();
  await expect(page.getByText('执业人员已登记')).toBeVisible();
  await page.getByRole('button', { name: '提交入驻申请' }).click();
  await expect(page.getByText(/入驻申请已提交/)).toBeVisible();
  await logout(page);

  // 5. Approved.
  await login(page, 'admin', DEMO_PASSWORD, '/admin/registrations');
  await page.getByRole('link', { name: orgName }).click();
  await page.getByRole('radio', { name: '通过', exact: true }).check();
  await page.getByLabel('审核意见').fill('材料齐全，准予入驻。');
  await page.getByRole('button', { name: '提交审核结论' }).click();
  await expect(page.getByText('已审核通过')).toBeVisible();
  await logout(page);

  // 6. The agency lists a service; a fee outside the standard is refused.
  await login(page, username, password, '/market/listings');
  await page.getByLabel('服务事项').selectOption({ label: '造价咨询 · 工程结算审核（ZJ-003）' });
  await page.getByLabel('依据资质').selectOption({ index: 1 });
  await page.getByLabel('收费下浮比例（%）').fill('30');
  await page.getByRole('button', { name: '挂牌', exact: true }).click();
  await expect(page.getByText(/下浮比例超出统一收费标准允许的范围/)).toBeVisible();
  await page.getByLabel('收费下浮比例（%）').fill('0');
  await page.getByRole('button', { name: '挂牌', exact: true }).click();
  await expect(page.getByText(/挂牌成功/)).toBeVisible();
  await logout(page);

  // 7. An owner publishes a purchase by random draw; the seed commitment is public at once.
  await login(page, 'owner1');
  await publishPurchase(page, { project: `江城市政务服务中心装修工程结算${suffix}`, item: '造价咨询 · 工程结算审核（ZJ-003）', budget: '60000', method: '随机抽取' });
  await shortSignup(page);
  await page.getByRole('button', { name: '发布采购公告' }).click();
  await expect(page.getByText('采购公告已发布。')).toBeVisible();
  const purchaseUrl = new URL(page.url()).pathname;
  const commitment = (await page.getByTestId('commitment').textContent())!.trim();
  expect(commitment).toMatch(/^[0-9a-f]{64}$/);
  await logout(page);

  // 8. Three agencies sign up (one registration serves every purchase).
  for (const [u, pw] of [[username, password], ['agency1', DEMO_PASSWORD], ['agency3', DEMO_PASSWORD]]) {
    await login(page, u, pw, purchaseUrl);
    await page.getByRole('button', { name: '确认报名' }).click();
    await expect(page.getByText('报名成功')).toBeVisible();
    await logout(page);
  }

  // 9. The draw runs at its time (the demo clock moves past sign-up close and the draw time).
  await advanceClock(page, 60);
  await page.goto(purchaseUrl);
  await expect(page.getByText('中选公示（质疑期）').first()).toBeVisible();
  const winnerName = (await page.getByTestId('winner').textContent())!.trim();
  expect([orgName, '江城华信工程咨询有限公司', '长荣工程造价咨询事务所有限公司']).toContain(winnerName);

  // 10. Anyone verifies the draw from the public record: in the browser and with the CLI.
  await page.getByRole('link', { name: '复核本次抽取' }).click();
  await page.waitForURL(/\/draw$/);
  await page.getByRole('button', { name: '在本浏览器中重新计算' }).click();
  await expect(page.getByRole('heading', { name: '复核通过：抽取结果与公开记录一致' })).toBeVisible();
  await expect(page.getByText(`中选机构：${winnerName}`)).toBeVisible();
  const record = await (await page.request.get(`${purchaseUrl}/record.json`)).json();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'draw-')), 'record.json');
  fs.writeFileSync(file, JSON.stringify(record));
  const out = execFileSync('npx', ['tsx', 'crypto/cli.ts', 'draw', 'verify', '--in', file, '--commitment', commitment, '--candidates-hash', record.candidatesHash], { encoding: 'utf8' });
  expect(out).toContain('OK');
  expect(record.candidates).toHaveLength(3);

  // 11. The objection period passes without objection: the order opens with its contract.
  await advanceClock(page, 7 * 24 * 60);
  const winnerLogin: [string, string] = winnerName === orgName ? [username, password] : winnerName.startsWith('江城华信') ? ['agency1', DEMO_PASSWORD] : ['agency3', DEMO_PASSWORD];
  const before = await creditOf(page, winnerName);
  expect(before.grade).toBe('A');

  // 12. Both parties sign the contract PDF with certificates held in their browsers.
  await login(page, 'owner1', DEMO_PASSWORD);
  await enrollCertificate(page);
  await page.goto(purchaseUrl);
  await page.getByRole('link', { name: /查看合同与服务订单/ }).click();
  await page.waitForURL(/\/market\/orders\//);
  const orderUrl = new URL(page.url()).pathname;
  const pdf = await page.request.get(`${orderUrl}/contract.pdf`);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await page.getByRole('button', { name: '签署合同' }).click();
  await page.getByRole('group', { name: '数字证书签名' }).getByRole('button', { name: '签署合同' }).click();
  await expect(page.getByText('合同签署成功，签名已验证并存档')).toBeVisible();
  await logout(page);
  await login(page, ...winnerLogin);
  await enrollCertificate(page);
  await page.goto(orderUrl);
  await page.getByRole('button', { name: '签署合同' }).click();
  await page.getByRole('group', { name: '数字证书签名' }).getByRole('button', { name: '签署合同' }).click();
  await expect(page.getByText('合同签署成功，签名已验证并存档')).toBeVisible();
  await expect(page.getByText(/已备案/)).toBeVisible();
  await expect(page.getByText('服务中').first()).toBeVisible();
  await logout(page);

  // 13. Delivery passes 80 % of the time limit: the yellow warning shows (not yet red).
  await advanceClock(page, 6 * 24 * 60); // at most 6 of the 10 working days
  let yellow = false;
  for (let day = 0; day < 16 && !yellow; day++) {
    await advanceClock(page, 24 * 60);
    await login(page, 'owner1', DEMO_PASSWORD, orderUrl);
    const bar = page.getByRole('status', { name: /已用时限|预警/ });
    await expect(bar).toBeVisible();
    const label = (await bar.getAttribute('aria-label')) ?? '';
    expect(label).not.toContain('红色预警');
    yellow = label.includes('黄色预警');
    await logout(page);
  }
  expect(yellow).toBe(true);

  // 14. The agency delivers; the owner accepts and rates; the credit grade changes by the rules.
  await login(page, ...winnerLogin);
  await page.goto(orderUrl);
  await page.getByLabel('成果文件').setInputFiles(PDF('settlement audit report'));
  await page.getByLabel('说明').fill('结算审核报告及审定单');
  await page.getByRole('button', { name: '提交成果' }).click();
  await expect(page.getByText('成果已提交，等待采购人验收')).toBeVisible();
  await logout(page);
  await login(page, 'owner1', DEMO_PASSWORD, orderUrl);
  await page.getByRole('button', { name: '验收通过' }).click();
  await expect(page.getByText(/已验收通过/)).toBeVisible();
  const evaluation = page.locator('form').filter({ has: page.getByRole('radiogroup', { name: '服务质量' }) });
  for (const g of ['服务质量', '办理时效', '服务态度', '收费规范']) await evaluation.getByRole('radiogroup', { name: g }).getByRole('radio', { name: '5分' }).check();
  await evaluation.getByLabel('评语').fill('审核细致，按期交付。');
  await evaluation.getByRole('button', { name: '提交评价' }).click();
  await expect(page.getByText(/评价已提交/)).toBeVisible();
  await logout(page);

  const after = await creditOf(page, winnerName);
  expect(after.score).toBeGreaterThan(before.score);
  expect(after.grade).toBe(gradeFor(DEFAULT_RULES, after.score));
  expect(after.grade).not.toBe(before.grade);
  await expect(page.getByRole('cell', { name: /服务评价/ }).first()).toBeVisible();
});

async function creditOf(page: Page, agencyName: string) {
  await page.goto(`/market?q=${encodeURIComponent(agencyName)}`);
  await page.getByRole('link', { name: agencyName }).first().click();
  await page.getByRole('link', { name: '信用记录' }).click();
  return { grade: (await page.getByTestId('credit-grade').textContent())!.trim(), score: Number(await page.getByTestId('credit-score').textContent()) };
}

test('price competition: sealed quotes within the standard, lowest wins, quotes published at the close', async ({ page }) => {
  test.setTimeout(240_000);
  const suffix = String(Date.now()).slice(-5);
  await login(page, 'owner2');
  await publishPurchase(page, { project: `江城市第一人民医院设备用房清单编制${suffix}`, item: '造价咨询 · 工程量清单及招标控制价编制（ZJ-002）', budget: '90000', method: '竞价选取' });
  await shortSignup(page);
  await page.getByRole('button', { name: '发布采购公告' }).click();
  await expect(page.getByText('采购公告已发布。')).toBeVisible();
  const url = new URL(page.url()).pathname;
  await logout(page);

  // A quote above the budget / standard is refused next to the field; a valid one is sealed.
  await login(page, 'agency2', DEMO_PASSWORD, url);
  await page.getByLabel('报价（元）').fill('95000');
  await page.getByRole('button', { name: '确认报名' }).click();
  await expect(page.getByText('报价须在统一收费标准范围内：¥10,000.00 至 ¥90,000.00')).toBeVisible();
  await page.getByLabel('报价（元）').fill('86000');
  await page.getByRole('button', { name: '确认报名' }).click();
  await expect(page.getByText(/报价已密封/)).toBeVisible();
  await expect(page.getByText(/报价回执/).first()).toBeVisible();
  await logout(page);
  for (const [u, q] of [['agency4', '79000'], ['agency5', '83500']]) {
    await login(page, u, DEMO_PASSWORD, url);
    await page.getByLabel('报价（元）').fill(q);
    await page.getByRole('button', { name: '确认报名' }).click();
    await expect(page.getByText(/报价已密封/)).toBeVisible();
    await logout(page);
  }
  // Before the close nobody sees names or quotes.
  await page.goto(url);
  await expect(page.getByText(/已有 3 家报名。报名单位名单和报价在报名截止后公开/)).toBeVisible();
  await expect(page.getByText('¥79,000.00')).toHaveCount(0);

  await advanceClock(page, 60);
  await page.goto(url);
  await expect(page.getByText('中选公示（质疑期）').first()).toBeVisible();
  await expect(page.getByTestId('winner')).toHaveText('绿源环境评价技术有限公司');
  await expect(page.getByRole('row', { name: /绿源环境评价技术有限公司.*¥79,000\.00/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /江城市勘测规划设计研究院有限公司.*¥86,000\.00/ })).toBeVisible();
  await expect(page.getByRole('region', { name: '中选结果' })).toContainText('¥79,000.00');
});

test('comparison: scores by the published criteria are recorded and published with the result', async ({ page }) => {
  test.setTimeout(240_000);
  const suffix = String(Date.now()).slice(-5);
  await login(page, 'owner3');
  await publishPurchase(page, { project: `江城港区道路改造工程清单编制${suffix}`, item: '造价咨询 · 工程量清单及招标控制价编制（ZJ-002）', budget: '80000', method: '比选（综合评分）' });
  await page.getByLabel('报价', { exact: true }).fill('50');
  await page.getByLabel('资质', { exact: true }).fill('20');
  await shortSignup(page);
  await page.getByRole('button', { name: '发布采购公告' }).click();
  // Weights must add up to 100.
  await expect(page.getByText('评分因素权重合计须为100分（当前110分）')).toBeVisible();
  await page.getByLabel('报价', { exact: true }).fill('40');
  await page.getByRole('button', { name: '发布采购公告' }).click();
  await expect(page.getByText('采购公告已发布。')).toBeVisible();
  const url = new URL(page.url()).pathname;
  await logout(page);
  for (const [u, q] of [['agency2', '78000'], ['agency4', '72000'], ['agency5', '75000']]) {
    await login(page, u, DEMO_PASSWORD, url);
    await page.getByLabel('报价（元）').fill(q);
    await page.getByRole('button', { name: '确认报名' }).click();
    await expect(page.getByText(/报价已密封/)).toBeVisible();
    await logout(page);
  }
  await advanceClock(page, 60);
  await login(page, 'owner3', DEMO_PASSWORD, url);
  await expect(page.getByText('比选评分中').first()).toBeVisible();
  const scores: Record<string, [string, string, string]> = {
    江城市勘测规划设计研究院有限公司: ['20', '25', '15'],
    绿源环境评价技术有限公司: ['15', '18', '12'],
    中正建设工程监理有限公司: ['16', '20', '10'],
  };
  // A score above its criterion's weight is refused.
  await page.getByLabel('江城市勘测规划设计研究院有限公司 资质得分').fill('30');
  for (const [name, [q, e, c]] of Object.entries(scores)) {
    if (name !== '江城市勘测规划设计研究院有限公司') await page.getByLabel(`${name} 资质得分`).fill(q);
    await page.getByLabel(`${name} 业绩经验得分`).fill(e);
    await page.getByLabel(`${name} 信用得分`).fill(c);
  }
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page.getByText('资质得分不得超过20分')).toBeVisible();
  await page.getByLabel('江城市勘测规划设计研究院有限公司 资质得分').fill('20');
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page.getByText('评分已保存')).toBeVisible();
  await page.getByRole('button', { name: '确定比选结果并公示' }).click();
  await expect(page.getByText(/比选结果已确定/)).toBeVisible();
  // Price score = lowest / own × 40: 72000/78000×40 = 36.92 → 96.92 total, the highest.
  await expect(page.getByTestId('winner')).toHaveText('江城市勘测规划设计研究院有限公司');
  await logout(page);
  await page.goto(url);
  await expect(page.getByRole('row', { name: /江城市勘测规划设计研究院有限公司.*96\.92/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /绿源环境评价技术有限公司.*85\.00/ })).toBeVisible();
});

test('direct selection: refused above the limit and for an affiliate, allowed below it', async ({ page }) => {
  await login(page, 'owner1');
  const fill = async (budget: string, agency: string) => {
    await publishPurchase(page, { project: '江城市城投大厦规划放线', item: '测绘 · 建设工程规划放线测量（CH-003）', budget, method: '直接选取' });
    await pickAgency(page, agency);
    await page.getByRole('button', { name: '发布采购公告' }).click();
  };
  // Above the fixed standard of ¥8,000 the budget itself is refused.
  await fill('9000', '江城市勘测规划设计研究院有限公司');
  await expect(page.getByText('预算超出统一收费标准上限 ¥8,000.00')).toBeVisible();
  // 中正监理 belongs to the owner's group: refused as a conflict of interest.
  await fill('8000', '中正建设工程监理有限公司');
  await expect(page.getByText(/关联关系，应当回避/)).toBeVisible();
  await fill('8000', '江城市勘测规划设计研究院有限公司');
  await expect(page.getByText('采购公告已发布。')).toBeVisible();
  await expect(page.getByTestId('winner')).toHaveText('江城市勘测规划设计研究院有限公司');

  // A project at or above the direct-selection limit (¥100,000) is refused even with a valid budget.
  await publishPurchase(page, { project: '江城新港区综合管廊可研', item: '工程咨询 · 项目申请报告编制（GCZX-003）', budget: '120000', method: '直接选取' });
  await pickAgency(page, '江城华信工程咨询有限公司');
  await page.getByRole('button', { name: '发布采购公告' }).click();
  await expect(page.getByText(/不得直接选取，请采用随机抽取、竞价或比选/)).toBeVisible();
});

/** Options show the agency's current credit grade, which other tests may have changed. */
async function pickAgency(page: Page, name: string) {
  const select = page.getByLabel('选取的中介机构');
  const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
  await select.selectOption(value!);
}
