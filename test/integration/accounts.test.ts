import { describe, expect, it, onTestFinished } from 'vitest';
import { resetEnvCache } from '~/env.server';
import { getPrisma } from '~/db/index.server';
import { AccountError, authenticate, changePassword, createStaffUser, LOGIN_FAILED, registerOrganization } from '~/modules/auth/accounts.server';
import { withCheckChar } from '~/modules/auth/credit-code';
import { getSessionUser, requirePermission } from '~/modules/auth/session.server';
import { advanceClock } from '~/modules/clock/clock.server';
import { verifyAuditLog, type Actor } from '~/modules/audit/audit.server';
import { useTestDatabase } from '../setup/db';
import { createUser, freezeClockInOneWindow, makeRequest, sessionCookieFor, TEST_PASSWORD } from '../setup/fixtures';

useTestDatabase();

const anon = (ip = '10.1.1.1'): Actor => ({ userId: null, name: null, orgId: null, role: 'anonymous', ip, userAgent: 'vitest' });

const registration = {
  orgName: '测试建设有限公司',
  creditCode: withCheckChar('91420100MA4Y00001'),
  orgRole: 'bidder' as const,
  contactName: '张三',
  phone: '13912345678',
  username: 'zhangsan',
  password: 'Strong2026pw',
};

async function expectAccountError(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AccountError);
    return e as AccountError;
  }
  throw new Error('expected an AccountError');
}

describe('registration', () => {
  it('creates the organization and its first user, and audits it', async () => {
    const { org, user } = await registerOrganization(anon(), registration);
    expect(org.roles).toEqual(['bidder']);
    expect(user.role).toBe('bidder');
    expect(user.passwordHash).not.toContain(registration.password);
    const prisma = await getPrisma();
    const entry = await prisma.auditEntry.findFirst({ where: { action: 'account.register' } });
    expect(entry?.objectId).toBe(org.id);
    expect(entry?.ip).toBe('10.1.1.1');
  });

  it('refuses a duplicate credit code and changes nothing', async () => {
    await registerOrganization(anon(), registration);
    const err = await expectAccountError(registerOrganization(anon(), { ...registration, username: 'other' }));
    expect(err.fieldErrors.creditCode?.[0]).toContain('已注册');
    const prisma = await getPrisma();
    expect(await prisma.user.count()).toBe(1);
    expect(await prisma.organization.count()).toBe(1);
  });

  it('refuses a duplicate username', async () => {
    await registerOrganization(anon(), registration);
    const err = await expectAccountError(registerOrganization(anon(), { ...registration, creditCode: withCheckChar('91420100MA4Y00002') }));
    expect(err.fieldErrors.username?.[0]).toBe('用户名已被使用');
  });

  it('refuses a weak password', async () => {
    const err = await expectAccountError(registerOrganization(anon(), { ...registration, password: 'password' }));
    expect(err.fieldErrors.password?.[0]).toBe('密码须同时包含字母和数字');
    expect(await (await getPrisma()).organization.count()).toBe(0);
  });
});

describe('login', () => {
  it('gives the same message for an unknown user and a wrong password', async () => {
    await createUser('bidder', { username: 'known' });
    const a = await expectAccountError(authenticate(anon(), 'known', 'wrong-password1'));
    const b = await expectAccountError(authenticate(anon(), 'nobody', 'wrong-password1'));
    expect(a.message).toBe(LOGIN_FAILED);
    expect(b.message).toBe(LOGIN_FAILED);
    expect(a.status).toBe(b.status);
  });

  it('logs in with the right password', async () => {
    const u = await createUser('bidder', { username: 'rightpw' });
    const user = await authenticate(anon(), 'rightpw', TEST_PASSWORD);
    expect(user.id).toBe(u.id);
  });

  it('locks an account after repeated failures, even from many addresses, until the window passes', async () => {
    freezeClockInOneWindow(15 * 60_000);
    await createUser('bidder', { username: 'victim' });
    for (let i = 0; i < 5; i++) await expectAccountError(authenticate(anon(`10.2.0.${i}`), 'victim', 'bad-guess-1'));
    const locked = await expectAccountError(authenticate(anon('10.3.0.1'), 'victim', TEST_PASSWORD));
    expect(locked.status).toBe(429);
    expect(locked.message).toContain('登录尝试次数过多');
    advanceClock(16 * 60_000);
    await expect(authenticate(anon('10.3.0.1'), 'victim', TEST_PASSWORD)).resolves.toBeTruthy();
  });

  it('throttles one address trying many accounts', async () => {
    freezeClockInOneWindow(15 * 60_000);
    process.env.LOGIN_MAX_ATTEMPTS_PER_IP = '6';
    resetEnvCache();
    onTestFinished(() => {
      delete process.env.LOGIN_MAX_ATTEMPTS_PER_IP;
      resetEnvCache();
    });
    for (let i = 0; i < 6; i++) await expectAccountError(authenticate(anon('10.9.9.9'), `user${i}`, 'x-password-1'));
    const err = await expectAccountError(authenticate(anon('10.9.9.9'), 'another', 'x-password-1'));
    expect(err.status).toBe(429);
    // Another address is not affected.
    const other = await expectAccountError(authenticate(anon('10.9.9.8'), 'another', 'x-password-1'));
    expect(other.status).toBe(401);
  });

  it('refuses a disabled account with the same message', async () => {
    const u = await createUser('bidder', { username: 'disabled' });
    await (await getPrisma()).user.update({ where: { id: u.id }, data: { active: false } });
    const err = await expectAccountError(authenticate(anon(), 'disabled', TEST_PASSWORD));
    expect(err.message).toBe(LOGIN_FAILED);
  });
});

describe('sessions', () => {
  it('reads a valid session cookie and rejects a forged one', async () => {
    const u = await createUser('owner');
    const cookie = await sessionCookieFor(u.id);
    expect((await getSessionUser(makeRequest('/', { cookie })))?.id).toBe(u.id);
    const [name, value] = cookie.split('=');
    const forged = `${name}=${value.slice(0, -3)}${value.slice(-3) === 'AAA' ? 'BBB' : 'AAA'}`;
    expect(await getSessionUser(makeRequest('/', { cookie: forged }))).toBeNull();
    expect(await getSessionUser(makeRequest('/', { cookie: `${name}=${Buffer.from('"anything"').toString('base64')}` }))).toBeNull();
  });

  it('expires sessions', async () => {
    const u = await createUser('owner');
    const cookie = await sessionCookieFor(u.id);
    advanceClock(9 * 3600_000);
    expect(await getSessionUser(makeRequest('/', { cookie }))).toBeNull();
  });

  it('keeps a session valid until its expiry, in any time zone the process runs in', async () => {
    const u = await createUser('owner');
    const cookie = await sessionCookieFor(u.id);
    advanceClock(7.5 * 3600_000);
    expect((await getSessionUser(makeRequest('/', { cookie })))?.id).toBe(u.id);
  });

  it('reads the user and organization exactly as stored, timestamps included', async () => {
    const u = await createUser('bidder');
    const prisma = await getPrisma();
    await prisma.user.update({ where: { id: u.id }, data: { passwordChangedAt: new Date('2026-03-04T05:06:07.089Z'), phone: '13800000000' } });
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: u.id }, include: { organization: true } });
    const { passwordHash: _hash, ...expected } = stored;
    const user = await getSessionUser(makeRequest('/', { cookie: await sessionCookieFor(u.id) }));
    const { sessionId, ...got } = user!;
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/);
    expect(got).toEqual(expected);
    expect(got.passwordChangedAt?.toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(got.organization?.roles).toEqual(stored.organization?.roles);
  });

  it('never exposes the password hash to loaders', async () => {
    const u = await createUser('owner');
    const user = await getSessionUser(makeRequest('/', { cookie: await sessionCookieFor(u.id) }));
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('redirects anonymous users to login and refuses the wrong role with 403', async () => {
    const anonymous = await requirePermission(makeRequest('/audit?x=1'), 'read:audit').catch((e) => e);
    expect(anonymous).toBeInstanceOf(Response);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('Location')).toBe('/login?redirectTo=%2Faudit%3Fx%3D1');
    const bidder = await createUser('bidder');
    const denied = await requirePermission(makeRequest('/audit', { cookie: await sessionCookieFor(bidder.id) }), 'read:audit').catch((e) => e);
    expect(denied.status).toBe(403);
  });
});

describe('password change', () => {
  it('changes the password and ends the other sessions', async () => {
    const u = await createUser('agency', { username: 'changer' });
    const mine = await sessionCookieFor(u.id);
    const other = await sessionCookieFor(u.id);
    const me = (await getSessionUser(makeRequest('/', { cookie: mine })))!;
    await changePassword({ ...anon(), userId: u.id, sessionId: me.sessionId }, u.id, TEST_PASSWORD, 'NewPass2026x');
    expect(await getSessionUser(makeRequest('/', { cookie: mine }))).not.toBeNull();
    expect(await getSessionUser(makeRequest('/', { cookie: other }))).toBeNull();
    await expect(authenticate(anon(), 'changer', 'NewPass2026x')).resolves.toBeTruthy();
  });

  it('refuses a wrong current password', async () => {
    const u = await createUser('agency');
    const err = await expectAccountError(changePassword(anon(), u.id, 'wrong-one-1', 'NewPass2026x'));
    expect(err.fieldErrors.currentPassword?.[0]).toBe('当前密码不正确');
  });
});

describe('staff accounts', () => {
  it('admins create supervisors; all of it lands in a valid audit chain', async () => {
    const admin = await createUser('admin');
    const sup = await createStaffUser({ ...anon(), userId: admin.id, role: 'admin' }, { username: 'sup9', displayName: '监督员', role: 'supervisor', password: 'Superv1sor2026' });
    expect(sup.organizationId).toBeNull();
    const prisma = await getPrisma();
    const r = await verifyAuditLog(prisma);
    expect(r.checked).toBeGreaterThan(0);
    expect(r.problems).toEqual([]);
  });
});
