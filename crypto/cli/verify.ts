/**
 * `verify --ca CA.pem --in SIG.p7s [--content FILE] [--crl CRL]... [--at ISO-TIME] [--out FILE]`
 *   checks a CMS SignedData (signature, digest, signingCertificateV2, chain, key usage, CRLs) and
 *   prints the signer and signing time. --out writes the content of an attached signature.
 */
import { writeFile } from 'node:fs/promises';
import { verifySignedData } from '../cms.js';
import { pemBlocks, toDer } from '../pki.js';
import { optionalString, parseArgs, print, readBytes, requireString, sha256File, stringList } from './args.js';

const USAGE = 'usage: verify --ca CA.pem --in SIG.p7s [--content FILE] [--crl CRL]... [--at ISO-TIME] [--out FILE]';

export async function readAnchors(files: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of files) {
    const bytes = await readBytes(f);
    const text = new TextDecoder().decode(bytes.subarray(0, 64));
    if (text.includes('-----BEGIN')) out.push(...pemBlocks(new TextDecoder().decode(bytes), 'CERTIFICATE'));
    else out.push(bytes);
  }
  if (out.length === 0) throw new Error('no certificate found in --ca');
  return out;
}

export function parseAt(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--at is not a valid time: ${v}`);
  return d;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs(args, { string: ['in', 'content', 'at', 'out'], multiple: ['ca', 'crl'], positionals: false });
  if (values.help) return print(USAGE);
  const anchors = await readAnchors(stringList(values, 'ca').length ? stringList(values, 'ca') : [requireString(values, 'ca')]);
  const crls = await Promise.all(stringList(values, 'crl').map(async (f) => toDer(await readBytes(f), 'X509 CRL')));
  const sig = toDer(await readBytes(requireString(values, 'in')), 'CMS');
  const contentFile = optionalString(values, 'content');
  const r = await verifySignedData({
    signedData: sig,
    contentDigest: contentFile ? await sha256File(contentFile) : undefined,
    trustAnchors: anchors,
    crls,
    at: parseAt(optionalString(values, 'at')),
  });
  print('verification: OK');
  print(`signer: ${r.signer.subject}`);
  print(`issuer: ${r.signer.issuer}`);
  print(`serial: ${r.signer.serialHex}`);
  print(`signing time: ${r.signingTime ? r.signingTime.toISOString() : '(none)'}`);
  const out = optionalString(values, 'out');
  if (out) {
    if (!r.content) throw new Error('--out: the signature is detached and holds no content');
    await writeFile(out, r.content);
  }
}
