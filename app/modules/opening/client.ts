// Browser side of the room: the steps that need the person's own key, done with the same
// crypto/ code the server and the tests use. Only what the server must see leaves the browser:
// a check-in signature, a decrypted key share (after the deadline), a bid's AES content key
// (never the bid's plaintext), a signature over the record.
import { unwrapContentKey } from '../../../crypto/envelope';
import { fromBase64, toBase64 } from '../../../crypto/hash';
import { decryptShare } from '../../../crypto/shamir';
import { challengeMessage } from '~/modules/pki/protocol';
import { CHECKIN_PURPOSE } from './types';

export class RoomError extends Error {}

async function keystore() {
  return import('~/ui/keystore.client');
}

export async function post(openingId: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`/api/opening/${openingId}`, { method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new RoomError(typeof body.error === 'string' ? body.error : `服务器错误（${res.status}）`);
  return body;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new RoomError(body.error ?? `服务器错误（${res.status}）`);
  return body;
}

/** 签到: sign a fresh challenge with the chosen certificate. */
export async function checkInWith(openingId: string, certSha256: string) {
  const ks = await keystore();
  const c = await ks.fetchChallenge(CHECKIN_PURPOSE);
  const sig = await ks.signCms(challengeMessage(CHECKIN_PURPOSE, c.nonce), certSha256, { detached: true });
  await post(openingId, { intent: 'checkin', challengeId: c.id, signature: toBase64(sig) });
}

/** Key holder: decrypt the own share here and hand it in. */
export async function handInShare(openingId: string, certSha256: string) {
  const ks = await keystore();
  const s = await getJson<{ encryptedShareB64: string; holderCertSha256: string | null }>(`/api/opening/${openingId}?what=share`);
  if (s.holderCertSha256 && s.holderCertSha256 !== certSha256) {
    throw new RoomError('您的份额是加密给另一张证书的，请在上方选择开标证书仪式时使用的证书');
  }
  const share = await decryptShare(fromBase64(s.encryptedShareB64), await ks.getLocalCertificate(certSha256), await ks.getDecryptionKey(certSha256));
  try {
    return await post(openingId, { intent: 'share', share: toBase64(share) });
  } finally {
    share.fill(0);
  }
}

/** Bidder: unwrap each own bid's content key from the envelope header; send only the key. */
export async function decryptOwnBids(openingId: string, certSha256: string, onProgress?: (done: number, total: number) => void) {
  const ks = await keystore();
  const { bids } = await getJson<{ bids: { bidId: string; headB64: string | null; decrypted: boolean }[] }>(`/api/opening/${openingId}?what=heads`);
  const cert = await ks.getLocalCertificate(certSha256);
  const key = await ks.getDecryptionKey(certSha256);
  let done = 0;
  for (const b of bids) {
    if (!b.decrypted) {
      if (!b.headB64) throw new RoomError('平台无法读取您的投标文件');
      let cek: Uint8Array;
      try {
        cek = await unwrapContentKey({ envelope: fromBase64(b.headB64), recipientCert: cert, recipientKey: key });
      } catch {
        const reason = '所选证书无法解开投标文件：不是投标时使用的证书，或投标文件未加密给该证书';
        // The failed attempt goes on the record too (the bidder may retry within the window).
        await post(openingId, { intent: 'decrypt-fail', bidId: b.bidId, reason }).catch(() => {});
        throw new RoomError(`解密失败：${reason}`);
      }
      try {
        await post(openingId, { intent: 'key', bidId: b.bidId, contentKey: toBase64(cek) });
      } finally {
        cek.fill(0);
      }
    }
    onProgress?.(++done, bids.length);
  }
}

export async function recordBytes(openingId: string): Promise<Uint8Array> {
  const res = await fetch(`/api/opening/${openingId}?what=record`, { credentials: 'same-origin' });
  if (!res.ok) throw new RoomError('开标记录尚未生成');
  return new Uint8Array(await res.arrayBuffer());
}
