/**
 * k-of-n opening keys (开标密钥分持): the RSA-OAEP private key that opens sealed bids is split with
 * Shamir's scheme so that no single holder (tenderer, supervisor, center) can open bids before the
 * opening, and any k of them can open them at the opening. See docs/decisions/022-opening-key-shares.md.
 *
 * `shamir-secret-sharing` does not detect bad shares: a flipped byte just yields a wrong key. So
 * each share carries a header, a commitment to every share of the same split, and a checksum, and
 * the rebuilt key is always compared with the published public key before it is returned.
 *
 * Share encoding (all integers big-endian):
 *
 *   offset  size      field
 *   0       4         magic "OKS1"
 *   4       16        key id = SHA-256(SPKI DER of the opening public key)[0..16)
 *   20      1         k (threshold, 2..255)
 *   21      1         n (number of shares, k..255)
 *   22      1         index (1..n; the holder's share number, not the Shamir x coordinate)
 *   23      2         L = length of the Shamir share body
 *   25      L         body: shamir-secret-sharing share (PKCS#8 length + 1 bytes, x coordinate last)
 *   25+L    32·n      commitments: SHA-256(body of share j) for j = 1..n
 *   …       32        checksum: SHA-256 of everything above
 *
 * The checksum catches accidental damage of one file; the commitments catch a holder who alters
 * their own share (every other share disagrees with it), so the error can name the bad share.
 */
import { combine, split } from 'shamir-secret-sharing';
import { CryptoVerifyError, errorText } from './errors.js';
import { bufferSource, bytesEqual, concatBytes, sha256, toHex } from './hash.js';
import { certPublicKey } from './pki.js';
import { decryptEnvelope, encryptEnvelope } from './envelope.js';

const MAGIC = new Uint8Array([0x4f, 0x4b, 0x53, 0x31]); // "OKS1"
const KEY_ID_LEN = 16;
const HEADER_LEN = 25;
const OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

export interface OpeningKeyPair {
  /** PKCS#8 DER of the private key: split it, then destroy it. */
  privateKeyPkcs8: Uint8Array;
  /** SubjectPublicKeyInfo DER: published, put into the opening certificate. */
  publicKeySpki: Uint8Array;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** hex of the 16-byte key id carried by every share */
  keyId: string;
}

export async function generateOpeningKey(opts: { modulusLength?: 3072 | 4096 } = {}): Promise<OpeningKeyPair> {
  const pair = (await subtle().generateKey(
    { ...OAEP, modulusLength: opts.modulusLength ?? 3072, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair;
  const privateKeyPkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const publicKeySpki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
  return { privateKeyPkcs8, publicKeySpki, privateKey: pair.privateKey, publicKey: pair.publicKey, keyId: toHex(await keyIdOf(publicKeySpki)) };
}

export async function keyIdOf(spki: Uint8Array): Promise<Uint8Array> {
  return (await sha256(spki)).subarray(0, KEY_ID_LEN);
}

async function importRsaPrivate(pkcs8: Uint8Array): Promise<CryptoKey> {
  try {
    return await subtle().importKey('pkcs8', bufferSource(pkcs8), OAEP, true, ['decrypt']);
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `not an RSA PKCS#8 private key: ${errorText(e)}`);
  }
}

/** SPKI of the public half of an RSA private key (from its JWK n and e). */
export async function publicSpkiOfPrivate(pkcs8: Uint8Array): Promise<Uint8Array> {
  const jwk = await subtle().exportKey('jwk', await importRsaPrivate(pkcs8));
  const pub = await subtle().importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true }, OAEP, true, ['encrypt']);
  return new Uint8Array(await subtle().exportKey('spki', pub));
}

/** Accepts a certificate or a bare SubjectPublicKeyInfo (DER) and returns the RSA SPKI. */
export async function publicSpkiOf(certOrSpki: Uint8Array): Promise<Uint8Array> {
  try {
    const k = await subtle().importKey('spki', bufferSource(certOrSpki), OAEP, true, ['encrypt']);
    return new Uint8Array(await subtle().exportKey('spki', k));
  } catch {
    // not an SPKI: try a certificate
  }
  const key = await certPublicKey(certOrSpki, 'encrypt', 'RSA-OAEP');
  return new Uint8Array(await subtle().exportKey('spki', key));
}

// ---------------------------------------------------------------------------------------------
// share encoding

export interface OpeningKeyShare {
  keyId: Uint8Array;
  k: number;
  n: number;
  /** 1..n */
  index: number;
  body: Uint8Array;
  /** SHA-256 of each share body of this split, commitments[j-1] for share j */
  commitments: Uint8Array[];
}

export async function encodeShare(s: OpeningKeyShare): Promise<Uint8Array> {
  const head = new Uint8Array(HEADER_LEN);
  head.set(MAGIC, 0);
  head.set(s.keyId, 4);
  head[20] = s.k;
  head[21] = s.n;
  head[22] = s.index;
  new DataView(head.buffer).setUint16(23, s.body.length);
  const unsigned = concatBytes(head, s.body, ...s.commitments);
  return concatBytes(unsigned, await sha256(unsigned));
}

/** Parses and integrity-checks one share. `label` names it in errors (a file name, "share #2"). */
export async function decodeShare(input: Uint8Array, label = 'share'): Promise<OpeningKeyShare> {
  const bad = (msg: string) => new CryptoVerifyError('BAD_SHARE', `${label}: ${msg}`);
  if (!(input instanceof Uint8Array)) throw bad('not bytes');
  // A plain copy: Node Buffers slice into views and shamir-secret-sharing rejects Buffer subclasses.
  const bytes = new Uint8Array(input);
  if (bytes.length < HEADER_LEN + 32 || !bytesEqual(bytes.subarray(0, 4), MAGIC)) {
    throw bad('not an opening key share (missing "OKS1" header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const k = bytes[20];
  const n = bytes[21];
  const index = bytes[22];
  const bodyLen = view.getUint16(23);
  const want = HEADER_LEN + bodyLen + 32 * n + 32;
  if (bytes.length !== want) throw bad(`truncated or padded: ${bytes.length} bytes, the header announces ${want}`);
  const unsigned = bytes.subarray(0, want - 32);
  if (!bytesEqual(await sha256(unsigned), bytes.subarray(want - 32))) throw bad('checksum mismatch: the file is corrupted');
  // Checked after the checksum so that a damaged file reports damage, not nonsense parameters.
  if (k < 2 || n < k || index < 1 || index > n) throw bad(`invalid parameters k=${k} n=${n} index=${index}`);
  if (bodyLen < 2) throw bad('empty share body');
  const commitments: Uint8Array[] = [];
  for (let j = 0; j < n; j++) commitments.push(bytes.slice(HEADER_LEN + bodyLen + 32 * j, HEADER_LEN + bodyLen + 32 * (j + 1)));
  return { keyId: bytes.slice(4, 20), k, n, index, body: bytes.slice(HEADER_LEN, HEADER_LEN + bodyLen), commitments };
}

/** What a share says about itself, for listings and error messages. */
export async function describeShare(bytes: Uint8Array): Promise<{ keyId: string; k: number; n: number; index: number }> {
  const s = await decodeShare(bytes);
  return { keyId: toHex(s.keyId), k: s.k, n: s.n, index: s.index };
}

// ---------------------------------------------------------------------------------------------
// split / combine

export async function splitPrivateKey(pkcs8: Uint8Array, opts: { k: number; n: number }): Promise<Uint8Array[]> {
  const { k, n } = opts;
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 2 || n < k || n > 255) {
    throw new Error(`need 2 ≤ k ≤ n ≤ 255, got k=${k} n=${n}`);
  }
  if (pkcs8.length > 0xffff - 1) throw new Error('private key too large to split');
  const keyId = await keyIdOf(await publicSpkiOfPrivate(pkcs8));
  const bodies = await split(pkcs8, n, k);
  const commitments = await Promise.all(bodies.map((b) => sha256(b)));
  return Promise.all(bodies.map((body, i) => encodeShare({ keyId, k, n, index: i + 1, body, commitments })));
}

/**
 * Rebuilds the private key (PKCS#8) from at least k shares and proves it is the private half of
 * `publicKey` (certificate or SPKI, DER). Throws CryptoVerifyError:
 * NOT_ENOUGH_SHARES, BAD_SHARE, SHARES_MIXED (different splits), KEY_MISMATCH (shares of another key).
 */
export async function combineShares(shares: Uint8Array[], publicKey: Uint8Array): Promise<Uint8Array> {
  const spki = await publicSpkiOf(publicKey);
  const wantId = await keyIdOf(spki);
  const parsed: OpeningKeyShare[] = [];
  for (let i = 0; i < shares.length; i++) parsed.push(await decodeShare(shares[i], `share #${i + 1}`));

  const ids = new Set(parsed.map((s) => toHex(s.keyId)));
  if (ids.size > 1) {
    throw new CryptoVerifyError('SHARES_MIXED', `the shares belong to ${ids.size} different keys (${[...ids].join(', ')})`);
  }
  if (parsed.length > 0 && !bytesEqual(parsed[0].keyId, wantId)) {
    throw new CryptoVerifyError(
      'KEY_MISMATCH',
      `the shares belong to key ${toHex(parsed[0].keyId)}, the given public key is ${toHex(wantId)}`,
    );
  }
  const params = new Set(parsed.map((s) => `${s.k}-of-${s.n}`));
  if (params.size > 1) throw new CryptoVerifyError('SHARES_MIXED', `the shares come from different splits (${[...params].join(', ')})`);

  // Two splits of the same key share no commitment at all (one altered share still shares the rest).
  for (let i = 1; i < parsed.length; i++) {
    const a = parsed[0].commitments;
    const b = parsed[i].commitments;
    if (!a.some((c, j) => bytesEqual(c, b[j]))) {
      throw new CryptoVerifyError('SHARES_MIXED', `share #1 and share #${i + 1} have no commitment in common: they come from two different splits of the key, or one was forged`);
    }
  }

  // Same index twice: harmless if identical (a holder sent the file twice), fatal otherwise.
  const byIndex = new Map<number, OpeningKeyShare>();
  for (const s of parsed) {
    const prev = byIndex.get(s.index);
    if (prev && !bytesEqual(prev.body, s.body)) {
      throw new CryptoVerifyError('BAD_SHARE', `two different shares claim index ${s.index}`);
    }
    byIndex.set(s.index, s);
  }
  const distinct = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const k = parsed[0]?.k ?? 2;
  if (distinct.length < k) {
    throw new CryptoVerifyError(
      'NOT_ENOUGH_SHARES',
      `${distinct.length} of the ${k} shares needed are present` +
        (distinct.length > 0 ? ` (indices ${distinct.map((s) => s.index).join(', ')} of ${parsed[0].n})` : ''),
    );
  }

  // Each share commits to every body of the split: count, for each share, who disagrees with it.
  const hashes = await Promise.all(distinct.map((s) => sha256(s.body)));
  const against = distinct.map((s, i) =>
    distinct.filter((o) => !bytesEqual(o.commitments[s.index - 1], hashes[i])).map((o) => o.index),
  );
  const worst = Math.max(...against.map((a) => a.length));
  if (worst > 0) {
    const suspects = distinct.filter((_, i) => against[i].length === worst).map((s) => s.index);
    if (suspects.length === 1) {
      const idx = suspects[0];
      const others = against[distinct.findIndex((s) => s.index === idx)].filter((j) => j !== idx);
      const self = others.length < worst ? ' and by its own commitment list' : '';
      throw new CryptoVerifyError(
        'BAD_SHARE',
        `share index ${idx} does not match the commitments held by ${others.length ? `share(s) ${others.join(', ')}` : 'no other share'}${self}: it was altered`,
      );
    }
    throw new CryptoVerifyError('BAD_SHARE', `shares ${suspects.join(', ')} disagree about each other: at least one of them was altered`);
  }

  let pkcs8: Uint8Array;
  try {
    pkcs8 = await combine(distinct.map((s) => s.body));
  } catch (e) {
    throw new CryptoVerifyError('BAD_SHARE', `the shares cannot be combined: ${errorText(e)}`);
  }
  await assertKeyMatches(pkcs8, spki);
  return pkcs8;
}

/** Throws BAD_SHARE unless `pkcs8` is the private key of `spki` (same n and e, and a decrypt probe works). */
async function assertKeyMatches(pkcs8: Uint8Array, spki: Uint8Array): Promise<void> {
  const fail = (why: string) =>
    new CryptoVerifyError('BAD_SHARE', `the rebuilt key is not the published opening key (${why}): at least one share is wrong`);
  let priv: CryptoKey;
  try {
    priv = await subtle().importKey('pkcs8', bufferSource(pkcs8), OAEP, true, ['decrypt']);
  } catch {
    throw fail('not a valid private key');
  }
  const pub = await subtle().importKey('spki', bufferSource(spki), OAEP, true, ['encrypt']);
  const [a, b] = await Promise.all([subtle().exportKey('jwk', priv), subtle().exportKey('jwk', pub)]);
  if (a.n !== b.n || a.e !== b.e) throw fail('different modulus');
  // n and e can match while d or the CRT values are damaged; only a real decryption shows that.
  const probe = crypto.getRandomValues(new Uint8Array(32));
  try {
    const ct = await subtle().encrypt(OAEP, pub, probe);
    const pt = new Uint8Array(await subtle().decrypt(OAEP, priv, ct));
    if (!bytesEqual(pt, probe)) throw new Error('probe mismatch');
  } catch {
    throw fail('decryption probe failed');
  }
}

// ---------------------------------------------------------------------------------------------
// handing shares to holders

/** Encrypts a share to its holder's encryption certificate (CMS AuthEnvelopedData, RSA-OAEP). */
export async function encryptShareForHolder(share: Uint8Array, holderCert: Uint8Array): Promise<Uint8Array> {
  await decodeShare(share);
  return encryptEnvelope({ content: share, recipients: [holderCert] });
}

export async function decryptShare(encryptedShare: Uint8Array, holderCert: Uint8Array, holderKey: CryptoKey): Promise<Uint8Array> {
  const share = await decryptEnvelope({ envelope: encryptedShare, recipientCert: holderCert, recipientKey: holderKey });
  await decodeShare(share, 'decrypted share');
  return share;
}
