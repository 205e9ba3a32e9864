import { describe, expect, it } from 'vitest';
import { checkCreditCode, creditCodeCheckChar, withCheckChar } from './credit-code';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts the example code given in the standard', () => {
    for (const code of ['91350100M000100Y43']) {
      expect(checkCreditCode(code), code).toBeNull();
    }
  });

  it('normalises case and whitespace', () => {
    expect(checkCreditCode(' 91350100m000100y43 ')).toBeNull();
  });

  it('rejects a wrong check character, whatever the position changed', () => {
    const good = '91350100M000100Y43';
    for (let i = 0; i < 18; i++) {
      const alt = good[i] === '0' ? '1' : '0';
      const bad = good.slice(0, i) + alt + good.slice(i + 1);
      expect(checkCreditCode(bad), bad).toBe('checksum');
    }
  });

  it('rejects wrong length and forbidden letters', () => {
    expect(checkCreditCode('91350100M000100Y4')).toBe('length');
    expect(checkCreditCode('91350100M000100Y431')).toBe('length');
    expect(checkCreditCode('91350100I000100Y43')).toBe('charset');
    expect(checkCreditCode('91350100O000100Y43')).toBe('charset');
  });

  it('computes check characters that validate', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(checkCreditCode(withCheckChar('91420100MA4K0A001'))).toBeNull();
  });
});
