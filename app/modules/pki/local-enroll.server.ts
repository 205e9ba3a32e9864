// Server-side stand-in for the browser's enrolment (app/ui/keystore.client.ts): generates a key
// pair, signs the challenge and asks for a certificate through the same public path. Used by the
// demo seed (whose users get .p12 files) and by tests. Never used for real users: their private
// keys are generated in their browsers.
import { derToPem, exportPkcs12, pemToDer } from '../../../crypto/pki';
import type { Actor } from '~/modules/audit/audit.server';
import { createChallenge, issueUserCertificate } from './user-certs.server';
import { enrollPopMessage } from './protocol';

const subtle = globalThis.crypto.subtle;

export interface LocalEnrolment {
  certificateId: string;
  cert: Uint8Array;
  certPem: string;
  keyPem: string;
  /** RSA-PSS signing key (for signData) */
  signKey: CryptoKey;
  /** RSA-OAEP decryption key of the same pair */
  decryptKey: CryptoKey;
}

export async function enrollLocally(actor: Actor, userId: string, opts: { rsaBits?: number; notBefore?: Date } = {}): Promise<LocalEnrolment> {
  const pair = (await subtle.generateKey(
    { name: 'RSA-PSS', modulusLength: opts.rsaBits ?? 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const challenge = await createChallenge(userId, 'enroll');
  const pop = new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pair.privateKey, enrollPopMessage(challenge.nonce) as Uint8Array<ArrayBuffer>));
  const { certPem, certificateId } = await issueUserCertificate(actor, { userId, publicKeySpki: spki, proofOfPossession: pop, challengeId: challenge.id }, { notBefore: opts.notBefore });
  const decryptKey = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt', 'unwrapKey']);
  return { certificateId, cert: pemToDer(certPem), certPem, keyPem: derToPem(pkcs8, 'PRIVATE KEY'), signKey: pair.privateKey, decryptKey };
}

/** PKCS#12 of an enrolment (with the CA chain), as the browser's backup download would be. */
export async function enrolmentP12(e: LocalEnrolment, chain: Uint8Array[], password: string, friendlyName?: string) {
  return exportPkcs12({ cert: e.cert, keyPem: e.keyPem, chain, password, friendlyName });
}

