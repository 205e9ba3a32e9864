// The hot path of sealed-bid uploads — PUT /api/uploads/bids/:id?offset=N, once per 8 MB of every
// bid — served from Node's own request and response before Express and Remix (`rawRoutes`,
// app/startup.server.ts, asked first by scripts/server.js).
// Remix would turn the Node request into a web Request and its body into a web ReadableStream,
// which appendChunk turns back into a Node stream; here the socket is piped to the part file
// directly, with backpressure. Same protocol, answers and checks as the Remix route
// (app/routes/api.uploads.bids.$id.ts, which still serves GET status and POST ?complete):
// signed session cookie → session → permission submit:bid → the upload belongs to the user's
// organization → offset, size cap and deadline (appendChunk).
//
// The session lookup is cached for SESSION_CACHE_MS per cookie: three database queries per chunk
// were most of the chunk path's cost on the embedded database. A logout or a deactivated account is
// therefore seen by this path within that time; it can only append ciphertext to the user's own
// open upload, and completing it (the receipt) goes through the full, uncached check.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { can } from '~/modules/auth/permissions';
import { getSessionUser } from '~/modules/auth/session.server';
import { log } from '~/modules/log.server';
import { BiddingError } from './errors';
import { UPLOAD_CHUNK_BYTES } from './types';
import { appendChunk, type BidderUser } from './uploads.server';

const SESSION_CACHE_MS = 15_000;
const MAX_CACHED_SESSIONS = 10_000;

type CachedSession = { at: number; user: Promise<BidderUser | null> };
const sessions = new Map<string, CachedSession>();

/** The user of a session cookie, from a short-lived cache; concurrent lookups share one query. */
export function cachedSessionUser(cookie: string | undefined): Promise<BidderUser | null> {
  if (!cookie) return Promise.resolve(null);
  const key = crypto.createHash('sha256').update(cookie).digest('base64');
  const t = Date.now();
  const hit = sessions.get(key);
  if (hit && t - hit.at < SESSION_CACHE_MS) return hit.user;
  if (sessions.size >= MAX_CACHED_SESSIONS) for (const [k, v] of sessions) if (t - v.at >= SESSION_CACHE_MS) sessions.delete(k);
  const user = getSessionUser(new Request('http://localhost/', { headers: { cookie } })).then((u) =>
    u ? { id: u.id, role: u.role, organizationId: u.organizationId, displayName: u.displayName } : null,
  );
  const entry = { at: t, user };
  sessions.set(key, entry);
  // Only positive answers are kept: a user who just logged in is not refused for SESSION_CACHE_MS.
  void user.then(
    (u) => {
      if (!u && sessions.get(key) === entry) sessions.delete(key);
    },
    () => {
      if (sessions.get(key) === entry) sessions.delete(key);
    },
  );
  return user;
}

/**
 * Records the user just found by a full session check for this cookie (the start of an upload),
 * so the upload's first chunk does not look the session up again.
 */
export function primeSessionUser(cookie: string | null | undefined, user: BidderUser) {
  if (!cookie) return;
  const key = crypto.createHash('sha256').update(cookie).digest('base64');
  sessions.set(key, { at: Date.now(), user: Promise.resolve({ id: user.id, role: user.role, organizationId: user.organizationId, displayName: user.displayName }) });
}

/** Drops every cached session (tests). */
export function clearSessionCache() {
  sessions.clear();
}

const CHUNK_PATH = /^\/api\/uploads\/bids\/([A-Za-z0-9_-]{1,64})$/;

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...extraHeaders });
  res.end(text);
}

async function putChunk(req: IncomingMessage, res: ServerResponse, uploadId: string, query: URLSearchParams) {
  try {
    const user = await cachedSessionUser(req.headers.cookie);
    if (!user) throw new BiddingError('登录已失效，请重新登录后继续递交', 401, {}, 'UNAUTHENTICATED');
    if (!can(user.role, 'submit:bid')) throw new BiddingError('您没有权限执行此操作', 403, {}, 'FORBIDDEN');
    const offsets = query.getAll('offset');
    const raw = offsets.length === 1 ? offsets[0] : '';
    const offset = raw === '' ? NaN : Number(raw);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new BiddingError('offset 参数不正确', 400);
    const lenHeader = req.headers['content-length'];
    const len = lenHeader === undefined ? undefined : Number(lenHeader);
    if (len !== undefined && len > UPLOAD_CHUNK_BYTES * 2) throw new BiddingError('分片过大', 413);
    const r = await appendChunk(user, uploadId, offset, req, len);
    send(res, r.conflict ? 409 : 200, r);
  } catch (e) {
    if (e instanceof BiddingError) {
      // A body cut off for being too long: its connection is closed, not drained.
      send(res, e.status, { error: e.message, code: e.code, fieldErrors: e.fieldErrors }, e.code === 'TOO_LARGE' ? { Connection: 'close' } : {});
      return;
    }
    if (req.destroyed || req.readableAborted || (e as { code?: string }).code === 'ECONNRESET' || (e as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      // The client went away mid-chunk (network cut, tab closed): what arrived is kept, it resumes.
      log.info('bid.upload.chunk-interrupted', { uploadId });
      return;
    }
    log.error('bid.upload.chunk-failed', { uploadId, error: String(e) });
    send(res, 500, { error: '服务器内部错误，请稍后重试', code: 'INTERNAL' });
  }
}

/**
 * Serves `PUT /api/uploads/bids/:id?offset=N` straight from Node's request and response, ahead of
 * Express and Remix (scripts/server.js asks it first for every request). Each of a deadline rush's
 * thousands of chunk requests otherwise went through Express's request setup, compression and
 * static-file middleware: about 1 ms of the event loop each, for a JSON answer of 40 bytes.
 * Returns false (and touches nothing) for any other request.
 */
export function handleUploadChunk(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'PUT' || !req.url) return false;
  const q = req.url.indexOf('?');
  const m = CHUNK_PATH.exec(q < 0 ? req.url : req.url.slice(0, q));
  if (!m) return false;
  void putChunk(req, res, m[1], new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1)));
  return true;
}

/** Registers the chunk route on an Express app (where the raw front is not used, e.g. tests). */
export function registerUploadRoutes(app: Express) {
  app.put('/api/uploads/bids/:id', (req, res, next) => {
    if (!handleUploadChunk(req, res)) next();
  });
}
