// The buyer-facing pages of the local gateway, in Simplified Chinese like Alipay's own cashier.
import { formatAmount } from './protocol.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string, mobile: boolean): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
${mobile ? '<meta name="viewport" content="width=device-width, initial-scale=1">' : ''}
<title>${esc(title)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans SC",sans-serif;background:#f5f5f5;margin:0}
header{background:#1677ff;color:#fff;padding:12px 24px;font-size:18px}
main{max-width:560px;margin:24px auto;background:#fff;padding:24px;border-radius:8px}
dl{display:grid;grid-template-columns:7em 1fr;gap:8px 12px}dt{color:#666}dd{margin:0}
.amount{font-size:28px;color:#f5222d}.note{color:#999;font-size:12px}
button{font-size:16px;padding:8px 24px;margin-right:12px;border-radius:4px;border:1px solid #1677ff;cursor:pointer}
button.primary{background:#1677ff;color:#fff}
</style></head><body><header>支付宝 · 收银台（本地模拟网关）</header><main>${body}</main></body></html>`;
}

export interface CashierView {
  merchantName: string;
  subject: string;
  totalFen: number;
  outTradeNo: string;
  token: string;
  mobile: boolean;
}

export function renderCashier(v: CashierView): string {
  return page(
    '支付宝收银台',
    `<h1>收银台</h1>
<dl>
<dt>收款方</dt><dd>${esc(v.merchantName)}</dd>
<dt>商品</dt><dd>${esc(v.subject)}</dd>
<dt>订单号</dt><dd>${esc(v.outTradeNo)}</dd>
<dt>应付金额</dt><dd><span class="amount">${formatAmount(v.totalFen)}</span> 元</dd>
</dl>
<form method="post" action="/cashier/${esc(v.token)}/confirm" style="display:inline"><button class="primary" type="submit">确认付款</button></form>
<form method="post" action="/cashier/${esc(v.token)}/cancel" style="display:inline"><button type="submit">取消</button></form>
<p class="note">本页面由本地模拟网关提供，仅用于开发与测试，不产生真实资金往来。</p>`,
    v.mobile,
  );
}

export function renderMessage(title: string, message: string, detail?: string, link?: { href: string; text: string }): string {
  return page(
    title,
    `<h1>${esc(title)}</h1><p>${esc(message)}</p>${detail ? `<p class="note">${esc(detail)}</p>` : ''}${
      link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : ''
    }`,
    false,
  );
}
