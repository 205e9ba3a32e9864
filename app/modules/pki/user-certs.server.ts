// User certificates (用户数字证书): issued by the platform CA for a key pair generated in the
// user's browser (the private key never leaves it), after a proof of possession over a fresh
// server challenge. Signatures by users are accepted only from their own active certificates.
// See docs/decisions/061-user-certificates-and-browser-keys.md.
import crypto from 'node:crypto';
import { CryptoVerifyError } from '../../../crypto/errors';
import { sha256, toHex } from '../../../crypto/hash';
import { certInfo, derToPem, issueCertificate, pemToDer, validateChain, type CertInfo, type CertRole } from '../../../crypto/pki';
import { getDatabase, getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { runJob } from '~/modules/workers/pool.server';
import { currentCrl, getPlatformPki, recentCrl } from './platform.server';
import { CHALLENGE_TTL_MS, enrollPopMessage, REVOCATION_REASONS, TrustError } from './protocol';

export type { CertInfo };

/** User certificates are valid two years, the usual term of a CA-issued signing certificate in China. */
const USER_CERT_DAYS = 730;
const MAX_ACTIVE_PER_USER = 5;

// ---------------------------------------------------------------------------------------------
// challenges

export async function createChallenge(userId: string | null, purpose: 'login' | 'enroll' | 'checkin' | string): Promise<{ id: string; nonce: string; expiresAt: Date }> {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(purpose)) throw new Error(`bad challenge purpose: ${purpose}`);
  const prisma = await getPrisma();
  const t = now();
  const nonce = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(t.getTime() + CHALLENGE_TTL_MS);
  // Housekeeping: challenges are worthless a minute after expiry.
  await prisma.certChallenge.deleteMany({ where: { expiresAt: { lt: new Date(t.getTime() - 3600_000) } } });
  const row = await prisma.certChallenge.create({ data: { userId, nonce, purpose, expiresAt, createdAt: t } });
  return { id: row.id, nonce, expiresAt };
}

/** Marks the challenge used (once, atomically) and returns it; throws TrustError when stale, used or for another purpose. */
export async function consumeChallenge(id: string, purpose: string): Promise<{ userId: string | null; nonce: string }> {
  const prisma = await getPrisma();
  const t = now();
  const { count } = await prisma.certChallenge.updateMany({
    where: { id, purpose, usedAt: null, expiresAt: { gt: t } },
    data: { usedAt: t },
  });
  if (count !== 1) throw new TrustError('验证请求已失效或已使用，请刷新页面后重试', 400, 'CHALLENGE_INVALID');
  const row = await prisma.certChallenge.findUniqueOrThrow({ where: { id } });
  return { userId: row.userId, nonce: row.nonce };
}

// ---------------------------------------------------------------------------------------------
// issuing

function roleProfile(userRole: string): CertRole {
  return userRole === 'bidder' ? 'bidder' : userRole === 'expert' ? 'expert' : 'user';
}

interface SpkiKey {
  kind: 'RSA' | 'EC';
  nodeKey: crypto.KeyObject;
  webKey: CryptoKey;
}

async function parseSpki(spki: Uint8Array): Promise<SpkiKey> {
  let nodeKey: crypto.KeyObject;
  try {
    nodeKey = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new TrustError('公钥格式不正确', 400, 'BAD_PUBLIC_KEY');
  }
  const d = nodeKey.asymmetricKeyDetails ?? {};
  if (nodeKey.asymmetricKeyType === 'rsa') {
    // RSA-3072 is what browsers generate here; 2048 still meets GB/T and NIST until 2030.
    if (!d.modulusLength || d.modulusLength < 2048 || d.modulusLength > 4096) throw new TrustError('RSA 密钥长度须为 2048–4096 位', 400, 'BAD_PUBLIC_KEY');
    const webKey = await crypto.webcrypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
    return { kind: 'RSA', nodeKey, webKey };
  }
  if (nodeKey.asymmetricKeyType === 'ec' && d.namedCurve === 'prime256v1') {
    const webKey = await crypto.webcrypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    return { kind: 'EC', nodeKey, webKey };
  }
  throw new TrustError('仅支持 RSA 或 ECDSA P-256 公钥', 400, 'BAD_PUBLIC_KEY');
}

function popValid(key: SpkiKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.kind === 'RSA') {
    return crypto.verify('sha256', message, { key: key.nodeKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  }
  // WebCrypto ECDSA signatures are r||s (IEEE P1363), not DER.
  return crypto.verify('sha256', message, { key: key.nodeKey, dsaEncoding: 'ieee-p1363' }, signature);
}

export async function issueUserCertificate(
  actor: Actor,
  input: { userId: string; publicKeySpki: Uint8Array; proofOfPossession: Uint8Array; challengeId: string },
  /** seeding only (system actor): demo histories need certificates valid before today */
  opts: { notBefore?: Date } = {},
): Promise<{ certPem: string; certificateId: string }> {
  if (opts.notBefore && actor.role !== 'system') throw new TrustError('只有系统可以指定证书生效时间', 403, 'FORBIDDEN');
  // A user enrols their own key; the system actor only when seeding demo keys.
  if (actor.userId !== input.userId && actor.role !== 'system') throw new TrustError('只能为本人申请证书', 403, 'FORBIDDEN');
  const challenge = await consumeChallenge(input.challengeId, 'enroll');
  if (challenge.userId !== input.userId) throw new TrustError('验证请求与当前用户不符', 400, 'CHALLENGE_INVALID');
  const key = await parseSpki(input.publicKeySpki);
  if (!popValid(key, enrollPopMessage(challenge.nonce), input.proofOfPossession)) {
    throw new TrustError('私钥持有证明验证失败：签名与公钥不符', 400, 'POP_INVALID');
  }
  const prisma = await getPrisma();
  const user = await prisma.user.findUnique({ where: { id: input.userId }, include: { organization: true } });
  if (!user || !user.active) throw new TrustError('用户不存在或已停用', 404, 'NO_USER');
  const t = now();
  const active = await prisma.certificate.count({ where: { userId: user.id, revokedAt: null, notAfter: { gt: t } } });
  if (active >= MAX_ACTIVE_PER_USER) throw new TrustError(`有效证书已达 ${MAX_ACTIVE_PER_USER} 张，请先注销不再使用的证书`, 400, 'TOO_MANY');

  const pki = await getPlatformPki();
  const purpose = roleProfile(user.role);
  const issued = await issueCertificate({
    ca: pki.ca,
    role: purpose,
    commonName: user.displayName,
    organization: user.organization?.name,
    creditCode: user.organization?.creditCode,
    publicKey: key.webKey,
    validDays: USER_CERT_DAYS,
    notBefore: opts.notBefore ?? new Date(t.getTime() - 5 * 60_000),
  });
  const info = certInfo(issued.cert);
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.certificate.create({
      data: {
        userId: user.id,
        organizationId: user.organizationId,
        serialHex: info.serialHex,
        sha256: info.sha256,
        pem: issued.certPem,
        subject: info.subject,
        issuer: info.issuer,
        purpose,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        createdAt: t,
      },
    });
    await appendAuditEntry(tx, actor, {
      action: 'pki.certificate.issue',
      objectType: 'certificate',
      objectId: created.id,
      payload: { userId: user.id, serialHex: info.serialHex, sha256: info.sha256, subject: info.subject, notAfter: info.notAfter.toISOString() },
    });
    return created;
  });
  return { certPem: issued.certPem, certificateId: row.id };
}

/**
 * Files a certificate from a configured external CA (TRUST_ANCHORS_PEM) under the user, after the
 * same proof of possession: the user signs the enrolment challenge with that certificate's key.
 */
export async function registerExternalCertificate(
  actor: Actor,
  input: { userId: string; certDer: Uint8Array; proofOfPossession: Uint8Array; challengeId: string },
): Promise<{ certificateId: string }> {
  if (actor.userId !== input.userId) throw new TrustError('只能为本人登记证书', 403, 'FORBIDDEN');
  const challenge = await consumeChallenge(input.challengeId, 'enroll');
  if (challenge.userId !== input.userId) throw new TrustError('验证请求与当前用户不符', 400, 'CHALLENGE_INVALID');
  let info: CertInfo;
  try {
    info = certInfo(input.certDer);
  } catch {
    throw new TrustError('证书文件无法解析', 400, 'BAD_CERT');
  }
  const pki = await getPlatformPki();
  const t = now();
  try {
    await validateChain({ cert: input.certDer, trustAnchors: pki.trustAnchors, crls: [await currentCrl()], at: t, purpose: 'sign' });
  } catch (e) {
    throw new TrustError(`证书不受信任：${e instanceof Error ? e.message : String(e)}`, 400, 'CERT_UNTRUSTED');
  }
  const spki = new Uint8Array(crypto.createPublicKey({ key: derToPem(input.certDer, 'CERTIFICATE'), format: 'pem' }).export({ type: 'spki', format: 'der' }));
  const key = await parseSpki(spki);
  if (!popValid(key, enrollPopMessage(challenge.nonce), input.proofOfPossession)) {
    throw new TrustError('私钥持有证明验证失败：签名与证书公钥不符', 400, 'POP_INVALID');
  }
  const prisma = await getPrisma();
  const user = await prisma.user.findUniqueOrThrow({ where: { id: input.userId } });
  const existing = await prisma.certificate.findUnique({ where: { sha256: info.sha256 } });
  if (existing) throw new TrustError('该证书已登记', 400, 'DUPLICATE');
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.certificate.create({
      data: {
        userId: user.id,
        organizationId: user.organizationId,
        serialHex: info.serialHex,
        sha256: info.sha256,
        pem: derToPem(input.certDer, 'CERTIFICATE'),
        subject: info.subject,
        issuer: info.issuer,
        purpose: roleProfile(user.role),
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        createdAt: t,
      },
    });
    await appendAuditEntry(tx, actor, {
      action: 'pki.certificate.register',
      objectType: 'certificate',
      objectId: created.id,
      payload: { userId: user.id, serialHex: info.serialHex, sha256: info.sha256, subject: info.subject, issuer: info.issuer },
    });
    return created;
  });
  return { certificateId: row.id };
}

// ---------------------------------------------------------------------------------------------
// reading

/** Unrevoked certificates of the user, valid at the platform's now(). */
export async function activeCertificatesOf(userId: string): Promise<{ id: string; cert: Uint8Array; certPem: string; sha256: string; notAfter: Date }[]> {
  const prisma = await getPrisma();
  const t = now();
  const rows = await prisma.certificate.findMany({
    where: { userId, revokedAt: null, notAfter: { gt: t }, notBefore: { lte: t } },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((r) => ({ id: r.id, cert: pemToDer(r.pem), certPem: r.pem, sha256: r.sha256, notAfter: r.notAfter }));
}

/** Every certificate of the user (for the account page), newest first. */
export async function certificatesOf(userId: string) {
  const prisma = await getPrisma();
  return prisma.certificate.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
}

export async function findCertificate(id: string) {
  const prisma = await getPrisma();
  return prisma.certificate.findUnique({ where: { id } });
}

export async function listCertificates(filter: { q?: string; status?: 'active' | 'revoked' | 'expired'; page?: number; pageSize?: number }) {
  const prisma = await getPrisma();
  const t = now();
  const pageSize = filter.pageSize ?? 20;
  const page = Math.max(1, filter.page ?? 1);
  const where = {
    ...(filter.q ? { OR: [{ subject: { contains: filter.q } }, { serialHex: { startsWith: filter.q.toLowerCase() } }, { sha256: { startsWith: filter.q.toLowerCase() } }] } : {}),
    ...(filter.status === 'active' ? { revokedAt: null, notAfter: { gt: t } } : {}),
    ...(filter.status === 'revoked' ? { revokedAt: { not: null } } : {}),
    ...(filter.status === 'expired' ? { revokedAt: null, notAfter: { lte: t } } : {}),
  };
  const [total, rows] = await Promise.all([
    prisma.certificate.count({ where }),
    prisma.certificate.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  const users = await prisma.user.findMany({ where: { id: { in: rows.map((r) => r.userId) } }, select: { id: true, username: true, displayName: true } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return { total, page, pageSize, rows: rows.map((r) => ({ ...r, user: byId.get(r.userId) ?? null })) };
}

// ---------------------------------------------------------------------------------------------
// verifying

/**
 * Verifies CMS SignedData made by one of the user's own certificates: signature, chain to the
 * trust anchors, not revoked (database and CRL), valid at `at` (a trusted time, default now()).
 * Throws CryptoVerifyError.
 */
export async function verifyUserSignature(input: {
  userId: string;
  signedData: Uint8Array;
  content?: Uint8Array;
  at?: Date;
}): Promise<{ certificateId: string; signer: CertInfo; signingTime?: Date; content?: Uint8Array; signerCert: Uint8Array }> {
  const pki = await getPlatformPki();
  const at = input.at ?? now();
  // The CMS and chain check runs on a CPU worker thread: a few ms of parsing each, and a hundred
  // bidders may start at once before a deadline, on the event loop that receives their bytes.
  const check = await runJob('verifySignedData', {
    signedData: input.signedData,
    content: input.content,
    trustAnchors: pki.trustAnchors,
    // The row check below decides revocation at once; the CRL may be a few seconds old.
    crls: [await recentCrl()],
    at,
  });
  const fingerprint = toHex(await sha256(check.signerCert));
  // Straight to the driver: every sealed-bid start pays this (docs/decisions/113).
  const [found] = await (await getDatabase()).sql.query<{ id: string; userId: string; serialHex: string; revokedMs: number | null }>(
    'SELECT "id", "userId", "serialHex", (EXTRACT(EPOCH FROM "revokedAt") * 1000)::float8 AS "revokedMs" FROM "Certificate" WHERE "sha256" = $1',
    [fingerprint],
  );
  const row = found && { ...found, revokedAt: found.revokedMs === null ? null : new Date(Number(found.revokedMs)) };
  if (!row || row.userId !== input.userId) {
    throw new CryptoVerifyError('CERT_UNTRUSTED', `the signer certificate ${fingerprint.slice(0, 16)}… is not registered to this user`);
  }
  if (row.revokedAt && row.revokedAt <= at) {
    throw new CryptoVerifyError('CERT_REVOKED', `certificate ${row.serialHex} was revoked at ${row.revokedAt.toISOString()}`);
  }
  return { certificateId: row.id, signer: check.signer, signingTime: check.signingTime, content: check.content, signerCert: check.signerCert };
}

/** The user who owns the certificate that made this SignedData (before verifying it against that user). */
export async function certificateOwnerOf(signerCertSha256: string) {
  const prisma = await getPrisma();
  return prisma.certificate.findUnique({ where: { sha256: signerCertSha256 }, select: { id: true, userId: true } });
}

// ---------------------------------------------------------------------------------------------
// revoking

export async function revokeCertificate(actor: Actor, certificateId: string, reason: string): Promise<void> {
  const prisma = await getPrisma();
  const row = await prisma.certificate.findUnique({ where: { id: certificateId } });
  if (!row) throw new TrustError('证书不存在', 404, 'NOT_FOUND');
  const own = actor.userId !== null && actor.userId === row.userId;
  if (!own && !can(actor.role, 'manage:keys')) throw new TrustError('无权注销该证书', 403, 'FORBIDDEN');
  if (row.revokedAt) throw new TrustError('该证书已注销', 400, 'ALREADY_REVOKED');
  const why = (REVOCATION_REASONS as readonly string[]).includes(reason) ? reason : 'unspecified';
  const t = now();
  await prisma.$transaction(async (tx) => {
    // The condition makes a concurrent second revocation a no-op rather than moving the date.
    const { count } = await tx.certificate.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: t, revocationReason: why } });
    if (count !== 1) throw new TrustError('该证书已注销', 400, 'ALREADY_REVOKED');
    await appendAuditEntry(tx, actor, {
      action: 'pki.certificate.revoke',
      objectType: 'certificate',
      objectId: row.id,
      payload: { userId: row.userId, serialHex: row.serialHex, reason: why, by: own ? 'holder' : 'administrator' },
    });
  });
}
