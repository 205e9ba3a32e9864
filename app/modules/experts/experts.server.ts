// 专家库: expert accounts (User role 'expert', opened only by center admins) and their library
// profiles — specialties, region, employer, availability and avoidance relations (回避). Every
// change is audited: edits between a draw's commitment and the draw itself are visible in the log.
import { getPrisma } from '~/db/index.server';
import type { Tx } from '~/db/db.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { hashPassword, passwordProblem } from '~/modules/auth/password.server';
import { now } from '~/modules/clock/clock.server';
import type { ExpertInput, ExpertUpdateInput, RelationInput } from './specialties';

export class ExpertError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

const DAY_MS = 24 * 3600_000;

/** Setting `experts.avoidance`: how long an ended relation still makes an expert recuse. */
export const AVOIDANCE_SETTING = 'experts.avoidance';
export const DEFAULT_LOOKBACK_DAYS = 3 * 365;

export async function avoidanceLookbackDays(db?: Tx): Promise<number> {
  const prisma = db ?? (await getPrisma());
  const row = await prisma.setting.findUnique({ where: { key: AVOIDANCE_SETTING } });
  const v = (row?.value as { lookbackDays?: unknown } | null)?.lookbackDays;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3650 ? v : DEFAULT_LOOKBACK_DAYS;
}

export async function listExperts(f: { q?: string; specialty?: string; status?: string; page?: number; pageSize?: number }) {
  const prisma = await getPrisma();
  const pageSize = Math.min(f.pageSize ?? 20, 100);
  const page = Math.max(1, f.page ?? 1);
  const where = {
    ...(f.specialty ? { specialties: { has: f.specialty } } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.q ? { OR: [{ name: { contains: f.q } }, { code: { contains: f.q } }, { employerName: { contains: f.q } }] } : {}),
  };
  const [total, rows] = await Promise.all([
    prisma.expert.count({ where }),
    prisma.expert.findMany({ where, orderBy: { code: 'asc' }, skip: (page - 1) * pageSize, take: pageSize, include: { _count: { select: { relations: true } } } }),
  ]);
  return { total, page, pageSize, rows };
}

export async function getExpert(id: string) {
  const prisma = await getPrisma();
  const e = await prisma.expert.findUnique({ where: { id }, include: { relations: { orderBy: { createdAt: 'asc' } } } });
  if (!e) return null;
  const user = await prisma.user.findUnique({ where: { id: e.userId }, select: { username: true, active: true } });
  return { ...e, username: user?.username ?? '', active: user?.active ?? false };
}

export async function expertOfUser(userId: string) {
  const prisma = await getPrisma();
  return prisma.expert.findUnique({ where: { userId } });
}

async function nextCode(tx: Tx) {
  const last = await tx.expert.findFirst({ orderBy: { code: 'desc' }, select: { code: true } });
  const n = last ? Number(last.code.slice(-4)) + 1 : 1;
  return `JCZJ-${String(n).padStart(4, '0')}`;
}

/** Opens the expert's login account and library profile together. */
export async function createExpert(actor: Actor, input: ExpertInput) {
  const weak = passwordProblem(input.password, input.username);
  if (weak) throw new ExpertError(weak, 400, { password: [weak] });
  const passwordHash = await hashPassword(input.password);
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
      throw new ExpertError('用户名已被使用', 400, { username: ['用户名已被使用'] });
    }
    const at = now();
    const user = await tx.user.create({
      data: { username: input.username, displayName: input.name, role: 'expert', phone: input.phone, passwordHash, createdAt: at },
    });
    // Serialise code allocation with other creations (two admins at once).
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7301110)');
    const expert = await tx.expert.create({
      data: {
        userId: user.id,
        code: await nextCode(tx),
        name: input.name,
        title: input.title,
        specialties: [...new Set(input.specialties)],
        region: input.region,
        employerName: input.employerName,
        employerCreditCode: input.employerCreditCode,
        phone: input.phone,
        createdAt: at,
        updatedAt: at,
      },
    });
    await appendAuditEntry(tx, actor, {
      action: 'expert.create',
      objectType: 'expert',
      objectId: expert.id,
      payload: { code: expert.code, userId: user.id, username: user.username, specialties: expert.specialties, employerCreditCode: expert.employerCreditCode },
    });
    return expert;
  });
}

export async function updateExpert(actor: Actor, id: string, input: ExpertUpdateInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const e = await tx.expert.findUnique({ where: { id } });
    if (!e) throw new ExpertError('专家不存在', 404);
    const updated = await tx.expert.update({
      where: { id },
      data: { name: input.name, title: input.title, specialties: [...new Set(input.specialties)], region: input.region, employerName: input.employerName, employerCreditCode: input.employerCreditCode, phone: input.phone ?? null, updatedAt: now() },
    });
    await tx.user.update({ where: { id: e.userId }, data: { displayName: input.name, phone: input.phone ?? null } });
    await appendAuditEntry(tx, actor, {
      action: 'expert.update',
      objectType: 'expert',
      objectId: id,
      payload: { before: { specialties: e.specialties, employerCreditCode: e.employerCreditCode, region: e.region }, after: { specialties: updated.specialties, employerCreditCode: updated.employerCreditCode, region: updated.region } },
    });
    return updated;
  });
}

export async function setExpertStatus(actor: Actor, id: string, status: 'available' | 'suspended', reason: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const e = await tx.expert.findUnique({ where: { id } });
    if (!e) throw new ExpertError('专家不存在', 404);
    if (status === 'suspended' && !reason.trim()) throw new ExpertError('请填写暂停原因', 400, { reason: ['请填写暂停原因'] });
    await tx.expert.update({ where: { id }, data: { status, statusReason: status === 'suspended' ? reason.trim().slice(0, 200) : null, updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: status === 'suspended' ? 'expert.suspend' : 'expert.resume', objectType: 'expert', objectId: id, payload: { reason: reason.trim().slice(0, 200) } });
  });
}

export async function addRelation(actor: Actor, expertId: string, input: RelationInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const e = await tx.expert.findUnique({ where: { id: expertId } });
    if (!e) throw new ExpertError('专家不存在', 404);
    const endedOn = input.endedOn ? new Date(`${input.endedOn}T00:00:00+08:00`) : null;
    if (endedOn && endedOn.getTime() > now().getTime() + DAY_MS) throw new ExpertError('结束日期不能晚于今天', 400, { endedOn: ['结束日期不能晚于今天；仍在持续的关系请留空'] });
    const r = await tx.expertRelation.create({
      data: { expertId, kind: input.kind, orgName: input.orgName, orgCreditCode: input.orgCreditCode, endedOn, note: input.note || null, createdAt: now() },
    });
    await tx.expert.update({ where: { id: expertId }, data: { updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'expert.relation.add', objectType: 'expert', objectId: expertId, payload: { relationId: r.id, kind: r.kind, orgCreditCode: r.orgCreditCode, endedOn: r.endedOn?.toISOString() ?? null } });
    return r;
  });
}

export async function removeRelation(actor: Actor, expertId: string, relationId: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const r = await tx.expertRelation.findUnique({ where: { id: relationId } });
    if (!r || r.expertId !== expertId) throw new ExpertError('回避关系不存在', 404);
    await tx.expertRelation.delete({ where: { id: relationId } });
    await appendAuditEntry(tx, actor, { action: 'expert.relation.remove', objectType: 'expert', objectId: expertId, payload: { relationId, kind: r.kind, orgCreditCode: r.orgCreditCode } });
  });
}
