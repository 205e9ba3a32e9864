// Helpers for reading supermarket forms (shared; no server imports).

/** A datetime-local value ("2026-11-25T10:00") means Beijing time whatever the server's zone is. */
export function chinaDateTime(v: FormDataEntryValue | null): Date | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(v);
  const d = m ? new Date(`${m[1]}T${m[2]}${m[3] ?? ':00'}+08:00`) : new Date(v);
  return Number.isNaN(d.getTime()) ? new Date(NaN) : d;
}

/** The value for a datetime-local input showing `d` in Beijing time. */
export function toChinaInput(d: Date | string): string {
  const t = new Date(new Date(d).getTime() + 8 * 3_600_000);
  return t.toISOString().slice(0, 16);
}

export function issuesToFieldErrors(issues: { path: (string | number)[]; message: string }[]) {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[String(i.path[0] ?? '')] ??= []).push(i.message);
  return out;
}
