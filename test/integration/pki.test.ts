import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signData } from '../../crypto/cms';
import { sha256, utf8 } from '../../crypto/hash';
import { createRootCa, crlInfo, issueCertificate } from '../../crypto/pki';
import { verifyTimeStamp } from '../../crypto/tsp';
import { verifySignedData } from '../../crypto/cms';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { advanceClock } from '~/modules/clock/clock.server';
import { enrollLocally } from '~/modules/pki/local-enroll.server';
import { currentCrl, getPlatformPki, pkiEnv, signAsPlatform, timestampDigest } from '~/modules/pki/platform.server';
import { enrollPopMessage } from '~/modules/pki/protocol';
import {
  activeCertificatesOf,
  consumeChallenge,
  createChallenge,
  issueUserCertificate,
  revokeCertificate,
  verifyUserSignature,
} from '~/modules/pki/user-certs.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';

useTestDatabase();

const subtle = globalThis.crypto.subtle;

function actorFor(user: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: user.id, name: user.displayName, orgId: user.organizationId, role: user.role, ip: '10.0.0.9', userAgent: 'vitest' };
}

async function keyPair(bits = 2048) {
  const pair = (await subtle.generateKey({ name: 'RSA-PSS', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  return { pair, spki };
}

async function pop(key: CryptoKey, nonce: string) {
  return new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, key, enrollPopMessage(nonce) as Uint8Array<ArrayBuffer>));
}

describe('platform PKI', () => {
  it('creates the CA, TSA and record signer once, private keys mode 0600', async () => {
    const pki = await getPlatformPki();
    const dir = pkiEnv().PKI_DIR;
    for (const f of ['ca.key', 'tsa.key', 'signer.key']) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(pki.trustAnchors[0]).toEqual(pki.ca.cert);
    const again = await getPlatformPki();
    expect(again.ca.certPem).toBe(pki.ca.certPem);
  });

  it('time-stamps a digest with the platform TSA at the platform clock', async () => {
    advanceClock(3 * 86_400_000);
    const digest = await sha256(utf8('bid'));
    const ts = await timestampDigest(digest);
    expect(Math.abs(ts.genTime.getTime() - (Date.now() + 3 * 86_400_000))).toBeLessThan(5_000);
    const pki = await getPlatformPki();
    const info = await verifyTimeStamp({ token: ts.token, digest, trustAnchors: pki.trustAnchors });
    expect(info.serialHex).toBe(ts.serialHex);
    await expect(verifyTimeStamp({ token: ts.token, digest: await sha256(utf8('other')), trustAnchors: pki.trustAnchors })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('signs as the platform record signer', async () => {
    const pki = await getPlatformPki();
    const sig = await signAsPlatform(utf8('opening record'));
    const r = await verifySignedData({ signedData: sig, trustAnchors: [pki.ca.cert] });
    expect(r.signer.commonName).toContain('电子记录签章');
  });
});

describe('user certificates', () => {
  it('issues a certificate for a browser key after a proof of possession over a fresh challenge', async () => {
    const user = await createUser('bidder');
    const { pair, spki } = await keyPair();
    const ch = await createChallenge(user.id, 'enroll');
    const r = await issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: spki, proofOfPossession: await pop(pair.privateKey, ch.nonce), challengeId: ch.id });
    expect(r.certPem).toContain('BEGIN CERTIFICATE');
    const active = await activeCertificatesOf(user.id);
    expect(active.map((c) => c.id)).toEqual([r.certificateId]);
    const prisma = await getPrisma();
    const row = await prisma.certificate.findUniqueOrThrow({ where: { id: r.certificateId } });
    expect(row.subject).toContain(user.organization!.creditCode);
    expect(row.subject).toContain(user.displayName);
    expect(await prisma.auditEntry.count({ where: { action: 'pki.certificate.issue', objectId: r.certificateId } })).toBe(1);

    // replay of the same challenge is refused
    const again = await keyPair();
    await expect(
      issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: again.spki, proofOfPossession: await pop(again.pair.privateKey, ch.nonce), challengeId: ch.id }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
  });

  it('refuses a proof of possession made with another key, an expired challenge, a challenge for another purpose or user', async () => {
    const user = await createUser('bidder');
    const other = await createUser('bidder');
    const { pair, spki } = await keyPair();
    const stranger = await keyPair();
    const ch1 = await createChallenge(user.id, 'enroll');
    await expect(
      issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: spki, proofOfPossession: await pop(stranger.pair.privateKey, ch1.nonce), challengeId: ch1.id }),
    ).rejects.toMatchObject({ code: 'POP_INVALID' });
    const ch2 = await createChallenge(user.id, 'enroll');
    advanceClock(5 * 60_000 + 1000);
    await expect(
      issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: spki, proofOfPossession: await pop(pair.privateKey, ch2.nonce), challengeId: ch2.id }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
    const ch3 = await createChallenge(user.id, 'login');
    await expect(
      issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: spki, proofOfPossession: await pop(pair.privateKey, ch3.nonce), challengeId: ch3.id }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
    const ch4 = await createChallenge(other.id, 'enroll');
    await expect(
      issueUserCertificate(actorFor(user), { userId: user.id, publicKeySpki: spki, proofOfPossession: await pop(pair.privateKey, ch4.nonce), challengeId: ch4.id }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
    // and nobody enrols a key for somebody else
    const ch5 = await createChallenge(other.id, 'enroll');
    await expect(
      issueUserCertificate(actorFor(user), { userId: other.id, publicKeySpki: spki, proofOfPossession: await pop(pair.privateKey, ch5.nonce), challengeId: ch5.id }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await activeCertificatesOf(user.id)).toEqual([]);
  });

  it('challenges are single use', async () => {
    const ch = await createChallenge(null, 'login');
    expect((await consumeChallenge(ch.id, 'login')).nonce).toBe(ch.nonce);
    await expect(consumeChallenge(ch.id, 'login')).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
  });

  it('verifies a user signature and refuses revoked, expired, foreign-CA and other users\' certificates', async () => {
    const user = await createUser('bidder');
    const other = await createUser('bidder');
    const e = await enrollLocally(actorFor(user), user.id, { rsaBits: 2048 });
    const content = utf8('我方承诺本投标文件真实有效');
    const sig = await signData({ content, signerCert: e.cert, signerKey: e.signKey, detached: true });
    const ok = await verifyUserSignature({ userId: user.id, signedData: sig, content });
    expect(ok.certificateId).toBe(e.certificateId);
    expect(ok.signer.commonName).toBe(user.displayName);

    await expect(verifyUserSignature({ userId: other.id, signedData: sig, content })).rejects.toMatchObject({ code: 'CERT_UNTRUSTED' });
    await expect(verifyUserSignature({ userId: user.id, signedData: sig, content: utf8('tampered') })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });

    // a certificate from a CA the platform does not trust
    const foreignCa = await createRootCa({ commonName: 'Foreign CA', rsaBits: 2048 });
    const foreign = await issueCertificate({ ca: foreignCa, role: 'bidder', commonName: user.displayName, rsaBits: 2048 });
    const foreignSig = await signData({ content, signerCert: foreign.cert, signerKey: foreign.privateKey!, detached: true });
    await expect(verifyUserSignature({ userId: user.id, signedData: foreignSig, content })).rejects.toMatchObject({ code: 'CERT_UNTRUSTED' });

    // expired: two years and a day later
    await expect(verifyUserSignature({ userId: user.id, signedData: sig, content, at: new Date(Date.now() + 731 * 86_400_000) })).rejects.toMatchObject({ code: 'CERT_EXPIRED' });

    // revoked: refused now, still valid for a trusted time before the revocation; listed on the CRL
    const before = new Date();
    advanceClock(60_000);
    await revokeCertificate(actorFor(user), e.certificateId, 'keyCompromise');
    await expect(verifyUserSignature({ userId: user.id, signedData: sig, content })).rejects.toMatchObject({ code: 'CERT_REVOKED' });
    expect((await verifyUserSignature({ userId: user.id, signedData: sig, content, at: before })).certificateId).toBe(e.certificateId);
    const crl = crlInfo(await currentCrl());
    const prisma = await getPrisma();
    const row = await prisma.certificate.findUniqueOrThrow({ where: { id: e.certificateId } });
    expect(crl.revoked.map((r) => r.serialHex)).toContain(row.serialHex);
    expect(await activeCertificatesOf(user.id)).toEqual([]);
    await expect(revokeCertificate(actorFor(user), e.certificateId, 'keyCompromise')).rejects.toMatchObject({ code: 'ALREADY_REVOKED' });
  });

  it('only the holder or a key administrator revokes', async () => {
    const user = await createUser('bidder');
    const other = await createUser('bidder');
    const admin = await createUser('admin');
    const e = await enrollLocally(SYSTEM_ACTOR, user.id, { rsaBits: 2048 });
    await expect(revokeCertificate(actorFor(other), e.certificateId, 'superseded')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await revokeCertificate(actorFor(admin), e.certificateId, 'superseded');
    const prisma = await getPrisma();
    expect((await prisma.certificate.findUniqueOrThrow({ where: { id: e.certificateId } })).revocationReason).toBe('superseded');
  });
});
