import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

// Noto Sans SC (SIL Open Font License 1.1): TrueType outlines, full GB 18030 coverage of the
// characters that appear in names of companies and people, and a true bold weight.
export type FontWeight = 'regular' | 'bold';

const FILES: Record<FontWeight, string> = {
  regular: '400Regular/NotoSansSC_400Regular.ttf',
  bold: '700Bold/NotoSansSC_700Bold.ttf',
};

function fontDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
}

const cache = new Map<FontWeight, Promise<Uint8Array>>();

/**
 * The font file of one weight, read once per process on first use (each is about 10 MB, so it is
 * never read at import time). A failed read is not cached, so a later call can retry.
 */
export function loadFontBytes(weight: FontWeight): Promise<Uint8Array> {
  let pending = cache.get(weight);
  if (!pending) {
    const file = path.join(fontDirectory(), FILES[weight]);
    pending = readFile(file).then(
      (buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
      (error: unknown) => {
        cache.delete(weight);
        throw new Error(`Cannot read the ${weight} PDF font at ${file}: ${String(error)}`);
      },
    );
    cache.set(weight, pending);
  }
  return pending;
}
