// Amounts are integer fen (分) everywhere in the platform; these helpers only format them.

function toFen(fen: number | bigint): bigint {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) {
    throw new RangeError(`Amount must be a whole number of fen, got ${fen}`);
  }
  return BigInt(fen);
}

/** `123456` → `¥1,234.56`; negative amounts get a leading minus: `-¥0.50`. */
export function formatFen(fen: number | bigint): string {
  const value = toFen(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}¥${yuan}.${cents}`;
}

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES = ['', '拾', '佰', '仟'];
const MAX_YUAN = 10n ** 16n; // up to 玖仟玖佰玖拾玖万亿

/** 1..9999 in capital numerals, one 零 for each run of inner zeros, none trailing. */
function sayBelowTenThousand(n: bigint): string {
  const digits = n.toString().padStart(4, '0');
  let out = '';
  let zeroPending = false;
  for (let i = 0; i < 4; i++) {
    const d = Number(digits[i]);
    if (d === 0) {
      if (out) zeroPending = true;
      continue;
    }
    if (zeroPending) out += '零';
    zeroPending = false;
    out += DIGITS[d] + PLACES[3 - i];
  }
  return out;
}

/**
 * Positive integers below 10^16. Larger units are nested rather than listed (壹万零壹亿, not
 * 壹万亿零壹亿), and a 零 marks a gap before the next group (壹亿零伍佰万, 壹拾万零伍佰).
 */
function sayInteger(n: bigint): string {
  for (const [unit, size] of [['亿', 10n ** 8n], ['万', 10n ** 4n]] as const) {
    if (n >= size) {
      const high = n / size;
      const rest = n % size;
      let out = sayInteger(high) + unit;
      if (rest > 0n) out += (rest < size / 10n ? '零' : '') + sayInteger(rest);
      return out;
    }
  }
  return sayBelowTenThousand(n);
}

/**
 * 人民币大写 as required on contracts and notices, following the first form given by the PBOC
 * rules for filling in payment instruments (《正确填写票据和结算凭证的基本规定》):
 * `1234567` → `壹万贰仟叁佰肆拾伍元陆角柒分`, `100` → `壹元整`, `168032` → `壹仟陆佰捌拾元零叁角贰分`,
 * `32504` → `叁佰贰拾伍元零肆分`, `0` → `零元整`. 整 follows 元 or 角 when nothing comes after, so
 * no digit can be appended. Negative amounts are refused: a written amount is always a payment.
 */
export function formatYuanUpper(fen: number | bigint): string {
  const value = toFen(fen);
  if (value < 0n) throw new RangeError('An amount in words cannot be negative');
  const yuan = value / 100n;
  if (yuan >= MAX_YUAN) throw new RangeError('Amount too large to write in words');
  const jiao = Number((value / 10n) % 10n);
  const fenDigit = Number(value % 10n);

  if (value === 0n) return '零元整';
  let out = yuan > 0n ? sayInteger(yuan) + '元' : '';
  if (jiao === 0 && fenDigit === 0) return out + '整';
  if (jiao > 0) {
    if (yuan > 0n && yuan % 10n === 0n) out += '零';
    out += DIGITS[jiao] + '角';
  } else if (yuan > 0n) {
    out += '零';
  }
  if (fenDigit === 0) return out + '整';
  return out + DIGITS[fenDigit] + '分';
}
