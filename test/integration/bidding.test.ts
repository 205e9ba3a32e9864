import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySignedData } from '../../crypto/cms';
import { fromBase64, toHex, utf8 } from '../../crypto/hash';
import { importPkcs8, pemToDer } from '../../crypto/pki';
import { openBid } from '../../crypto/seal';
import { combineShares, decryptShare, publicSpkiOf } from '../../crypto/shamir';
import { getDatabase, getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { advanceClock } from '~/modules/clock/clock.server';
import { BiddingError } from '~/modules/bidding/errors';
import { receiptJson } from '~/modules/bidding/receipts.server';
import { closeDueTenders, startBidUpload, appendChunk, completeBidUpload, withdrawBid, sweepUploads, uploadStatus } from '~/modules/bidding/uploads.server';
import { DAY_MS } from '~/modules/bidding/types';
import { commitTempFile, pathOf, readBytes, tempPath } from '~/modules/files/store.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { useTestDatabase } from '../setup/db';
import { actorFor, bidderWithKey, obtainDocuments, publishedTender, seal, signedWithdrawal, streamOf, upload } from './bidding.fixtures';

useTestDatabase();

async function expectRefusal(p: Promise<unknown>, code: string) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e, `expected a BiddingError ${code}`).toBeInstanceOf(BiddingError);
  expect((e as BiddingError).code).toBe(code);
  return e as BiddingError;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** A published one-section tender and a bidder holding its documents, with a bid sealed for it. */
async function sealedForOneSection() {
  const { tender } = await publishedTender({ sections: 1 });
  const prisma = await getPrisma();
  const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
  const bidder = await bidderWithKey();
  await obtainDocuments(actorFor(bidder.user), bidder.user, t.id);
  const sealed = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: t.openingCertPem! });
  return { prisma, t, bidder, sealed };
}

describe('sealed bid submission', () => {
  it('receives only ciphertext: the marker appears nowhere in the database or the file store; k shares open it, fewer cannot', async () => {
    const { tender, holders } = await publishedTender({ sections: 2, k: 2 });
    const prisma = await getPrisma();
    const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: { orderBy: { seq: 'asc' } } } });
    expect(t.status).toBe('published');
    const bidder = await bidderWithKey();
    expect(await obtainDocuments(actorFor(bidder.user), bidder.user, t.id)).toEqual({ granted: true });

    const marker = `MARKER-${toHex(crypto.getRandomValues(new Uint8Array(12)))}`;
    const sealed = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: t.openingCertPem! }, { marker, bytes: utf8(`%PDF-1.4 ${marker} `.repeat(5000)) });
    const r = await upload(bidder, t.id, t.sections[0].id, sealed, 50_000);
    expect(r.receiptNo).toMatch(/^HZ-\d{8}-[0-9A-F]{8}$/);

    // the stored envelope is the exact ciphertext
    expect(toHex(await readBytes(sealed.envelopeSha256))).toBe(toHex(sealed.envelope));

    // 1. no plaintext anywhere: every table as text (bytea shows as hex), every stored file
    const db = await getDatabase();
    const tables = await db.sql.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const markerHex = Buffer.from(marker).toString('hex');
    for (const { tablename } of tables) {
      const rows = await db.sql.query<{ t: string }>(`SELECT x::text AS t FROM "${tablename}" x`);
      for (const row of rows) {
        expect(row.t.includes(marker), `${tablename} holds the marker`).toBe(false);
        expect(row.t.includes(markerHex), `${tablename} holds the marker (hex)`).toBe(false);
      }
    }
    const files = walk(path.join(env().DATA_DIR, 'files'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(fs.readFileSync(f).includes(Buffer.from(marker)), f).toBe(false);

    // 2. fewer than k shares cannot open it; k shares can
    const rows = await prisma.keyHolder.findMany({ where: { tenderId: t.id }, orderBy: { shareIndex: 'asc' } });
    const shares = await Promise.all(rows.map((row, i) => decryptShare(fromBase64(row.encryptedShare!), holders[i].enrolment.cert, holders[i].enrolment.decryptKey)));
    const openingCert = pemToDer(t.openingCertPem!);
    const pub = await publicSpkiOf(openingCert);
    await expect(combineShares([shares[1]], pub)).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    const pkcs8 = await combineShares([shares[0], shares[2]], pub);
    const key = await importPkcs8(pkcs8, 'decrypt');
    const pki = await getPlatformPki();
    const opened = await openBid({
      envelope: await readBytes(sealed.envelopeSha256),
      recipientCert: openingCert,
      recipientKey: key,
      trustAnchors: pki.trustAnchors,
      expect: { tenderId: t.id, sectionId: t.sections[0].id, bidderId: bidder.user.organizationId! },
      submission: sealed.submission,
    });
    expect(opened.manifest.form.quality).toContain(marker);
  });

  it('refuses a bid sealed for section 1 at section 2, and one not addressed to the opening certificate', async () => {
    const { tender } = await publishedTender({ sections: 2 });
    const prisma = await getPrisma();
    const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: { orderBy: { seq: 'asc' } } } });
    const bidder = await bidderWithKey();
    await obtainDocuments(actorFor(bidder.user), bidder.user, t.id);
    const sealed = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: t.openingCertPem! });
    const e = await expectRefusal(startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId: t.sections[1].id, submission: sealed.submission }), 'BINDING_MISMATCH');
    expect(e.message).toBe('该投标文件是为第1标段加密的，不能递交到第2标段');

    // sealed to another tender's opening certificate, with a statement for this tender
    const other = await publishedTender({ sections: 1 });
    const otherT = await prisma.tender.findUniqueOrThrow({ where: { id: other.tender.id } });
    const wrong = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: otherT.openingCertPem! });
    const err = await upload(bidder, t.id, t.sections[0].id, wrong).then(
      () => null,
      (x) => x,
    );
    expect(err).toBeInstanceOf(BiddingError);
    expect((err as BiddingError).code).toBe('WRONG_RECIPIENT');
    expect(await prisma.bid.count()).toBe(0);
    expect(await prisma.bidReceipt.count()).toBe(0);
  });

  it('refuses an envelope that differs from the signed statement, and bytes beyond the declared size', async () => {
    const { prisma, t, bidder, sealed } = await sealedForOneSection();
    const flipped = sealed.envelope.slice();
    flipped[flipped.length - 100] ^= 1;
    await expectRefusal(upload(bidder, t.id, t.sections[0].id, { envelope: flipped, submission: sealed.submission }), 'DIGEST_MISMATCH');

    const s = await startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId: t.sections[0].id, submission: sealed.submission });
    const longer = new Uint8Array(sealed.envelope.length + 10);
    longer.set(sealed.envelope);
    await expectRefusal(appendChunk(bidder.user, s.uploadId, 0, streamOf(longer)), 'TOO_LARGE');
    // nothing was kept beyond the offset; a wrong offset answers the real one
    expect(await appendChunk(bidder.user, s.uploadId, 5, streamOf(sealed.envelope.subarray(5, 10)))).toEqual({ received: 0, conflict: true });
    await expectRefusal(completeBidUpload(actorFor(bidder.user), bidder.user, s.uploadId), 'INCOMPLETE');
  });

  it('completes an upload whose envelope reached the store before a crash cut off its receipt', async () => {
    const { prisma, t, bidder, sealed } = await sealedForOneSection();
    const s = await startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId: t.sections[0].id, submission: sealed.submission });
    expect(await appendChunk(bidder.user, s.uploadId, 0, streamOf(sealed.envelope))).toEqual({ received: sealed.envelope.length, conflict: false });
    // The state a SIGKILL leaves between "move into the store" and "commit the receipt":
    const part = tempPath(`${s.uploadId}.part`);
    const sha = toHex(new Uint8Array(crypto.createHash('sha256').update(sealed.envelope).digest()));
    await commitTempFile(part, sha);
    expect(fs.existsSync(part)).toBe(false);
    expect((await prisma.bidUpload.findUniqueOrThrow({ where: { id: s.uploadId } })).status).toBe('receiving');

    // The client asks where to resume: everything has arrived; a stale chunk is told so; complete gives the receipt.
    expect(await uploadStatus(bidder.user, s.uploadId)).toMatchObject({ status: 'receiving', received: sealed.envelope.length });
    expect(await appendChunk(bidder.user, s.uploadId, 0, streamOf(sealed.envelope.subarray(0, 10)))).toEqual({ received: sealed.envelope.length, conflict: true });
    const done = await completeBidUpload(actorFor(bidder.user), bidder.user, s.uploadId);
    const bid = await prisma.bid.findUniqueOrThrow({ where: { id: done.bidId }, include: { receipts: true } });
    expect(bid.envelopeSha256).toBe(sha);
    expect(bid.receipts.map((r) => r.receiptNo)).toEqual([done.receiptNo]);
    expect(fs.readFileSync(pathOf(sha)).equals(Buffer.from(sealed.envelope))).toBe(true);
  });

  it('replaces and withdraws before the deadline, each with a receipt; only the latest counts; the deadline refuses uploads', async () => {
    const { tender } = await publishedTender({ sections: 1 });
    const prisma = await getPrisma();
    const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
    const sectionId = t.sections[0].id;
    const bidder = await bidderWithKey();
    await obtainDocuments(actorFor(bidder.user), bidder.user, t.id);
    const ctx = { tenderId: t.id, sectionId, openingCertPem: t.openingCertPem! };

    const first = await upload(bidder, t.id, sectionId, await seal(bidder, ctx, { price: 100 }));
    const second = await upload(bidder, t.id, sectionId, await seal(bidder, ctx, { price: 90 }));
    const bids = await prisma.bid.findMany({ where: { sectionId }, orderBy: { version: 'asc' } });
    expect(bids.map((b) => [b.version, b.status])).toEqual([
      [1, 'replaced'],
      [2, 'active'],
    ]);
    const receipts = await prisma.bidReceipt.findMany({ orderBy: { createdAt: 'asc' } });
    expect(receipts.map((r) => r.kind)).toEqual(['submit', 'replace']);
    expect(first.bidId).toBe(bids[0].id);

    // a withdrawal statement for the replaced version is refused; for the active one accepted
    await expectRefusal(
      withdrawBid(actorFor(bidder.user), bidder.user, { bidId: bids[0].id, statement: await signedWithdrawal(bidder, { tenderId: t.id, sectionId, envelopeSha256: bids[0].envelopeSha256 }) }),
      'BIDDING',
    );
    const w = await withdrawBid(actorFor(bidder.user), bidder.user, { bidId: second.bidId, statement: await signedWithdrawal(bidder, { tenderId: t.id, sectionId, envelopeSha256: bids[1].envelopeSha256 }) });
    expect(w.receiptNo).toMatch(/^HZ-/);
    expect((await prisma.bid.findUniqueOrThrow({ where: { id: second.bidId } })).status).toBe('withdrawn');

    // resubmit
    const third = await upload(bidder, t.id, sectionId, await seal(bidder, ctx, { price: 95 }));
    expect((await prisma.bid.findUniqueOrThrow({ where: { id: third.bidId } })).status).toBe('active');
    expect(await prisma.bid.count({ where: { sectionId, status: 'active' } })).toBe(1);

    // an upload in flight when the deadline passes is refused and cleaned up
    const late = await seal(bidder, ctx, { price: 80 });
    const s = await startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId, submission: late.submission });
    await appendChunk(bidder.user, s.uploadId, 0, streamOf(late.envelope.subarray(0, 1000)));
    advanceClock(26 * DAY_MS);
    const e = await expectRefusal(appendChunk(bidder.user, s.uploadId, 1000, streamOf(late.envelope.subarray(1000))), 'DEADLINE_PASSED');
    expect(e.message).toContain('投标截止时间已到');
    await expectRefusal(startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId, submission: late.submission }), 'DEADLINE_PASSED');
    await closeDueTenders();
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('closed');
    expect(fs.existsSync(path.join(env().DATA_DIR, 'files', 'tmp', `${s.uploadId}.part`))).toBe(false);
    expect((await prisma.bidUpload.findUniqueOrThrow({ where: { id: s.uploadId } })).status).toBe('expired');
    expect(await prisma.bid.count({ where: { sectionId, status: 'active' } })).toBe(1);
    const actions = (await prisma.auditEntry.findMany({ where: { objectType: 'bid' }, orderBy: { seq: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['bid.submit', 'bid.replace', 'bid.withdraw', 'bid.submit']);
    expect((await sweepUploads()).expired).toBe(0);
  });

  it('issues a receipt whose timestamp token passes openssl ts -verify, whose PDF signature passes openssl cms -verify, with an inclusion proof', async () => {
    const { prisma, t, bidder, sealed } = await sealedForOneSection();
    const r = await upload(bidder, t.id, t.sections[0].id, sealed);
    const json = (await receiptJson(r.receiptId))!;
    expect(json.envelope.sha256).toBe(sealed.envelopeSha256);
    // The submission's outside view is recorded for the collusion rules, without any bid content.
    const fp = await prisma.submissionFingerprint.findFirstOrThrow({ where: { tenderId: t.id } });
    expect(fp).toMatchObject({ bidderOrgId: bidder.user.organizationId, ip: '10.0.0.9', certSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(fp.fileHashes).toEqual([]);
    expect(json.audit.inclusion?.leafIndex).toBe(Number(json.audit.seq) - 1);
    expect(json.audit.treeHead).toBeTruthy();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receipt-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), json.platform.caCertPem);
    fs.writeFileSync(path.join(dir, 'token.der'), fromBase64(json.timestamp.tokenB64));
    fs.writeFileSync(path.join(dir, 'envelope.p7m'), await readBytes(sealed.envelopeSha256));
    const out = execFileSync('openssl', ['ts', '-verify', '-data', path.join(dir, 'envelope.p7m'), '-in', path.join(dir, 'token.der'), '-token_in', '-CAfile', path.join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(out).toContain('Verification: OK');
    const out2 = execFileSync('openssl', ['ts', '-verify', '-digest', json.envelope.sha256, '-in', path.join(dir, 'token.der'), '-token_in', '-CAfile', path.join(dir, 'ca.pem')], { encoding: 'utf8' });
    expect(out2).toContain('Verification: OK');

    fs.copyFileSync(pathOf(json.pdf.sha256), path.join(dir, 'receipt.pdf'));
    fs.writeFileSync(path.join(dir, 'receipt.p7s'), fromBase64(json.pdf.signatureB64));
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'receipt.p7s'), '-content', path.join(dir, 'receipt.pdf'), '-CAfile', path.join(dir, 'ca.pem'), '-out', '/dev/null'], { stdio: 'pipe' });
    const pki = await getPlatformPki();
    await verifySignedData({ signedData: fromBase64(json.pdf.signatureB64), content: fs.readFileSync(path.join(dir, 'receipt.pdf')), trustAnchors: pki.trustAnchors });
    const text = execFileSync('pdftotext', [path.join(dir, 'receipt.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain(r.receiptNo);
    expect(text).toContain(sealed.envelopeSha256);
  });
});
