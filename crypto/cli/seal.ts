/**
 * `seal` command: seal a bid offline exactly as the browser does (crypto/seal.ts).
 *
 *   seal --cert BIDDER.pem --key BIDDER.key --recipient OPENING.pem [--recipient R2.pem ...]
 *        --tender T --section S --bidder B --in FILE [--in FILE2 ...] --out BID.p7m
 *        [--form FORM.json] [--ca CA.pem] [--submission OUT.p7s]
 *
 * Writes BID.p7m (AuthEnvelopedData) and the signed submission statement (default BID.p7m.submission.p7s).
 * With --ca, the bidder certificate is checked against it first, so an expired or foreign
 * certificate is caught before the bid is sent, not at the opening.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importPrivateKeyPem, pemBlocks, toDer, validateChain } from '../pki.js';
import { sealBid } from '../seal.js';
import { optionalString, parseArgs, print, readBytes, readText, requireString, stringList } from './args.js';

const USAGE = `usage: seal --cert C --key K --recipient R.pem [--recipient R2.pem ...] --tender T --section S --bidder B --in FILE [--in FILE2 ...] --out BID.p7m [--form FORM.json] [--ca CA.pem] [--submission OUT.p7s]`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs(args, {
    string: ['cert', 'key', 'tender', 'section', 'bidder', 'out', 'form', 'ca', 'submission'],
    multiple: ['recipient', 'in'],
    positionals: false,
  });
  if (values.help) return print(USAGE);
  const certText = await readBytes(requireString(values, 'cert'));
  const cert = toDer(certText);
  const signerKey = await importPrivateKeyPem(await readText(requireString(values, 'key')), 'sign');
  const recipientPaths = stringList(values, 'recipient');
  if (recipientPaths.length === 0) throw new Error('missing --recipient (the tender\'s opening certificate)');
  const recipients = await Promise.all(recipientPaths.map(async (p) => toDer(await readBytes(p))));
  const inputs = stringList(values, 'in');
  if (inputs.length === 0) throw new Error('missing --in');
  const out = requireString(values, 'out');
  const formPath = optionalString(values, 'form');
  let form: Record<string, unknown> = {};
  if (formPath) {
    try {
      form = JSON.parse(await readText(formPath)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`--form ${formPath} is not JSON: ${(e as Error).message}`);
    }
    if (form === null || typeof form !== 'object' || Array.isArray(form)) throw new Error('--form must hold a JSON object');
  }
  const caPath = optionalString(values, 'ca');
  if (caPath) {
    const anchors = pemBlocks(await readText(caPath));
    await validateChain({ cert, trustAnchors: anchors.length ? anchors : [toDer(await readBytes(caPath))], purpose: 'sign' });
  }
  const files = await Promise.all(inputs.map(async (p) => ({ name: path.basename(p), bytes: await readBytes(p) })));
  const sealed = await sealBid({
    tenderId: requireString(values, 'tender'),
    sectionId: requireString(values, 'section'),
    bidderId: requireString(values, 'bidder'),
    form,
    files,
    signerCert: cert,
    signerKey,
    recipients,
  });
  const submissionPath = optionalString(values, 'submission') ?? `${out}.submission.p7s`;
  await writeFile(out, sealed.envelope);
  await writeFile(submissionPath, sealed.submission);
  print(`sealed ${files.length} file(s), ${files.reduce((n, f) => n + f.bytes.length, 0)} bytes → ${out} (${sealed.envelope.length} bytes)`);
  print(`envelope sha256 ${sealed.envelopeSha256}`);
  print(`submission statement → ${submissionPath}`);
}
