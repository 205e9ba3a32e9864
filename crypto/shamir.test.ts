import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from './testkit';
import { run as keyCli } from './cli/key.js';
import { CryptoVerifyError } from './errors.js';
import { bytesEqual, concatBytes, sha256 } from './hash.js';
import { createRootCa, issueCertificate, pemToDer } from './pki.js';
import {
  combineShares,
  decodeShare,
  decryptShare,
  describeShare,
  encodeShare,
  encryptShareForHolder,
  generateOpeningKey,
  splitPrivateKey,
  type OpeningKeyPair,
} from './shamir.js';

const hasOpenssl = existsSync('/usr/bin/openssl') || spawnSync('openssl', ['version']).status === 0;

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<CryptoVerifyError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoVerifyError);
    expect((e as CryptoVerifyError).code).toBe(code);
    if (message) expect((e as Error).message).toMatch(message);
    return e as CryptoVerifyError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

function subsets<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [h, ...t] = xs;
  return [...subsets(t, k - 1).map((s) => [h, ...s]), ...subsets(t, k)];
}

/** A holder who rewrites their own share and recomputes its checksum (what a dishonest holder can do). */
async function tamper(share: Uint8Array, edit: (s: Awaited<ReturnType<typeof decodeShare>>) => void): Promise<Uint8Array> {
  const s = await decodeShare(share);
  edit(s);
  return encodeShare(s);
}

let key: OpeningKeyPair;
let other: OpeningKeyPair;
let shares: Uint8Array[];

beforeAll(async () => {
  [key, other] = await Promise.all([generateOpeningKey(), generateOpeningKey()]);
  shares = await splitPrivateKey(key.privateKeyPkcs8, { k: 3, n: 5 });
}, 60_000);

describe('split and combine', () => {
  it('generates RSA-OAEP 3072 opening keys', () => {
    expect((key.publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(3072);
    expect(key.keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('every 3 of 5 shares (and 4, and all 5) rebuild exactly the original key', async () => {
    const combos = [...subsets(shares, 3), ...subsets(shares, 4), shares];
    expect(combos.length).toBe(16);
    for (const c of combos) {
      const pkcs8 = await combineShares(c, key.publicKeySpki);
      expect(bytesEqual(pkcs8, key.privateKeyPkcs8)).toBe(true);
    }
    // Order does not matter.
    expect(bytesEqual(await combineShares([shares[4], shares[0], shares[2]], key.publicKeySpki), key.privateKeyPkcs8)).toBe(true);
  }, 60_000);

  it('labels each share with key id, threshold and index', async () => {
    for (let i = 0; i < 5; i++) expect(await describeShare(shares[i])).toEqual({ keyId: key.keyId, k: 3, n: 5, index: i + 1 });
  });

  it('accepts the opening certificate instead of a bare public key', async () => {
    const ca = await createRootCa({ commonName: 'Test CA', rsaBits: 2048 });
    const cert = await issueCertificate({ ca, role: 'opening', commonName: '开标密钥', publicKey: key.publicKey });
    expect(bytesEqual(await combineShares(shares.slice(1, 4), cert.cert), key.privateKeyPkcs8)).toBe(true);
    const wrong = await issueCertificate({ ca, role: 'opening', commonName: 'other', publicKey: other.publicKey });
    await expectCode(combineShares(shares.slice(0, 3), wrong.cert), 'KEY_MISMATCH', new RegExp(other.keyId));
  }, 60_000);

  it('refuses bad parameters', async () => {
    await expect(splitPrivateKey(key.privateKeyPkcs8, { k: 1, n: 3 })).rejects.toThrow(/k ≤ n/);
    await expect(splitPrivateKey(key.privateKeyPkcs8, { k: 4, n: 3 })).rejects.toThrow();
    await expect(splitPrivateKey(key.privateKeyPkcs8, { k: 2, n: 256 })).rejects.toThrow();
    await expectCode(splitPrivateKey(new Uint8Array([1, 2, 3]), { k: 2, n: 3 }), 'MALFORMED');
  });
});

describe('bad share sets are named precisely', () => {
  it('fewer than k shares: how many are present and needed', async () => {
    await expectCode(combineShares(shares.slice(0, 2), key.publicKeySpki), 'NOT_ENOUGH_SHARES', /2 of the 3 shares needed.*indices 1, 2 of 5/);
    // The same share twice counts once.
    await expectCode(combineShares([shares[3], shares[3], shares[1]], key.publicKeySpki), 'NOT_ENOUGH_SHARES', /2 of the 3/);
    await expectCode(combineShares([], key.publicKeySpki), 'NOT_ENOUGH_SHARES');
  });

  it('a damaged file fails its checksum and is named', async () => {
    const bad = shares[1].slice();
    bad[100] ^= 0x01;
    await expectCode(combineShares([shares[0], bad, shares[2]], key.publicKeySpki), 'BAD_SHARE', /share #2: checksum mismatch/);
    await expectCode(combineShares([shares[0], shares[1].subarray(0, 500), shares[2]], key.publicKeySpki), 'BAD_SHARE', /share #2: truncated/);
    await expectCode(combineShares([shares[0], concatBytes(shares[1], new Uint8Array(1)), shares[2]], key.publicKeySpki), 'BAD_SHARE', /share #2/);
    await expectCode(decodeShare(new Uint8Array(10)), 'BAD_SHARE', /OKS1/);
  });

  it('a holder who alters their share (and its checksum) is caught by the other shares', async () => {
    const altered = await tamper(shares[2], (s) => {
      s.body[7] ^= 0x40;
    });
    await expectCode(combineShares([shares[0], shares[1], altered], key.publicKeySpki), 'BAD_SHARE', /share index 3 does not match the commitments held by share\(s\) 1, 2 and by its own commitment list/);
    // Altering the own commitment too: the other holders still disagree.
    const sneaky = await tamper(shares[2], (s) => {
      s.body[7] ^= 0x40;
      s.commitments[2] = new Uint8Array(32);
    });
    await expectCode(combineShares([shares[0], sneaky, shares[4]], key.publicKeySpki), 'BAD_SHARE', /share index 3 does not match the commitments held by share\(s\) 1, 5/);
    // Two holders: the one whose share the other's commitment contradicts is named.
    const two = await splitPrivateKey(key.privateKeyPkcs8, { k: 2, n: 2 });
    const liar = await tamper(two[1], (s) => {
      s.body[0] ^= 1;
      s.commitments[1] = new Uint8Array(32);
    });
    await expectCode(combineShares([two[0], liar], key.publicKeySpki), 'BAD_SHARE', /share index 2 does not match the commitments held by share\(s\) 1/);
    // Rewriting every commitment makes it look like another split; either way it is refused.
    const forger = await tamper(two[1], (s) => {
      s.body[0] ^= 1;
      s.commitments = [new Uint8Array(32), new Uint8Array(32)];
    });
    await expectCode(combineShares([two[0], forger], key.publicKeySpki), 'SHARES_MIXED', /or one was forged/);
  }, 30_000);

  it('even with every commitment forged consistently, the public key check rejects the rebuilt key', async () => {
    const parsed = await Promise.all(shares.slice(0, 3).map((s) => decodeShare(s)));
    parsed[1].body[50] ^= 0x10;
    const forgedCommitments = [...parsed[0].commitments];
    forgedCommitments[1] = await sha256(parsed[1].body);
    const forged = await Promise.all(parsed.map((s) => encodeShare({ ...s, commitments: forgedCommitments })));
    await expectCode(combineShares(forged, key.publicKeySpki), 'BAD_SHARE', /not the published opening key/);
  });

  it('shares of different keys or different splits do not mix', async () => {
    const otherShares = await splitPrivateKey(other.privateKeyPkcs8, { k: 3, n: 5 });
    await expectCode(combineShares([shares[0], shares[1], otherShares[2]], key.publicKeySpki), 'SHARES_MIXED', /2 different keys/);
    await expectCode(combineShares(otherShares.slice(0, 3), key.publicKeySpki), 'KEY_MISMATCH');
    const again = await splitPrivateKey(key.privateKeyPkcs8, { k: 3, n: 5 });
    await expectCode(combineShares([shares[0], shares[1], again[2]], key.publicKeySpki), 'SHARES_MIXED', /two different splits/);
    const twoOfFour = await splitPrivateKey(key.privateKeyPkcs8, { k: 2, n: 4 });
    await expectCode(combineShares([shares[0], twoOfFour[1], shares[2]], key.publicKeySpki), 'SHARES_MIXED', /3-of-5, 2-of-4/);
  }, 60_000);
});

describe('shares travel encrypted to their holders', () => {
  it('round-trips through CMS AuthEnvelopedData; only the holder can open it', async () => {
    const ca = await createRootCa({ commonName: 'Test CA', rsaBits: 2048 });
    const holder = await issueCertificate({ ca, role: 'opening', commonName: '监督人员 张三', rsaBits: 2048 });
    const outsider = await issueCertificate({ ca, role: 'opening', commonName: 'outsider', rsaBits: 2048 });
    const sealed = await encryptShareForHolder(shares[0], holder.cert);
    expect(bytesEqual(await decryptShare(sealed, holder.cert, holder.privateKey!), shares[0])).toBe(true);
    await expect(decryptShare(sealed, outsider.cert, outsider.privateKey!)).rejects.toBeInstanceOf(CryptoVerifyError);
    const flipped = sealed.slice();
    flipped[flipped.length - 40] ^= 1;
    await expect(decryptShare(flipped, holder.cert, holder.privateKey!)).rejects.toBeInstanceOf(CryptoVerifyError);
    await expectCode(encryptShareForHolder(new Uint8Array(64), holder.cert), 'BAD_SHARE');
  }, 60_000);
});

describe('fuzz', () => {
  it('10,000 random mutations and truncations of a share end in BAD_SHARE, never a crash', async () => {
    let seed = 22;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let rejected = 0;
    for (let t = 0; t < 10_000; t++) {
      if (t % 250 === 0) await yieldToEventLoop();
      const src = shares[rand(5)];
      let m: Uint8Array;
      switch (rand(4)) {
        case 0:
          m = src.subarray(0, rand(src.length));
          break;
        case 1:
          m = src.slice();
          for (let j = 0, c = 1 + rand(4); j < c; j++) m[rand(m.length)] ^= 1 + rand(255);
          break;
        case 2:
          m = src.slice();
          m[rand(25)] = rand(256); // header field
          break;
        default:
          m = concatBytes(src.subarray(0, rand(src.length)), crypto.getRandomValues(new Uint8Array(rand(64))));
      }
      try {
        await decodeShare(m);
      } catch (e) {
        if (!(e instanceof CryptoVerifyError) || e.code !== 'BAD_SHARE') throw e;
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(9_900);
    // Mutated shares through the full combine path (RSA work per call, so fewer).
    for (let t = 0; t < 200; t++) {
      const set = [shares[0], shares[1], shares[2].slice()];
      set[2][rand(set[2].length)] ^= 1 + rand(255);
      await expectCode(combineShares(set, key.publicKeySpki), 'BAD_SHARE');
    }
  }, 60_000);
});

describe('CLI: key gen / split / combine / inspect', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'keycli-'));
  const quiet = async (args: string[]) => {
    const log = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    try {
      await keyCli(args);
    } finally {
      console.log = log;
    }
    return lines.join('\n');
  };

  it.skipIf(!hasOpenssl)('splits an OpenSSL key 3-of-5; any 3 shares rebuild a key that decrypts OpenSSL OAEP ciphertext', async () => {
    const keyPem = path.join(tmp, 'openssl-key.pem');
    const pubPem = path.join(tmp, 'openssl-pub.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072', '-out', keyPem]);
    execFileSync('openssl', ['pkey', '-in', keyPem, '-pubout', '-out', pubPem]);
    const out = await quiet(['split', '--in', keyPem, '-k', '3', '-n', '5', '--out', path.join(tmp, 'shares')]);
    expect(out).toMatch(/split 3-of-5/);
    expect(readdirSync(path.join(tmp, 'shares')).sort()).toEqual(['share-1.bin', 'share-2.bin', 'share-3.bin', 'share-4.bin', 'share-5.bin']);

    const secret = path.join(tmp, 'bid-key.bin');
    writeFileSync(secret, crypto.getRandomValues(new Uint8Array(32)));
    const ct = path.join(tmp, 'bid-key.enc');
    execFileSync('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', pubPem, '-in', secret, '-out', ct,
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']);

    const rebuilt = path.join(tmp, 'rebuilt.pem');
    const s = (i: number) => path.join(tmp, 'shares', `share-${i}.bin`);
    expect(await quiet(['combine', '--cert', pubPem, '--out', rebuilt, s(5), s(2), s(4)])).toMatch(/matches/);
    const pt = execFileSync('openssl', ['pkeyutl', '-decrypt', '-inkey', rebuilt, '-in', ct,
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']);
    expect(bytesEqual(new Uint8Array(pt), readFileSync(secret))).toBe(true);
    // Same key material as the original, in PKCS#8.
    expect(bytesEqual(pemToDer(readFileSync(rebuilt, 'utf8')), pemToDer(readFileSync(keyPem, 'utf8')))).toBe(true);

    await expect(quiet(['combine', '--cert', pubPem, '--out', rebuilt, s(1), s(3)])).rejects.toThrow(/2 of the 3 shares needed/);
    const damaged = path.join(tmp, 'damaged.bin');
    const bytes = readFileSync(s(3));
    bytes[60] ^= 1;
    writeFileSync(damaged, bytes);
    await expect(quiet(['combine', '--cert', pubPem, '--out', rebuilt, s(1), damaged, s(2)])).rejects.toThrow(/damaged\.bin: checksum mismatch/);
  }, 120_000);

  it('gen + split --pem + inspect + combine with a certificate', async () => {
    const dir = path.join(tmp, 'gen');
    expect(await quiet(['gen', '--out', dir])).toMatch(/RSA-OAEP 3072/);
    expect(readFileSync(path.join(dir, 'public.pem'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    await quiet(['split', '--in', path.join(dir, 'key.pem'), '-k', '2', '-n', '3', '--out', path.join(dir, 'shares'), '--pem']);
    const p1 = path.join(dir, 'shares', 'share-1.pem');
    expect(readFileSync(p1, 'utf8')).toMatch(/^-----BEGIN OPENING KEY SHARE-----/);
    expect(await quiet(['inspect', p1])).toMatch(/share 1 of 3, threshold 2, key [0-9a-f]{32}/);
    const out = path.join(dir, 'rebuilt.pem');
    await quiet(['combine', '--cert', path.join(dir, 'public.pem'), '--out', out, p1, path.join(dir, 'shares', 'share-3.pem')]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(dir, 'key.pem'), 'utf8'));
    await expect(quiet(['split', '--in', path.join(dir, 'key.pem'), '-k', 'x', '-n', '3', '--out', dir])).rejects.toThrow(/whole number/);
    await expect(quiet(['frobnicate'])).rejects.toThrow(/unknown key command/);
  }, 60_000);

  it.skipIf(!existsSync(path.resolve('crypto/cli.ts')))('runs through the crypto CLI dispatcher with a one-line error', () => {
    const r = spawnSync('npx', ['tsx', 'crypto/cli.ts', 'key', 'combine', '--cert', '/nonexistent.pem', '--out', '/tmp/x.pem', 'a.bin'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toEqual([expect.stringMatching(/^error: .*nonexistent\.pem/)]);
    const ok = spawnSync('npx', ['tsx', 'crypto/cli.ts', 'key', 'inspect', path.join(tmp, 'gen', 'shares', 'share-2.pem')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/share 2 of 3, threshold 2/);
  }, 60_000);
});
