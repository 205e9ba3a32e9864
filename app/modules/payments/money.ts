// Money is integer fen (分) in our code; Alipay speaks yuan strings. These convert exactly at the
// boundary (no floating point). Plain module: usable by the browser too.
/** 1234 → '12.34'; exact, no floating point. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount in fen must be an integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const YUAN_RE = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/** '12.34' → 1234, '12.3' → 1230, '-0.05' → -5; anything else (3 decimals, '1e3', ' 1') throws. */
export function yuanToFen(yuan: string): number {
  const m = YUAN_RE.exec(yuan);
  if (!m) throw new RangeError(`not a yuan amount: ${JSON.stringify(yuan)}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError(`yuan amount too large: ${yuan}`);
  return m[1] === '-' && fen !== 0 ? -fen : fen;
}

