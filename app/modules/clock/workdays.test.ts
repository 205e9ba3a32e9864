import { afterEach, describe, expect, it } from 'vitest';
import {
  CHINA_PUBLIC_HOLIDAYS,
  WorkCalendar,
  chinaDay,
  dayRange,
  endOfChinaDay,
  startOfChinaDay,
  timeLimitLevel,
} from './workdays';

const cal = WorkCalendar.china();
/** An instant given in China time. */
const cst = (s: string) => new Date(`${s}+08:00`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('calendar days are China days whatever the process time zone', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  it('maps instants near midnight to the Shanghai calendar day', () => {
    // 00:30 on Sunday in China is still Saturday in UTC; 23:30 Friday in China is Friday 15:30 UTC.
    expect(chinaDay(cst('2025-01-05T00:30:00'))).toBe('2025-01-05');
    expect(chinaDay(cst('2025-01-04T07:59:59'))).toBe('2025-01-04');
    expect(chinaDay(new Date('2025-01-03T16:00:00Z'))).toBe('2025-01-04');
    expect(startOfChinaDay('2025-01-04').toISOString()).toBe('2025-01-03T16:00:00.000Z');
    expect(endOfChinaDay('2025-01-04').toISOString()).toBe('2025-01-04T15:59:59.999Z');
  });

  for (const tz of ['America/Los_Angeles', 'UTC', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
    it(`gives the same answers with TZ=${tz}`, () => {
      process.env.TZ = tz;
      expect(new Date(2025, 0, 1).getTimezoneOffset()).toBe(
        tz === 'America/Los_Angeles' ? 480 : tz === 'UTC' ? 0 : tz === 'Pacific/Kiritimati' ? -840 : -480,
      );
      const c = WorkCalendar.china();
      expect(c.isWorkday(cst('2025-01-05T00:30:00'))).toBe(false); // Sunday in China
      expect(c.isWorkday(cst('2025-01-03T23:30:00'))).toBe(true); // Friday in China
      expect(c.addWorkdays(cst('2025-01-02T23:30:00'), 1).toISOString()).toBe(endOfChinaDay('2025-01-03').toISOString());
      expect(c.addWorkdays(cst('2025-01-03T00:30:00'), 1).toISOString()).toBe(endOfChinaDay('2025-01-06').toISOString());
      expect(c.workdaysBetween(cst('2025-01-03T00:10:00'), cst('2025-01-06T23:50:00'))).toBe(1);
    });
  }
});

describe('isWorkday', () => {
  it('weekends are rest days, weekdays working days, outside announced holidays', () => {
    expect(cal.isWorkday('2025-03-07')).toBe(true); // Friday
    expect(cal.isWorkday('2025-03-08')).toBe(false); // Saturday
    expect(cal.isWorkday('2025-03-09')).toBe(false); // Sunday
    expect(cal.isWorkday('2025-03-10')).toBe(true); // Monday
  });

  it('follows the 2025 notice (国办发明电〔2024〕12号)', () => {
    expect(cal.isWorkday('2025-01-01')).toBe(false); // 元旦, Wednesday
    expect(cal.isWorkday('2025-01-02')).toBe(true);
    for (const d of dayRange('2025-01-28', '2025-02-04')) expect(cal.isWorkday(d), d).toBe(false);
    expect(cal.isWorkday('2025-01-26')).toBe(true); // Sunday, 调休上班
    expect(cal.isWorkday('2025-02-08')).toBe(true); // Saturday, 调休上班
    expect(cal.isWorkday('2025-04-04')).toBe(false);
    expect(cal.isWorkday('2025-04-27')).toBe(true);
    for (const d of dayRange('2025-05-01', '2025-05-05')) expect(cal.isWorkday(d), d).toBe(false);
    expect(cal.isWorkday('2025-06-02')).toBe(false);
    for (const d of dayRange('2025-10-01', '2025-10-08')) expect(cal.isWorkday(d), d).toBe(false);
    expect(cal.isWorkday('2025-09-28')).toBe(true);
    expect(cal.isWorkday('2025-10-11')).toBe(true);
  });

  it('follows the 2026 notice (国务院办公厅 2025-11-04)', () => {
    for (const d of dayRange('2026-02-15', '2026-02-23')) expect(cal.isWorkday(d), d).toBe(false);
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(cal.isWorkday(d), d).toBe(true);
    }
    for (const d of ['2026-01-02', '2026-04-06', '2026-05-04', '2026-05-05', '2026-06-19', '2026-09-25', '2026-10-07']) {
      expect(cal.isWorkday(d), d).toBe(false);
    }
    expect(cal.isWorkday('2026-10-08')).toBe(true);
  });

  it('counts 248 working days in 2025 and in 2026 (261 weekdays − 18/19 holiday weekdays + 5/6 make-up days)', () => {
    expect(cal.workdaysBetween('2024-12-31', '2025-12-31')).toBe(248);
    expect(cal.workdaysBetween('2025-12-31', '2026-12-31')).toBe(248);
  });

  it('reports which years are covered so admins can be warned', () => {
    expect(cal.covers('2025-07-01')).toBe(true);
    expect(cal.covers(cst('2026-12-31T23:59:00'))).toBe(true);
    expect(cal.covers(cst('2027-01-01T00:00:00'))).toBe(false);
    // Uncovered years fall back to plain weekends.
    expect(cal.isWorkday('2027-01-01')).toBe(true);
    expect(cal.isWorkday('2027-01-02')).toBe(false);
  });

  it('an admin-maintained calendar overrides nothing it does not list', () => {
    const c = new WorkCalendar({ holidays: ['2027-01-01'], makeupWorkdays: ['2027-01-09'] });
    expect(c.isWorkday('2027-01-01')).toBe(false);
    expect(c.isWorkday('2027-01-09')).toBe(true);
    expect(c.isWorkday('2025-01-01')).toBe(true);
    expect(c.covers('2027-06-01')).toBe(true);
  });

  it('rejects data-entry mistakes', () => {
    expect(() => new WorkCalendar({ holidays: ['2025-02-30'], makeupWorkdays: [] })).toThrow(/invalid date/);
    expect(() => new WorkCalendar({ holidays: ['2025/01/01'], makeupWorkdays: [] })).toThrow(/YYYY-MM-DD/);
    expect(() => new WorkCalendar({ holidays: [], makeupWorkdays: ['2025-01-27'] })).toThrow(/not a Saturday or Sunday/);
    expect(() => new WorkCalendar({ holidays: ['2025-01-26'], makeupWorkdays: ['2025-01-26'] })).toThrow(/both/);
    expect(() => dayRange('2025-01-05', '2025-01-01')).toThrow(/reversed/);
    expect(() => cal.addWorkdays(cst('2025-01-01T00:00:00'), -1)).toThrow(/non-negative/);
    expect(() => cal.addWorkdays(cst('2025-01-01T00:00:00'), 1.5)).toThrow(/non-negative/);
  });

  it('the shipped data lists each announced range in full', () => {
    expect(CHINA_PUBLIC_HOLIDAYS[2025].holidays).toHaveLength(1 + 8 + 3 + 5 + 3 + 8);
    expect(CHINA_PUBLIC_HOLIDAYS[2026].holidays).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
  });
});

describe('addWorkdays: counting starts the working day after the start day', () => {
  const due = (start: string, n: number) => chinaDay(cal.addWorkdays(cst(start), n));

  it('ends at 23:59:59.999 China time of the n-th working day', () => {
    expect(cal.addWorkdays(cst('2025-03-03T09:00:00'), 1).toISOString()).toBe('2025-03-04T15:59:59.999Z');
    expect(cal.addWorkdaysToDay('2025-03-03', 1)).toBe('2025-03-04');
  });

  it('skips weekends; a Friday evening request with one day is due Monday', () => {
    expect(due('2025-03-07T18:00:00', 1)).toBe('2025-03-10');
    expect(due('2025-03-03T10:00:00', 5)).toBe('2025-03-10');
    expect(due('2025-03-08T10:00:00', 1)).toBe('2025-03-10'); // started on Saturday
    expect(due('2025-03-09T23:59:59', 1)).toBe('2025-03-10'); // started on Sunday night
  });

  it('zero days means by the end of the start day', () => {
    expect(due('2025-03-08T10:00:00', 0)).toBe('2025-03-08');
  });

  it('skips the Spring Festival and counts its make-up Sunday', () => {
    // 1-24 Fri; 1-25 Sat rest; 1-26 Sun 调休 (1); 1-27 Mon (2); 1-28..2-4 holiday; 2-5 Wed (3).
    expect(due('2025-01-24T15:00:00', 1)).toBe('2025-01-26');
    expect(due('2025-01-24T15:00:00', 3)).toBe('2025-02-05');
    expect(due('2025-01-28T10:00:00', 1)).toBe('2025-02-05'); // started during the holiday
    expect(due('2025-02-07T10:00:00', 1)).toBe('2025-02-08'); // Saturday 调休上班
  });

  it('crosses month and year boundaries with the 2026 New Year make-up day', () => {
    expect(due('2025-02-27T10:00:00', 2)).toBe('2025-03-03');
    // 12-31 Wed (1); 1-1..1-3 holiday; 1-4 Sun 调休 (2); 1-5 Mon (3).
    expect(due('2025-12-30T10:00:00', 3)).toBe('2026-01-05');
    expect(due('2025-09-30T10:00:00', 1)).toBe('2025-10-09'); // National Day 2025 (10-1..10-8)
    expect(due('2025-09-26T10:00:00', 2)).toBe('2025-09-29'); // 9-28 Sunday is a working day
  });

  it('a 20-working-day limit across the 2026 Spring Festival', () => {
    // 2-2 Mon start; Feb 3-6 (4), 9-13 (9), 14 Sat 调休 (10), 15-23 holiday, 24-27 (14), 28 Sat 调休 (15), Mar 2-6 (20).
    expect(due('2026-02-02T09:00:00', 20)).toBe('2026-03-06');
  });

  it('workdaysBetween is the inverse of addWorkdays over two years of start days', () => {
    for (const start of dayRange('2024-12-25', '2026-12-01')) {
      const at = cst(`${start}T14:00:00`);
      for (const n of [0, 1, 2, 3, 5, 10, 20]) {
        const end = cal.addWorkdays(at, n);
        expect(cal.workdaysBetween(at, end)).toBe(n);
        // The deadline day is the first day on which n working days have passed.
        if (n > 0) {
          expect(cal.isWorkday(end)).toBe(true);
          expect(cal.workdaysBetween(at, new Date(end.getTime() - DAY))).toBe(n - 1);
        }
      }
    }
  });

  it('workdaysBetween counts (a, b] and is antisymmetric', () => {
    expect(cal.workdaysBetween('2025-03-03', '2025-03-03')).toBe(0);
    expect(cal.workdaysBetween('2025-03-03', '2025-03-10')).toBe(5);
    expect(cal.workdaysBetween('2025-03-10', '2025-03-03')).toBe(-5);
    expect(cal.workdaysBetween('2025-01-27', '2025-02-05')).toBe(1);
  });
});

describe('elapsedFraction and warnings (预警)', () => {
  // Started Monday 2025-03-03 10:00, limit 5 working days: counting runs Tue 3-4 .. Mon 3-10, due 3-10 24:00.
  const start = cst('2025-03-03T10:00:00');
  const frac = (now: string, pauses: { from: Date; to?: Date | null }[] = []) => cal.elapsedFraction(start, 5, cst(now), pauses);

  it('nothing is consumed on the start day', () => {
    expect(frac('2025-03-03T23:59:59')).toBe(0);
    expect(frac('2025-03-02T00:00:00')).toBe(0);
  });

  it('grows by 1/n per working day, continuously, and stands still on weekends', () => {
    expect(frac('2025-03-04T12:00:00')).toBeCloseTo(0.1, 10);
    expect(frac('2025-03-07T00:00:00')).toBeCloseTo(0.6, 10);
    expect(frac('2025-03-08T00:00:00')).toBeCloseTo(0.8, 10);
    expect(frac('2025-03-09T18:00:00')).toBeCloseTo(0.8, 10);
    expect(frac('2025-03-10T12:00:00')).toBeCloseTo(0.9, 10);
    expect(frac('2025-03-11T00:00:00')).toBe(1);
    expect(frac('2025-03-12T00:00:00')).toBeCloseTo(1.2, 10);
  });

  it('yellow at 80 %, red exactly when the deadline has passed', () => {
    const deadline = cal.addWorkdays(start, 5);
    expect(cal.timeLimitStatus(start, 5, cst('2025-03-07T23:59:00')).level).toBe('normal');
    expect(cal.timeLimitStatus(start, 5, cst('2025-03-08T00:00:00')).level).toBe('yellow');
    expect(cal.timeLimitStatus(start, 5, deadline).level).toBe('yellow');
    expect(cal.timeLimitStatus(start, 5, new Date(deadline.getTime() + 1)).level).toBe('red');
    expect(cal.timeLimitStatus(start, 5, deadline).dueAt?.toISOString()).toBe(deadline.toISOString());
    expect(timeLimitLevel(0.79)).toBe('normal');
    expect(timeLimitLevel(0.8)).toBe('yellow');
    expect(timeLimitLevel(1)).toBe('red');
  });

  it('suspensions (中止) do not count and push the deadline back', () => {
    // Suspended Wed 3-5 00:00 .. Fri 3-7 00:00: two working days given back.
    const pause = [{ from: cst('2025-03-05T00:00:00'), to: cst('2025-03-07T00:00:00') }];
    expect(frac('2025-03-08T00:00:00', pause)).toBeCloseTo(0.4, 10);
    expect(chinaDay(cal.dueAt(start, 5, pause)!)).toBe('2025-03-12');
    expect(cal.dueAt(start, 5, pause)!.toISOString()).toBe(endOfChinaDay('2025-03-12').toISOString());
    expect(frac('2025-03-13T00:00:00', pause)).toBeCloseTo(1, 10);
  });

  it('a suspension over a weekend gives back only its working hours', () => {
    // Fri 3-7 12:00 .. Mon 3-10 12:00: 12 h Friday + 12 h Monday = one working day.
    const pause = [{ from: cst('2025-03-07T12:00:00'), to: cst('2025-03-10T12:00:00') }];
    expect(frac('2025-03-11T00:00:00', pause)).toBeCloseTo(0.8, 10);
    expect(cal.dueAt(start, 5, pause)!.toISOString()).toBe(endOfChinaDay('2025-03-11').toISOString());
  });

  it('a suspension ending mid-day moves the deadline to the same time of day', () => {
    const pause = [{ from: cst('2025-03-04T00:00:00'), to: cst('2025-03-04T06:00:00') }];
    const due = cal.dueAt(start, 5, pause)!;
    expect(due.toISOString()).toBe(new Date(cst('2025-03-11T06:00:00').getTime() - 1).toISOString());
    expect(cal.elapsedFraction(start, 5, new Date(due.getTime() + 1), pause)).toBeCloseTo(1, 12);
  });

  it('overlapping suspensions are not counted twice; suspensions outside the period change nothing', () => {
    const a = { from: cst('2025-03-05T00:00:00'), to: cst('2025-03-06T00:00:00') };
    const b = { from: cst('2025-03-05T12:00:00'), to: cst('2025-03-06T12:00:00') };
    expect(frac('2025-03-08T00:00:00', [a, b])).toBeCloseTo(0.8 - 1.5 / 5, 10);
    const before = { from: cst('2025-02-01T00:00:00'), to: cst('2025-03-03T23:00:00') };
    expect(frac('2025-03-08T00:00:00', [before])).toBeCloseTo(0.8, 10);
    expect(cal.dueAt(start, 5, [b, a])!.toISOString()).toBe(new Date(cst('2025-03-12T12:00:00').getTime() - 1).toISOString());
  });

  it('an open suspension stops the clock; the deadline is unknown until it ends', () => {
    const open = [{ from: cst('2025-03-06T00:00:00'), to: null }];
    expect(frac('2025-03-06T00:00:00', open)).toBeCloseTo(0.4, 10);
    expect(frac('2025-03-20T00:00:00', open)).toBeCloseTo(0.4, 10);
    expect(cal.dueAt(start, 5, open)).toBeNull();
    // Opened after the deadline: it cannot stop a clock that already ran out.
    const late = [{ from: cst('2025-03-12T00:00:00'), to: null }];
    expect(chinaDay(cal.dueAt(start, 5, late)!)).toBe('2025-03-10');
  });

  it('counts the 2026 Spring Festival as no time at all', () => {
    const s = cst('2026-02-12T16:00:00'); // Thursday
    // 2-13 Fri (1), 2-14 Sat 调休 (2), 2-15..2-23 holiday, 2-24 (3).
    expect(cal.elapsedFraction(s, 10, cst('2026-02-24T00:00:00'))).toBeCloseTo(0.2, 10);
    expect(cal.elapsedFraction(s, 10, cst('2026-02-23T23:59:59'))).toBeCloseTo(0.2, 10);
    expect(cal.elapsedFraction(s, 10, cst('2026-02-25T00:00:00'))).toBeCloseTo(0.3, 10);
  });

  it('a zero limit is overdue right after the start day', () => {
    expect(cal.elapsedFraction(start, 0, cst('2025-03-03T23:00:00'))).toBe(0);
    expect(cal.elapsedFraction(start, 0, cst('2025-03-04T00:00:00'))).toBe(Infinity);
    expect(cal.dueAt(start, 0)!.toISOString()).toBe(endOfChinaDay('2025-03-03').toISOString());
  });

  it('dueAt without suspensions equals addWorkdays, and the fraction reaches 1 exactly one millisecond later', () => {
    for (const d of dayRange('2025-01-20', '2025-03-01')) {
      const s = cst(`${d}T09:30:00`);
      for (const n of [1, 3, 7, 15]) {
        const due = cal.dueAt(s, n)!;
        expect(due.toISOString()).toBe(cal.addWorkdays(s, n).toISOString());
        expect(cal.elapsedFraction(s, n, due)).toBeLessThan(1);
        expect(cal.elapsedFraction(s, n, new Date(due.getTime() + 1))).toBe(1);
      }
    }
  });

  it('rejects malformed suspensions', () => {
    expect(() => frac('2025-03-08T00:00:00', [{ from: cst('2025-03-06T00:00:00'), to: cst('2025-03-05T00:00:00') }])).toThrow(/ends before/);
    expect(() => cal.elapsedFraction(new Date(NaN), 5, cst('2025-03-08T00:00:00'))).toThrow(/invalid/);
  });
});
