// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet (no I, O, S, V, Z);
// the last one is a check character over the first 17 with weights 3^i mod 31.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) throw new Error(`invalid character ${first17[i]}`);
    sum += v * WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return ALPHABET[c === 31 ? 0 : c];
}

export type CreditCodeProblem = 'length' | 'charset' | 'checksum';

/** Returns null when valid, or what is wrong. Input is upper-cased and trimmed first. */
export function checkCreditCode(raw: string): CreditCodeProblem | null {
  const code = normalizeCreditCode(raw);
  if (code.length !== 18) return 'length';
  for (const ch of code) if (!ALPHABET.includes(ch)) return 'charset';
  return creditCodeCheckChar(code.slice(0, 17)) === code[17] ? null : 'checksum';
}

export function normalizeCreditCode(raw: string) {
  return raw.trim().toUpperCase();
}

export const creditCodeMessages: Record<CreditCodeProblem, string> = {
  length: '统一社会信用代码应为18位',
  charset: '统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）',
  checksum: '统一社会信用代码校验位不正确，请核对',
};

/** Builds a valid code from a 17-character body (demo data and tests). */
export function withCheckChar(first17: string) {
  return first17 + creditCodeCheckChar(first17);
}
