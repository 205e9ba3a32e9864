import { describe, expect, it } from 'vitest';
import { segment, wrapText } from './linebreak';

// A monospace model: Han characters and full-width punctuation 1 unit, everything else 0.5.
const measure = (text: string) => Array.from(text).reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 1 : 0.5), 0);

describe('wrapText', () => {
  it('breaks between any two Han characters and fills each line', () => {
    expect(wrapText('公共资源交易中心电子开标系统', 5, measure)).toEqual(['公共资源交', '易中心电子', '开标系统']);
  });

  it('keeps Latin words and numbers whole', () => {
    const lines = wrapText('项目编号LJGGZY-2025-JS-0012已受理', 10, measure);
    expect(lines).toEqual(['项目编号', 'LJGGZY-2025-JS-0012', '已受理']);
  });

  it('never starts a line with closing punctuation (禁则)', () => {
    // Without the rule the line would break right before "，".
    const lines = wrapText('甲乙丙丁，戊己庚辛。', 4, measure);
    expect(lines).toEqual(['甲乙丙', '丁，戊己', '庚辛。']);
    for (const text of ['投标人应当按照招标文件的要求编制投标文件（含报价）、加盖电子签章；逾期送达的，不予受理。', '“视为撤销”与“视为撤回”的区别：原因不同。']) {
      for (let width = 3; width < 20; width++) {
        const wrapped = wrapText(text, width, measure);
        expect(wrapped.join('')).toBe(text);
        for (const line of wrapped.slice(1)) expect(line).not.toMatch(/^[，。、；：！？）」』】》”’]/);
        for (const line of wrapped.slice(0, -1)) expect(line).not.toMatch(/[（「『【《“‘]$/);
      }
    }
  });

  it('never ends a line with opening punctuation', () => {
    expect(wrapText('甲乙丙（丁戊）', 4, measure)).toEqual(['甲乙丙', '（丁戊）']);
  });

  it('drops the space at a break between Latin words', () => {
    expect(wrapText('ABC Technology Co., Ltd.', 5, measure)).toEqual(['ABC', 'Technology', 'Co., Ltd.']);
    expect(wrapText('ABC Technology Co., Ltd.', 7, measure)).toEqual(['ABC Technology', 'Co., Ltd.']);
  });

  it('cuts a token wider than the line, such as a hash, between characters', () => {
    const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const lines = wrapText(`摘要：${hash}`, 10, measure);
    expect(lines.join('')).toBe(`摘要：${hash}`);
    for (const line of lines) expect(measure(line)).toBeLessThanOrEqual(10);
  });

  it('keeps explicit newlines and blank lines', () => {
    expect(wrapText('第一行\n\n第三行', 10, measure)).toEqual(['第一行', '', '第三行']);
  });

  it('gives the first line its own width for a first-line indent', () => {
    expect(wrapText('一二三四五六七八', 4, measure, { firstLineWidth: 2 })).toEqual(['一二', '三四五六', '七八']);
  });

  it('no line is wider than the limit unless a single character is', () => {
    const text = '根据《中华人民共和国招标投标法》（2017年修正）第四十五条，中标人确定后，招标人应当向中标人发出中标通知书，并同时将中标结果通知所有未中标的投标人。Notice No. ZBTZ-2025-0012-01.';
    for (let width = 2; width < 30; width += 0.5) {
      for (const line of wrapText(text, width, measure)) {
        // Glued punctuation may overhang by one mark, as in hanging punctuation.
        expect(measure(line)).toBeLessThanOrEqual(width + 1);
      }
    }
  });
});

describe('segment', () => {
  it('glues closing marks to the preceding unit and opening marks to the following one', () => {
    expect(segment('《办法》第三条，').map((u) => u.text)).toEqual(['《办', '法》', '第', '三', '条，']);
  });
});
