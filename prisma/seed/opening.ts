// Remote opening demo data, run after the bidding seed:
//   1. the bidding seed's closed tender (JC-2026-FJ-0015) opened end to end through the real code
//      paths with the demo keys: signed check-ins, 2-of-3 key ceremony, bidders decrypting in
//      "their browsers" (content keys only), one bidder who did not decrypt (deemed revoked),
//      唱标, an objection and its answer, confirmations, the record signed by the agent and a
//      supervisor, published with its PDF and evidence package;
//   2. a tender about to open (deadline 12 minutes after the seed) with four sealed bids, all sent
//      through the real upload path; bidder3's carries a broken inner signature (what a faulty
//      bidder client produces) and must be rejected with its reason; bidder4 stays away, so the
//      host can show the opening-key fallback: the room test/e2e/opening.spec.ts and a live demo run.
import fs from 'node:fs';
import path from 'node:path';
import { signData } from '../../crypto/cms';
import { unwrapContentKey } from '../../crypto/envelope';
import { fromBase64, toBase64, utf8 } from '../../crypto/hash';
import { importPkcs12, importPrivateKeyPem, pemToDer } from '../../crypto/pki';
import { sealBid } from '../../crypto/seal';
import { decryptShare } from '../../crypto/shamir';
import type { Actor } from '~/modules/audit/audit.server';
import { runOpeningKeyCeremony } from '~/modules/bidding/ceremony';
import { obtainDocuments, uploadTenderDocument } from '~/modules/bidding/documents.server';
import { certifyOpeningKey, createTender, encryptionCertOf, publishTender } from '~/modules/bidding/tenders.server';
import { DAY_MS, toBeijingLocal } from '~/modules/bidding/types';
import { appendChunk, completeBidUpload, startBidUpload } from '~/modules/bidding/uploads.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { endDecryption, envelopeHeadsFor, submitContentKey } from '~/modules/opening/decrypt.server';
import { sealBidWithBrokenSignature } from '~/modules/opening/demo-bids.server';
import { closeOpening, finalizeRecord, recordBytesFor, signRecord } from '~/modules/opening/record.server';
import { answerObjection, checkIn, confirmResult, ensureOpening, raiseObjection, readNext, startOpening, submitShare } from '~/modules/opening/room.server';
import { CHECKIN_PURPOSE } from '~/modules/opening/types';
import { challengeMessage } from '~/modules/pki/protocol';
import { createChallenge } from '~/modules/pki/user-certs.server';
import { DEMO_PASSWORD } from './accounts';
import { UPCOMING_BIDS, UPCOMING_CODE } from './opening-upcoming';
import type { SeedContext } from './seed';
import { demoKeysDir } from './trust';

type SeedUser = SeedContext['users'] extends Map<string, infer U> ? U : never;

function actor(u: SeedUser): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

interface DemoKey {
  cert: Uint8Array;
  signKey: CryptoKey;
  decryptKey: CryptoKey;
}

async function demoKey(username: string): Promise<DemoKey> {
  const p12 = fs.readFileSync(path.join(demoKeysDir(), `${username}.p12`));
  const { cert, keyPem } = await importPkcs12(new Uint8Array(p12), DEMO_PASSWORD);
  return { cert, signKey: await importPrivateKeyPem(keyPem, 'sign', { alg: 'RSA-PSS' }), decryptKey: await importPrivateKeyPem(keyPem, 'decrypt', { alg: 'RSA-OAEP' }) };
}

async function signedCheckIn(u: SeedUser, key: DemoKey, openingId: string) {
  const c = await createChallenge(u.id, CHECKIN_PURPOSE);
  const sig = await signData({ content: challengeMessage(CHECKIN_PURPOSE, c.nonce), signerCert: key.cert, signerKey: key.signKey, detached: true });
  await checkIn(actor(u), u, openingId, { challengeId: c.id, signatureB64: toBase64(sig) });
}

async function runCompletedOpening(ctx: SeedContext, tenderId: string) {
  const prisma = ctx.db.prisma;
  const u = (name: string) => ctx.users.get(name)!;
  const agent = u('tenderer1');
  const opening = await ensureOpening(tenderId, { decryptWindowMinutes: 20 });
  const keys = new Map<string, DemoKey>();
  for (const name of ['tenderer1', 'supervisor1', 'supervisor2', 'bidder1', 'bidder2', 'bidder3', 'bidder4']) keys.set(name, await demoKey(name));
  for (const name of ['tenderer1', 'supervisor1', 'supervisor2', 'bidder1', 'bidder2', 'bidder3', 'bidder4']) await signedCheckIn(u(name), keys.get(name)!, opening.id);
  await startOpening(actor(agent), agent, opening.id);
  for (const name of ['supervisor1', 'tenderer1']) {
    const h = await prisma.keyHolder.findUniqueOrThrow({ where: { tenderId_userId: { tenderId, userId: u(name).id } } });
    const k = keys.get(name)!;
    const share = await decryptShare(fromBase64(h.encryptedShare!), k.cert, k.decryptKey);
    await submitShare(actor(u(name)), u(name), opening.id, toBase64(share));
  }
  // bidder4 does not decrypt within the window: its bid is deemed revoked
  for (const name of ['bidder1', 'bidder3', 'bidder2']) {
    const k = keys.get(name)!;
    for (const h of await envelopeHeadsFor(u(name), opening.id)) {
      const cek = await unwrapContentKey({ envelope: fromBase64(h.headB64!), recipientCert: k.cert, recipientKey: k.decryptKey });
      await submitContentKey(actor(u(name)), u(name), opening.id, { bidId: h.bidId, contentKeyB64: toBase64(cek) });
    }
  }
  const o = await prisma.opening.findUniqueOrThrow({ where: { id: opening.id } });
  // the window has run out (the seed does not wait): the record shows the real window end
  await prisma.opening.update({ where: { id: o.id }, data: { decryptUntil: new Date(now().getTime() - 1) } });
  await endDecryption(actor(agent), agent, opening.id);
  const valid = await prisma.openingBid.count({ where: { openingId: opening.id, result: 'valid' } });
  for (let i = 0; i < valid; i++) await readNext(actor(agent), agent, opening.id);
  const b2 = u('bidder2');
  await raiseObjection(actor(b2), b2, opening.id, { text: '第3号投标人报价明显低于其他投标人，请核实其投标报价是否低于成本。' });
  await answerObjection(actor(agent), agent, opening.id, {
    objectionSeq: 1,
    answer: '开标环节只公布投标报价，不对报价合理性作出判断。是否低于成本由评标委员会依据招标文件第三章评审，贵单位的异议已记入开标记录并移交评标委员会。',
  });
  for (const name of ['bidder1', 'bidder2', 'bidder3']) await confirmResult(actor(u(name)), u(name), opening.id);
  await closeOpening(actor(agent), agent, opening.id);
  const bytes = await recordBytesFor(opening.id);
  for (const name of ['tenderer1', 'supervisor1']) {
    const k = keys.get(name)!;
    const sig = await signData({ content: bytes, signerCert: k.cert, signerKey: k.signKey, detached: true });
    await signRecord(actor(u(name)), u(name), opening.id, toBase64(sig));
  }
  await finalizeRecord(actor(agent), agent, opening.id);
  return opening.id;
}

function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

async function seedUpcoming(ctx: SeedContext) {
  const prisma = ctx.db.prisma;
  const u = (name: string) => ctx.users.get(name)!;
  const agent = u('tenderer1');
  const sup1 = u('supervisor1');
  const sup2 = u('supervisor2');
  const tender = await createTender(actor(agent), agent, {
    code: UPCOMING_CODE,
    name: '江城市光谷大道快速化改造工程（一期）施工',
    tendererName: '江城市城市建设投资集团有限公司',
    method: 'open',
    summary: '光谷大道（关山大道至三环线段）快速化改造，主线高架2.8公里、地面道路及排水改造。计划工期600日历天，质量要求合格。',
    bidDeadline: toBeijingLocal(new Date(now().getTime() + 30 * DAY_MS)),
    deposit: '0',
    documentFee: '0',
    sections: [{ name: '施工总承包', budget: '356000000' }],
    fields: ['durationDays', 'quality', 'projectManager'],
    customFields: '',
    supervisorIds: [sup1.id, sup2.id],
    threshold: 2,
    invitedCreditCodes: '',
  });
  await uploadTenderDocument(actor(agent), agent, tender.id, { name: 'JC-2026-GC-0046 招标文件.pdf', mime: 'application/pdf', body: stream(utf8('%PDF-1.4 光谷大道快速化改造工程 招标文件')) });
  const holders = await Promise.all([agent, sup1, sup2].map(async (x) => ({ userId: x.id, certPem: (await encryptionCertOf(x.id))!.certPem })));
  const ceremony = await runOpeningKeyCeremony({ k: 2, holders, requestCertificate: (spkiB64, keyId) => certifyOpeningKey(actor(agent), agent, tender.id, { spkiB64, keyId }) });
  await publishTender(actor(agent), agent, tender.id, { shares: ceremony.shares });
  const full = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
  const section = full.sections[0];
  const openingCert = pemToDer(full.openingCertPem!);
  const bids = UPCOMING_BIDS;
  for (const b of bids) {
    const user = u(b.bidder);
    await obtainDocuments(actor(user), user, tender.id);
    const key = await demoKey(b.bidder);
    const input = {
      tenderId: tender.id,
      sectionId: section.id,
      bidderId: user.organizationId!,
      form: { price: b.price, durationDays: b.days, quality: '合格', projectManager: b.pm },
      files: [{ name: '投标文件.pdf', bytes: utf8(`%PDF-1.4 ${b.bidder} 光谷大道 投标文件`) }],
      signerCert: key.cert,
      signerKey: key.signKey,
      recipients: [openingCert],
    };
    const sealed = b.broken ? await sealBidWithBrokenSignature({ ...input, signerDecryptKey: key.decryptKey }) : await sealBid(input);
    const up = await startBidUpload(actor(user), user, { tenderId: tender.id, sectionId: section.id, submission: sealed.submission });
    await appendChunk(user, up.uploadId, 0, stream(sealed.envelope));
    await completeBidUpload(actor(user), user, up.uploadId);
  }
  await prisma.tender.update({ where: { id: tender.id }, data: { bidDeadline: new Date(now().getTime() + 12 * 60_000), publishedAt: new Date(now().getTime() - 21 * DAY_MS) } });
  const row = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id } });
  if (row.announcementId && row.publishedAt) await prisma.announcement.update({ where: { id: row.announcementId }, data: { publishedAt: row.publishedAt } });
  const opening = await ensureOpening(tender.id, { decryptWindowMinutes: 30 });
  return opening.id;
}

export async function seedOpening(ctx: SeedContext) {
  if (!fs.existsSync(path.join(demoKeysDir(), 'bidder1.p12'))) {
    log.warn('seed.opening.skipped', { reason: 'no demo keys (trust seed)' });
    return;
  }
  const prisma = ctx.db.prisma;
  const past = await prisma.tender.findUnique({ where: { code: 'JC-2026-FJ-0015' } });
  const done = past && past.status === 'closed' ? await runCompletedOpening(ctx, past.id) : null;
  const upcoming = await seedUpcoming(ctx);
  log.info('seed.opening', { completed: done, upcoming });
}
