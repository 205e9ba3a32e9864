/**
 * `cert issue --ca DIR --role bidder|user|expert|tsa|opening|platform --cn NAME [--org O]
 *      [--credit-code C] --out DIR [--p12-pass PASS] [--alg RSA|EC] [--days N]`
 *   writes DIR/cert.pem, DIR/key.pem (PKCS#8) and, with --p12-pass, DIR/cert.p12
 * `cert show --in CERT.pem`  prints subject, issuer, serial, validity and SHA-256
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { certInfo, exportPkcs12, importPrivateKeyPem, issueCertificate, pemToDer, toDer, type CertRole } from '../pki.js';
import { positiveInt } from './ca.js';
import { oneOf, optionalString, parseArgs, print, readBytes, readText, requireString } from './args.js';

const USAGE = `usage:
  cert issue --ca DIR --role bidder|user|expert|tsa|opening|platform --cn NAME [--org O] [--credit-code C] --out DIR [--p12-pass PASS] [--alg RSA|EC] [--days N]
  cert show --in CERT.pem`;

const ROLES = ['user', 'bidder', 'expert', 'tsa', 'platform', 'opening'] as const;

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs(rest, {
    string: ['ca', 'role', 'cn', 'org', 'credit-code', 'out', 'p12-pass', 'alg', 'days', 'in'],
  });
  if (sub === '--help' || values.help) return print(USAGE);
  if (sub === 'show') {
    const info = certInfo(toDer(await readBytes(requireString(values, 'in'))));
    print(`subject: ${info.subject}`);
    print(`issuer: ${info.issuer}`);
    print(`serial: ${info.serialHex}`);
    print(`valid: ${info.notBefore.toISOString()} .. ${info.notAfter.toISOString()}`);
    print(`sha256: ${info.sha256}`);
    return;
  }
  if (sub !== 'issue') throw new Error(`unknown cert subcommand "${sub ?? ''}"`);
  const caDir = requireString(values, 'ca');
  const role = oneOf(requireString(values, 'role'), ROLES, 'role') as CertRole;
  const out = requireString(values, 'out');
  const caCert = pemToDer(await readText(path.join(caDir, 'ca.pem')));
  // Certificates are signed with PKCS#1 v1.5 (universally accepted in X.509 chains).
  const caKey = await importPrivateKeyPem(await readText(path.join(caDir, 'ca.key')), 'sign', { alg: await caKeyAlg(caCert) });
  const days = optionalString(values, 'days');
  const issued = await issueCertificate({
    ca: { cert: caCert, privateKey: caKey },
    role,
    commonName: requireString(values, 'cn'),
    organization: optionalString(values, 'org'),
    creditCode: optionalString(values, 'credit-code'),
    alg: oneOf(optionalString(values, 'alg'), ['RSA', 'EC'] as const, 'alg'),
    validDays: days ? positiveInt(days, 'days') : undefined,
  });
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'cert.pem'), issued.certPem);
  await writeFile(path.join(out, 'key.pem'), issued.keyPem!, { mode: 0o600 });
  const written = ['cert.pem', 'key.pem'];
  const pass = optionalString(values, 'p12-pass');
  if (pass !== undefined) {
    const p12 = await exportPkcs12({ cert: issued.cert, keyPem: issued.keyPem!, chain: [caCert], password: pass, friendlyName: requireString(values, 'cn') });
    await writeFile(path.join(out, 'cert.p12'), p12, { mode: 0o600 });
    written.push('cert.p12');
  }
  const info = certInfo(issued.cert);
  print(`issued ${role} certificate ${info.serialHex} for ${info.subject}`);
  print(`wrote ${written.map((f) => path.join(out, f)).join(', ')}`);
}

export async function caKeyAlg(caCert: Uint8Array): Promise<'RSASSA-PKCS1-v1_5' | 'ECDSA'> {
  const { certPublicKey } = await import('../pki.js');
  const k = await certPublicKey(caCert, 'verify');
  return k.algorithm.name === 'ECDSA' ? 'ECDSA' : 'RSASSA-PKCS1-v1_5';
}
