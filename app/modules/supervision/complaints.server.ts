// 投诉 / 异议 / 质疑: filed by any market participant, handled by supervisors within statutory
// periods counted on the working-day calendar. Overdue answers raise warnings
// (rules/complaint-overtime.server.ts).
import { Prisma } from '~/generated/prisma/client';
import type { Db, Tx } from '~/db/db.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now as clockNow } from '~/modules/clock/clock.server';
import { chinaDay, endOfChinaDay, type WorkCalendar } from '~/modules/clock/workdays';
import { notifyUsers } from '~/modules/notify/notify.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { loadWorkCalendar } from './calendar.server';
import { overdueComplaintWhere } from './console.server';
import {
  COMPLAINT_KINDS,
  COMPLAINT_OUTCOMES,
  DEFAULT_COMPLAINT_DEADLINES,
  type ComplaintDeadlines,
  type ComplaintKind,
  type DeadlineRule,
  type FileComplaintInput,
  type HandleComplaintInput,
} from './complaint-types';

export const DEADLINES_SETTING = 'supervision.complaintDeadlines';

export class ComplaintError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export async function getComplaintDeadlines(db: Tx): Promise<ComplaintDeadlines> {
  const row = await db.setting.findUnique({ where: { key: DEADLINES_SETTING } });
  const v = (row?.value ?? {}) as Partial<ComplaintDeadlines>;
  const out = { ...DEFAULT_COMPLAINT_DEADLINES };
  for (const k of Object.keys(out) as ComplaintKind[]) {
    const r = v[k];
    if (r && Number.isInteger(r.answerDays) && r.answerDays > 0 && (r.unit === 'workdays' || r.unit === 'days')) out[k] = { ...out[k], ...r };
  }
  return out;
}

/** The end (24:00 China time) of the n-th working day or calendar day after `start`'s day. */
export function deadlineAfter(calendar: WorkCalendar, start: Date, days: number, unit: DeadlineRule['unit']): Date {
  if (unit === 'workdays') return calendar.addWorkdays(start, days);
  return new Date(endOfChinaDay(chinaDay(start)).getTime() + days * 86_400_000);
}

async function supervisorIds(tx: Tx) {
  return (await tx.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true } })).map((u) => u.id);
}

/** Resolves the subject a participant named, so the respondent is known and can be told. */
async function resolveSubject(tx: Tx, input: FileComplaintInput): Promise<{ subjectId: string | null; label: string; respondentOrgId: string | null; respondentName: string | null }> {
  const ref = input.subjectId?.trim() || null;
  const base = { subjectId: ref, label: input.subjectLabel, respondentOrgId: null as string | null, respondentName: input.respondentName?.trim() || null };
  if (!ref) return base;
  const notFound = () => new ComplaintError('未找到该编号', 400, { subjectId: ['未找到该编号对应的项目或主体，请核对后重新填写'] });
  switch (input.subjectType) {
    case 'purchase': {
      const p = await tx.purchase.findFirst({ where: { OR: [{ id: ref }, { code: ref }] }, select: { id: true, code: true, projectName: true, ownerOrgId: true } });
      if (!p) throw notFound();
      const org = await tx.organization.findUnique({ where: { id: p.ownerOrgId }, select: { name: true } });
      return { subjectId: p.id, label: `${p.code} ${p.projectName}`, respondentOrgId: p.ownerOrgId, respondentName: base.respondentName ?? org?.name ?? null };
    }
    case 'contract': {
      const o = await tx.serviceOrder.findFirst({ where: { OR: [{ id: ref }, { code: ref }] }, select: { id: true, code: true, agencyId: true } });
      if (!o) throw notFound();
      const a = await tx.agencyProfile.findUnique({ where: { id: o.agencyId }, select: { orgId: true, name: true } });
      return { subjectId: o.id, label: `订单 ${o.code}`, respondentOrgId: a?.orgId ?? null, respondentName: base.respondentName ?? a?.name ?? null };
    }
    case 'agency': {
      const a = await tx.agencyProfile.findFirst({ where: { OR: [{ id: ref }, { orgId: ref }, { creditCode: ref }] }, select: { id: true, orgId: true, name: true } });
      if (!a) throw notFound();
      return { subjectId: a.id, label: a.name, respondentOrgId: a.orgId, respondentName: a.name };
    }
    case 'tender': {
      const t = await tx.tender.findFirst({ where: { OR: [{ id: ref }, { code: ref }] }, select: { id: true, code: true, name: true, agentOrgId: true } });
      if (!t) throw notFound();
      const org = await tx.organization.findUnique({ where: { id: t.agentOrgId }, select: { name: true } });
      return { subjectId: t.id, label: `${t.code} ${t.name}`, respondentOrgId: t.agentOrgId, respondentName: base.respondentName ?? org?.name ?? null };
    }
    case 'owner': {
      const org = await tx.organization.findFirst({ where: { OR: [{ id: ref }, { creditCode: ref }] }, select: { id: true, name: true } });
      if (!org) throw notFound();
      return { subjectId: org.id, label: org.name, respondentOrgId: org.id, respondentName: org.name };
    }
    default:
      return base;
  }
}

async function nextNumber(tx: Tx, at: Date) {
  const year = chinaDay(at).slice(0, 4);
  const prefix = `TS${year}-`;
  const last = await tx.complaint.findFirst({ where: { no: { startsWith: prefix } }, orderBy: { no: 'desc' }, select: { no: true } });
  const n = last ? Number(last.no.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(4, '0')}`;
}

export async function fileComplaint(
  prisma: Db,
  actor: Actor,
  user: { id: string; displayName: string; organizationId: string | null; organization?: { name: string } | null },
  input: FileComplaintInput,
) {
  const calendar = await loadWorkCalendar(prisma);
  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const subject = await resolveSubject(tx, input);
        if (subject.respondentOrgId && subject.respondentOrgId === user.organizationId) {
          throw new ComplaintError('不能投诉本单位', 400, { subjectId: ['不能对本单位提出投诉或异议'] });
        }
        const at = clockNow();
        const rules = await getComplaintDeadlines(tx);
        const rule = rules[input.kind];
        const acceptDueAt = rule.acceptDays ? deadlineAfter(calendar, at, rule.acceptDays, rule.unit) : null;
        // Until a complaint is accepted its decision period has not started: show the latest date
        // it can be due (accepted on the last day), recomputed at acceptance.
        const answerDueAt = deadlineAfter(calendar, acceptDueAt ?? at, rule.answerDays, rule.unit);
        const c = await tx.complaint.create({
          data: {
            no: await nextNumber(tx, at),
            kind: input.kind,
            subjectType: input.subjectType,
            subjectId: subject.subjectId,
            subjectLabel: subject.label,
            respondentOrgId: subject.respondentOrgId,
            respondentName: subject.respondentName,
            complainantUserId: user.id,
            complainantOrgId: user.organizationId,
            complainantName: user.organization?.name ?? user.displayName,
            title: input.title,
            facts: input.facts,
            demands: input.demands,
            status: 'submitted',
            filedAt: at,
            acceptDueAt,
            answerDueAt,
            events: { create: { at, actorId: user.id, actorName: user.displayName, kind: 'filed' } },
          },
        });
        await appendAuditEntry(tx, actor, { action: 'complaint.file', objectType: 'complaint', objectId: c.id, payload: { no: c.no, kind: c.kind, subjectType: c.subjectType, subjectId: c.subjectId } });
        await notifyUsers(tx, await supervisorIds(tx), {
          title: `新${COMPLAINT_KINDS[input.kind]}待处理：${c.no}`,
          body: `${c.complainantName} 就“${c.subjectLabel}”提出${COMPLAINT_KINDS[input.kind]}：${c.title}`,
          link: `/supervision/complaints/${c.id}`,
          kind: 'warning',
        });
        return c;
      });
    } catch (e) {
      // Two filings took the same number at once: take the next one.
      if (attempt < 3 && e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') continue;
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 异议 answered by a party in another module (the tenderer on the candidate publicity, 实施条例
// 第五十四条): that module keeps the objection and its answer on its own record and mirrors it here
// (subjectType LINKED_SUBJECT_AWARD), so the statutory deadline, the overtime warnings and the
// supervisors' list cover it. Supervisors follow it read-only; it closes when the party answers.

export const LINKED_SUBJECT_AWARD = 'award';

export interface LinkedObjectionInput {
  complainant: { userId: string; orgId: string | null; name: string; actorName: string };
  tenderId: string;
  subjectLabel: string;
  respondentOrgId: string;
  respondentName: string;
  title: string;
  facts: string;
  demands: string;
}

/** Mirrors an objection inside the caller's transaction; returns the complaint (its number and deadline). */
export async function fileLinkedObjection(tx: Tx, actor: Actor, input: LinkedObjectionInput) {
  const calendar = await loadWorkCalendar(tx);
  const at = clockNow();
  const rule = (await getComplaintDeadlines(tx)).objection;
  const c = await tx.complaint.create({
    data: {
      no: await nextNumber(tx, at),
      kind: 'objection',
      subjectType: LINKED_SUBJECT_AWARD,
      subjectId: input.tenderId,
      subjectLabel: input.subjectLabel,
      respondentOrgId: input.respondentOrgId,
      respondentName: input.respondentName,
      complainantUserId: input.complainant.userId,
      complainantOrgId: input.complainant.orgId,
      complainantName: input.complainant.name,
      title: input.title,
      facts: input.facts,
      demands: input.demands,
      status: 'submitted',
      filedAt: at,
      answerDueAt: deadlineAfter(calendar, at, rule.answerDays, rule.unit),
      events: { create: { at, actorId: input.complainant.userId, actorName: input.complainant.actorName, kind: 'filed' } },
    },
  });
  await appendAuditEntry(tx, actor, { action: 'complaint.file', objectType: 'complaint', objectId: c.id, payload: { no: c.no, kind: c.kind, subjectType: c.subjectType, subjectId: c.subjectId } });
  await notifyUsers(tx, await supervisorIds(tx), {
    title: `新异议（中标候选人公示）：${c.no}`,
    body: `${c.complainantName} 对“${c.subjectLabel}”提出异议，由招标人在 ${c.answerDueAt.toISOString().slice(0, 10)} 前答复，请跟踪督办。`,
    link: `/supervision/complaints/${c.id}`,
    kind: 'info',
  });
  return c;
}

/** The respondent answered the mirrored objection on its own record: the complaint is closed with that answer. */
export async function closeLinkedObjection(tx: Tx, actor: Actor, complaintId: string, answer: string) {
  const c = await tx.complaint.findUnique({ where: { id: complaintId } });
  if (!c || c.subjectType !== LINKED_SUBJECT_AWARD || !['submitted', 'accepted'].includes(c.status)) return;
  const at = clockNow();
  await tx.complaint.update({ where: { id: c.id }, data: { status: 'decided', decisionReason: answer, decidedAt: at, handlerId: actor.userId, handlerName: actor.name } });
  await tx.complaintEvent.create({ data: { complaintId: c.id, at, actorId: actor.userId, actorName: actor.name, kind: 'decided', note: `招标人答复：${answer}` } });
  await appendAuditEntry(tx, actor, { action: 'complaint.answer', objectType: 'complaint', objectId: c.id, payload: { no: c.no, onTime: at <= c.answerDueAt } });
}

export async function withdrawComplaint(prisma: Db, actor: Actor, userId: string, id: string) {
  return prisma.$transaction(async (tx) => {
    const c = await tx.complaint.findUnique({ where: { id } });
    if (!c || c.complainantUserId !== userId) throw new ComplaintError('未找到该事项', 404);
    if (c.subjectType === LINKED_SUBJECT_AWARD) throw new ComplaintError('对中标候选人公示的异议由招标人答复，不能在此撤回', 409);
    if (!['submitted', 'accepted'].includes(c.status)) throw new ComplaintError('该事项已办结，不能撤回', 409);
    const at = clockNow();
    await tx.complaint.update({ where: { id }, data: { status: 'withdrawn', decidedAt: at } });
    await tx.complaintEvent.create({ data: { complaintId: id, at, actorId: userId, actorName: actor.name, kind: 'withdrawn' } });
    await appendAuditEntry(tx, actor, { action: 'complaint.withdraw', objectType: 'complaint', objectId: id, payload: { no: c.no } });
  });
}

/** Supervisor decisions: accept (投诉 only), refuse, or decide with an outcome and reasons. */
export async function handleComplaint(prisma: Db, actor: Actor, id: string, input: HandleComplaintInput) {
  const calendar = await loadWorkCalendar(prisma);
  return prisma.$transaction(async (tx) => {
    const c = await tx.complaint.findUnique({ where: { id } });
    if (!c) throw new ComplaintError('未找到该事项', 404);
    if (c.subjectType === LINKED_SUBJECT_AWARD) throw new ComplaintError('该异议依法由招标人答复，监督人员跟踪督办，不在此处理', 409);
    const at = clockNow();
    const kindLabel = COMPLAINT_KINDS[c.kind as ComplaintKind] ?? c.kind;
    const tellComplainant = (title: string, body: string) =>
      notifyUsers(tx, [c.complainantUserId], { title, body, link: `/complaints/${c.id}`, kind: 'info' });
    if (input.intent === 'accept') {
      if (c.kind !== 'complaint') throw new ComplaintError(`${kindLabel}无需受理，请直接答复`, 409);
      if (c.status !== 'submitted') throw new ComplaintError('该投诉已处理过受理环节', 409);
      const rules = await getComplaintDeadlines(tx);
      const answerDueAt = deadlineAfter(calendar, at, rules.complaint.answerDays, rules.complaint.unit);
      const updated = await tx.complaint.update({ where: { id }, data: { status: 'accepted', acceptedAt: at, acceptNote: input.note, answerDueAt, handlerId: actor.userId, handlerName: actor.name } });
      await tx.complaintEvent.create({ data: { complaintId: id, at, actorId: actor.userId, actorName: actor.name, kind: 'accepted', note: input.note } });
      await appendAuditEntry(tx, actor, { action: 'complaint.accept', objectType: 'complaint', objectId: id, payload: { no: c.no, answerDueAt: answerDueAt.toISOString() } });
      await tellComplainant(`您的投诉 ${c.no} 已受理`, `受理意见：${input.note}`);
      return updated;
    }
    if (input.intent === 'reject') {
      if (c.status !== 'submitted') throw new ComplaintError('只有待受理的事项可以不予受理', 409);
      const updated = await tx.complaint.update({ where: { id }, data: { status: 'rejected', decidedAt: at, decisionReason: input.note, handlerId: actor.userId, handlerName: actor.name } });
      await tx.complaintEvent.create({ data: { complaintId: id, at, actorId: actor.userId, actorName: actor.name, kind: 'rejected', note: input.note } });
      await appendAuditEntry(tx, actor, { action: 'complaint.reject', objectType: 'complaint', objectId: id, payload: { no: c.no, reason: input.note } });
      await tellComplainant(`您的${kindLabel} ${c.no} 不予受理`, `理由：${input.note}`);
      return updated;
    }
    const allowed = c.kind === 'complaint' ? ['accepted'] : ['submitted'];
    if (!allowed.includes(c.status)) {
      throw new ComplaintError(c.kind === 'complaint' && c.status === 'submitted' ? '投诉须先受理再作出处理决定' : '该事项已办结', 409);
    }
    let announcementId: string | null = null;
    if (input.publish) {
      const a = await publishAnnouncement(tx, {
        kind: 'complaint',
        title: `关于${c.subjectLabel}${kindLabel}的处理决定（${c.no}）`,
        body: [
          `${kindLabel}人：${c.complainantName}`,
          c.respondentName ? `被${kindLabel}人：${c.respondentName}` : null,
          `事项：${c.title}`,
          `处理结论：${COMPLAINT_OUTCOMES[input.outcome]}`,
          `理由和依据：${input.reason}`,
          `如对本决定不服，可依法申请行政复议或者提起行政诉讼。`,
        ]
          .filter(Boolean)
          .join('\n'),
        market: c.subjectType === 'tender' ? 'bidding' : 'market',
        sourceType: 'complaint',
        sourceId: c.id,
        publisherId: actor.userId ?? undefined,
      });
      announcementId = a.id;
    }
    const updated = await tx.complaint.update({
      where: { id },
      data: { status: 'decided', outcome: input.outcome, decisionReason: input.reason, decidedAt: at, publishOutcome: input.publish, announcementId, handlerId: actor.userId, handlerName: actor.name },
    });
    await tx.complaintEvent.create({ data: { complaintId: id, at, actorId: actor.userId, actorName: actor.name, kind: 'decided', note: `${COMPLAINT_OUTCOMES[input.outcome]}：${input.reason}` } });
    await appendAuditEntry(tx, actor, { action: 'complaint.decide', objectType: 'complaint', objectId: id, payload: { no: c.no, outcome: input.outcome, published: input.publish, onTime: at <= c.answerDueAt } });
    await tellComplainant(`您的${kindLabel} ${c.no} 已办结`, `处理结论：${COMPLAINT_OUTCOMES[input.outcome]}。${input.reason}`);
    if (c.respondentOrgId) {
      const respondents = (await tx.user.findMany({ where: { organizationId: c.respondentOrgId, active: true }, select: { id: true } })).map((u) => u.id);
      await notifyUsers(tx, respondents, { title: `涉及贵单位的${kindLabel}已处理：${c.no}`, body: `处理结论：${COMPLAINT_OUTCOMES[input.outcome]}`, kind: 'info' });
    }
    return updated;
  });
}

export interface ComplaintFilter {
  status?: string;
  kind?: string;
  q?: string;
  complainantUserId?: string;
  overdue?: boolean;
  page?: number;
  pageSize?: number;
}

export async function listComplaints(prisma: Db, f: ComplaintFilter) {
  const pageSize = Math.min(f.pageSize ?? 20, 100);
  const page = Math.max(f.page ?? 1, 1);
  const where: Prisma.ComplaintWhereInput = {
    ...(f.status === 'open' ? { status: { in: ['submitted', 'accepted'] } } : f.status ? { status: f.status } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.complainantUserId ? { complainantUserId: f.complainantUserId } : {}),
    ...(f.overdue ? { AND: [overdueComplaintWhere(clockNow())] } : {}),
    ...(f.q
      ? { OR: [{ no: { contains: f.q, mode: 'insensitive' } }, { title: { contains: f.q, mode: 'insensitive' } }, { subjectLabel: { contains: f.q, mode: 'insensitive' } }, { complainantName: { contains: f.q } }] }
      : {}),
  };
  const [items, total] = await Promise.all([
    prisma.complaint.findMany({ where, orderBy: [{ filedAt: 'desc' }], skip: (page - 1) * pageSize, take: pageSize }),
    prisma.complaint.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function getComplaint(prisma: Db, id: string) {
  return prisma.complaint.findUnique({ where: { id }, include: { events: { orderBy: { at: 'asc' } } } });
}
