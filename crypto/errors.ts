/**
 * Every failed verification in crypto/ throws CryptoVerifyError with a stable machine code, so
 * callers (the app, the CLI, an auditor's script) can branch on `code` and show `message`.
 */
export type CryptoErrorCode =
  | 'MALFORMED'
  | 'SIGNATURE_INVALID'
  | 'DIGEST_MISMATCH'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CERT_UNTRUSTED'
  | 'CERT_INVALID'
  | 'KEY_USAGE_MISSING'
  | 'EKU_MISSING'
  | 'WRONG_SIGNER_COUNT'
  | 'SIGNER_CERT_MISSING'
  | 'SIGNING_CERT_MISMATCH'
  | 'ATTRIBUTE_MISSING'
  | 'CONTENT_MISSING'
  | 'CRL_INVALID'
  | 'NONCE_MISMATCH'
  | 'TSA_REJECTED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'PKCS12_INVALID'
  | 'BAD_PASSWORD'
  | (string & {});

export class CryptoVerifyError extends Error {
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CryptoVerifyError';
    this.code = code;
  }
}

export function isCryptoVerifyError(e: unknown): e is CryptoVerifyError {
  return e instanceof CryptoVerifyError;
}

/** Runs a parser and turns whatever it throws (asn1js, PKI.js, RangeError…) into MALFORMED. */
export function wrapMalformed<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('MALFORMED', `${what} is malformed: ${errorText(e)}`);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
