// The chunk route the running server uses (Express, before Remix): the same protections as the Remix
// route — a signed session cookie, the submit:bid permission, the upload must belong to the user's
// organization, the offset must be where the file is, never more than the declared size — and the
// bytes it accepts are exactly what completion stamps and receipts.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { clearSessionCache, registerUploadRoutes } from '~/modules/bidding/upload-http.server';
import { completeBidUpload, startBidUpload } from '~/modules/bidding/uploads.server';
import { tempPath } from '~/modules/files/store.server';
import { useTestDatabase } from '../setup/db';
import { createUser, sessionCookieFor } from '../setup/fixtures';
import { actorFor, bidderWithKey, obtainDocuments, publishedTender, seal } from './bidding.fixtures';

useTestDatabase();

let base = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;
beforeAll(async () => {
  const app = express();
  registerUploadRoutes(app);
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => clearSessionCache());

async function put(uploadId: string, offset: number, body: Uint8Array, cookie?: string) {
  const r = await fetch(`${base}/api/uploads/bids/${uploadId}?offset=${offset}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', ...(cookie ? { cookie } : {}) },
    body: body as Uint8Array<ArrayBuffer>,
  });
  return { status: r.status, body: (await r.json()) as { received?: number; conflict?: boolean; error?: string; code?: string } };
}

describe('PUT /api/uploads/bids/:id served by Express', () => {
  it('takes chunks only from the owning bidder, at the right offset, up to the declared size; completion stamps exactly those bytes', { timeout: 120_000 }, async () => {
    const { tender } = await publishedTender({ sections: 1 });
    const prisma = await getPrisma();
    const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
    const bidder = await bidderWithKey();
    await obtainDocuments(actorFor(bidder.user), bidder.user, t.id);
    const sealed = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: t.openingCertPem! }, { bytes: new Uint8Array(300_000).fill(7) });
    const s = await startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId: t.sections[0].id, submission: sealed.submission });
    const env = sealed.envelope;
    const part = tempPath(`${s.uploadId}.part`);
    const cookie = await sessionCookieFor(bidder.user.id);

    // no session, a forged cookie, another role, another bidder: refused, nothing written
    expect(await put(s.uploadId, 0, env.subarray(0, 1000))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((await put(s.uploadId, 0, env.subarray(0, 1000), cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(401);
    const agent = await createUser('tenderer');
    expect((await put(s.uploadId, 0, env.subarray(0, 1000), await sessionCookieFor(agent.id))).status).toBe(403);
    const other = await createUser('bidder');
    expect((await put(s.uploadId, 0, env.subarray(0, 1000), await sessionCookieFor(other.id))).status).toBe(404);
    expect(fs.statSync(part).size).toBe(0);

    // the owner: in order, a wrong offset is answered with the real one, more than declared is refused
    expect(await put(s.uploadId, 0, env.subarray(0, 100_000), cookie)).toEqual({ status: 200, body: { received: 100_000, conflict: false } });
    expect(await put(s.uploadId, 0, env.subarray(0, 100_000), cookie)).toEqual({ status: 409, body: { received: 100_000, conflict: true } });
    const tooLong = new Uint8Array(env.length - 100_000 + 1);
    expect(await put(s.uploadId, 100_000, tooLong, cookie)).toMatchObject({ status: 413, body: { code: 'TOO_LARGE' } });
    expect(fs.statSync(part).size).toBe(100_000);
    expect(await put(s.uploadId, 100_000, env.subarray(100_000), cookie)).toEqual({ status: 200, body: { received: env.length, conflict: false } });
    expect(fs.readFileSync(part).equals(Buffer.from(env))).toBe(true);

    const done = await completeBidUpload(actorFor(bidder.user), bidder.user, s.uploadId);
    const bid = await prisma.bid.findUniqueOrThrow({ where: { id: done.bidId } });
    expect(bid.envelopeSize).toBe(BigInt(env.length));
    // a chunk after completion is refused with the reason
    expect(await put(s.uploadId, env.length, env.subarray(0, 10), cookie)).toMatchObject({ status: 409, body: { code: 'UPLOAD_CLOSED' } });
  });

  it('refuses a chunk whose bytes differ from the signed statement at completion, even when hashed while written', { timeout: 120_000 }, async () => {
    const { tender } = await publishedTender({ sections: 1 });
    const prisma = await getPrisma();
    const t = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: true } });
    const bidder = await bidderWithKey();
    await obtainDocuments(actorFor(bidder.user), bidder.user, t.id);
    const sealed = await seal(bidder, { tenderId: t.id, sectionId: t.sections[0].id, openingCertPem: t.openingCertPem! }, { bytes: new Uint8Array(200_000).fill(3) });
    const s = await startBidUpload(actorFor(bidder.user), bidder.user, { tenderId: t.id, sectionId: t.sections[0].id, submission: sealed.submission });
    const cookie = await sessionCookieFor(bidder.user.id);
    const bad = Uint8Array.from(sealed.envelope);
    bad[bad.length - 5000] ^= 1; // one bit of ciphertext flipped in transit
    expect((await put(s.uploadId, 0, bad, cookie)).status).toBe(200);
    await expect(completeBidUpload(actorFor(bidder.user), bidder.user, s.uploadId)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await prisma.bid.count({ where: { tenderId: t.id } })).toBe(0);
  });
});
