import { expect, test, type Page } from '@playwright/test';

const DEMO_PASSWORD = 'Demo2026!';

async function login(page: Page, username: string, to = '/') {
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
}

async function logout(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('link', { name: '登录', exact: true })).toBeVisible();
}

test('a supervisor handles a complaint before its deadline', async ({ page }) => {
  await login(page, 'supervisor1', '/supervision');
  await expect(page.getByRole('heading', { name: '电子监察台' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '实时' })).toBeVisible();
  await page.screenshot({ path: 'test-results/supervision-console.png', fullPage: true });
  await page.getByRole('link', { name: '投诉处理' }).first().click();
  await expect(page.getByRole('heading', { name: '投诉处理' })).toBeVisible();
  await page.getByRole('row', { name: /业主拖延验收服务成果/ }).getByRole('link').click();
  await expect(page.getByRole('heading', { name: '业主拖延验收服务成果' })).toBeVisible();
  await expect(page.getByText(/剩余 \d+天/).first()).toBeVisible();

  await page.getByRole('button', { name: '受理', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: '已受理' })).toBeVisible();

  // A decision without reasons is refused next to the field, nothing changes.
  await page.getByLabel('处理结论').selectOption({ label: '投诉（异议）成立' });
  await page.getByLabel('处理理由和依据').fill('理由太短');
  await page.getByRole('button', { name: '作出处理决定' }).click();
  await expect(page.getByText('处理理由和依据至少10个字')).toBeVisible();

  await page.getByLabel('处理理由和依据').fill('经调查，服务成果已于合同约定期限内提交，业主未在10个工作日内组织验收。责令业主5个工作日内组织验收并依约支付服务费。');
  await page.getByLabel('在交易公告中公开处理决定').check();
  await page.getByRole('button', { name: '作出处理决定' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已作出处理决定' })).toBeVisible();
  await expect(page.getByText('已办结').first()).toBeVisible();
  await expect(page.getByText('已超期')).toHaveCount(0);
  await page.getByRole('link', { name: '已公告' }).click();
  await expect(page.getByRole('heading', { name: /业主拖延验收|江城市交通运输局/ })).toBeVisible();
});

test('a supervisor receives a red warning from an overdue delivery, handles and closes it', async ({ page }) => {
  // The demo order is past 80 % of its committed time limit: a yellow warning already.
  await login(page, 'supervisor1', '/warnings?rule=market.delivery.overtime');
  await expect(page.getByRole('heading', { name: '预警纠错' })).toBeVisible();
  await expect(page.getByRole('row', { name: /黄色预警.*即将超时/ })).toBeVisible();
  await logout(page);

  // A week later (demo clock, as the center's administrator) the delivery is overdue.
  await login(page, 'admin', '/admin/clock');
  await page.getByLabel('快进（分钟）').fill(String(7 * 24 * 60));
  await page.getByRole('button', { name: '快进' }).click();
  // Sessions last 8 hours: a week later the admin is signed out, which is how the move shows.
  await expect(page.getByText(/已快进/).or(page.getByRole('heading', { name: '用户登录' }))).toBeVisible();
  await page.context().clearCookies();

  await login(page, 'supervisor1', '/inbox');
  const msg = page.getByRole('listitem').filter({ hasText: /【红色预警】.*已超时未交付/ });
  await expect(msg).toBeVisible();
  await msg.getByRole('link', { name: '查看详情' }).click();
  await expect(page.getByRole('heading', { name: /红色预警.*已超时未交付/ })).toBeVisible();
  await expect(page.getByText('升级为红色').first()).toBeVisible();

  if (await page.getByRole('button', { name: '认领' }).isVisible()) {
    await page.getByRole('button', { name: '认领' }).click();
    await expect(page.getByRole('status').filter({ hasText: '已认领' })).toBeVisible();
  }
  await page.getByLabel('处理情况').fill('已电话督办中介机构，说明超时原因，承诺两个工作日内提交成果。');
  await page.getByRole('button', { name: '开始处理' }).click();
  await expect(page.getByRole('status').filter({ hasText: '处理情况已记录' })).toBeVisible();
  await expect(page.getByText('处理中').first()).toBeVisible();

  await page.getByRole('button', { name: '办结' }).click();
  await expect(page.getByText('请选择办结结论')).toBeVisible();
  await page.getByLabel('办结结论').selectOption({ label: '情况属实，已督促纠正' });
  await page.getByLabel('办结理由').fill('超时属实，已按信用评价规则记录一次超时，督促机构限期交付。');
  await page.getByRole('button', { name: '办结' }).click();
  await expect(page.getByRole('status').filter({ hasText: '预警已办结' })).toBeVisible();
  await expect(page.getByText('已办结').first()).toBeVisible();
  await expect(page.getByRole('button', { name: '办结' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/supervision-warning.png', fullPage: true });

  // Every step is in the audit log.
  await page.goto('/audit?action=warning.');
  await expect(page.getByRole('cell', { name: 'warning.close' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'warning.escalate' }).first()).toBeVisible();

  // The supervisor proves a closing is in the signed log: the browser recomputes the entry's
  // hash, checks the platform's signed tree head and the Merkle inclusion proof. (The closing
  // just made may be newer than the latest signed head; the earlier one from the demo data is in it.)
  await page.goto('/audit?action=warning.close');
  const rows = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'warning.close' }) });
  await expect(rows).toHaveCount(2);
  const seq = (await rows.last().getByRole('cell').first().textContent())!.trim();
  await rows.last().getByRole('button', { name: '核验' }).click();
  await expect(page.getByLabel('记录序号')).toHaveValue(seq);
  await page.getByRole('button', { name: '核验包含证明' }).click();
  const inclusion = page.locator('.transparency-checks .two-col > div').first();
  await expect(inclusion.getByText('核验通过')).toBeVisible();
  await expect(inclusion.getByText(new RegExp(`第 ${seq} 条记录包含在规模为 \\d+ 的签名树中`))).toBeVisible();
  await page.screenshot({ path: 'test-results/supervision-inclusion.png', fullPage: true });
});

test('a supervisor sees the collusion warning found in the opened tender’s decrypted bids', async ({ page }) => {
  // JC-2026-FJ-0015 was opened in the demo data: two bidders' bids carry the same technical proposal.
  await login(page, 'supervisor2', '/warnings?rule=bidding.collusion');
  const row = page.getByRole('row', { name: /红色预警.*JC-2026-FJ-0015/ });
  await expect(row).toBeVisible();
  await expect(page.getByRole('row', { name: /围标串标/ })).toHaveCount(1);
  await row.getByRole('link', { name: /围标串标迹象/ }).click();
  await expect(page.getByRole('heading', { name: /红色预警.*投标文件哈希相同/ })).toBeVisible();
  const evidence = page.getByRole('table', { name: '发现的迹象' });
  const file = evidence.getByRole('row', { name: /投标文件哈希相同/ });
  await expect(file).toContainText('江城建工集团有限公司、鸿达市政工程有限公司');
  await expect(file).toContainText('江城建工集团有限公司：施工组织设计.pdf');
  await expect(file).toContainText('鸿达市政工程有限公司：技术标-施工组织设计.pdf');
  await expect(evidence.getByRole('row', { name: /文档作者、创建程序与创建时间相同/ })).toContainText('作者=周立群');
  // The bidder that prepared its own bid is not named.
  await expect(evidence).not.toContainText('楚天路桥建设有限公司');
  await page.screenshot({ path: 'test-results/supervision-collusion.png', fullPage: true });
});
