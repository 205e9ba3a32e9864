// Builders for the people and requests that tests need.
import { setClock } from '~/modules/clock/clock.server';
import { getPrisma } from '~/db/index.server';
import { hashPassword } from '~/modules/auth/password.server';
import { withCheckChar } from '~/modules/auth/credit-code';
import { createSession, CLIENT_IP_HEADER } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';

let counter = 0;
let cachedHash: Promise<string> | undefined;
export const TEST_PASSWORD = 'Test1234pass';

export function nextCreditCode() {
  counter++;
  return withCheckChar(`91420100MA4T${String(counter).padStart(5, '0')}`);
}

export async function createUser(role: string, opts: { username?: string; orgRoles?: string[]; orgName?: string } = {}) {
  const prisma = await getPrisma();
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const username = opts.username ?? `${role}_${++counter}`;
  const staff = ['supervisor', 'admin', 'expert'].includes(role);
  const org = staff
    ? null
    : await prisma.organization.create({
        data: { name: opts.orgName ?? `${username} 测试单位`, creditCode: nextCreditCode(), roles: opts.orgRoles ?? [role], createdAt: now() },
      });
  return prisma.user.create({
    data: { username, displayName: `${username} 姓名`, role, passwordHash: await cachedHash, organizationId: org?.id, createdAt: now(), email: `${username}@example.cn` },
    include: { organization: true },
  });
}

export function makeRequest(url: string, init: RequestInit & { ip?: string; cookie?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set(CLIENT_IP_HEADER, init.ip ?? '10.0.0.1');
  headers.set('user-agent', 'vitest');
  if (init.cookie) headers.set('cookie', init.cookie);
  return new Request(new URL(url, 'http://localhost'), { ...init, headers });
}

/** A cookie header value for a logged-in session of this user. */
export async function sessionCookieFor(userId: string) {
  const setCookie = await createSession(makeRequest('/login'), userId);
  return setCookie.split(';')[0];
}

export function formBody(fields: Record<string, string>) {
  return new URLSearchParams(fields);
}

/**
 * Rate limits count in fixed windows (app/modules/auth/rate-limit.server.ts); a test whose attempts
 * straddled a window boundary would see its counter restart. Freezes the platform clock a second
 * into the current window (the test database's setup resets the clock after each test).
 */
export function freezeClockInOneWindow(windowMs: number) {
  setClock(new Date(Math.floor(Date.now() / windowMs) * windowMs + 1000));
}
