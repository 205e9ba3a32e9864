// Level of a period that runs from `start` to `due` at `now`: yellow once 80 % of it has passed,
// red once it is over (the same thresholds as the working-day calendar's timeLimitStatus).
import { YELLOW_FRACTION } from '~/modules/clock/workdays';
import type { WarningLevel } from '../warning-types';

export function periodLevel(start: Date, due: Date, now: Date): WarningLevel | null {
  if (now.getTime() > due.getTime()) return 'red';
  const span = due.getTime() - start.getTime();
  if (span <= 0) return null;
  return (now.getTime() - start.getTime()) / span >= YELLOW_FRACTION ? 'yellow' : null;
}
