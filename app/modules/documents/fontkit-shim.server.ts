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

export function parseFont(bytes: Uint8Array): FontkitFont {
  let font = parsed.get(bytes);
  if (!font) {
    font = withEncodeStream(fontkit.create(bytes));
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
