// The working-day calendar in force: holidays and make-up working days kept by the center's
// administrators in the database (seeded from the State Council notices), cached per process and
// reloaded when an administrator changes it.
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { CHINA_PUBLIC_HOLIDAYS, WorkCalendar } from '~/modules/clock/workdays';
import { MarketError } from './errors.server';

let cached: { at: number; cal: WorkCalendar } | undefined;
const TTL_MS = 60_000;

export function invalidateCalendar() {
  cached = undefined;
}

/** Pass the transaction when inside one (PGlite has a single connection: a second one would wait). */
export async function loadWorkCalendar(tx?: Tx): Promise<WorkCalendar> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.cal;
  const prisma = tx ?? (await getPrisma());
  const rows = await prisma.calendarDay.findMany();
  const cal = rows.length
    ? new WorkCalendar({
        holidays: rows.filter((r) => r.kind === 'holiday').map((r) => r.day),
        makeupWorkdays: rows.filter((r) => r.kind === 'workday').map((r) => r.day),
      })
    : WorkCalendar.china();
  cached = { at: Date.now(), cal };
  return cal;
}

export async function listCalendarDays(year?: number) {
  const prisma = await getPrisma();
  return prisma.calendarDay.findMany({ where: year ? { day: { startsWith: `${year}-` } } : {}, orderBy: { day: 'asc' } });
}

const HOLIDAY_NAMES: [RegExp, string][] = [
  [/-01-0[1-3]$/, '元旦'],
  [/-0[12]-/, '春节'],
  [/-04-0[4-6]$/, '清明节'],
  [/-05-0[1-5]$/, '劳动节'],
  [/-0[56]-/, '端午节'],
  [/-09-2[5-7]$/, '中秋节'],
  [/-10-/, '国庆节'],
];

/** Seeds the official 2025/2026 schedules shipped with the code (only on an empty table). */
export async function seedCalendar(tx: Tx) {
  if ((await tx.calendarDay.count()) > 0) return;
  const at = now();
  const data: { day: string; kind: string; name: string; updatedAt: Date }[] = [];
  for (const y of Object.values(CHINA_PUBLIC_HOLIDAYS)) {
    for (const d of y.holidays) data.push({ day: d, kind: 'holiday', name: HOLIDAY_NAMES.find(([re]) => re.test(d))?.[1] ?? '法定节假日', updatedAt: at });
    for (const d of y.makeupWorkdays) data.push({ day: d, kind: 'workday', name: '调休上班', updatedAt: at });
  }
  await tx.calendarDay.createMany({ data, skipDuplicates: true });
}

export async function setCalendarDay(actor: Actor, input: { day: string; kind: 'holiday' | 'workday'; name: string }) {
  // Validate against the calendar rules first (a make-up working day must fall on a weekend).
  try {
    new WorkCalendar(input.kind === 'holiday' ? { holidays: [input.day], makeupWorkdays: [] } : { holidays: [], makeupWorkdays: [input.day] });
  } catch {
    throw new MarketError('调休上班日须为周六或周日', { day: ['调休上班日须为周六或周日'] });
  }
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const before = await tx.calendarDay.findUnique({ where: { day: input.day } });
    await tx.calendarDay.upsert({
      where: { day: input.day },
      create: { ...input, updatedAt: now() },
      update: { kind: input.kind, name: input.name, updatedAt: now() },
    });
    await appendAuditEntry(tx, actor, { action: 'market.calendar.set', objectType: 'CalendarDay', objectId: input.day, payload: { before, after: input } });
  });
  invalidateCalendar();
}

export async function removeCalendarDay(actor: Actor, day: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const before = await tx.calendarDay.findUnique({ where: { day } });
    if (!before) throw new MarketError('该日期不在日历中');
    await tx.calendarDay.delete({ where: { day } });
    await appendAuditEntry(tx, actor, { action: 'market.calendar.remove', objectType: 'CalendarDay', objectId: day, payload: { before } });
  });
  invalidateCalendar();
}
