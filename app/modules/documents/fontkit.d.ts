// Minimal typings for upstream fontkit 2 (it ships none). Only what the documents module touches.
declare module 'fontkit' {
  export interface FontkitGlyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
  }
  export interface FontkitSubset {
    includeGlyph(glyph: number | FontkitGlyph): number;
    encode(): Uint8Array;
  }
  export interface FontkitFont {
    postscriptName: string | null;
    unitsPerEm: number;
    ascent: number;
    descent: number;
    createSubset(): FontkitSubset;
    glyphForCodePoint(codePoint: number): FontkitGlyph;
    layout(text: string, features?: unknown): { glyphs: FontkitGlyph[] };
  }
  export function create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}
