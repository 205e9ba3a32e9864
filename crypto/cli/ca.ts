/**
 * `ca init --out DIR [--cn NAME] [--org O] [--alg RSA|EC] [--days N] [--force]`
 *   writes DIR/ca.pem (certificate) and DIR/ca.key (PKCS#8 PEM, mode 0600)
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRootCa } from '../pki.js';
import { oneOf, optionalString, parseArgs, print, requireString } from './args.js';

const USAGE = 'usage: ca init --out DIR [--cn NAME] [--org O] [--alg RSA|EC] [--days N] [--force]';

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs(rest, { string: ['out', 'cn', 'org', 'alg', 'days'], boolean: ['force'] });
  if (sub === '--help' || values.help) return print(USAGE);
  if (sub !== 'init') throw new Error(`unknown ca subcommand "${sub ?? ''}"; ${USAGE}`);
  const out = requireString(values, 'out');
  const keyFile = path.join(out, 'ca.key');
  if (existsSync(keyFile) && !values.force) throw new Error(`${keyFile} exists; refusing to overwrite a CA key (use --force)`);
  const days = optionalString(values, 'days');
  const ca = await createRootCa({
    commonName: optionalString(values, 'cn') ?? 'Platform Root CA',
    organization: optionalString(values, 'org'),
    alg: oneOf(optionalString(values, 'alg'), ['RSA', 'EC'] as const, 'alg'),
    validDays: days ? positiveInt(days, 'days') : undefined,
  });
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'ca.pem'), ca.certPem);
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  print(`wrote ${path.join(out, 'ca.pem')} and ${keyFile}`);
}

export function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}
