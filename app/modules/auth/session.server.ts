// Sessions live in the database; the browser holds only a random token in an HMAC-signed,
// HttpOnly, SameSite=Lax cookie. The database stores SHA-256(token), so a leaked table row
// cannot be replayed as a cookie.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createCookie, redirect } from '@remix-run/node';
import { env } from '~/env.server';
import { getDatabase, getPrisma } from '~/db/index.server';
import { Prisma, type Organization, type Session, type User } from '~/generated/prisma/client';
import { now } from '~/modules/clock/clock.server';
import { can, type Permission } from './permissions';
import type { Actor } from '~/modules/audit/audit.server';

export const CLIENT_IP_HEADER = 'x-ggzy-client-ip';

function sessionSecret(): string {
  const e = env();
  if (e.SESSION_SECRET) return e.SESSION_SECRET;
  // Embedded/demo mode: a random secret kept beside the data, created on first start.
  const file = path.join(e.DATA_DIR, 'session-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(e.DATA_DIR, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

let cookie: ReturnType<typeof createCookie> | undefined;
function sessionCookie() {
  cookie ??= createCookie('__ggzy_session', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: env().NODE_ENV === 'production' && env().PUBLIC_BASE_URL.startsWith('https:'),
    secrets: [sessionSecret()],
  });
  return cookie;
}

function tokenHash(token: string) {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function clientIp(request: Request): string | null {
  return request.headers.get(CLIENT_IP_HEADER);
}

export async function createSession(request: Request, userId: string): Promise<string> {
  const prisma = await getPrisma();
  const token = crypto.randomBytes(32).toString('base64url');
  const ttlMs = env().SESSION_TTL_HOURS * 3600_000;
  await prisma.session.create({
    data: {
      id: tokenHash(token),
      userId,
      createdAt: now(),
      expiresAt: new Date(now().getTime() + ttlMs),
      ip: clientIp(request),
      userAgent: request.headers.get('user-agent')?.slice(0, 400) ?? null,
    },
  });
  return sessionCookie().serialize(token, { maxAge: Math.floor(ttlMs / 1000) });
}

async function readToken(request: Request): Promise<string | null> {
  const header = request.headers.get('cookie');
  if (!header) return null;
  // A forged or tampered cookie fails the HMAC check and parses to null.
  const value = await sessionCookie().parse(header);
  return typeof value === 'string' && value.length >= 32 ? value : null;
}

export type SessionUser = NonNullable<Awaited<ReturnType<typeof getSessionUser>>>;

export async function getSessionUser(request: Request) {
  const token = await readToken(request);
  if (!token) return null;
  const prisma = await getPrisma();
  const session = await findSession(tokenHash(token));
  if (!session) return null;
  if (session.expiresAt <= now() || !session.user.active) {
    await prisma.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  return { ...session.user, sessionId: session.id };
}

// Every request looks its session up, so it is one query with joins instead of the three that
// `findUnique({ include: { user: { include: { organization: true } } } })` runs. The columns come
// from the generated client's field lists, so a field added to User or Organization is read
// without touching this code; the password hash is never selected. Timestamps travel as epoch
// milliseconds: raw results through the driver adapters read timestamptz in the process' time zone
// (off by 8 hours under TZ=Asia/Shanghai). A DateTime field missing from the lists below is a
// compile error (DateFieldsOf).
type SessionRow = Pick<Session, 'id' | 'expiresAt'> & {
  user: Omit<User, 'passwordHash'> & { organization: Organization | null };
};
type DateFieldsOf<T> = { [K in keyof T]-?: T[K] extends Date | null ? K : never }[keyof T];
type Exhaustive<Listed, All> = [Exclude<All, Listed>] extends [never] ? true : { missingDateFields: Exclude<All, Listed> };
const USER_DATES = ['passwordChangedAt', 'createdAt'] as const;
const ORG_DATES = ['createdAt'] as const;
const datesListed: [Exhaustive<(typeof USER_DATES)[number], DateFieldsOf<User>>, Exhaustive<(typeof ORG_DATES)[number], DateFieldsOf<Organization>>] = [true, true];
void datesListed;

const USER_FIELDS = Object.values(Prisma.UserScalarFieldEnum).filter((f) => f !== 'passwordHash');
const ORG_FIELDS = Object.values(Prisma.OrganizationScalarFieldEnum);
const epochMs = (col: string) => `(EXTRACT(EPOCH FROM ${col}) * 1000)::float8`;
const column = (alias: string, f: string, dates: readonly string[]) => `${dates.includes(f) ? epochMs(`${alias}."${f}"`) : `${alias}."${f}"`} AS "${alias}.${f}"`;
const SESSION_SQL =
  `SELECT s."id" AS "s.id", ${epochMs('s."expiresAt"')} AS "s.expiresAt", ` +
  USER_FIELDS.map((f) => column('u', f, USER_DATES)).join(', ') +
  ', ' +
  ORG_FIELDS.map((f) => column('o', f, ORG_DATES)).join(', ') +
  ' FROM "Session" s JOIN "User" u ON u."id" = s."userId" LEFT JOIN "Organization" o ON o."id" = u."organizationId" WHERE s."id" = $1';

async function findSession(id: string): Promise<SessionRow | null> {
  // Straight to the driver: every request pays this, and Prisma's raw path adds ~0.3 ms to it.
  const rows = await (await getDatabase()).sql.query<Record<string, unknown>>(SESSION_SQL, [id]);
  const r = rows[0];
  if (!r) return null;
  const pick = (alias: string, fields: string[], dates: readonly string[]) =>
    Object.fromEntries(
      fields.map((f) => {
        const v = r[`${alias}.${f}`];
        return [f, dates.includes(f) && v !== null && v !== undefined ? new Date(Number(v)) : v];
      }),
    );
  const user = pick('u', USER_FIELDS, USER_DATES) as Omit<User, 'passwordHash'>;
  const organization = r['o.id'] == null ? null : (pick('o', ORG_FIELDS, ORG_DATES) as Organization);
  return { id: r['s.id'] as string, expiresAt: new Date(Number(r['s.expiresAt'])), user: { ...user, organization } };
}

export async function destroySession(request: Request): Promise<string> {
  const token = await readToken(request);
  if (token) {
    const prisma = await getPrisma();
    await prisma.session.deleteMany({ where: { id: tokenHash(token) } });
  }
  return sessionCookie().serialize('', { maxAge: 0 });
}

export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getSessionUser(request);
  if (!user) {
    const url = new URL(request.url);
    const to = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(to)}`);
  }
  return user;
}

export async function requirePermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user.role, permission)) {
    throw new Response('您没有权限执行此操作', { status: 403, statusText: 'Forbidden' });
  }
  return user;
}

export function actorOf(request: Request, user: Pick<SessionUser, 'id' | 'displayName' | 'organizationId' | 'role'> | null): Actor {
  return {
    userId: user?.id ?? null,
    name: user?.displayName ?? null,
    orgId: user?.organizationId ?? null,
    role: user?.role ?? 'anonymous',
    sessionId: (user as { sessionId?: string } | null)?.sessionId,
    ip: clientIp(request),
    userAgent: request.headers.get('user-agent'),
  };
}
