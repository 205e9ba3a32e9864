/**
 * The transparency-dev/merkle proof-verifier suite (the one Certificate Transparency and Trillian
 * use): every `wantErr: false` case must verify, every `wantErr: true` case must be rejected.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CryptoVerifyError } from './errors.js';
import { fromBase64 } from './hash.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';

const ROOT = path.resolve(process.cwd(), '../shared/conformance/rfc9162/testdata');
const present = existsSync(ROOT);
if (!present) console.log(`rfc9162 conformance data not found at ${ROOT}: skipping its cases`);

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string | null) => fromBase64(s ?? '');
const proofOf = (p: string[] | null) => (p ?? []).map(b64);

function outcome(fn: () => void): 'accepted' | 'rejected' {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    // A rejection must be a clean, coded verification error, never a TypeError from bad input.
    expect(e).toBeInstanceOf(CryptoVerifyError);
    return 'rejected';
  }
}

describe.skipIf(!present)('RFC 9162 conformance (transparency-dev/merkle testdata)', () => {
  const inclusion = jsonFiles(path.join(ROOT, 'inclusion'));
  const consistency = jsonFiles(path.join(ROOT, 'consistency'));

  it('finds the suite', () => {
    expect(inclusion.length).toBeGreaterThanOrEqual(90);
    expect(consistency.length).toBeGreaterThanOrEqual(90);
  });

  it.each(inclusion.map((f) => [path.relative(ROOT, f), f]))('inclusion %s', (_name, file) => {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    const got = outcome(() =>
      verifyInclusion({ leafIndex: c.leafIdx, treeSize: c.treeSize, leafHash: b64(c.leafHash), proof: proofOf(c.proof), root: b64(c.root) }),
    );
    expect(got, c.desc).toBe(c.wantErr ? 'rejected' : 'accepted');
  });

  it.each(consistency.map((f) => [path.relative(ROOT, f), f]))('consistency %s', (_name, file) => {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    const got = outcome(() =>
      verifyConsistency({ size1: c.size1, size2: c.size2, root1: b64(c.root1), root2: b64(c.root2), proof: proofOf(c.proof) }),
    );
    expect(got, c.desc).toBe(c.wantErr ? 'rejected' : 'accepted');
  });
});
