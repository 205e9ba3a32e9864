/**
 * `open` command: open a sealed bid with the opening key (or the bidder's own key), verify the
 * bidder's signature, certificate chain, tender/section/bidder binding and every file digest.
 *
 *   open --cert R.pem --key R.key --ca CA.pem --tender T --section S [--bidder B]
 *        --in BID.p7m --out PATH [--submission BID.p7m.submission.p7s]
 *
 * A bid with one file is written to PATH; with several, PATH is a directory that receives each
 * file plus manifest.json. Prints the signer.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importPrivateKeyPem, pemBlocks, toDer } from '../pki.js';
import { canonicalJson, inspectSealedBid, openBid } from '../seal.js';
import { optionalString, parseArgs, print, readBytes, readText, requireString } from './args.js';

const USAGE = `usage: open --cert R.pem --key RK --ca CA.pem --tender T --section S [--bidder B] --in BID.p7m --out FILE|DIR [--submission S.p7s]`;

/** File names come from the (signed) manifest, but never let one escape the output directory. */
function safeName(name: string, i: number): string {
  const base = path.basename(name.replace(/\\/g, '/'));
  return base && base !== '.' && base !== '..' ? base : `file-${i + 1}`;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs(args, {
    string: ['cert', 'key', 'ca', 'tender', 'section', 'bidder', 'in', 'out', 'submission'],
    positionals: false,
  });
  if (values.help) return print(USAGE);
  const recipientCert = toDer(await readBytes(requireString(values, 'cert')));
  const recipientKey = await importPrivateKeyPem(await readText(requireString(values, 'key')), 'decrypt', { alg: 'RSA-OAEP' });
  const caPath = requireString(values, 'ca');
  const caPem = pemBlocks(await readText(caPath));
  const trustAnchors = caPem.length ? caPem : [toDer(await readBytes(caPath))];
  const envelope = await readBytes(requireString(values, 'in'));
  const out = requireString(values, 'out');
  const expect = {
    tenderId: requireString(values, 'tender'),
    sectionId: requireString(values, 'section'),
    bidderId: optionalString(values, 'bidder'),
  };
  const submissionPath = optionalString(values, 'submission');
  if (submissionPath) {
    await inspectSealedBid({ envelope, submission: await readBytes(submissionPath), trustAnchors, expect: { ...expect } });
  }
  const bid = await openBid({ envelope, recipientCert, recipientKey, trustAnchors, expect });
  const isDir = await stat(out).then((s) => s.isDirectory(), () => false);
  if (bid.files.length === 1 && !isDir) {
    await writeFile(out, bid.files[0].bytes);
  } else {
    await mkdir(out, { recursive: true });
    const used = new Set<string>();
    for (const [i, f] of bid.files.entries()) {
      let n = safeName(f.name, i);
      if (used.has(n)) n = `${i + 1}-${n}`;
      used.add(n);
      await writeFile(path.join(out, n), f.bytes);
    }
    await writeFile(path.join(out, 'manifest.json'), canonicalJson(bid.manifest));
  }
  print(`signer: ${bid.signer.subject} (serial ${bid.signer.serialHex}, cert sha256 ${bid.signer.sha256})`);
  print(`tender ${bid.manifest.tenderId} section ${bid.manifest.sectionId} bidder ${bid.manifest.bidderId}, sealed at ${bid.manifest.sealedAt}`);
  for (const f of bid.manifest.files) print(`  ${f.name}  ${f.size} bytes  sha256 ${f.sha256}`);
  print(`form: ${canonicalJson(bid.manifest.form)}`);
}
