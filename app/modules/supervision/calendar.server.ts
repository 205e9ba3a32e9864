// The working-day calendar the supervision rules count time limits with: the one the center keeps
// (market context's CalendarDay table, cached there), so warnings and the market's own time-limit
// display always agree.
import type { Tx } from '~/db/db.server';
import { loadWorkCalendar as loadCenterCalendar } from '~/modules/market/calendar.server';
import type { WorkCalendar } from '~/modules/clock/workdays';

export function loadWorkCalendar(db: Tx): Promise<WorkCalendar> {
  return loadCenterCalendar(db);
}
