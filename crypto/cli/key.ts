/**
 * `key` command: opening keys split k-of-n among holders (crypto/shamir.ts).
 *
 *   key gen --out DIR [--bits 3072|4096]
 *       writes DIR/key.pem (PKCS#8 "PRIVATE KEY") and DIR/public.pem (SPKI "PUBLIC KEY")
 *   key split --in KEY.pem -k K -n N --out DIR [--pem]
 *       writes DIR/share-1.bin … DIR/share-N.bin (binary, format in crypto/shamir.ts), or with
 *       --pem DIR/share-1.pem … as "-----BEGIN OPENING KEY SHARE-----" text (for e-mail / paper)
 *   key combine --cert PUB.pem --out KEY.pem SHARE…
 *       PUB.pem: the opening certificate or public key (PEM or DER); SHARE: .bin or .pem files.
 *       The rebuilt key is checked against PUB.pem before anything is written.
 *   key inspect SHARE…
 *       prints index, threshold and key id of each share (checks its checksum)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CryptoVerifyError } from '../errors.js';
import { fromBase64, toBase64 } from '../hash.js';
import { combineShares, describeShare, generateOpeningKey, splitPrivateKey } from '../shamir.js';

const SHARE_LABEL = 'OPENING KEY SHARE';

const USAGE = `usage:
  key gen --out DIR [--bits 3072|4096]
  key split --in KEY.pem -k K -n N --out DIR [--pem]
  key combine --cert PUB.pem --out KEY.pem SHARE...
  key inspect SHARE...`;

interface Parsed {
  opts: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

function parse(args: string[], valued: string[], flags: string[] = []): Parsed {
  const out: Parsed = { opts: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    if (flags.includes(name)) {
      out.flags.add(name);
      continue;
    }
    if (!valued.includes(name)) throw new Error(`unknown option ${a}\n${USAGE}`);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`option ${a} needs a value`);
    out.opts.set(name, value);
  }
  return out;
}

function need(p: Parsed, name: string): string {
  const v = p.opts.get(name);
  if (!v) throw new Error(`missing --${name}\n${USAGE}`);
  return v;
}

function intOpt(p: Parsed, name: string): number {
  const v = need(p, name);
  if (!/^\d+$/.test(v)) throw new Error(`-${name} must be a whole number, got "${v}"`);
  return Number(v);
}

function pem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The first PEM block with one of `labels`, or the bytes themselves if the file is not PEM. */
function unarmour(bytes: Uint8Array, labels: string[], file: string): { der: Uint8Array; label?: string } {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 100));
  if (!text.includes('-----BEGIN')) return { der: bytes };
  const all = new TextDecoder().decode(bytes);
  for (const label of labels) {
    const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(all);
    if (m) return { der: fromBase64(m[1].replace(/[^A-Za-z0-9+/=]/g, '')), label };
  }
  const found = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(all)?.[1];
  throw new Error(`${file}: expected ${labels.join(' or ')}, found "${found}"`);
}

async function gen(args: string[]): Promise<void> {
  const p = parse(args, ['out', 'bits']);
  const dir = need(p, 'out');
  const bits = Number(p.opts.get('bits') ?? 3072);
  if (bits !== 3072 && bits !== 4096) throw new Error('--bits must be 3072 or 4096');
  const key = await generateOpeningKey({ modulusLength: bits });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'key.pem'), pem(key.privateKeyPkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  await writeFile(path.join(dir, 'public.pem'), pem(key.publicKeySpki, 'PUBLIC KEY'));
  console.log(`opening key ${key.keyId} (RSA-OAEP ${bits}) written to ${dir}/key.pem and ${dir}/public.pem`);
}

async function splitCmd(args: string[]): Promise<void> {
  const p = parse(args, ['in', 'k', 'n', 'out'], ['pem']);
  const file = need(p, 'in');
  const k = intOpt(p, 'k');
  const n = intOpt(p, 'n');
  const dir = need(p, 'out');
  const { der, label } = unarmour(await readFile(file), ['PRIVATE KEY', 'RSA PRIVATE KEY'], file);
  if (label === 'RSA PRIVATE KEY') {
    throw new Error(`${file} is PKCS#1; convert it first: openssl pkcs8 -topk8 -nocrypt -in ${file} -out key-pkcs8.pem`);
  }
  const shares = await splitPrivateKey(der, { k, n });
  await mkdir(dir, { recursive: true });
  const asPem = p.flags.has('pem');
  for (let i = 0; i < shares.length; i++) {
    const name = path.join(dir, `share-${i + 1}.${asPem ? 'pem' : 'bin'}`);
    await writeFile(name, asPem ? pem(shares[i], SHARE_LABEL) : shares[i], { mode: 0o600 });
  }
  const info = await describeShare(shares[0]);
  console.log(`key ${info.keyId} split ${k}-of-${n} into ${dir}/share-1..${n}.${asPem ? 'pem' : 'bin'}`);
}

async function readShares(files: string[]): Promise<Uint8Array[]> {
  return Promise.all(files.map(async (f) => unarmour(await readFile(f), [SHARE_LABEL], f).der));
}

async function combineCmd(args: string[]): Promise<void> {
  const p = parse(args, ['cert', 'out']);
  const certFile = need(p, 'cert');
  const out = need(p, 'out');
  if (p.positional.length === 0) throw new Error(`no share files given\n${USAGE}`);
  const pub = unarmour(await readFile(certFile), ['CERTIFICATE', 'PUBLIC KEY'], certFile).der;
  const shares = await readShares(p.positional);
  let pkcs8: Uint8Array;
  try {
    pkcs8 = await combineShares(shares, pub);
  } catch (e) {
    // "share #2" means the second file given; name the file instead.
    if (e instanceof CryptoVerifyError) {
      e.message = e.message.replace(/share #(\d+)/g, (_, i) => p.positional[Number(i) - 1] ?? `share #${i}`);
    }
    throw e;
  }
  await writeFile(out, pem(pkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  console.log(`opening key rebuilt from ${p.positional.length} shares, matches ${certFile}, written to ${out}`);
}

async function inspect(args: string[]): Promise<void> {
  const p = parse(args, []);
  if (p.positional.length === 0) throw new Error(`no share files given\n${USAGE}`);
  const shares = await readShares(p.positional);
  for (let i = 0; i < shares.length; i++) {
    const d = await describeShare(shares[i]);
    console.log(`${p.positional[i]}: share ${d.index} of ${d.n}, threshold ${d.k}, key ${d.keyId}`);
  }
}

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'gen':
      return gen(rest);
    case 'split':
      return splitCmd(rest);
    case 'combine':
      return combineCmd(rest);
    case 'inspect':
      return inspect(rest);
    default:
      throw new Error(sub ? `unknown key command "${sub}"\n${USAGE}` : USAGE);
  }
}
