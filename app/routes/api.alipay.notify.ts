// Alipay's asynchronous notify endpoint. Public (Alipay signs, we verify); the body is capped here
// because the Express front leaves /api/alipay/ without its generic limit. The answer is exactly
// `success` (stop retrying) or `fail` (retry later): never HTML, never an error page.
import type { ActionFunctionArgs } from '@remix-run/node';
import { log } from '~/modules/log.server';
import { handleAlipayNotify, readNotifyForm } from '~/modules/payments/notify.server';

const text = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

export async function loader() {
  return text('method not allowed', 405);
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return text('fail', 405);
  const form = await readNotifyForm(request);
  if (!form) return text('fail', 413);
  try {
    return text(await handleAlipayNotify(form));
  } catch (e) {
    // Not committed: Alipay will deliver again, and settlement is idempotent.
    log.warn('alipay.notify.error', { outTradeNo: form.out_trade_no?.slice(0, 64), error: e instanceof Error ? e.message : String(e) });
    return text('fail');
  }
}
