// Builders for the opening tests: a tender past its deadline with three sealed bids (one normal,
// one whose bidder will not decrypt, one with a broken inner signature), people with real keys,
// and the browser-side steps (check-in signature, share decryption, content-key unwrap) done with
// the same crypto/ code the browser runs.
import { signData } from '../../crypto/cms';
import { unwrapContentKey } from '../../crypto/envelope';
import { fromBase64, toBase64, utf8 } from '../../crypto/hash';
import { pemToDer } from '../../crypto/pki';
import { decryptShare } from '../../crypto/shamir';
import { getPrisma } from '~/db/index.server';
import { advanceClock } from '~/modules/clock/clock.server';
import { DAY_MS } from '~/modules/bidding/types';
import { sealBidWithBrokenSignature } from '~/modules/opening/demo-bids.server';
import { envelopeHeadsFor, submitContentKey } from '~/modules/opening/decrypt.server';
import { checkIn, ensureOpening, submitShare } from '~/modules/opening/room.server';
import { CHECKIN_PURPOSE } from '~/modules/opening/types';
import { challengeMessage } from '~/modules/pki/protocol';
import { createChallenge } from '~/modules/pki/user-certs.server';
import { actorFor, bidderWithKey, obtainDocuments, publishedTender, seal, upload, type Holder } from './bidding.fixtures';

export type Person = Holder;

export const FORMS = [
  { price: 1_188_000_00, durationDays: 365, quality: '合格 A', projectManager: '王建国' },
  { price: 1_150_000_00, durationDays: 360, quality: '合格 B', projectManager: '李卫东' },
  { price: 1_099_000_00, durationDays: 380, quality: '合格 C', projectManager: '赵志强' },
];

export async function openingScenario() {
  const { agent, holders, tender } = await publishedTender({ sections: 1, k: 2 });
  const prisma = await getPrisma();
  const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
  const section = t.sections[0];
  const ctx = { tenderId: t.id, sectionId: section.id, openingCertPem: t.openingCertPem! };
  const bidders: Person[] = [];
  for (let i = 0; i < 3; i++) {
    const b = await bidderWithKey();
    await obtainDocuments(actorFor(b.user), b.user, t.id);
    bidders.push(b);
  }
  await upload(bidders[0], t.id, section.id, await seal(bidders[0], ctx, { price: FORMS[0].price, marker: 'A' }));
  await upload(bidders[1], t.id, section.id, await seal(bidders[1], ctx, { price: FORMS[1].price, marker: 'B' }));
  const broken = await sealBidWithBrokenSignature({
    tenderId: t.id,
    sectionId: section.id,
    bidderId: bidders[2].user.organizationId!,
    form: FORMS[2],
    files: [{ name: '投标文件.pdf', bytes: utf8('%PDF-1.4 投标文件 C') }],
    signerCert: bidders[2].enrolment.cert,
    signerKey: bidders[2].enrolment.signKey,
    signerDecryptKey: bidders[2].enrolment.decryptKey,
    recipients: [pemToDer(t.openingCertPem!)],
  });
  await upload(bidders[2], t.id, section.id, broken);
  advanceClock(26 * DAY_MS);
  const opening = await ensureOpening(t.id, { decryptWindowMinutes: 30 });
  const host: Person = holders.find((h) => h.user.id === agent.id)!;
  const supervisors = holders.filter((h) => h.user.id !== agent.id);
  return { tender: t, section, opening, host, supervisors, holders, bidders };
}

export async function signedCheckIn(p: Person, openingId: string) {
  const c = await createChallenge(p.user.id, CHECKIN_PURPOSE);
  const sig = await signData({ content: challengeMessage(CHECKIN_PURPOSE, c.nonce), signerCert: p.enrolment.cert, signerKey: p.enrolment.signKey, detached: true });
  return checkIn(actorFor(p.user), p.user, openingId, { challengeId: c.id, signatureB64: toBase64(sig) });
}

/** The holder's browser: decrypt the share with the holder's key, hand it in. */
export async function handInShare(p: Person, tenderId: string, openingId: string) {
  const prisma = await getPrisma();
  const h = await prisma.keyHolder.findUniqueOrThrow({ where: { tenderId_userId: { tenderId, userId: p.user.id } } });
  const share = await decryptShare(fromBase64(h.encryptedShare!), p.enrolment.cert, p.enrolment.decryptKey);
  return submitShare(actorFor(p.user), p.user, openingId, toBase64(share));
}

/** The bidder's browser: unwrap the content key from the envelope header, hand back only the key. */
export async function bidderDecrypts(p: Person, openingId: string) {
  const heads = await envelopeHeadsFor(p.user, openingId);
  const out = [];
  for (const h of heads) {
    const key = await unwrapContentKey({ envelope: fromBase64(h.headB64!), recipientCert: p.enrolment.cert, recipientKey: p.enrolment.decryptKey });
    out.push(await submitContentKey(actorFor(p.user), p.user, openingId, { bidId: h.bidId, contentKeyB64: toBase64(key) }));
  }
  return out;
}

export async function signRecordAs(p: Person, recordBytes: Uint8Array) {
  return toBase64(await signData({ content: recordBytes, signerCert: p.enrolment.cert, signerKey: p.enrolment.signKey, detached: true }));
}

export { actorFor, DAY_MS };
