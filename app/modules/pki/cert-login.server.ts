// Certificate login (数字证书登录): the browser signs a one-time 'login' challenge with its local
// key; the certificate must chain to a trust anchor, be unrevoked (database and CRL), valid now,
// and be registered to an active user — the same rules as verifyUserSignature.
import { verifySignedData } from '../../../crypto/cms';
import { isCryptoVerifyError } from '../../../crypto/errors';
import { sha256, toHex } from '../../../crypto/hash';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { currentCrl, getPlatformPki } from './platform.server';
import { loginChallengeMessage, TrustError } from './protocol';
import { certificateOwnerOf, consumeChallenge, verifyUserSignature } from './user-certs.server';

const REASONS: Record<string, string> = {
  CERT_REVOKED: '该证书已注销，不能用于登录',
  CERT_EXPIRED: '该证书已过期，请重新申请',
  CERT_NOT_YET_VALID: '该证书尚未生效',
  CERT_UNTRUSTED: '该证书不受平台信任或未在平台登记',
};

export async function loginWithCertificate(actor: Actor, input: { challengeId: string; signedData: Uint8Array }) {
  const prisma = await getPrisma();
  const fail = async (reason: string, message: string, userId?: string): Promise<never> => {
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actor, { action: 'auth.login.certificate.failed', objectType: userId ? 'user' : null, objectId: userId ?? null, payload: { reason } }),
    );
    throw new TrustError(message, 401, reason);
  };
  const challenge = await consumeChallenge(input.challengeId, 'login');
  const content = loginChallengeMessage(challenge.nonce);
  const pki = await getPlatformPki();
  let signerSha: string;
  try {
    const check = await verifySignedData({ signedData: input.signedData, content, trustAnchors: pki.trustAnchors, crls: [await currentCrl()], at: now() });
    signerSha = toHex(await sha256(check.signerCert));
  } catch (e) {
    if (!isCryptoVerifyError(e)) throw e;
    return fail(e.code, REASONS[e.code] ?? '数字证书签名验证失败');
  }
  const owner = await certificateOwnerOf(signerSha);
  if (!owner) return fail('CERT_UNREGISTERED', REASONS.CERT_UNTRUSTED);
  let certificateId: string;
  try {
    certificateId = (await verifyUserSignature({ userId: owner.userId, signedData: input.signedData, content })).certificateId;
  } catch (e) {
    if (!isCryptoVerifyError(e)) throw e;
    return fail(e.code, REASONS[e.code] ?? '数字证书签名验证失败', owner.userId);
  }
  const user = await prisma.user.findUnique({ where: { id: owner.userId } });
  if (!user || !user.active) return fail('inactive', '该账号已停用', owner.userId);
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, { ...actor, userId: user.id, name: user.displayName, orgId: user.organizationId, role: user.role }, {
      action: 'auth.login.certificate',
      objectType: 'user',
      objectId: user.id,
      payload: { certificateId },
    }),
  );
  return user;
}
