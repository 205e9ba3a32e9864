// RFC 3161 §3.4 time-stamp protocol over HTTP: POST application/timestamp-query, answer
// application/timestamp-reply. A malformed query gets a TimeStampResp with status rejection
// (what a TSA client can read), not an HTTP error. Public, rate-limited per client address.
import type { ActionFunctionArgs } from '@remix-run/node';
import { answerTimeStampQuery } from '~/modules/pki/platform.server';
import { binaryResponse, overLimit, readBodyCapped } from '~/modules/pki/http.server';

const MAX_QUERY_BYTES = 64 * 1024;
const MAX_PER_MINUTE = 120;

export async function loader() {
  return new Response('时间戳服务：请以 POST 方式提交 application/timestamp-query（RFC 3161）', {
    status: 405,
    headers: { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return new Response(null, { status: 405, headers: { Allow: 'POST' } });
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/timestamp-query') {
    return new Response('Content-Type 须为 application/timestamp-query', { status: 415, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  if (await overLimit(request, 'tsa', MAX_PER_MINUTE)) {
    return new Response('请求过于频繁，请稍后再试', { status: 429, headers: { 'Retry-After': '60', 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const query = await readBodyCapped(request, MAX_QUERY_BYTES);
  if (!query) return new Response('请求内容过大', { status: 413, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const reply = await answerTimeStampQuery(query);
  return binaryResponse(reply, 'application/timestamp-reply', { 'Cache-Control': 'no-store' });
}
