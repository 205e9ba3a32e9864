// Yuan strings at the Alipay boundary, integer fen inside: exact both ways, no floats.
import { describe, expect, it } from 'vitest';
import { fenToYuan, yuanToFen } from './alipay.server';

describe('fenToYuan / yuanToFen', () => {
  it.each([
    [0, '0.00'], [1, '0.01'], [10, '0.10'], [99, '0.99'], [100, '1.00'], [1234, '12.34'],
    [100_000_000_00, '100000000.00'], [-5, '-0.05'], [-1234, '-12.34'], [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('%i fen ⇄ %s', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it('reads the shorter forms Alipay and bills use', () => {
    expect(yuanToFen('12')).toBe(1200);
    expect(yuanToFen('12.3')).toBe(1230);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('-0.00')).toBe(0);
  });

  it('is exact where floating point is not (0.29 * 100 = 28.999…)', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(yuanToFen('0.29')).toBe(29);
    expect(yuanToFen('1.15')).toBe(115);
    expect(yuanToFen('4.35')).toBe(435);
  });

  it('round-trips every amount from 0 to 1000 yuan', () => {
    for (let fen = 0; fen <= 100_000; fen++) {
      if (yuanToFen(fenToYuan(fen)) !== fen) throw new Error(`round trip failed at ${fen}`);
    }
  });

  it.each(['', ' 1.00', '1.00 ', '1.001', '1.', '.5', '01.00', '1e3', '+1.00', '1,000.00', '¥1.00', 'NaN', '--1', '1.0.0', '99999999999999999.99'])(
    'rejects %j',
    (s) => {
      expect(() => yuanToFen(s)).toThrow(RangeError);
    },
  );

  it.each([0.5, 1.1, NaN, Infinity, 2 ** 53])('rejects non-integer or unsafe fen %s', (n) => {
    expect(() => fenToYuan(n)).toThrow(RangeError);
  });
});
