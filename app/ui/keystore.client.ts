// The browser's certificate key store (本地证书库). Keys live in IndexedDB as NON-extractable
// CryptoKeys: script on this origin can use them, nobody can read them out. An RSA key pair is
// stored twice from the same PKCS#8 — RSA-PSS for signing and RSA-OAEP for decrypting sealed bids
// addressed to the user's certificate — because WebCrypto binds each key object to one algorithm.
// The raw key exists only during generation or .p12 import, to build the password-protected
// backup. See docs/decisions/061-user-certificates-and-browser-keys.md.
import { signData } from '../../crypto/cms';
import { fromBase64, sha256, toBase64, toHex } from '../../crypto/hash';
import { certInfo, derToPem, exportPkcs12, importPkcs12, importPkcs8, pemToDer } from '../../crypto/pki';
import { enrollPopMessage } from '~/modules/pki/protocol';

const DB_NAME = 'ggzy-keystore';
const STORE = 'keys';

export interface LocalKeyInfo {
  certSha256: string;
  certPem: string;
  commonName: string;
  organization?: string;
  serialHex: string;
  notAfter: string;
  /** the platform user the key was enrolled or imported for */
  userId: string | null;
  createdAt: string;
}

interface StoredKey extends LocalKeyInfo {
  signKey: CryptoKey;
  decryptKey: CryptoKey | null;
}

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

function openDb(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new KeystoreError('此浏览器不支持本地证书库（IndexedDB）'));
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'certSha256' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new KeystoreError('无法打开本地证书库'));
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const r = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(r.result);
      t.onerror = () => reject(t.error ?? new KeystoreError('本地证书库读写失败'));
      t.onabort = () => reject(t.error ?? new KeystoreError('本地证书库读写失败'));
    });
  } finally {
    db.close();
  }
}

function strip(k: StoredKey): LocalKeyInfo {
  const { signKey: _s, decryptKey: _d, ...info } = k;
  return info;
}

/** Local keys, newest first; `userId` narrows to one account's keys. */
export async function listLocalKeys(userId?: string): Promise<LocalKeyInfo[]> {
  const all = (await tx('readonly', (s) => s.getAll())) as StoredKey[];
  return all
    .filter((k) => !userId || k.userId === userId)
    .map(strip)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

async function getStored(certSha256: string): Promise<StoredKey> {
  const k = (await tx('readonly', (s) => s.get(certSha256))) as StoredKey | undefined;
  if (!k) throw new KeystoreError('本机没有该证书的私钥，请先导入证书备份（.p12）');
  return k;
}

export async function getSigningKey(certSha256: string): Promise<CryptoKey> {
  return (await getStored(certSha256)).signKey;
}

export async function getDecryptionKey(certSha256: string): Promise<CryptoKey> {
  const k = await getStored(certSha256);
  if (!k.decryptKey) throw new KeystoreError('该证书的密钥不能用于解密');
  return k.decryptKey;
}

export async function getLocalCertificate(certSha256: string): Promise<Uint8Array> {
  return pemToDer((await getStored(certSha256)).certPem);
}

export async function removeLocalKey(certSha256: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(certSha256));
}

/** Stores a certificate with non-extractable keys imported from its PKCS#8. */
async function storeKey(certDer: Uint8Array, pkcs8: Uint8Array, userId: string | null): Promise<LocalKeyInfo> {
  const info = certInfo(certDer);
  const signKey = await importPkcs8(pkcs8, 'sign', { extractable: false });
  const decryptKey = signKey.algorithm.name === 'RSA-PSS' ? await importPkcs8(pkcs8, 'decrypt', { alg: 'RSA-OAEP', extractable: false }) : null;
  const record: StoredKey = {
    certSha256: info.sha256,
    certPem: derToPem(certDer, 'CERTIFICATE'),
    commonName: info.commonName,
    organization: info.organization,
    serialHex: info.serialHex,
    notAfter: info.notAfter.toISOString(),
    userId,
    createdAt: new Date().toISOString(),
    signKey,
    decryptKey,
  };
  await tx('readwrite', (s) => s.put(record));
  return strip(record);
}

async function postForm<T>(url: string, fields: Record<string, string>): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new KeystoreError(body.error ?? `服务器错误（${res.status}）`);
  return body;
}

export async function fetchChallenge(purpose: string): Promise<{ id: string; nonce: string }> {
  return postForm('/api/pki/challenge', { purpose });
}

/**
 * Generates an RSA-3072 key pair here, proves possession to the platform CA, stores the issued
 * certificate with non-extractable keys, and returns a password-protected .p12 backup — the only
 * copy of the private key outside this browser profile.
 */
export async function generateAndEnroll(opts: { userId: string; backupPassword: string; onStep?: (step: string) => void }): Promise<{ key: LocalKeyInfo; p12: Uint8Array }> {
  const subtle = globalThis.crypto.subtle;
  opts.onStep?.('正在生成 RSA-3072 密钥对…');
  const pair = (await subtle.generateKey(
    { name: 'RSA-PSS', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  try {
    opts.onStep?.('正在向平台 CA 申请证书…');
    const challenge = await fetchChallenge('enroll');
    const pop = new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pair.privateKey, enrollPopMessage(challenge.nonce) as Uint8Array<ArrayBuffer>));
    const issued = await postForm<{ certPem: string; caPem: string }>('/api/pki/enroll', { challengeId: challenge.id, spki: toBase64(spki), pop: toBase64(pop) });
    const certDer = pemToDer(issued.certPem);
    opts.onStep?.('正在保存到本机证书库并生成备份文件…');
    const p12 = await exportPkcs12({
      cert: certDer,
      keyPem: derToPem(pkcs8, 'PRIVATE KEY'),
      chain: [pemToDer(issued.caPem)],
      password: opts.backupPassword,
      friendlyName: certInfo(certDer).commonName,
    });
    const key = await storeKey(certDer, pkcs8, opts.userId);
    return { key, p12 };
  } finally {
    pkcs8.fill(0);
  }
}

/** Imports a .p12 backup (or one from a licensed external CA) into the local store. */
export async function importP12(file: Blob | Uint8Array, password: string, userId: string | null): Promise<LocalKeyInfo> {
  const bytes = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
  let parsed: Awaited<ReturnType<typeof importPkcs12>>;
  try {
    parsed = await importPkcs12(bytes, password);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new KeystoreError(code === 'BAD_PASSWORD' ? '证书备份密码不正确' : '无法读取该证书文件，请确认是 .p12/.pfx 格式');
  }
  const pkcs8 = pemToDer(parsed.keyPem);
  try {
    return await storeKey(parsed.cert, pkcs8, userId);
  } finally {
    pkcs8.fill(0);
  }
}

/** CMS SignedData (DER) over `content` with the local key of the given certificate. */
export async function signCms(content: Uint8Array, certSha256: string, opts: { detached?: boolean } = {}): Promise<Uint8Array> {
  const k = await getStored(certSha256);
  return signData({ content, signerCert: pemToDer(k.certPem), signerKey: k.signKey, detached: opts.detached ?? true });
}

export async function fingerprintOf(certPem: string): Promise<string> {
  return toHex(await sha256(pemToDer(certPem)));
}

export { fromBase64, toBase64 };
