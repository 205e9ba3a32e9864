// Documents show Beijing time whatever the server's TZ is: a record must read the same when it is
// re-rendered on another machine, or its hash would change.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function parts(date: Date) {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
  const d = new Date(date.getTime() + BEIJING_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    ms: pad(d.getUTCMilliseconds(), 3),
    cn: `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`,
  };
}

/** `2025-03-18 09:30:00` in Beijing time. */
export function formatDateTime(date: Date): string {
  const p = parts(date);
  return `${p.date} ${p.time}`;
}

/** `2025-03-18 09:30:00.123`, for events ordered within a second (timestamps, log entries). */
export function formatDateTimeMs(date: Date): string {
  const p = parts(date);
  return `${p.date} ${p.time}.${p.ms}`;
}

/** `2025-03-18` in Beijing time. */
export function formatDate(date: Date): string {
  return parts(date).date;
}

/** `2025年3月18日`, the form used in the date line of letters and notices. */
export function formatDateCn(date: Date): string {
  return parts(date).cn;
}
