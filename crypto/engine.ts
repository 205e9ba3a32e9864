/**
 * PKI.js needs a crypto engine; we bind it once to the platform's WebCrypto so the same code runs in
 * Node 20 (globalThis.crypto is webcrypto there) and in browsers. Every module that touches PKI.js
 * imports `pkijs` from here, which guarantees the engine is set before first use.
 */
import * as pkijs from 'pkijs';

let installed = false;

/**
 * PKI.js imports a certificate's public key into WebCrypto afresh for every signature it checks
 * (re-encoding the SubjectPublicKeyInfo first): about 1 ms of a bid statement's verification. A
 * CryptoKey is immutable and follows from the key info and the algorithm alone, so imports are
 * kept per parsed key info object (certificates are shared by their bytes, see parseCertificate)
 * and algorithm.
 */
class KeyCachingEngine extends pkijs.CryptoEngine {
  private readonly imported = new WeakMap<pkijs.PublicKeyInfo, Map<string, Promise<CryptoKey>>>();

  override getPublicKey(publicKeyInfo: pkijs.PublicKeyInfo, signatureAlgorithm: pkijs.AlgorithmIdentifier, parameters?: pkijs.CryptoEnginePublicKeyParams): Promise<CryptoKey> {
    const params = parameters ?? this.fillPublicKeyParameters(publicKeyInfo, signatureAlgorithm);
    let key: string;
    try {
      key = JSON.stringify(params.algorithm);
    } catch {
      return super.getPublicKey(publicKeyInfo, signatureAlgorithm, params);
    }
    let byAlg = this.imported.get(publicKeyInfo);
    if (!byAlg) {
      byAlg = new Map();
      this.imported.set(publicKeyInfo, byAlg);
    }
    let hit = byAlg.get(key);
    if (!hit) {
      hit = super.getPublicKey(publicKeyInfo, signatureAlgorithm, params);
      byAlg.set(key, hit);
      hit.catch(() => byAlg.delete(key));
    }
    return hit;
  }
}

export function ensureEngine(): void {
  if (installed) return;
  const c = globalThis.crypto;
  if (!c?.subtle) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  pkijs.setEngine('webcrypto', new KeyCachingEngine({ name: 'webcrypto', crypto: c }));
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
