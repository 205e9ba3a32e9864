import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../crypto/hash';
import { hashBytes, verifyEvidencePackage, type EvidencePackage } from '../../crypto/record';
import type { OpeningEvidenceRecord } from '../../crypto/opening-record';
import { getPrisma } from '~/db/index.server';
import { readBytes } from '~/modules/files/store.server';
import { advanceClock } from '~/modules/clock/clock.server';
import { endDecryption, forgetOpeningKeys, openingKeyOf } from '~/modules/opening/decrypt.server';
import { buildOpeningEvidence, closeOpening, finalizeRecord, recordBytesFor, signRecord, writeEvidenceDir } from '~/modules/opening/record.server';
import { answerObjection, confirmResult, pauseOpening, raiseObjection, readNext, resumeOpening, startOpening, takeOverHost } from '~/modules/opening/room.server';
import { eventsSince } from '~/modules/opening/steps.server';
import { OpeningError } from '~/modules/opening/types';
import { appendVideoChunk } from '~/modules/opening/video.server';
import { eventStreamResponse } from '~/modules/realtime/hub.server';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';
import { actorFor, bidderDecrypts, FORMS, handInShare, openingScenario, signedCheckIn, signRecordAs } from './opening.fixtures';

useTestDatabase();

async function refusal(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  expect(e).toBeInstanceOf(OpeningError);
  return e as OpeningError;
}

function streamOf(bytes: Uint8Array) {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

async function filesOf(openingId: string) {
  const { files } = await buildOpeningEvidence(openingId);
  const m = new Map<string, Uint8Array>();
  for (const f of files) m.set(f.name, await readBytes(f.sha256));
  return m;
}

function hasher(files: Map<string, Uint8Array>) {
  return async (name: string, chunkSize?: number) => {
    const b = files.get(name);
    return b ? hashBytes(b, chunkSize) : null;
  };
}

/** Runs an opening from check-in to the published record; returns what the tests inspect. */
async function runFullOpening(opts: { video?: boolean } = {}) {
  const s = await openingScenario();
  const id = s.opening.id;
  const [b1, b2, b3] = s.bidders;
  for (const p of [s.host, ...s.supervisors, b1, b2, b3]) await signedCheckIn(p, id);
  await startOpening(actorFor(s.host.user), s.host.user, id);
  if (opts.video) {
    for (let i = 0; i < 3; i++) await appendVideoChunk(actorFor(s.host.user), s.host.user, id, { body: streamOf(new TextEncoder().encode(`webm-chunk-${i}`.repeat(100))), mime: 'video/webm;codecs=vp8,opus' });
  }
  // key ceremony: 2 of 3
  const r1 = await handInShare(s.supervisors[0], s.tender.id, id);
  expect(r1).toMatchObject({ rebuilt: false, missing: 1 });
  const r2 = await handInShare(s.host, s.tender.id, id);
  expect(r2).toEqual({ rebuilt: true });
  // bidders decrypt: b1 (valid), b3 (broken signature); b2 never does
  expect(await bidderDecrypts(b1, id)).toEqual([{ result: 'valid' }]);
  expect(await bidderDecrypts(b3, id)).toEqual([{ result: 'rejected' }]);
  advanceClock(31 * 60_000);
  await endDecryption(actorFor(s.host.user), s.host.user, id);
  // 唱标
  await readNext(actorFor(s.host.user), s.host.user, id);
  await raiseObjection(actorFor(b2.user), b2.user, id, { text: '我单位已在线完成解密操作，请核实解密失败原因。' });
  await answerObjection(actorFor(s.host.user), s.host.user, id, { objectionSeq: 1, answer: '经核查审计日志，贵单位在解密时限内未提交解密结果，按规定视为撤销投标文件。' });
  await confirmResult(actorFor(b1.user), b1.user, id);
  await closeOpening(actorFor(s.host.user), s.host.user, id);
  const bytes = await recordBytesFor(id);
  await signRecord(actorFor(s.host.user), s.host.user, id, await signRecordAs(s.host, bytes));
  await signRecord(actorFor(s.supervisors[0].user), s.supervisors[0].user, id, await signRecordAs(s.supervisors[0], bytes));
  await finalizeRecord(actorFor(s.host.user), s.host.user, id);
  return s;
}

describe('remote opening', () => {
  it('runs check-in → k-of-n key → bidder decryption (one revoked, one rejected) → 唱标 → objection → signed record that verifies offline', async () => {
    const s = await runFullOpening({ video: true });
    const prisma = await getPrisma();
    const id = s.opening.id;
    const bids = await prisma.openingBid.findMany({ where: { openingId: id }, orderBy: { position: 'asc' } });
    const byOrg = (i: number) => bids.find((b) => b.bidderOrgId === s.bidders[i].user.organizationId)!;
    expect(byOrg(0)).toMatchObject({ result: 'valid', decryptedBy: 'bidder', depositStatus: 'none' });
    expect(byOrg(0).form).toMatchObject({ price: FORMS[0].price, durationDays: 365, projectManager: '王建国' });
    expect(byOrg(1)).toMatchObject({ result: 'revoked', cause: 'bidder', reasonCode: 'NOT_DECRYPTED' });
    expect(byOrg(2)).toMatchObject({ result: 'rejected', cause: 'bidder', reasonCode: 'SIGNATURE_INVALID' });
    expect(byOrg(2).reason).toContain('数字签名无效');
    // the shares are wiped after processing, their hashes stay
    expect(await prisma.openingShare.count({ where: { openingId: id, share: { not: null } } })).toBe(0);
    const o = await prisma.opening.findUniqueOrThrow({ where: { id } });
    expect(o.state).toBe('closed');
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: s.tender.id } })).status).toBe('opened');
    const ann = await prisma.announcement.findUniqueOrThrow({ where: { id: o.announcementId! } });
    expect(ann.kind).toBe('opening');
    expect(ann.body).toContain('¥1,188,000.00');
    expect(ann.body).not.toContain(s.host.user.displayName);

    // the event log is contiguous and mirrors the audit steps one to one
    const events = await eventsSince(id, 0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const audit = await prisma.auditEntry.count({ where: { objectType: 'opening', objectId: id } });
    expect(events.length).toBe(audit);

    const { evidence } = await buildOpeningEvidence(id);
    const files = await filesOf(id);
    const report = await verifyEvidencePackage(JSON.parse(JSON.stringify(evidence)), { hashFile: hasher(files) });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.some((c) => c.startsWith('opening record: equals the record re-derived'))).toBe(true);
    const rec = (evidence.record as OpeningEvidenceRecord).opening;
    expect(rec.bids.find((b) => b.result === 'valid')!.form).toMatchObject({ price: FORMS[0].price });
    expect(rec.objections[0].answer).toContain('视为撤销');
    expect(rec.video.chunks).toHaveLength(3);

    // the CLI on a package directory, then on the same directory with one video chunk altered
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opening-evidence-'));
    await writeEvidenceDir(id, dir);
    const cli = (args: string[]) => spawnSync('npx', ['tsx', 'crypto/cli.ts', ...args], { encoding: 'utf8' });
    const ok = cli(['record', 'verify', '--in', dir]);
    expect(ok.stdout).toContain('verification: OK');
    expect(ok.status).toBe(0);
    const chunk = path.join(dir, 'video-000003.webm');
    fs.appendFileSync(chunk, 'x');
    const bad = cli(['record', 'verify', '--in', dir]);
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('video-000003.webm');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('names what changed when a record field, an audit row, a video chunk or a time-stamp is tampered with', async () => {
    const s = await runFullOpening({ video: true });
    const { evidence } = await buildOpeningEvidence(s.opening.id);
    const files = await filesOf(s.opening.id);
    const fresh = () => JSON.parse(JSON.stringify(evidence)) as EvidencePackage & { record: OpeningEvidenceRecord };
    const problemsOf = async (pkg: EvidencePackage, f = files) => (await verifyEvidencePackage(pkg, { hashFile: hasher(f) })).problems;

    // a record field: the price read out
    let pkg = fresh();
    const i = pkg.record.opening.bids.findIndex((b) => b.result === 'valid');
    (pkg.record.opening.bids[i].form as Record<string, unknown>).price = 99_000_00;
    let problems = await problemsOf(pkg);
    expect(problems).toContain(`record field 'opening.bids[${i}].form.price' changed (does not match the signed value)`);
    expect(problems.some((p) => p.startsWith(`opening record field opening.bids[${i}].form.price: the record says 9900000, the audit log says ${FORMS[0].price}`))).toBe(true);

    // an audit row: the answer to the objection, changed in the log itself
    pkg = fresh();
    const answer = pkg.auditEntries.find((e) => e.action === 'opening.answer')!;
    (answer.payload as Record<string, unknown>).answer = '已核实，同意重新解密。';
    problems = await problemsOf(pkg);
    expect(problems).toContain(`audit entry ${answer.seq}: payload changed (payloadHash mismatch)`);
    expect(problems.some((p) => p.startsWith('opening record field opening.objections[0].answer'))).toBe(true);
    // an actor field of another row
    pkg = fresh();
    const checkin = pkg.auditEntries.find((e) => e.action === 'opening.checkin')!;
    checkin.ip = '203.0.113.9';
    problems = await problemsOf(pkg);
    expect(problems).toContain(`audit entry ${checkin.seq}: field changed (entryHash mismatch)`);
    // a dropped entry
    pkg = fresh();
    pkg.auditEntries.splice(pkg.auditEntries.findIndex((e) => e.action === 'opening.objection'), 1);
    problems = await problemsOf(pkg);
    expect(problems.some((p) => p.startsWith('audit log completeness') && p.includes('missing'))).toBe(true);

    // a video chunk (the bytes on disk)
    const altered = new Map(files);
    const chunk = new Uint8Array(altered.get('video-000002.webm')!);
    chunk[5] ^= 0xff;
    altered.set('video-000002.webm', chunk);
    problems = await problemsOf(fresh(), altered);
    expect(problems.some((p) => p.startsWith('file video-000002.webm chunk 1 sha256 mismatch'))).toBe(true);

    // a time-stamp: the receipt time in the record, and the token itself
    pkg = fresh();
    pkg.record.opening.bids[0].tsGenTime = new Date(Date.parse(pkg.record.opening.bids[0].tsGenTime!) - 3600_000).toISOString();
    problems = await problemsOf(pkg);
    expect(problems.some((p) => p.startsWith('time-stamp of bid 1') && p.includes('the token says'))).toBe(true);
    pkg = fresh();
    const t = pkg.timestampTokens.find((x) => x.label.startsWith('receipt:'))!;
    const tok = fromBase64(t.token);
    tok[tok.length - 10] ^= 0x01;
    t.token = toBase64(tok);
    problems = await problemsOf(pkg);
    expect(problems.some((p) => p.startsWith(`timestamp token '${t.label}'`))).toBe(true);

    // the PDF
    const pdfAltered = new Map(files);
    const pdf = new Uint8Array(pdfAltered.get('record.pdf')!);
    pdf[pdf.length - 20] ^= 0x01;
    pdfAltered.set('record.pdf', pdf);
    problems = await problemsOf(fresh(), pdfAltered);
    expect(problems.some((p) => p.startsWith('file record.pdf chunk 1 sha256 mismatch'))).toBe(true);
  }, 180_000);

  it('refuses steps out of turn: shares before the deadline, bidders outside their seat, steps while paused; a same-org agent takes over', async () => {
    const s = await openingScenario();
    const id = s.opening.id;
    // someone else's bid, an outsider, a stranger agent
    const outsider = await createUser('bidder');
    expect((await refusal(startOpening(actorFor(outsider), outsider, id))).status).toBe(403);
    expect((await refusal(startOpening(actorFor(s.bidders[0].user), s.bidders[0].user, id))).status).toBe(403);
    await startOpening(actorFor(s.host.user), s.host.user, id);
    // pause blocks the ceremony
    await pauseOpening(actorFor(s.supervisors[0].user), s.supervisors[0].user, id, '网络异常，暂停核查');
    expect((await refusal(handInShare(s.supervisors[0], s.tender.id, id))).code).toBe('PAUSED');
    await resumeOpening(actorFor(s.supervisors[0].user), s.supervisors[0].user, id);
    await handInShare(s.supervisors[0], s.tender.id, id);
    // the host drops out: another agent of the same organization takes over
    const prisma = await getPrisma();
    const colleague = await prisma.user.create({
      data: { username: `agent_b_${Date.now()}`, displayName: '代理机构 备岗', role: 'tenderer', passwordHash: 'x', organizationId: s.host.user.organizationId, createdAt: new Date() },
    });
    await takeOverHost(actorFor(colleague), colleague, id, '原主持人网络中断');
    expect((await prisma.opening.findUniqueOrThrow({ where: { id } })).hostUserId).toBe(colleague.id);
    expect((await refusal(readNext(actorFor(s.host.user), s.host.user, id))).status).toBe(403);
  }, 120_000);

  it('a restart mid-decryption (rebuilt key lost, some bids processed) finishes with the same results, no step repeated', async () => {
    const s = await openingScenario();
    const id = s.opening.id;
    await startOpening(actorFor(s.host.user), s.host.user, id);
    await handInShare(s.supervisors[0], s.tender.id, id);
    await handInShare(s.supervisors[1], s.tender.id, id);
    await bidderDecrypts(s.bidders[0], id);
    // "restart": the in-memory key is gone; the key comes back from the stored shares
    forgetOpeningKeys();
    expect(await openingKeyOf(id)).not.toBeNull();
    await bidderDecrypts(s.bidders[2], id);
    advanceClock(31 * 60_000);
    await endDecryption(actorFor(s.host.user), null, id);
    await endDecryption(actorFor(s.host.user), null, id); // a second run is a no-op
    const prisma = await getPrisma();
    const results = await prisma.auditEntry.count({ where: { objectType: 'opening', objectId: id, action: 'opening.bid.result' } });
    expect(results).toBe(3);
    expect((await prisma.opening.findUniqueOrThrow({ where: { id } })).state).toBe('reading');
  }, 120_000);

  it('streams the room over SSE: backlog after Last-Event-ID, then live events in order', async () => {
    const s = await openingScenario();
    const id = s.opening.id;
    const ctl = new AbortController();
    const res = eventStreamResponse({
      topic: `opening:${id}`,
      request: new Request('http://localhost/x', { headers: { 'last-event-id': '0' }, signal: ctl.signal }),
      load: (after) => eventsSince(id, after),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const seen: number[] = [];
    let buf = '';
    const readUntil = async (n: number) => {
      while (seen.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        const frames = buf.split('\n\n');
        buf = frames.pop()!;
        for (const f of frames) {
          const m = /^id: (\d+)$/m.exec(f);
          if (m) seen.push(Number(m[1]));
        }
      }
    };
    await readUntil(1); // the create step
    await signedCheckIn(s.bidders[0], id);
    await signedCheckIn(s.bidders[1], id);
    await startOpening(actorFor(s.host.user), s.host.user, id);
    await readUntil(4);
    expect(seen).toEqual([1, 2, 3, 4]);
    ctl.abort();
  }, 60_000);
});
