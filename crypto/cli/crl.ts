/**
 * `crl issue --ca DIR [--revoke SERIALHEX]... [--days N] --out CRL.pem`
 *   publishes a CRL signed by the platform CA (PEM "X509 CRL").
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCrl, derToPem, importPrivateKeyPem, pemToDer } from '../pki.js';
import { positiveInt } from './ca.js';
import { caKeyAlg } from './cert.js';
import { optionalString, parseArgs, print, readText, requireString, stringList } from './args.js';

const USAGE = 'usage: crl issue --ca DIR [--revoke SERIALHEX]... [--days N] --out CRL.pem';

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs(rest, { string: ['ca', 'out', 'days'], multiple: ['revoke'], positionals: false });
  if (sub === '--help' || values.help) return print(USAGE);
  if (sub !== 'issue') throw new Error(`unknown crl subcommand "${sub ?? ''}"; ${USAGE}`);
  const caDir = requireString(values, 'ca');
  const caCert = pemToDer(await readText(path.join(caDir, 'ca.pem')));
  const caKey = await importPrivateKeyPem(await readText(path.join(caDir, 'ca.key')), 'sign', { alg: await caKeyAlg(caCert) });
  const serials = stringList(values, 'revoke');
  for (const s of serials) if (!/^[0-9a-fA-F:]+$/.test(s)) throw new Error(`--revoke: "${s}" is not a hex serial`);
  const now = new Date();
  const days = optionalString(values, 'days');
  const crl = await createCrl({
    ca: { cert: caCert, privateKey: caKey },
    revoked: serials.map((serialHex) => ({ serialHex, date: now })),
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + (days ? positiveInt(days, 'days') : 7) * 86_400_000),
  });
  const out = requireString(values, 'out');
  await writeFile(out, derToPem(crl, 'X509 CRL'));
  print(`wrote ${out} (${serials.length} revoked)`);
}
