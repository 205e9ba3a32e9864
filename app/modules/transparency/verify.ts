// Client-side checks for the /audit and /transparency pages: everything is recomputed in the
// browser from the entry's fields, the signed tree head, the proof and the CA certificate, so the
// result does not depend on trusting the server's own "verified" flag.
import { auditEntryHashes, payloadHash, type AuditEntryFields } from '../../../crypto/auditlog';
import { CryptoVerifyError, errorText } from '../../../crypto/errors';
import { bufferSource, fromBase64, fromHex, sha256, toBase64, toHex, utf8 } from '../../../crypto/hash';
import { verifyConsistency, verifyInclusion } from '../../../crypto/merkle';
import { certPublicKey, pemBlocks, validateChain } from '../../../crypto/pki';
import type { SignedTreeHead } from '../../../crypto/sth';
import { AUDIT_LOG_ID } from './constants';

interface VerifiedTreeHead {
  logId: string;
  treeSize: number;
  root: Uint8Array;
  timestamp: Date;
}

/**
 * Browser-side check of an RSA-signed tree head. crypto/sth.ts does the same (and SM2), but it pulls
 * in sm-crypto-v2, whose Node `crypto` import cannot be bundled for the browser; the platform signs
 * heads with RSA-PSS, and the signed body is the fixed six-line text of decision 020.
 */
export async function verifyTreeHeadInBrowser(sth: SignedTreeHead, trustAnchors: Uint8Array[]): Promise<VerifiedTreeHead> {
  const extra = Object.keys(sth).filter((k) => !['logId', 'treeSize', 'rootHash', 'timestamp', 'alg', 'signature', 'signerCert'].includes(k));
  if (extra.length) throw new CryptoVerifyError('MALFORMED', `signed tree head: unexpected field(s) ${extra.join(', ')}`);
  if (sth.alg !== 'rsa-pss-sha256' && sth.alg !== 'rsa-pkcs1-sha256') throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `signed tree head alg ${String(sth.alg)} is not checked in the browser`);
  if (!Number.isSafeInteger(sth.treeSize) || sth.treeSize < 0) throw new CryptoVerifyError('MALFORMED', 'signed tree head: bad treeSize');
  const root = fromBase64(sth.rootHash);
  const timestamp = new Date(sth.timestamp);
  if (root.length !== 32 || Number.isNaN(timestamp.getTime()) || timestamp.toISOString() !== sth.timestamp) throw new CryptoVerifyError('MALFORMED', 'signed tree head: bad root or timestamp');
  const cert = fromBase64(sth.signerCert);
  const body = utf8(`${sth.logId}\n${sth.treeSize}\n${toBase64(root)}\ntimestamp ${sth.timestamp}\nalg ${sth.alg}\nsigner-sha256 ${toHex(await sha256(cert))}\n`);
  const name = sth.alg === 'rsa-pss-sha256' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
  const key = await certPublicKey(cert, 'verify', name);
  const ok = await globalThis.crypto.subtle.verify(name === 'RSA-PSS' ? { name, saltLength: 32 } : { name }, key, bufferSource(fromBase64(sth.signature)), bufferSource(body));
  if (!ok) throw new CryptoVerifyError('SIGNATURE_INVALID', `signed tree head of ${sth.logId} at size ${sth.treeSize}: signature does not verify`);
  await validateChain({ cert, trustAnchors, at: timestamp, purpose: 'sign' });
  return { logId: sth.logId, treeSize: sth.treeSize, root, timestamp };
}

export interface Step {
  label: string;
  ok: boolean;
  detail: string;
}

export interface EntryForCheck extends AuditEntryFields {
  entryHash: string;
  leafHash: string;
  payload: unknown;
}

async function headStep(sth: SignedTreeHead, anchors: Uint8Array[], label: string): Promise<{ step: Step; head?: VerifiedTreeHead }> {
  try {
    const head = await verifyTreeHeadInBrowser(sth, anchors);
    if (head.logId !== AUDIT_LOG_ID) return { step: { label, ok: false, detail: `日志标识不符：${head.logId}` } };
    return { step: { label, ok: true, detail: `规模 ${head.treeSize}，根哈希 ${toHex(head.root).slice(0, 16)}…，由平台电子记录签章证书签名，链接到平台根CA` }, head };
  } catch (e) {
    return { step: { label, ok: false, detail: errorText(e) } };
  }
}

export async function checkEntryInclusion(input: {
  entry: EntryForCheck;
  sth: SignedTreeHead;
  caPem: string;
  proof: { leafIndex: number; treeSize: number; proof: string[] };
}): Promise<{ ok: boolean; steps: Step[] }> {
  const anchors = pemBlocks(input.caPem);
  const steps: Step[] = [];
  const { step, head } = await headStep(input.sth, anchors, '签名树头');
  steps.push(step);
  const recomputedPayload = await payloadHash(input.entry.payload ?? null);
  steps.push({
    label: '操作内容',
    ok: recomputedPayload === input.entry.payloadHash,
    detail: recomputedPayload === input.entry.payloadHash ? '内容与记录中的哈希一致' : `内容哈希应为 ${input.entry.payloadHash.slice(0, 16)}…，实际 ${recomputedPayload.slice(0, 16)}…`,
  });
  const { entryHash, leafHash } = await auditEntryHashes(input.entry);
  steps.push({
    label: '记录哈希',
    ok: entryHash === input.entry.entryHash,
    detail: entryHash === input.entry.entryHash ? `重新计算 ${entryHash.slice(0, 16)}… 与记录一致` : `记录字段已被改动：重新计算 ${entryHash.slice(0, 16)}…，记录中为 ${input.entry.entryHash.slice(0, 16)}…`,
  });
  if (head) {
    try {
      if (input.proof.treeSize !== head.treeSize) throw new Error(`证明针对规模 ${input.proof.treeSize}，树头规模为 ${head.treeSize}`);
      if (input.proof.leafIndex !== Number(input.entry.seq) - 1) throw new Error('证明的叶子序号与记录不符');
      verifyInclusion({ leafIndex: input.proof.leafIndex, treeSize: head.treeSize, leafHash: fromHex(leafHash), proof: input.proof.proof.map(fromHex), root: head.root });
      steps.push({ label: 'Merkle 包含证明', ok: true, detail: `第 ${input.entry.seq} 条记录包含在规模为 ${head.treeSize} 的签名树中（${input.proof.proof.length} 个哈希）` });
    } catch (e) {
      steps.push({ label: 'Merkle 包含证明', ok: false, detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return { ok: steps.every((s) => s.ok), steps };
}

export async function checkHeadsConsistency(input: { sth1: SignedTreeHead; sth2: SignedTreeHead; caPem: string; proof: string[] }): Promise<{ ok: boolean; steps: Step[] }> {
  const anchors = pemBlocks(input.caPem);
  const a = await headStep(input.sth1, anchors, `较早的树头（规模 ${input.sth1.treeSize}）`);
  const b = await headStep(input.sth2, anchors, `较新的树头（规模 ${input.sth2.treeSize}）`);
  const steps = [a.step, b.step];
  if (a.head && b.head) {
    try {
      verifyConsistency({ size1: a.head.treeSize, size2: b.head.treeSize, root1: a.head.root, root2: b.head.root, proof: input.proof.map(fromHex) });
      steps.push({ label: '一致性证明', ok: true, detail: `规模 ${a.head.treeSize} 的日志是规模 ${b.head.treeSize} 日志的前缀：此间没有任何记录被修改、删除或插入` });
    } catch (e) {
      steps.push({ label: '一致性证明', ok: false, detail: errorText(e) });
    }
  }
  return { ok: steps.every((s) => s.ok), steps };
}
