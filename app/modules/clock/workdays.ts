/**
 * Working-day calendar (工作日历) for committed time limits (承诺时限), supervision warnings
 * (预警: yellow at 80 %, red when overdue) and statutory periods counted in working days.
 *
 * Rules (docs/decisions/042-working-day-deadlines.md):
 * - Days are calendar days in China (Asia/Shanghai, UTC+8 without daylight saving since 1991),
 *   whatever the process time zone is.
 * - A working day is Monday–Friday unless it is a public holiday (法定节假日及调休放假日), plus the
 *   weekend days declared working days by the State Council's annual notice (调休上班日).
 * - Counting starts on the day after the start day (the start day itself never counts, as in
 *   《民法典》第二百零一条 and the practice for 行政许可 / 承诺时限): a limit of n working days ends at
 *   24:00 of the n-th working day after the start day. A request submitted on Friday evening with
 *   a 1-working-day limit is due at the end of Monday.
 * - The limit is consumed continuously: each working day contributes 24 hours, non-working days
 *   nothing, and suspension periods (中止, e.g. waiting for the applicant to supplement materials)
 *   are subtracted. elapsedFraction = consumed / (n × 24 h), so 1.0 is reached exactly at the
 *   deadline, and a pause of half a working day gives back half a day.
 *
 * Pure TypeScript, no database: the app loads the admin-maintained calendar from the DB and builds
 * a WorkCalendar from it; CHINA_PUBLIC_HOLIDAYS below is the seed data.
 */

export type DayString = string; // YYYY-MM-DD, a calendar day in China

export interface WorkCalendarData {
  /** Rest days. Weekend dates may be listed too (whole holiday ranges as announced); they change nothing. */
  holidays: DayString[];
  /** Weekend days that are working days (调休上班). */
  makeupWorkdays: DayString[];
  /** Years whose holiday schedule is known; dates outside them fall back to plain weekends. */
  years?: number[];
}

export interface Pause {
  from: Date;
  /** null or undefined = still suspended. */
  to?: Date | null;
}

export type TimeLimitLevel = 'normal' | 'yellow' | 'red';

export const YELLOW_FRACTION = 0.8;

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// Day arithmetic on integer day numbers (days since 1970-01-01 in China).

function dayNumberOfInstant(d: Date): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new Error('invalid Date');
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS);
}

function dayNumberOfString(s: DayString): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`invalid date "${s}", expected YYYY-MM-DD`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const n = t / DAY_MS;
  if (dayString(n) !== s) throw new Error(`invalid date "${s}"`);
  return n;
}

function dayString(n: number): DayString {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function toDayNumber(d: Date | DayString): number {
  return typeof d === 'string' ? dayNumberOfString(d) : dayNumberOfInstant(d);
}

/** 00:00 in China of day number n, as an instant. */
function startOfDay(n: number): number {
  return n * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

/** The calendar day in China on which an instant falls. */
export function chinaDay(d: Date): DayString {
  return dayString(dayNumberOfInstant(d));
}

/** 00:00 China time of a calendar day. */
export function startOfChinaDay(day: DayString): Date {
  return new Date(startOfDay(dayNumberOfString(day)));
}

/** The last millisecond (23:59:59.999 China time) of a calendar day. */
export function endOfChinaDay(day: DayString): Date {
  return new Date(startOfDay(dayNumberOfString(day) + 1) - 1);
}

/** Every day from `from` to `to` inclusive — holiday ranges are announced this way. */
export function dayRange(from: DayString, to: DayString): DayString[] {
  const a = dayNumberOfString(from);
  const b = dayNumberOfString(to);
  if (b < a) throw new Error(`range ${from}..${to} is reversed`);
  return Array.from({ length: b - a + 1 }, (_, i) => dayString(a + i));
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a non-negative integer`);
}

// ---------------------------------------------------------------------------------------------

export class WorkCalendar {
  private readonly rest = new Set<number>();
  private readonly work = new Set<number>();
  private readonly years: Set<number>;

  constructor(data: WorkCalendarData) {
    for (const d of data.holidays) this.rest.add(dayNumberOfString(d));
    for (const d of data.makeupWorkdays) {
      const n = dayNumberOfString(d);
      const wd = weekday(n);
      // A weekday listed as 调休上班 is almost certainly a typo for another date.
      if (wd !== 0 && wd !== 6) throw new Error(`make-up working day ${d} is not a Saturday or Sunday`);
      if (this.rest.has(n)) throw new Error(`${d} is listed both as a holiday and as a working day`);
      this.work.add(n);
    }
    const years = data.years ?? [...data.holidays, ...data.makeupWorkdays].map((d) => Number(d.slice(0, 4)));
    this.years = new Set(years);
  }

  /** The official schedule shipped with the code (2025 and 2026); the DB copy is authoritative. */
  static china(): WorkCalendar {
    return WorkCalendar.fromYears(Object.values(CHINA_PUBLIC_HOLIDAYS));
  }

  static fromYears(list: WorkCalendarData[]): WorkCalendar {
    return new WorkCalendar({
      holidays: list.flatMap((y) => y.holidays),
      makeupWorkdays: list.flatMap((y) => y.makeupWorkdays),
      years: list.flatMap((y) => y.years ?? []),
    });
  }

  /** Whether the holiday schedule for this date's year is loaded (warn the admin when it is not). */
  covers(date: Date | DayString): boolean {
    return this.years.has(Number(dayString(toDayNumber(date)).slice(0, 4)));
  }

  isWorkday(date: Date | DayString): boolean {
    return this.isWorkdayN(toDayNumber(date));
  }

  private isWorkdayN(n: number): boolean {
    if (this.work.has(n)) return true;
    if (this.rest.has(n)) return false;
    const wd = weekday(n);
    return wd !== 0 && wd !== 6;
  }

  /** The n-th working day after the start day (the start day never counts); n = 0 is the start day. */
  addWorkdaysToDay(start: Date | DayString, n: number): DayString {
    checkCount(n, 'number of working days');
    let d = toDayNumber(start);
    for (let left = n; left > 0; ) {
      d++;
      if (this.isWorkdayN(d)) left--;
    }
    return dayString(d);
  }

  /**
   * Deadline of a limit of n working days started at `start`: the last millisecond
   * (23:59:59.999 China time) of the n-th working day after the start day. Overdue when now > it.
   */
  addWorkdays(start: Date | DayString, n: number): Date {
    return endOfChinaDay(this.addWorkdaysToDay(start, n));
  }

  /** Working days d with day(a) < d ≤ day(b); negative when b is before a. */
  workdaysBetween(a: Date | DayString, b: Date | DayString): number {
    const x = toDayNumber(a);
    const y = toDayNumber(b);
    if (y < x) return -this.workdaysBetween(b, a);
    let count = 0;
    for (let d = x + 1; d <= y; d++) if (this.isWorkdayN(d)) count++;
    return count;
  }

  /**
   * Share of the limit consumed at `now`: working time since the end of the start day, minus
   * suspensions, over limit × 24 h. 0.8 → yellow warning, ≥ 1 → overdue (red).
   */
  elapsedFraction(start: Date, limitWorkdays: number, now: Date, pauses: Pause[] = []): number {
    checkCount(limitWorkdays, 'time limit');
    const consumed = this.consumedMs(start, now.getTime(), pauses);
    // A zero limit means "by the end of the start day": nothing to divide, overdue right after.
    if (limitWorkdays === 0) return now.getTime() >= startOfDay(dayNumberOfInstant(start) + 1) ? Infinity : 0;
    return consumed / (limitWorkdays * DAY_MS);
  }

  /**
   * The deadline once suspensions are taken into account: the last millisecond before the limit
   * is used up. null while a suspension is still open (the clock is stopped).
   */
  dueAt(start: Date, limitWorkdays: number, pauses: Pause[] = []): Date | null {
    checkCount(limitWorkdays, 'time limit');
    const merged = mergePauses(pauses, Infinity);
    if (merged.some((p) => p[1] === Infinity)) {
      // An open suspension only stops the clock if it begins before the limit would run out.
      const open = merged.find((p) => p[1] === Infinity)!;
      const withoutOpen = this.dueAt(start, limitWorkdays, pauses.filter((p) => p.to != null));
      if (withoutOpen && open[0] > withoutOpen.getTime()) return withoutOpen;
      return null;
    }
    let left = limitWorkdays * DAY_MS;
    let d = dayNumberOfInstant(start) + 1;
    if (left === 0) return new Date(startOfDay(d) - 1);
    for (;; d++) {
      if (!this.isWorkdayN(d)) continue;
      // Walk the counting segments of this working day (the day minus pauses).
      let t = startOfDay(d);
      const end = startOfDay(d + 1);
      for (const [pf, pt] of merged) {
        if (pt <= t || pf >= end) continue;
        if (pf > t) {
          const seg = pf - t;
          if (seg >= left) return new Date(t + left - 1);
          left -= seg;
        }
        t = Math.max(t, pt);
        if (t >= end) break;
      }
      if (t < end) {
        const seg = end - t;
        if (seg >= left) return new Date(t + left - 1);
        left -= seg;
      }
    }
  }

  /** Yellow/red status of a time limit at `now` (限时办结 warnings). */
  timeLimitStatus(start: Date, limitWorkdays: number, now: Date, pauses: Pause[] = []) {
    const fraction = this.elapsedFraction(start, limitWorkdays, now, pauses);
    return { fraction, level: timeLimitLevel(fraction), dueAt: this.dueAt(start, limitWorkdays, pauses) };
  }

  private consumedMs(start: Date, now: number, pauses: Pause[]): number {
    const from = startOfDay(dayNumberOfInstant(start) + 1);
    if (now <= from) return 0;
    const merged = mergePauses(pauses, now);
    let total = 0;
    const last = dayNumberOfInstant(new Date(now));
    for (let d = dayNumberOfInstant(start) + 1; d <= last; d++) {
      if (!this.isWorkdayN(d)) continue;
      const a = startOfDay(d);
      const b = Math.min(startOfDay(d + 1), now);
      if (b <= a) continue;
      let span = b - a;
      for (const [pf, pt] of merged) span -= Math.max(0, Math.min(b, pt) - Math.max(a, pf));
      total += span;
    }
    return total;
  }
}

export function timeLimitLevel(fraction: number): TimeLimitLevel {
  if (fraction >= 1) return 'red';
  if (fraction >= YELLOW_FRACTION) return 'yellow';
  return 'normal';
}

/** Sorted, non-overlapping [from, to) intervals in ms; an open pause runs to `openEnd`. */
function mergePauses(pauses: Pause[], openEnd: number): [number, number][] {
  const list = pauses.map((p): [number, number] => {
    const a = p.from.getTime();
    const b = p.to == null ? openEnd : p.to.getTime();
    if (!Number.isFinite(a) || Number.isNaN(b)) throw new Error('invalid pause date');
    if (b < a) throw new Error('a pause ends before it starts');
    return [a, b];
  });
  list.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const p of list) {
    const top = out[out.length - 1];
    if (top && p[0] <= top[1]) top[1] = Math.max(top[1], p[1]);
    else out.push([p[0], p[1]]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Official schedules (国务院办公厅关于 YYYY 年部分节假日安排的通知). Holiday ranges are listed as
// announced, weekend days included. Each new year's notice (usually published in November) must
// be entered by the center's administrators; the code's copy only seeds the database.

export const CHINA_PUBLIC_HOLIDAYS: Record<number, WorkCalendarData> = {
  // 国办发明电〔2024〕12号, 2024-11-12.
  2025: {
    years: [2025],
    holidays: [
      '2025-01-01', // 元旦
      ...dayRange('2025-01-28', '2025-02-04'), // 春节
      ...dayRange('2025-04-04', '2025-04-06'), // 清明节
      ...dayRange('2025-05-01', '2025-05-05'), // 劳动节
      ...dayRange('2025-05-31', '2025-06-02'), // 端午节
      ...dayRange('2025-10-01', '2025-10-08'), // 国庆节、中秋节
    ],
    makeupWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  // 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04 (Xinhua).
  2026: {
    years: [2026],
    holidays: [
      ...dayRange('2026-01-01', '2026-01-03'), // 元旦
      ...dayRange('2026-02-15', '2026-02-23'), // 春节
      ...dayRange('2026-04-04', '2026-04-06'), // 清明节
      ...dayRange('2026-05-01', '2026-05-05'), // 劳动节
      ...dayRange('2026-06-19', '2026-06-21'), // 端午节
      ...dayRange('2026-09-25', '2026-09-27'), // 中秋节
      ...dayRange('2026-10-01', '2026-10-07'), // 国庆节
    ],
    makeupWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};
