// Wire-level rules of Alipay's OpenAPI 2.0 (gateway.do), written from the gateway's side.
// The gateway is a stand-in for a third party, so it deliberately shares no code with the app's
// client module: if both sides were built on the same helper, a bug in it would cancel out.
import { createSign, createVerify } from 'node:crypto';

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000; // China has no DST: UTC+8 all year

/**
 * The content Alipay signs or verifies: keys sorted, `k=v` joined by `&`, raw (decoded) values.
 * Alipay skips empty values (its AlipaySignature.getSignCheckContent* do), so a request carrying
 * `notify_url=` signed by a client that kept it fails here as it would on the real gateway.
 */
export function signContent(params: Record<string, string>, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false; // malformed base64 or key: a failed verification, never a crash
  }
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, the format of every Alipay timestamp field. */
export function formatShanghai(d: Date): string {
  const s = new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

/** `yyyy-MM-dd` (Beijing) of an instant: the bill date a trade belongs to. */
export function shanghaiDate(d: Date): string {
  return formatShanghai(d).slice(0, 10);
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Parses an Alipay `timestamp` (Beijing wall time); null when the format or the calendar is wrong. */
export function parseShanghaiTimestamp(s: string): Date | null {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return new Date(utc - SHANGHAI_OFFSET_MS);
}

const AMOUNT_RE = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

/** Alipay amounts are yuan strings with at most two decimals; parsed to integer fen, no floats. */
export function parseAmountFen(s: unknown): number | null {
  if (typeof s !== 'string' || !AMOUNT_RE.test(s)) return null;
  const [yuan, frac = ''] = s.split('.');
  return Number(yuan) * 100 + Number(frac.padEnd(2, '0'));
}

export function formatAmount(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The `*_response` envelope, signed over the exact inner JSON text with `sign` last (as Alipay does). */
export function signedEnvelope(method: string | null, inner: Record<string, unknown>, privateKeyPem: string): string {
  const key = method ? `${method.replaceAll('.', '_')}_response` : 'error_response';
  const innerText = JSON.stringify(inner);
  const sign = rsa2Sign(innerText, privateKeyPem);
  return `{"${key}":${innerText},"sign":"${sign}"}`;
}
