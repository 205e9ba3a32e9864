import { describe, expect, it } from 'vitest';
import { formatFen, formatYuanUpper } from './money';

describe('formatFen', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [99, '¥0.99'],
    [100, '¥1.00'],
    [123_456, '¥1,234.56'],
    [100_000_000, '¥1,000,000.00'],
    [-50, '-¥0.50'],
    [-123_456_789, '-¥1,234,567.89'],
  ])('%s fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('takes bigint beyond the safe integer range', () => {
    expect(formatFen(12_345_678_901_234_567_890n)).toBe('¥123,456,789,012,345,678.90');
  });

  it('refuses fractional or unsafe fen, which would mean money was computed in floats', () => {
    expect(() => formatFen(0.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
    expect(() => formatFen(2 ** 60)).toThrow(RangeError);
  });
});

describe('formatYuanUpper (人民币大写)', () => {
  // The worked examples of the PBOC rules for filling in payment instruments, in their first form.
  it.each([
    [140_950, '壹仟肆佰零玖元伍角'],
    [600_714, '陆仟零柒元壹角肆分'],
    [168_032, '壹仟陆佰捌拾元零叁角贰分'],
    [10_700_053, '壹拾万柒仟元零伍角叁分'],
    [32_504, '叁佰贰拾伍元零肆分'],
    [100_456, '壹仟零肆元伍角陆分'],
  ])('PBOC example %s fen → %s', (fen, text) => {
    // The rules allow omitting 整 after 角; this platform always writes it, so nothing can be appended.
    expect(formatYuanUpper(fen).replace(/整$/, '')).toBe(text);
  });

  it.each([
    [0, '零元整'],
    [1, '壹分'],
    [10, '壹角整'],
    [11, '壹角壹分'],
    [100, '壹元整'],
    [105, '壹元零伍分'],
    [110, '壹元壹角整'],
    [1_000, '壹拾元整'],
    [1_050, '壹拾元零伍角整'],
    [1_234_567, '壹万贰仟叁佰肆拾伍元陆角柒分'],
    [1_000_000, '壹万元整'],
    [1_000_100, '壹万零壹元整'],
    [10_050_000, '壹拾万零伍佰元整'],
    [100_000_000, '壹佰万元整'],
    [1_000_000_000, '壹仟万元整'],
    [10_000_000_000, '壹亿元整'],
    [10_000_010_000, '壹亿零壹佰元整'],
    [10_500_000_000, '壹亿零伍佰万元整'],
    [11_000_000_000, '壹亿壹仟万元整'],
    [123_456_789_012, '壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分'],
    [4_795_006_000, '肆仟柒佰玖拾伍万零陆拾元整'],
  ])('%s fen → %s', (fen, text) => {
    expect(formatYuanUpper(fen)).toBe(text);
  });

  it('nests 万 inside 亿 for very large amounts instead of repeating the unit', () => {
    expect(formatYuanUpper(10n ** 12n * 100n)).toBe('壹万亿元整');
    expect(formatYuanUpper(10_001n * 10n ** 8n * 100n)).toBe('壹万零壹亿元整');
    expect(formatYuanUpper((10n ** 12n + 1n) * 100n + 1n)).toBe('壹万亿零壹元零壹分');
    expect(formatYuanUpper(10n ** 16n * 100n - 1n)).toBe('玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分');
  });

  it('uses only the capital numerals and units, so no digit can be altered by adding a stroke', () => {
    for (const fen of [0, 7, 1_234_567, 98_765_432_101, 3_003_003_003]) {
      expect(formatYuanUpper(fen)).toMatch(/^[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+$/);
    }
  });

  it('never writes two 零 in a row nor ends with 零', () => {
    for (let fen = 1; fen < 2_000_000; fen += 997) {
      const text = formatYuanUpper(fen);
      expect(text).not.toMatch(/零零|零元|零整$|零[万亿]/);
    }
  });

  it('refuses negative, fractional and out-of-range amounts', () => {
    expect(() => formatYuanUpper(-1)).toThrow(RangeError);
    expect(() => formatYuanUpper(1.5)).toThrow(RangeError);
    expect(() => formatYuanUpper(10n ** 18n)).toThrow(RangeError);
  });
});
