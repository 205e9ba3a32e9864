// pdf-lib expects the API of its own fork, @pdf-lib/fontkit 1.1.1, whose TrueType subsetter drops
// CJK outlines (the glyphs come out blank). Upstream fontkit 2 subsets correctly but replaced
// `Subset.encodeStream()` with a synchronous `encode()`. This shim gives pdf-lib what it calls.
import * as fontkit from 'fontkit';
import type { FontkitFont, FontkitSubset } from 'fontkit';

type Listener = (arg?: unknown) => void;

/** The one-shot event stream pdf-lib's CustomFontSubsetEmbedder.serializeFont() listens to. */
function streamOf(encode: () => Uint8Array) {
  const listeners: Record<'data' | 'end' | 'error', Listener[]> = { data: [], end: [], error: [] };
  const stream = {
    on(event: 'data' | 'end' | 'error', listener: Listener) {
      listeners[event].push(listener);
      return stream;
    },
  };
  // pdf-lib attaches its listeners synchronously after calling encodeStream(), so emit later.
  queueMicrotask(() => {
    let bytes: Uint8Array;
    try {
      bytes = encode();
    } catch (error) {
      for (const l of listeners.error) l(error);
      return;
    }
    for (const l of listeners.data) l(bytes);
    for (const l of listeners.end) l();
  });
  return stream;
}

// Parsed fonts are reused across documents: parsing a 10 MB CJK font and warming its glyph and
// layout caches is the expensive part of rendering. Keyed by the byte array's identity, which the
// font loader keeps for the life of the process.
const parsed = new WeakMap<Uint8Array, FontkitFont>();

function withEncodeStream(font: FontkitFont): FontkitFont {
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset() as FontkitSubset & { encodeStream?: () => unknown };
    subset.encodeStream = () => streamOf(() => subset.encode());
    return subset;
  };
  return font;
}

// pdf-lib shapes every string it measures or draws with `font.layout()` (OpenType GSUB/GPOS
// lookups), and a document measures the same labels and words many times while breaking lines;
// every receipt repeats the same template text. The glyph run of a string depends only on the
// string and the features, and nothing mutates it, so the most recently used runs are kept per
// font: the template's strings stay, one-off strings (hashes, numbers, names) age out.
const MAX_LAYOUTS = 1_000;

function withLayoutCache(font: FontkitFont): FontkitFont {
  const layout = font.layout.bind(font) as (text: string, features?: unknown, ...rest: unknown[]) => unknown;
  const runs = new Map<string, unknown>();
  (font as { layout: unknown }).layout = (text: string, features?: unknown, ...rest: unknown[]) => {
    if (rest.some((r) => r !== undefined)) return layout(text, features, ...rest);
    const key = `${JSON.stringify(features ?? null)}\u0000${text}`;
    let run = runs.get(key);
    if (run === undefined) {
      run = layout(text, features);
      if (runs.size >= MAX_LAYOUTS) runs.delete(runs.keys().next().value!);
    } else {
      runs.delete(key);
    }
    runs.set(key, run);
    return run;
  };
  return font;
}

// A subset re-decodes every glyph it includes (all its points, only to learn whether it is a
// composite), for every document. Glyph objects live as long as their font; the decoded outline
// of a glyph of a static font never changes, so it is decoded once.
// (A variable font's outlines depend on its axes: those are decoded as before.)
const decodeMemoized = new WeakSet<object>();

function withGlyphDecodeCache(font: FontkitFont): FontkitFont {
  const proto = Object.getPrototypeOf((font as unknown as { getGlyph(id: number): object }).getGlyph(0)) as { _decode?: (this: Record<string, unknown>) => unknown };
  if (typeof proto._decode !== 'function' || decodeMemoized.has(proto)) return font;
  const decode = proto._decode;
  proto._decode = function (this: Record<string, unknown>) {
    if ((this._font as { _variationProcessor?: unknown } | undefined)?._variationProcessor) return decode.call(this);
    if (!Object.prototype.hasOwnProperty.call(this, '__decoded')) Object.defineProperty(this, '__decoded', { value: decode.call(this) });
    return this.__decoded;
  };
  decodeMemoized.add(proto);
  return font;
}

export function parseFont(bytes: Uint8Array): FontkitFont {
  let font = parsed.get(bytes);
  if (!font) {
    font = withGlyphDecodeCache(withLayoutCache(withEncodeStream(fontkit.create(bytes))));
    parsed.set(bytes, font);
  }
  return font;
}

/** Pass to `PDFDocument.registerFontkit()`. */
export const fontkitShim = {
  create(bytes: Uint8Array) {
    return parseFont(bytes);
  },
};
