// Builders for the bidding tests: a published tender with a real opening-key ceremony (the same
// isomorphic code the agent's browser runs), bidders with real certificates, real sealed bids.
import { signData } from '../../crypto/cms';
import { utf8 } from '../../crypto/hash';
import { pemToDer } from '../../crypto/pki';
import { sealBid } from '../../crypto/seal';
import type { Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { runOpeningKeyCeremony } from '~/modules/bidding/ceremony';
import { obtainDocuments, uploadTenderDocument } from '~/modules/bidding/documents.server';
import { certifyOpeningKey, createTender, publishTender } from '~/modules/bidding/tenders.server';
import { DAY_MS, toBeijingLocal } from '~/modules/bidding/types';
import { appendChunk, completeBidUpload, startBidUpload, withdrawalStatement } from '~/modules/bidding/uploads.server';
import { enrollLocally, type LocalEnrolment } from '~/modules/pki/local-enroll.server';
import { createUser } from '../setup/fixtures';

export type TestUser = Awaited<ReturnType<typeof createUser>>;

export function actorFor(user: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: user.id, name: user.displayName, orgId: user.organizationId, role: user.role, ip: '10.0.0.9', userAgent: 'vitest' };
}

export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

export interface Holder {
  user: TestUser;
  enrolment: LocalEnrolment;
}

export async function publishedTender(opts: { sections?: number; k?: number; documentFeeFen?: number; deadlineDays?: number } = {}) {
  const agent = await createUser('tenderer');
  const sup1 = await createUser('supervisor');
  const sup2 = await createUser('supervisor');
  const holders: Holder[] = [];
  for (const u of [agent, sup1, sup2]) holders.push({ user: u, enrolment: await enrollLocally(actorFor(u), u.id, { rsaBits: 2048 }) });
  const tender = await createTender(actorFor(agent), agent, {
    code: `JC-2026-GC-${Math.floor(Math.random() * 1e6)}`,
    name: '江城市滨江大道综合管廊工程施工',
    tendererName: '江城市城市建设投资集团有限公司',
    method: 'open',
    summary: '滨江大道综合管廊全长3.2公里，含土建、安装及附属工程。',
    bidDeadline: toBeijingLocal(new Date(now().getTime() + (opts.deadlineDays ?? 25) * DAY_MS)),
    deposit: '0',
    documentFee: opts.documentFeeFen ? (opts.documentFeeFen / 100).toFixed(2) : '0',
    sections: Array.from({ length: opts.sections ?? 2 }, (_, i) => ({ name: `第${i + 1}标段 土建施工`, budget: '12000000.00' })),
    fields: ['durationDays', 'quality', 'projectManager'],
    customFields: '',
    supervisorIds: [sup1.id, sup2.id],
    threshold: opts.k ?? 2,
    invitedCreditCodes: '',
  });
  await uploadTenderDocument(actorFor(agent), agent, tender.id, { name: '招标文件.pdf', mime: 'application/pdf', body: streamOf(utf8('%PDF-1.4 招标文件正文')) });
  const ceremony = await runOpeningKeyCeremony({
    k: opts.k ?? 2,
    holders: holders.map((h) => ({ userId: h.user.id, certPem: h.enrolment.certPem })),
    requestCertificate: (spkiB64, keyId) => certifyOpeningKey(actorFor(agent), agent, tender.id, { spkiB64, keyId }),
  });
  await publishTender(actorFor(agent), agent, tender.id, {
    shares: ceremony.shares,
  });
  return { agent, holders, tender, ceremony };
}

export async function bidderWithKey() {
  const user = await createUser('bidder');
  const enrolment = await enrollLocally(actorFor(user), user.id, { rsaBits: 2048 });
  return { user, enrolment };
}

export async function seal(
  b: { user: TestUser; enrolment: LocalEnrolment },
  t: { tenderId: string; sectionId: string; openingCertPem: string },
  content: { marker?: string; bytes?: Uint8Array; price?: number } = {},
) {
  const bytes = content.bytes ?? utf8(`%PDF-1.4 投标文件 ${content.marker ?? ''} 正文`);
  return sealBid({
    tenderId: t.tenderId,
    sectionId: t.sectionId,
    bidderId: b.user.organizationId!,
    form: { price: content.price ?? 1_188_000_00, durationDays: 365, quality: `合格 ${content.marker ?? ''}`, projectManager: '王建国' },
    files: [{ name: '投标文件.pdf', bytes }],
    signerCert: b.enrolment.cert,
    signerKey: b.enrolment.signKey,
    recipients: [pemToDer(t.openingCertPem)],
  });
}

/** Uploads a sealed bid in chunks of `chunk` bytes and completes it. */
export async function upload(b: { user: TestUser }, tenderId: string, sectionId: string, sealed: { envelope: Uint8Array; submission: Uint8Array }, chunk = 64 * 1024) {
  const started = await startBidUpload(actorFor(b.user), b.user, { tenderId, sectionId, submission: sealed.submission });
  let off = 0;
  while (off < sealed.envelope.length) {
    const part = sealed.envelope.subarray(off, Math.min(off + chunk, sealed.envelope.length));
    const r = await appendChunk(b.user, started.uploadId, off, streamOf(part));
    off = r.received;
  }
  return { uploadId: started.uploadId, ...(await completeBidUpload(actorFor(b.user), b.user, started.uploadId)) };
}

export async function signedWithdrawal(b: { user: TestUser; enrolment: LocalEnrolment }, bid: { tenderId: string; sectionId: string; envelopeSha256: string }) {
  const text = withdrawalStatement({ tenderId: bid.tenderId, sectionId: bid.sectionId, bidderId: b.user.organizationId!, envelopeSha256: bid.envelopeSha256, at: now().toISOString() });
  return signData({ content: utf8(text), signerCert: b.enrolment.cert, signerKey: b.enrolment.signKey });
}

export { obtainDocuments };
