// A server killed with SIGKILL in the middle of an opening's decryption resumes from the log: the
// real server (`node scripts/start.js`) on a temp PGlite data folder with the demo seed, driven
// only through HTTP with the demo users' keys (as their browsers would), is killed while bids are
// being decrypted (the rebuilt opening key exists only in its memory), restarted, and finishes.
// Its record must equal the record of an uninterrupted run from the same seeded data folder,
// except for the times that must differ. Slow (one demo seed, three server starts): ~3 minutes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signData } from '../../crypto/cms';
import { unwrapContentKey } from '../../crypto/envelope';
import { fromBase64, toBase64 } from '../../crypto/hash';
import { importPkcs12, importPrivateKeyPem } from '../../crypto/pki';
import { decryptShare } from '../../crypto/shamir';
import { UPCOMING_CODE } from '../../prisma/seed/opening-upcoming';
import { challengeMessage } from '~/modules/pki/protocol';

const ROOT = path.resolve(__dirname, '../..');
const PASSWORD = 'Demo2026!';
const servers = new Set<ChildProcess>();

afterAll(() => {
  for (const s of servers) s.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Server {
  proc: ChildProcess;
  base: string;
  log: string[];
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const log: string[] = [];
  const proc = spawn(process.execPath, ['scripts/start.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', DEMO_MODE: 'true', TZ: 'Asia/Shanghai', LOG_LEVEL: 'warn', NODE_ENV: 'production', PUBLIC_BASE_URL: `http://localhost:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.add(proc);
  proc.stdout!.on('data', (d) => log.push(String(d)));
  proc.stderr!.on('data', (d) => log.push(String(d)));
  proc.once('exit', () => servers.delete(proc));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 240_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${log.join('')}`);
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { proc, base, log };
    if (Date.now() > until) throw new Error(`server did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopServer(s: Server, signal: NodeJS.Signals) {
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill(signal);
  await exited;
}

/** One person's browser: a session cookie and the demo certificate keys. */
class Person {
  cookie = '';
  constructor(
    readonly username: string,
    readonly dataDir: string,
  ) {}

  async login(base: string) {
    const res = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ username: this.username, password: PASSWORD, redirectTo: '/' }), redirect: 'manual', headers: { Origin: base } });
    const set = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    if (!set.length) throw new Error(`login failed for ${this.username}: ${res.status}`);
    this.cookie = set.join('; ');
  }

  async keys() {
    const p12 = fs.readFileSync(path.join(this.dataDir, 'demo-keys', `${this.username}.p12`));
    const { cert, keyPem } = await importPkcs12(new Uint8Array(p12), PASSWORD);
    return { cert, sign: await importPrivateKeyPem(keyPem, 'sign', { alg: 'RSA-PSS' }), decrypt: await importPrivateKeyPem(keyPem, 'decrypt', { alg: 'RSA-OAEP' }) };
  }

  async req(base: string, url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    return fetch(`${base}${url}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      body: init.form ? new URLSearchParams(init.form) : undefined,
      headers: { Cookie: this.cookie, Origin: base },
      redirect: 'manual',
    });
  }

  async act(base: string, openingId: string, form: Record<string, string>) {
    const res = await this.req(base, `/api/opening/${openingId}`, { form });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${this.username} ${form.intent}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async json<T>(base: string, url: string): Promise<T> {
    const res = await this.req(base, url);
    if (!res.ok) throw new Error(`${this.username} GET ${url}: ${res.status}`);
    return (await res.json()) as T;
  }
}

/** Reads the room's SSE stream from the start until `until` holds (or the timeout). */
async function roomEvents(p: Person, base: string, openingId: string, until: (events: { seq: number; type: string; data: Record<string, unknown> }[]) => boolean, timeoutMs = 60_000) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const events: { seq: number; type: string; data: Record<string, unknown> }[] = [];
  try {
    const res = await fetch(`${base}/api/opening/${openingId}/events?lastEventId=0`, { headers: { Cookie: p.cookie }, signal: ctrl.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data && !frame.includes('event: hello') && frame.includes('id: ')) events.push(JSON.parse(data.slice(6)));
      }
      if (until(events)) return events;
    }
  } catch (e) {
    if (!ctrl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  throw new Error(`room events: condition not reached; last ${events.at(-1)?.seq} ${events.at(-1)?.type}`);
}

async function openingIdOf(p: Person, base: string) {
  const html = await (await p.req(base, '/openings')).text();
  const row = html.slice(html.indexOf(UPCOMING_CODE));
  const m = /href="\/opening\/([a-z0-9]+)"/.exec(row);
  if (!m) throw new Error('upcoming opening not listed');
  // a tender id redirects to its room
  const res = await p.req(base, `/opening/${m[1]}`);
  const loc = res.headers.get('location');
  return loc ? loc.split('/').pop()! : m[1];
}

async function moveClock(admin: Person, base: string, minutes: number) {
  const res = await admin.req(base, '/admin/clock', { form: { minutes: String(minutes) } });
  expect(res.status).toBeLessThan(400);
}

/**
 * Drives the opening. With `kill`, the server is SIGKILLed once some bids are decrypted and the
 * others wait (the rebuilt key only in memory), then restarted on the same data folder.
 */
async function runOpening(dataDir: string, kill: boolean) {
  let server = await startServer(dataDir);
  const people = Object.fromEntries(['tenderer1', 'supervisor1', 'bidder1', 'bidder2', 'bidder3', 'admin'].map((u) => [u, new Person(u, dataDir)]));
  for (const p of Object.values(people)) await p.login(server.base);
  const { tenderer1: agent, supervisor1: sup, bidder1: b1, bidder3: b3, admin } = people;
  const id = await openingIdOf(agent, server.base);

  for (const p of [agent, sup, b1, people.bidder2, b3]) {
    const k = await p.keys();
    const c = (await (await p.req(server.base, '/api/pki/challenge', { form: { purpose: 'checkin' } })).json()) as { id: string; nonce: string };
    const sig = await signData({ content: challengeMessage('checkin', c.nonce), signerCert: k.cert, signerKey: k.sign, detached: true });
    await p.act(server.base, id, { intent: 'checkin', challengeId: c.id, signature: toBase64(sig) });
  }
  await moveClock(admin, server.base, 15);
  await agent.act(server.base, id, { intent: 'start' });
  for (const p of [sup, agent]) {
    const k = await p.keys();
    const s = await p.json<{ encryptedShareB64: string }>(server.base, `/api/opening/${id}?what=share`);
    const share = await decryptShare(fromBase64(s.encryptedShareB64), k.cert, k.decrypt);
    await p.act(server.base, id, { intent: 'share', share: toBase64(share) });
  }
  for (const p of [b1, b3]) {
    const k = await p.keys();
    const { bids } = await p.json<{ bids: { bidId: string; headB64: string }[] }>(server.base, `/api/opening/${id}?what=heads`);
    for (const b of bids) {
      const cek = await unwrapContentKey({ envelope: fromBase64(b.headB64), recipientCert: k.cert, recipientKey: k.decrypt });
      await p.act(server.base, id, { intent: 'key', bidId: b.bidId, contentKey: toBase64(cek) });
    }
  }
  const start = (await roomEvents(agent, server.base, id, (ev) => ev.some((e) => e.type === 'start'))).find((e) => e.type === 'start')!;
  const absent = (start.data.bids as { bidId: string; bidderName: string }[]).find((b) => b.bidderName === '安泰智能科技股份有限公司')!;
  const before = await roomEvents(agent, server.base, id, (ev) => ev.filter((e) => e.type === 'bid.result').length === 2);
  expect(before.at(-1)!.data.state).toBe('decrypting');

  if (kill) {
    // SIGKILL: no shutdown hook runs, the opening key held in memory is gone
    await stopServer(server, 'SIGKILL');
    server = await startServer(dataDir);
  }
  // the absent bidder's bid is opened with the opening key (rebuilt from the stored shares after a restart)
  await agent.act(server.base, id, { intent: 'fallback', bidId: absent.bidId, reason: '经运维核实为平台网络故障，投标人无法连接解密服务' });
  await moveClock(admin, server.base, 31);
  const read = await roomEvents(agent, server.base, id, (ev) => ev.some((e) => e.type === 'decrypt.finish'), 90_000);
  expect(read.filter((e) => e.type === 'bid.result')).toHaveLength(4);
  for (let i = 0; i < 2; i++) await agent.act(server.base, id, { intent: 'read' });
  await agent.act(server.base, id, { intent: 'close' });
  for (const p of [agent, sup]) {
    const k = await p.keys();
    const bytes = new Uint8Array(await (await p.req(server.base, `/api/opening/${id}?what=record`)).arrayBuffer());
    const sig = await signData({ content: bytes, signerCert: k.cert, signerKey: k.sign, detached: true });
    await p.act(server.base, id, { intent: 'sign', signature: toBase64(sig) });
  }
  await agent.act(server.base, id, { intent: 'finalize' });
  const evidence = await agent.json<{ record: { opening: Record<string, unknown> } }>(server.base, `/api/opening/${id}/record?format=evidence-json`);
  const events = await roomEvents(agent, server.base, id, (ev) => ev.some((e) => e.type === 'finalize'));
  const tar = new Uint8Array(await (await agent.req(server.base, `/api/opening/${id}/record?format=evidence`)).arrayBuffer());
  await stopServer(server, 'SIGTERM');
  return { record: evidence.record.opening, events, tar };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The record with the times that must differ between two runs replaced, and the global audit seq numbers (other activity shares the log). */
function withoutTimes(v: unknown, key = ''): unknown {
  if (typeof v === 'string' && ISO.test(v)) return '<time>';
  if (Array.isArray(v)) return v.map((x) => withoutTimes(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, key === 'timeline' && k === 'seq' ? '<seq>' : withoutTimes(x, k)]));
  return v;
}

describe('opening restart', () => {
  it('SIGKILL during decryption → restart → the opening finishes with the same record as an uninterrupted run', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opening-restart-'));
    const seeded = path.join(tmp, 'seeded');
    // one demo seed, copied: both runs start from the very same bids, keys and certificates
    await stopServer(await startServer(seeded), 'SIGTERM');
    for (const d of ['plain', 'killed']) fs.cpSync(seeded, path.join(tmp, d), { recursive: true });
    const plain = await runOpening(path.join(tmp, 'plain'), false);
    const killed = await runOpening(path.join(tmp, 'killed'), true);

    // the record: same bids, results, reasons, forms, attendance, ceremony, timeline steps
    const results = (r: Record<string, unknown>) => (r.bids as { bidderName: string; result: string; reasonCode: string | null; decryptedBy: string | null }[]).map((b) => [b.bidderName, b.result, b.reasonCode, b.decryptedBy]);
    expect(results(killed.record)).toEqual([
      ['江城建工集团有限公司', 'valid', null, 'bidder'],
      ['楚天路桥建设有限公司', 'revoked', 'NOT_DECRYPTED', null],
      ['鸿达市政工程有限公司', 'rejected', 'SIGNATURE_INVALID', 'bidder'],
      ['安泰智能科技股份有限公司', 'valid', null, 'opening-key'],
    ]);
    expect(withoutTimes(killed.record)).toEqual(withoutTimes(plain.record));
    // no step lost or repeated: the same steps in the same order, numbered 1..N without gaps
    expect(killed.events.map((e) => e.type)).toEqual(plain.events.map((e) => e.type));
    expect(killed.events.map((e) => e.seq)).toEqual(killed.events.map((_, i) => i + 1));

    // and the killed run's evidence package verifies offline
    const dir = path.join(tmp, 'evidence');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'evidence.tar'), killed.tar);
    expect(spawnSync('tar', ['-xf', 'evidence.tar'], { cwd: dir }).status).toBe(0);
    fs.rmSync(path.join(dir, 'evidence.tar'));
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'crypto/cli.ts', 'record', 'verify', '--in', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(verify.stdout).toContain('verification: OK');
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 900_000);
});
