/**
 * PKI.js needs a crypto engine; we bind it once to the platform's WebCrypto so the same code runs in
 * Node 20 (globalThis.crypto is webcrypto there) and in browsers. Every module that touches PKI.js
 * imports `pkijs` from here, which guarantees the engine is set before first use.
 */
import * as pkijs from 'pkijs';

let installed = false;

export function ensureEngine(): void {
  if (installed) return;
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  pkijs.setEngine('webcrypto', new pkijs.CryptoEngine({ name: 'webcrypto', crypto: c }));
  installed = true;
}

// Installed at import when WebCrypto exists; otherwise (e.g. a page served over plain http) the
// first crypto call reports it, instead of the import failing.
if (globalThis.crypto?.subtle) ensureEngine();

export function engine(): pkijs.ICryptoEngine {
  ensureEngine();
  return pkijs.getCrypto(true);
}

export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

export { pkijs };
