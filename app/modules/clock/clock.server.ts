// The one clock. Deadlines, receipts, the TSA and the scheduler all read it, so a test (or a demo
// operator in DEMO_MODE) can move time forward and every component agrees on "now".
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };

let offsetMs = 0;
let fixed: Date | null = null;

export const clock: Clock = {
  now() {
    if (fixed) return new Date(fixed.getTime());
    return new Date(systemClock.now().getTime() + offsetMs);
  },
};

export function now(): Date {
  return clock.now();
}

/** Tests and demo mode only: shift the clock forward (or back) by ms. */
export function advanceClock(ms: number) {
  if (fixed) fixed = new Date(fixed.getTime() + ms);
  else offsetMs += ms;
}

/** Tests only: freeze the clock at a given instant (null to unfreeze). */
export function setClock(at: Date | null) {
  fixed = at ? new Date(at.getTime()) : null;
}

export function resetClock() {
  fixed = null;
  offsetMs = 0;
}

export function clockOffsetMs() {
  return fixed ? fixed.getTime() - Date.now() : offsetMs;
}
