/**
 * `sign --cert CERT.pem --key KEY.pem --in FILE --out SIG.p7s [--detached] [--scheme pss|pkcs1]
 *      [--chain CA.pem]...`
 *   writes a DER CMS SignedData. With --detached the file is hashed as a stream, so any size works.
 */
import { writeFile } from 'node:fs/promises';
import { signData } from '../cms.js';
import { certPublicKey, importPrivateKeyPem, toDer } from '../pki.js';
import { oneOf, optionalString, parseArgs, print, readBytes, readText, requireString, sha256File, stringList } from './args.js';

const USAGE = 'usage: sign --cert CERT.pem --key KEY.pem --in FILE --out SIG.p7s [--detached] [--scheme pss|pkcs1] [--chain CA.pem]...';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs(args, { string: ['cert', 'key', 'in', 'out', 'scheme'], boolean: ['detached'], multiple: ['chain'], positionals: false });
  if (values.help) return print(USAGE);
  const cert = toDer(await readBytes(requireString(values, 'cert')));
  const scheme = oneOf(optionalString(values, 'scheme'), ['pss', 'pkcs1'] as const, 'scheme');
  const isEc = (await certPublicKey(cert, 'verify')).algorithm.name === 'ECDSA';
  if (isEc && scheme) throw new Error('--scheme applies to RSA keys only');
  const key = await importPrivateKeyPem(await readText(requireString(values, 'key')), 'sign', {
    alg: isEc ? 'ECDSA' : scheme === 'pkcs1' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS',
  });
  const chain = await Promise.all(stringList(values, 'chain').map(async (f) => toDer(await readBytes(f))));
  const input = requireString(values, 'in');
  const detached = values.detached === true;
  const sig = detached
    ? await signData({ contentDigest: await sha256File(input), signerCert: cert, signerKey: key, chain, detached: true })
    : await signData({ content: await readBytes(input), signerCert: cert, signerKey: key, chain });
  const out = requireString(values, 'out');
  await writeFile(out, sig);
  print(`wrote ${detached ? 'detached' : 'attached'} signature ${out}`);
}
