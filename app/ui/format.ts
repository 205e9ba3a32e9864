const dtf = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const df = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Times are shown in Beijing time whatever the viewer's machine says. */
export function formatDateTime(d: string | Date | null | undefined) {
  if (!d) return '—';
  return dtf.format(new Date(d)).replace(/\//g, '-');
}

export function formatDate(d: string | Date | null | undefined) {
  if (!d) return '—';
  return df.format(new Date(d)).replace(/\//g, '-');
}
