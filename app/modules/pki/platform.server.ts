// Platform PKI (平台数字证书体系): the root CA, the time-stamping authority (TSA) and the record
// signer, kept as PEM files under PKI_DIR (private keys mode 0600, never logged, never sent to a
// browser). Created on first use, loaded afterwards. See docs/decisions/060-platform-pki.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { signData } from '../../../crypto/cms';
import { toHex } from '../../../crypto/hash';
import {
  certInfo,
  createCrl,
  createRootCa,
  importPrivateKeyPem,
  issueCertificate,
  pemBlocks,
  pemToDer,
} from '../../../crypto/pki';
import {
  createTimeStampResponse,
  createTimeStampToken,
  requestTimeStamp,
  verifyTimeStamp,
} from '../../../crypto/tsp';
import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';

export interface PlatformKey {
  cert: Uint8Array;
  certPem: string;
  privateKey: CryptoKey;
}

export interface PlatformPki {
  ca: PlatformKey;
  tsa: PlatformKey;
  signer: PlatformKey;
  /** the platform CA first, then every configured external CA */
  trustAnchors: Uint8Array[];
}

const pkiEnvSchema = z.object({
  PKI_DIR: z.string().optional(),
  /** a PEM bundle of extra CA certificates (a licensed external CA) whose user certificates we accept */
  TRUST_ANCHORS_PEM: z.string().optional(),
  /** an external RFC 3161 TSA; when unset the platform's own TSA stamps */
  TSA_URL: z.string().url().optional(),
  PKI_CA_NAME: z.string().default('江城市公共资源交易中心根CA'),
  PKI_ORG_NAME: z.string().default('江城市公共资源交易中心'),
});

const PKI_ENV_KEYS = ['PKI_DIR', 'TRUST_ANCHORS_PEM', 'TSA_URL', 'PKI_CA_NAME', 'PKI_ORG_NAME'] as const;
let pkiEnvCache: { key: string; value: ReturnType<typeof parsePkiEnv> } | undefined;

function parsePkiEnv(raw: Record<string, string | undefined>, dataDir: string) {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const r = pkiEnvSchema.safeParse(cleaned);
  if (!r.success) throw new Error(`Invalid PKI configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...r.data, PKI_DIR: path.resolve(r.data.PKI_DIR ?? path.join(dataDir, 'pki')) };
}

/** The PKI settings; re-parsed only when one of them (or DATA_DIR) changes, as tests do. */
export function pkiEnv() {
  const raw = Object.fromEntries(PKI_ENV_KEYS.map((k) => [k, process.env[k]]));
  const dataDir = env().DATA_DIR;
  const key = JSON.stringify([raw, dataDir]);
  if (pkiEnvCache?.key !== key) pkiEnvCache = { key, value: parsePkiEnv(raw, dataDir) };
  return pkiEnvCache.value;
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  tsaCert: 'tsa.pem',
  tsaKey: 'tsa.key',
  signerCert: 'signer.pem',
  signerKey: 'signer.key',
} as const;

let cached: { dir: string; pki: Promise<PlatformPki> } | undefined;

/** The platform's keys, created on first use. Cached per PKI_DIR (tests switch DATA_DIR). */
export function getPlatformPki(): Promise<PlatformPki> {
  const cfg = pkiEnv();
  const key = `${cfg.PKI_DIR}|${cfg.TRUST_ANCHORS_PEM ?? ''}`;
  if (!cached || cached.dir !== key) {
    const pki = loadOrCreate(cfg.PKI_DIR, cfg.PKI_CA_NAME, cfg.PKI_ORG_NAME).then((base) => ({
      ...base,
      trustAnchors: [base.ca.cert, ...externalAnchors(cfg.TRUST_ANCHORS_PEM)],
    }));
    cached = { dir: key, pki };
    pki.catch(() => {
      if (cached?.pki === pki) cached = undefined;
    });
  }
  return cached.pki;
}

function externalAnchors(file: string | undefined): Uint8Array[] {
  if (!file) return [];
  const text = fs.readFileSync(file, 'utf8');
  const certs = pemBlocks(text, 'CERTIFICATE');
  if (certs.length === 0) throw new Error(`TRUST_ANCHORS_PEM (${file}) holds no CERTIFICATE block`);
  for (const c of certs) certInfo(c); // fail at start-up on a certificate that does not parse
  return certs;
}

function exists(dir: string) {
  return Object.values(FILES).every((f) => fs.existsSync(path.join(dir, f)));
}

async function loadOrCreate(dir: string, caName: string, orgName: string): Promise<Omit<PlatformPki, 'trustAnchors'>> {
  if (!exists(dir)) await createUnderLock(dir, caName, orgName);
  return load(dir);
}

async function load(dir: string): Promise<Omit<PlatformPki, 'trustAnchors'>> {
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const pair = async (certFile: string, keyFile: string, alg: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS'): Promise<PlatformKey> => {
    const certPem = read(certFile);
    return { cert: pemToDer(certPem), certPem, privateKey: await importPrivateKeyPem(read(keyFile), 'sign', { alg }) };
  };
  return {
    // The CA signs certificates and CRLs with PKCS#1 v1.5 (what every relying party accepts); the TSA
    // too (OpenSSL `ts -verify` and most TSA clients expect it); the record signer uses RSA-PSS.
    ca: await pair(FILES.caCert, FILES.caKey, 'RSASSA-PKCS1-v1_5'),
    tsa: await pair(FILES.tsaCert, FILES.tsaKey, 'RSASSA-PKCS1-v1_5'),
    signer: await pair(FILES.signerCert, FILES.signerKey, 'RSA-PSS'),
  };
}

/**
 * Several processes may start at once on a shared PKI_DIR: one takes an exclusive lock file and
 * writes the set; the others wait for it. A lock older than two minutes is a crashed creator's.
 */
async function createUnderLock(dir: string, caName: string, orgName: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = path.join(dir, '.creating');
  for (let waited = 0; ; waited += 200) {
    if (exists(dir)) return;
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 120_000) fs.rmSync(lock, { force: true });
      else if (waited > 120_000) throw new Error(`timed out waiting for the platform PKI to be created in ${dir}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (exists(dir)) return;
    // Backdated two years: demo histories and migrated records carry signatures and time stamps
    // from before this installation, and must validate against the platform's own chain.
    const notBefore = new Date(now().getTime() - 2 * 365 * 86_400_000);
    const ca = await createRootCa({ commonName: caName, organization: orgName, validDays: 22 * 365, now: notBefore });
    const tsa = await issueCertificate({ ca, role: 'tsa', commonName: `${orgName}时间戳服务`, organization: orgName, validDays: 12 * 365, notBefore });
    const signer = await issueCertificate({ ca, role: 'platform', commonName: `${orgName}电子记录签章`, organization: orgName, validDays: 12 * 365, notBefore });
    const write = (f: string, text: string, mode: number) => {
      const tmp = path.join(dir, `.${f}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, text, { mode });
      fs.renameSync(tmp, path.join(dir, f));
    };
    write(FILES.caKey, ca.keyPem, 0o600);
    write(FILES.tsaKey, tsa.keyPem!, 0o600);
    write(FILES.signerKey, signer.keyPem!, 0o600);
    write(FILES.caCert, ca.certPem, 0o644);
    write(FILES.tsaCert, tsa.certPem, 0o644);
    // signer.pem last: its presence (with the rest) means the set is complete.
    write(FILES.signerCert, signer.certPem, 0o644);
    log.info('pki.created', { dir, ca: certInfo(ca.cert).sha256 });
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** A fresh RFC 3161 serial: 128 random bits are unique in practice without shared state (RFC 3161 2.4.2). */
function tsaSerial(): Uint8Array {
  const b = crypto.randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01;
  return new Uint8Array(b);
}

/** Answers an RFC 3161 TimeStampReq with the platform TSA at the platform clock's now(). */
export async function answerTimeStampQuery(request: Uint8Array): Promise<Uint8Array> {
  const pki = await getPlatformPki();
  return createTimeStampResponse({
    request,
    tsaCert: pki.tsa.cert,
    tsaKey: pki.tsa.privateKey,
    chain: [pki.ca.cert],
    now: now(),
    serial: tsaSerial(),
  });
}

// The platform TSA's tokens are checked with the full verifier once per TSA certificate per
// process: that catches a key that does not match its certificate (a misconfigured PKI folder)
// before anyone relies on a stamp, without paying the verification (~25 ms under load) on every
// bid. Tokens from an external TSA (TSA_URL) are verified every time.
const selfChecked = new Set<string>();

/** Time-stamps a SHA-256 digest: by TSA_URL when configured (an external TSA), else by the platform TSA. */
export async function timestampDigest(digest: Uint8Array): Promise<{ token: Uint8Array; genTime: Date; serialHex: string }> {
  if (digest.length !== 32) throw new Error('timestampDigest expects a 32-byte SHA-256 digest');
  const pki = await getPlatformPki();
  const url = pkiEnv().TSA_URL;
  if (url) {
    const token = await requestTimeStamp(url, digest, { trustAnchors: pki.trustAnchors });
    const info = await verifyTimeStamp({ token, digest, trustAnchors: pki.trustAnchors });
    return { token, genTime: info.genTime, serialHex: info.serialHex };
  }
  const genTime = now();
  const serial = tsaSerial();
  const token = await createTimeStampToken({ digest, tsaCert: pki.tsa.cert, tsaKey: pki.tsa.privateKey, chain: [pki.ca.cert], now: genTime, serial, certReq: true });
  const key = pki.tsa.certPem;
  if (!selfChecked.has(key)) {
    const info = await verifyTimeStamp({ token, digest, trustAnchors: pki.trustAnchors });
    if (info.genTime.getTime() !== genTime.getTime() || info.serialHex !== toHex(serial)) throw new Error('platform TSA self-check: the token does not carry the time and serial it was issued with');
    selfChecked.add(key);
  }
  return { token, genTime, serialHex: toHex(serial) };
}

/** CMS SignedData by the platform record signer (电子记录签章), with the CA in the bag. */
export async function signAsPlatform(content: Uint8Array, opts: { detached?: boolean } = {}): Promise<Uint8Array> {
  const pki = await getPlatformPki();
  return signData({
    content,
    signerCert: pki.signer.cert,
    signerKey: pki.signer.privateKey,
    chain: [pki.ca.cert],
    detached: opts.detached ?? false,
    signingTime: now(),
  });
}

// The CRL is rebuilt when the revoked set changes or the cached one is older than an hour, so
// /pki/crl.der and every verification see a revocation at once.
let crlCache: { key: string; der: Uint8Array; builtAt: number } | undefined;
const CRL_REFRESH_MS = 3600_000;

// For verifications that also check the signer's certificate row (verifyUserSignature): that row
// decides revocation at once, so the CRL beside it may be a few seconds old, and a hundred bidders
// starting together read the revoked list once instead of a hundred times.
let recentCrlEntry: { wall: number; platform: number; der: Promise<Uint8Array> } | undefined;
const RECENT_CRL_MS = 5_000;

/** currentCrl(), reused for up to 5 s (wall and platform clock). Only where the certificate row is checked too. */
export function recentCrl(): Promise<Uint8Array> {
  const w = Date.now();
  const t = now().getTime();
  const hit = recentCrlEntry;
  if (hit && w - hit.wall < RECENT_CRL_MS && Math.abs(t - hit.platform) < RECENT_CRL_MS) return hit.der;
  const entry = { wall: w, platform: t, der: currentCrl() };
  recentCrlEntry = entry;
  entry.der.catch(() => {
    if (recentCrlEntry === entry) recentCrlEntry = undefined;
  });
  return entry.der;
}

/** The platform CA's current CRL (DER), listing every revoked platform-issued user certificate. */
export async function currentCrl(): Promise<Uint8Array> {
  const pki = await getPlatformPki();
  const prisma = await getPrisma();
  const rows = await prisma.certificate.findMany({
    where: { revokedAt: { not: null } },
    select: { serialHex: true, revokedAt: true, issuer: true },
    orderBy: { revokedAt: 'asc' },
  });
  const caSubject = certInfo(pki.ca.cert).subject;
  const revoked = rows.filter((r) => r.issuer === caSubject).map((r) => ({ serialHex: r.serialHex, date: r.revokedAt! }));
  const t = now();
  const key = `${toHex(pki.ca.cert.subarray(-16))}|${revoked.map((r) => `${r.serialHex}@${r.date.getTime()}`).join(',')}`;
  if (crlCache && crlCache.key === key && Math.abs(t.getTime() - crlCache.builtAt) < CRL_REFRESH_MS) return crlCache.der;
  // thisUpdate a little in the past tolerates relying parties whose clocks run slightly behind.
  const thisUpdate = new Date(t.getTime() - 60_000);
  const der = await createCrl({
    ca: pki.ca,
    revoked,
    thisUpdate,
    nextUpdate: new Date(t.getTime() + 24 * 3600_000),
  });
  crlCache = { key, der, builtAt: t.getTime() };
  return der;
}

/** Tests: forget cached keys and CRL (after changing PKI_DIR or the clock). */
export function resetPlatformPkiCache() {
  cached = undefined;
  crlCache = undefined;
}
