// Line breaking for mixed Chinese/Latin text, following the basic rules of GB/T 15834 and the
// W3C "Requirements for Chinese Text Layout" (clreq): a line may break between any two Han
// characters; Latin words and numbers stay whole; closing punctuation never starts a line and
// opening punctuation never ends one (禁则). A unit wider than the line (a 64-digit hash, a URL)
// is cut between characters, since there is nothing better to do with it.

/** Width of a string in points, as the renderer will draw it. */
export type Measure = (text: string) => number;

// Must not start a line: closing brackets and quotes, pause and stop marks, iteration marks.
const NO_LINE_START = new Set(
  Array.from('，。、；：！？）］｝」』】》〉〕〗〙〛’”…‥·・—～％‰℃,.;:!?)]}%'),
);
// Must not end a line: opening brackets and quotes, currency signs before an amount.
const NO_LINE_END = new Set(Array.from('（［｛「『【《〈〔〖〘〚‘“([{¥￥$'));

/** Characters laid out one per unit, with a break opportunity on either side. */
function isBreakAnywhere(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x2fdf) || // CJK radicals
    (cp >= 0x3000 && cp <= 0x303f) || // CJK symbols and punctuation
    (cp >= 0x3040 && cp <= 0x30ff) || // kana
    (cp >= 0x3100 && cp <= 0x312f) || // bopomofo
    (cp >= 0x3190 && cp <= 0x9fff) || // kanbun .. CJK unified ideographs
    (cp >= 0xf900 && cp <= 0xfaff) || // compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xffef) || // full-width forms
    (cp >= 0x20000 && cp <= 0x3ffff) || // supplementary ideographs
    cp === 0x2014 || // em dash (paired as ——)
    cp === 0x2026 || // ellipsis
    cp === 0x2018 ||
    cp === 0x2019 ||
    cp === 0x201c ||
    cp === 0x201d
  );
}

interface Unit {
  text: string;
  space: boolean;
}

/** Splits one hard line into unbreakable units: Han characters, whole words, and spaces. */
export function segment(line: string): Unit[] {
  const units: Unit[] = [];
  let word = '';
  const flush = () => {
    if (word) units.push({ text: word, space: false });
    word = '';
  };
  for (const ch of line) {
    const cp = ch.codePointAt(0)!;
    if (ch === ' ' || ch === '\t') {
      flush();
      units.push({ text: ' ', space: true });
    } else if (isBreakAnywhere(cp)) {
      flush();
      units.push({ text: ch, space: false });
    } else {
      word += ch;
    }
  }
  flush();

  // Glue punctuation to its neighbour so no break can separate them.
  const glued: Unit[] = [];
  let carry = '';
  for (const unit of units) {
    if (unit.space) {
      if (carry) glued.push({ text: carry, space: false });
      carry = '';
      glued.push(unit);
      continue;
    }
    const text = carry + unit.text;
    carry = '';
    const first = Array.from(unit.text)[0];
    const last = Array.from(text).at(-1)!;
    const previous = glued.at(-1);
    if (NO_LINE_START.has(first) && previous && !previous.space) {
      previous.text += text;
    } else {
      glued.push({ text, space: false });
    }
    if (NO_LINE_END.has(last)) {
      // Hold it back and prepend it to the next unit.
      const held = glued.pop()!;
      carry = held.text;
    }
  }
  if (carry) glued.push({ text: carry, space: false });
  return glued;
}

export interface WrapOptions {
  /** Width of the first line, when it differs (a first-line indent). */
  firstLineWidth?: number;
}

/**
 * Breaks text into lines no wider than `width`. Newlines in the text are kept as hard breaks;
 * spaces at a break are dropped. Widths are additive over units, which holds for the fonts used
 * here because pdf-lib positions glyphs by their advance widths alone.
 */
export function wrapText(text: string, width: number, measure: Measure, options: WrapOptions = {}): string[] {
  const lines: string[] = [];
  const clean = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  for (const hardLine of clean.split('\n')) {
    const limit = () => (lines.length === 0 && options.firstLineWidth !== undefined ? options.firstLineWidth : width);
    let current = '';
    let currentWidth = 0;
    let pendingSpace = false;
    const pushLine = () => {
      lines.push(current);
      current = '';
      currentWidth = 0;
      pendingSpace = false;
    };
    for (const unit of segment(hardLine)) {
      if (unit.space) {
        if (current) pendingSpace = true;
        continue;
      }
      const unitWidth = measure(unit.text);
      const spaceWidth = pendingSpace ? measure(' ') : 0;
      if (current && currentWidth + spaceWidth + unitWidth <= limit()) {
        current += (pendingSpace ? ' ' : '') + unit.text;
        currentWidth += spaceWidth + unitWidth;
        pendingSpace = false;
        continue;
      }
      if (current) pushLine();
      if (unitWidth <= limit()) {
        current = unit.text;
        currentWidth = unitWidth;
        continue;
      }
      // Wider than a whole line: cut between characters, re-reading the limit after each line
      // because the first line may be shorter.
      for (const ch of unit.text) {
        const chWidth = measure(ch);
        if (current && currentWidth + chWidth > limit()) pushLine();
        current += ch;
        currentWidth += chWidth;
      }
    }
    lines.push(current);
    pendingSpace = false;
  }
  return lines;
}
