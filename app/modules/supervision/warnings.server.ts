// 预警纠错: rules look at the platform's data and raise warnings that a supervisor must handle.
//
// Idempotence (decision 090): a finding is identified by (rule, subjectType, subjectId). While a
// warning for it is not closed, its `openKey` holds that identity under a unique index, so a
// re-evaluation (or two racing scheduler rounds) never adds a second one; a yellow finding that
// later turns red escalates the same row. When a later evaluation no longer finds the condition,
// the warning is marked "cleared" but stays open: an overtime that happened is still a fact a
// supervisor has to look at and close with a conclusion (限时办结的责任追究). After a warning is
// closed, the same condition found again opens a new one.
import { canonicalJson } from '../../../crypto/auditlog';
import { Prisma } from '~/generated/prisma/client';
import type { Db, Tx } from '~/db/db.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now as clockNow } from '~/modules/clock/clock.server';
import type { WorkCalendar } from '~/modules/clock/workdays';
import { deliverMails, notifyUsers } from '~/modules/notify/notify.server';
import { loadWorkCalendar } from './calendar.server';
import { WARNING_CONCLUSIONS, WARNING_LEVELS, type RuleCategory, type WarningConclusion, type WarningLevel } from './warning-types';

export interface Finding {
  subjectType: string;
  subjectId: string;
  /** What a supervisor reads in lists, in Chinese. */
  subjectLabel: string;
  title: string;
  detail: string;
  /** Overrides the rule's level (time-limit rules find yellow first, then red). */
  level?: WarningLevel;
  facts?: Record<string, unknown>;
  link?: string;
  /** Organizations answerable for the condition (their users are told, 责任主体). */
  responsibleOrgIds?: string[];
  /**
   * The evidence may grow while the warning is open (collusion: submission signals first, the
   * documents' at the opening): new facts update the open warning, with an event, an audit entry
   * and a notice to its assignee. Rules whose detail changes every run (time limits) leave it unset.
   */
  refresh?: boolean;
}

export interface RuleContext {
  calendar: WorkCalendar;
}

export interface WarningRule {
  id: string;
  /** Chinese name shown to supervisors. */
  name: string;
  level: WarningLevel;
  category: RuleCategory;
  /** One line: what fires the rule and on what legal or procedural basis. */
  description: string;
  evaluate(db: Tx, now: Date, ctx: RuleContext): Promise<Finding[]>;
}

export class WarningError extends Error {
  constructor(
    message: string,
    public status = 400,
  ) {
    super(message);
  }
}

function openKeyOf(ruleId: string, f: Pick<Finding, 'subjectType' | 'subjectId'>) {
  return `${ruleId}|${f.subjectType}|${f.subjectId}`;
}

/** The supervisor with the fewest warnings still open (ties: by username), or null. */
async function pickAssignee(tx: Tx): Promise<string | null> {
  const supervisors = await tx.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true, username: true }, orderBy: { username: 'asc' } });
  if (supervisors.length === 0) return null;
  const loads = await tx.warning.groupBy({ by: ['assigneeId'], where: { status: { not: 'closed' }, assigneeId: { in: supervisors.map((s) => s.id) } }, _count: { _all: true } });
  const load = new Map(loads.map((l) => [l.assigneeId, l._count._all]));
  let best = supervisors[0];
  for (const s of supervisors) if ((load.get(s.id) ?? 0) < (load.get(best.id) ?? 0)) best = s;
  return best.id;
}

async function supervisorIds(tx: Tx) {
  return (await tx.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true } })).map((u) => u.id);
}

async function orgUserIds(tx: Tx, orgIds: string[] | undefined) {
  if (!orgIds?.length) return [];
  return (await tx.user.findMany({ where: { organizationId: { in: orgIds }, active: true }, select: { id: true } })).map((u) => u.id);
}

export interface RunResult {
  raised: number;
  escalated: number;
  cleared: number;
  errors: { ruleId: string; error: string }[];
}

/**
 * Evaluates the rules at `now` and brings the Warning table in line with what they find.
 * Safe to run any number of times: only changes are written (and audited).
 */
export async function runWarningRules(prisma: Db, rules: WarningRule[], now: Date = clockNow()): Promise<RunResult> {
  const result: RunResult = { raised: 0, escalated: 0, cleared: 0, errors: [] };
  const calendar = await loadWorkCalendar(prisma);
  const mails: Awaited<ReturnType<typeof notifyUsers>> = [];
  for (const rule of rules) {
    let findings: Finding[];
    try {
      findings = await rule.evaluate(prisma, now, { calendar });
    } catch (e) {
      // One broken rule (e.g. another context's table not migrated yet) must not stop the others.
      result.errors.push({ ruleId: rule.id, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const seen = new Set<string>();
    for (const f of findings) {
      const key = openKeyOf(rule.id, f);
      if (seen.has(key)) continue;
      seen.add(key);
      const level = f.level ?? rule.level;
      try {
        await prisma.$transaction(async (tx) => {
          const existing = await tx.warning.findUnique({ where: { openKey: key } });
          if (!existing) {
            const assigneeId = await pickAssignee(tx);
            const w = await tx.warning.create({
              data: {
                ruleId: rule.id,
                level,
                subjectType: f.subjectType,
                subjectId: f.subjectId,
                subjectLabel: f.subjectLabel,
                title: f.title,
                detail: f.detail,
                facts: (f.facts ?? undefined) as Prisma.InputJsonValue | undefined,
                link: f.link,
                status: 'pending',
                assigneeId,
                openKey: key,
                raisedAt: now,
                lastSeenAt: now,
                events: { create: { at: now, kind: 'raised', actorName: '系统', note: f.detail } },
              },
            });
            await appendAuditEntry(tx, SYSTEM_ACTOR, {
              action: 'warning.raise',
              objectType: 'warning',
              objectId: w.id,
              payload: { ruleId: rule.id, level, subjectType: f.subjectType, subjectId: f.subjectId, assigneeId },
            });
            mails.push(...(await notifyRaised(tx, w, assigneeId, f)));
            result.raised++;
            return;
          }
          const escalate = existing.level === 'yellow' && level === 'red';
          const reappeared = existing.clearedAt !== null;
          const updated = !escalate && f.refresh === true && canonicalJson(existing.facts ?? null) !== canonicalJson(JSON.parse(JSON.stringify(f.facts ?? null)));
          await tx.warning.update({
            where: { id: existing.id },
            data: {
              lastSeenAt: now,
              ...(reappeared ? { clearedAt: null } : {}),
              ...(escalate ? { level: 'red', escalatedAt: now, title: f.title, detail: f.detail, facts: (f.facts ?? undefined) as Prisma.InputJsonValue | undefined } : {}),
              ...(updated ? { title: f.title, detail: f.detail, facts: (f.facts ?? undefined) as Prisma.InputJsonValue | undefined } : {}),
            },
          });
          if (escalate || reappeared) {
            await tx.warningEvent.create({ data: { warningId: existing.id, at: now, actorName: '系统', kind: escalate ? 'escalated' : 'reappeared', note: f.detail } });
          }
          if (updated) {
            await tx.warningEvent.create({ data: { warningId: existing.id, at: now, actorName: '系统', kind: 'updated', note: f.detail } });
            await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'warning.update', objectType: 'warning', objectId: existing.id, payload: { ruleId: rule.id, subjectType: f.subjectType, subjectId: f.subjectId } });
            const label = WARNING_LEVELS[existing.level as WarningLevel] ?? existing.level;
            const targets = existing.assigneeId ? [existing.assigneeId] : await supervisorIds(tx);
            mails.push(...(await notifyUsers(tx, targets, { title: `【${label}】${f.title}（发现新的情况）`, body: f.detail, link: `/warnings/${existing.id}`, kind: existing.level === 'red' ? 'danger' : 'warning' })));
          }
          if (escalate) {
            await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'warning.escalate', objectType: 'warning', objectId: existing.id, payload: { ruleId: rule.id, from: 'yellow', to: 'red' } });
            mails.push(...(await notifyRaised(tx, { ...existing, level: 'red', title: f.title }, existing.assigneeId, f)));
            result.escalated++;
          }
        });
      } catch (e) {
        // Another instance raised it between our read and our insert: the unique openKey kept one.
        if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') continue;
        throw e;
      }
    }
    // Conditions no longer found: mark cleared, keep open for handling.
    const gone = await prisma.warning.findMany({ where: { ruleId: rule.id, status: { not: 'closed' }, clearedAt: null }, select: { id: true, openKey: true } });
    for (const w of gone) {
      if (w.openKey && seen.has(w.openKey)) continue;
      await prisma.$transaction(async (tx) => {
        await tx.warning.update({ where: { id: w.id }, data: { clearedAt: now } });
        await tx.warningEvent.create({ data: { warningId: w.id, at: now, actorName: '系统', kind: 'cleared' } });
        await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'warning.clear', objectType: 'warning', objectId: w.id, payload: { ruleId: rule.id } });
      });
      result.cleared++;
    }
  }
  await deliverMails(mails);
  return result;
}

async function notifyRaised(tx: Tx, w: { id: string; level: string; title: string }, assigneeId: string | null, f: Finding) {
  const label = WARNING_LEVELS[w.level as WarningLevel] ?? w.level;
  const kind = w.level === 'red' ? 'danger' : 'warning';
  // Red warnings go to every supervisor (the section head sees them too); yellow to the assignee.
  const targets = w.level === 'red' ? await supervisorIds(tx) : assigneeId ? [assigneeId] : await supervisorIds(tx);
  const mails = await notifyUsers(tx, targets, { title: `【${label}】${w.title}`, body: f.detail, link: `/warnings/${w.id}`, kind, email: w.level === 'red' });
  const responsible = await orgUserIds(tx, f.responsibleOrgIds);
  if (responsible.length) {
    await notifyUsers(tx, responsible, {
      title: `【${label}】${f.subjectLabel}`,
      body: `${f.title}。请尽快办理，相关情况已推送监督人员。`,
      link: f.link,
      kind,
    });
  }
  return mails;
}

// ---------------------------------------------------------------------------------------------
// Handling (认领/转交、处理、办结)

async function loadOpen(tx: Tx, id: string) {
  const w = await tx.warning.findUnique({ where: { id } });
  if (!w) throw new WarningError('预警不存在', 404);
  if (w.status === 'closed') throw new WarningError('该预警已办结，不能再处理', 409);
  return w;
}

function requireAssignee(w: { assigneeId: string | null }, actor: Actor) {
  if (w.assigneeId !== actor.userId) throw new WarningError('该预警由其他监督人员承办，请先认领后再处理', 403);
}

/** 认领 (assign to oneself) or 转交 (to another supervisor). */
export async function assignWarning(prisma: Db, actor: Actor, id: string, assigneeId: string) {
  return prisma.$transaction(async (tx) => {
    const w = await loadOpen(tx, id);
    const target = await tx.user.findFirst({ where: { id: assigneeId, role: 'supervisor', active: true } });
    if (!target) throw new WarningError('承办人须为在岗监督人员');
    if (w.assigneeId === assigneeId) return w;
    const at = clockNow();
    const updated = await tx.warning.update({ where: { id }, data: { assigneeId } });
    await tx.warningEvent.create({ data: { warningId: id, at, actorId: actor.userId, actorName: actor.name, kind: 'assigned', note: `承办人：${target.displayName}` } });
    await appendAuditEntry(tx, actor, { action: 'warning.assign', objectType: 'warning', objectId: id, payload: { from: w.assigneeId, to: assigneeId } });
    if (assigneeId !== actor.userId) {
      await notifyUsers(tx, [assigneeId], { title: `预警转交您承办：${w.title}`, body: `${actor.name ?? '监督人员'} 将该预警转交给您。`, link: `/warnings/${id}`, kind: 'warning' });
    }
    return updated;
  });
}

export async function startHandling(prisma: Db, actor: Actor, id: string, note: string) {
  return prisma.$transaction(async (tx) => {
    const w = await loadOpen(tx, id);
    requireAssignee(w, actor);
    const at = clockNow();
    const updated = await tx.warning.update({ where: { id }, data: { status: 'handling' } });
    await tx.warningEvent.create({ data: { warningId: id, at, actorId: actor.userId, actorName: actor.name, kind: w.status === 'pending' ? 'handling' : 'note', note } });
    await appendAuditEntry(tx, actor, { action: w.status === 'pending' ? 'warning.handle' : 'warning.note', objectType: 'warning', objectId: id, payload: { note } });
    return updated;
  });
}

export async function closeWarning(prisma: Db, actor: Actor, id: string, input: { conclusion: WarningConclusion; reason: string }) {
  if (!(input.conclusion in WARNING_CONCLUSIONS)) throw new WarningError('请选择办结结论');
  return prisma.$transaction(async (tx) => {
    const w = await loadOpen(tx, id);
    requireAssignee(w, actor);
    const at = clockNow();
    const updated = await tx.warning.update({
      where: { id },
      data: { status: 'closed', openKey: null, closedAt: at, closedById: actor.userId, conclusion: input.conclusion, closeReason: input.reason },
    });
    await tx.warningEvent.create({
      data: { warningId: id, at, actorId: actor.userId, actorName: actor.name, kind: 'closed', note: `${WARNING_CONCLUSIONS[input.conclusion]}：${input.reason}` },
    });
    await appendAuditEntry(tx, actor, { action: 'warning.close', objectType: 'warning', objectId: id, payload: { conclusion: input.conclusion, reason: input.reason } });
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Queries

export interface WarningFilter {
  status?: string;
  level?: string;
  ruleId?: string;
  assigneeId?: string;
  q?: string;
  page?: number;
  pageSize?: number;
}

export async function listWarnings(prisma: Db, f: WarningFilter) {
  const pageSize = Math.min(f.pageSize ?? 20, 100);
  const page = Math.max(f.page ?? 1, 1);
  const where: Prisma.WarningWhereInput = {
    ...(f.status === 'open' ? { status: { not: 'closed' } } : f.status ? { status: f.status } : {}),
    ...(f.level ? { level: f.level } : {}),
    ...(f.ruleId ? { ruleId: f.ruleId } : {}),
    ...(f.assigneeId ? { assigneeId: f.assigneeId } : {}),
    ...(f.q ? { OR: [{ title: { contains: f.q, mode: 'insensitive' } }, { subjectLabel: { contains: f.q, mode: 'insensitive' } }] } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.warning.findMany({ where, orderBy: [{ raisedAt: 'desc' }], skip: (page - 1) * pageSize, take: pageSize }),
    prisma.warning.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function getWarning(prisma: Db, id: string) {
  return prisma.warning.findUnique({ where: { id }, include: { events: { orderBy: { at: 'asc' } } } });
}
