// Crash safety of sealed-bid submission: the production server (child process) is killed with
// SIGKILL while 20 uploads are in flight, then restarted on the same data. Every bid is either
// complete with a receipt (its envelope stored, whole, under its SHA-256) or absent; an interrupted
// upload can be resumed after the restart; partial chunk files are cleaned up; no receipt exists
// without a complete stored envelope.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { continueUpload, prepare, startAppServer, uploadBid, type RunningServer, type UploadOutcome } from '../../bench/upload';

describe('SIGKILL during 20 concurrent uploads', () => {
  it('leaves each bid complete with a receipt or absent, and cleans up partial chunks', { timeout: 600_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bid-fault-'));
    const bids = await prepare({ dataDir, count: 20, bytes: 3 * 1024 * 1024, deadlineMs: 3 * 3600_000 });
    const chunk = 512 * 1024;

    let server: RunningServer = await startAppServer(dataDir);
    const uploadIds = new Map<number, string>();
    let completed = 0;
    let chunks = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      server.child.kill('SIGKILL');
    };
    // A quarter start at once; the rest trickle in, so the kill (at the third receipt) finds them in every phase.
    const outcomes: UploadOutcome[] = await Promise.all(
      bids.map(async (b, i) => {
        if (i >= 5) await new Promise((r) => setTimeout(r, 400 * (i - 4)));
        try {
          const r = await uploadBid(
            server.url,
            b,
            () => {
              chunks++;
            },
            chunk,
            (id) => uploadIds.set(i, id),
          );
          if (r.ok && ++completed >= 3) kill();
          return r;
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }),
    );
    kill();
    if (server.child.exitCode === null && server.child.signalCode === null) await new Promise((r) => server.child.once('exit', r));
    const receiptedByClient = outcomes.filter((o) => o.ok).map((o) => o.receiptNo!);
    expect(receiptedByClient.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.filter((o) => !o.ok).length, 'the kill interrupted some uploads').toBeGreaterThan(0);

    // Restart on the same data: an interrupted upload resumes from the offset the server reports.
    server = await startAppServer(dataDir);
    const interrupted = [...uploadIds.entries()].find(([i]) => !outcomes[i].ok);
    let resumedReceipt: string | undefined;
    if (interrupted) {
      const [i, id] = interrupted;
      const st = await fetch(`${server.url}/api/uploads/bids/${id}`, { headers: { cookie: bids[i].cookie } });
      const status = (await st.json()) as { status: string; received: number };
      if (status.status === 'receiving') {
        expect(status.received).toBeLessThanOrEqual(bids[i].size);
        const r = await continueUpload(server.url, bids[i], id, status.received, undefined, chunk);
        expect(r.ok, r.error).toBe(true);
        resumedReceipt = r.receiptNo;
      }
    }
    await server.stop();

    // Inspect the data the server left, with the app's own modules, as the deadline passes.
    process.env.DATA_DIR = dataDir;
    const { resetEnvCache } = await import('~/env.server');
    resetEnvCache();
    const { getDatabase, closeDatabase } = await import('~/db/index.server');
    const { advanceClock, resetClock } = await import('~/modules/clock/clock.server');
    const { closeDueTenders } = await import('~/modules/bidding/uploads.server');
    const { pathOf, sweepTempFiles } = await import('~/modules/files/store.server');
    const db = await getDatabase();
    const prisma = db.prisma;
    try {
      advanceClock(4 * 3600_000);
      await closeDueTenders();

      const bidsInDb = await prisma.bid.findMany({ include: { receipts: true } });
      const receipts = await prisma.bidReceipt.findMany();
      // no receipt without a complete stored envelope; no bid without a receipt
      for (const r of receipts) {
        const bid = bidsInDb.find((b) => b.id === r.bidId)!;
        const file = pathOf(bid.envelopeSha256);
        expect(fs.existsSync(file), `envelope of ${r.receiptNo}`).toBe(true);
        const bytes = fs.readFileSync(file);
        expect(bytes.length).toBe(Number(bid.envelopeSize));
        expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(bid.envelopeSha256);
      }
      for (const b of bidsInDb) expect(b.receipts.length, `bid ${b.id} has a receipt`).toBeGreaterThan(0);
      // every receipt a client was given is in the database
      const numbers = new Set(receipts.map((r) => r.receiptNo));
      for (const no of [...receiptedByClient, ...(resumedReceipt ? [resumedReceipt] : [])]) expect(numbers.has(no)).toBe(true);
      // each prepared bid is either complete (one bid row) or absent
      for (const b of bids) {
        const rows = bidsInDb.filter((x) => x.sectionId === b.sectionId && x.submission === b.submissionB64);
        expect(rows.length).toBeLessThanOrEqual(1);
      }
      // partial chunks are gone and no upload is left open
      expect(await prisma.bidUpload.count({ where: { status: 'receiving' } })).toBe(0);
      const tmp = path.join(dataDir, 'files', 'tmp');
      const parts = () => (fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.part')) : []);
      expect(parts().filter((f) => f.startsWith('bu_'))).toEqual([]);
      // store writes cut off by the kill (receipt PDFs) go once they are a minute old
      await sweepTempFiles({ keep: new Set(), minAgeMs: 60_000, nowMs: Date.now() + 61_000 });
      expect(parts()).toEqual([]);
    } finally {
      resetClock();
      await closeDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
