import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './password.server';
import { clearRateLimit, hitRateLimit, peekRateLimit } from './rate-limit.server';
import type { OrgRole } from './permissions';

export type FieldErrors = Record<string, string[]>;

export class AccountError extends Error {
  constructor(
    message: string,
    public fieldErrors: FieldErrors = {},
    public status = 400,
  ) {
    super(message);
  }
}

export interface RegisterInput {
  orgName: string;
  creditCode: string;
  orgRole: OrgRole;
  contactName: string;
  phone: string;
  email?: string;
  username: string;
  password: string;
}

/** 注册: a new organization with its first user (who holds the organization's market role). */
export async function registerOrganization(actor: Actor, input: RegisterInput) {
  const weak = passwordProblem(input.password, input.username);
  if (weak) throw new AccountError(weak, { password: [weak] });
  const prisma = await getPrisma();
  const passwordHash = await hashPassword(input.password);
  return prisma.$transaction(async (tx) => {
    if (await tx.organization.findUnique({ where: { creditCode: input.creditCode }, select: { id: true } })) {
      throw new AccountError('该统一社会信用代码已注册', { creditCode: ['该统一社会信用代码已注册，请由本单位管理员添加账号或找回密码'] });
    }
    if (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
      throw new AccountError('用户名已被使用', { username: ['用户名已被使用'] });
    }
    const org = await tx.organization.create({
      data: {
        name: input.orgName,
        creditCode: input.creditCode,
        roles: [input.orgRole],
        contactName: input.contactName,
        phone: input.phone,
        email: input.email,
        createdAt: now(),
      },
    });
    const user = await tx.user.create({
      data: {
        username: input.username,
        displayName: input.contactName,
        phone: input.phone,
        email: input.email,
        passwordHash,
        role: input.orgRole,
        organizationId: org.id,
        createdAt: now(),
      },
    });
    await appendAuditEntry(tx, { ...actor, userId: user.id, name: user.displayName, orgId: org.id, role: user.role }, {
      action: 'account.register',
      objectType: 'organization',
      objectId: org.id,
      payload: { orgName: org.name, creditCode: org.creditCode, role: input.orgRole, username: user.username },
    });
    return { org, user };
  });
}

export const LOGIN_FAILED = '用户名或密码错误';

/** Checks credentials with per-account and per-IP throttling. The message for an unknown user
 * and for a wrong password is the same, and both cost one scrypt. */
export async function authenticate(actor: Actor, username: string, password: string) {
  const e = env();
  const windowMs = e.LOGIN_WINDOW_MINUTES * 60_000;
  const prisma = await getPrisma();
  const accountKey = `login:user:${username.toLowerCase()}`;
  const ipKey = `login:ip:${actor.ip ?? 'unknown'}`;
  const ipCount = await hitRateLimit(prisma, ipKey, windowMs);
  const accountFailures = await peekRateLimit(prisma, accountKey, windowMs);
  if (ipCount > e.LOGIN_MAX_ATTEMPTS_PER_IP || accountFailures >= e.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT) {
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actor, { action: 'auth.login.throttled', objectType: 'username', objectId: username.slice(0, 64) }),
    );
    throw new AccountError(`登录尝试次数过多，请 ${e.LOGIN_WINDOW_MINUTES} 分钟后再试`, {}, 429);
  }
  const user = await prisma.user.findUnique({ where: { username }, include: { organization: true } });
  const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyPasswordHash()), false);
  if (!user || !ok || !user.active) {
    await hitRateLimit(prisma, accountKey, windowMs);
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actor, {
        action: 'auth.login.failed',
        objectType: 'username',
        objectId: username.slice(0, 64),
        payload: { reason: !user ? 'unknown-user' : !ok ? 'wrong-password' : 'inactive' },
      }),
    );
    throw new AccountError(LOGIN_FAILED, {}, 401);
  }
  await clearRateLimit(prisma, accountKey);
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, { ...actor, userId: user.id, name: user.displayName, orgId: user.organizationId, role: user.role }, {
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
    }),
  );
  return user;
}

export async function changePassword(actor: Actor, userId: string, current: string, next: string) {
  const prisma = await getPrisma();
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(current, user.passwordHash))) {
    throw new AccountError('当前密码不正确', { currentPassword: ['当前密码不正确'] });
  }
  const weak = passwordProblem(next, user.username);
  if (weak) throw new AccountError(weak, { newPassword: [weak] });
  if (await verifyPassword(next, user.passwordHash)) {
    throw new AccountError('新密码不能与当前密码相同', { newPassword: ['新密码不能与当前密码相同'] });
  }
  const passwordHash = await hashPassword(next);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now() } });
    // Every other session of this user ends: a changed password must lock out whoever had the old one.
    await tx.session.deleteMany({ where: { userId, NOT: { id: actor.sessionId ?? '' } } });
    await appendAuditEntry(tx, actor, { action: 'account.password.change', objectType: 'user', objectId: userId });
  });
}

export interface StaffInput {
  username: string;
  displayName: string;
  role: 'supervisor' | 'admin' | 'expert';
  phone?: string;
  email?: string;
  password: string;
}

/** Center admins create supervisors, other admins and experts: these roles cannot self-register. */
export async function createStaffUser(actor: Actor, input: StaffInput) {
  const weak = passwordProblem(input.password, input.username);
  if (weak) throw new AccountError(weak, { password: [weak] });
  const prisma = await getPrisma();
  const passwordHash = await hashPassword(input.password);
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
      throw new AccountError('用户名已被使用', { username: ['用户名已被使用'] });
    }
    const user = await tx.user.create({
      data: { username: input.username, displayName: input.displayName, role: input.role, phone: input.phone, email: input.email, passwordHash, createdAt: now() },
    });
    await appendAuditEntry(tx, actor, {
      action: 'account.staff.create',
      objectType: 'user',
      objectId: user.id,
      payload: { username: user.username, role: user.role },
    });
    return user;
  });
}

export async function setUserActive(actor: Actor, userId: string, active: boolean) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { active } });
    if (!active) await tx.session.deleteMany({ where: { userId } });
    await appendAuditEntry(tx, actor, { action: active ? 'account.enable' : 'account.disable', objectType: 'user', objectId: userId });
  });
}
