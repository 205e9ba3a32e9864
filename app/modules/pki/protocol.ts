// What a key holder signs, shared by the browser (app/ui/keystore.client.ts) and the server.
// Each message names its purpose so a signature made for one can never be replayed as another.
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Enrolment proof of possession: a raw RSA-PSS (salt 32) / ECDSA P-256 signature over these bytes. */
export function enrollPopMessage(nonce: string): Uint8Array {
  return new TextEncoder().encode(`GGZY-ENROLL-POP\n${nonce}\n`);
}

/** Certificate login: the browser signs these bytes as CMS SignedData (detached) with its certificate. */
export function loginChallengeMessage(nonce: string): Uint8Array {
  return new TextEncoder().encode(`GGZY-LOGIN\n${nonce}\n`);
}

/** Generic challenge for other purposes (check-in etc.). */
export function challengeMessage(purpose: string, nonce: string): Uint8Array {
  return purpose === 'login' ? loginChallengeMessage(nonce) : new TextEncoder().encode(`GGZY-${purpose.toUpperCase()}\n${nonce}\n`);
}

/** A problem the user can fix, with a Chinese message for the page. */
export class TrustError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly code = 'TRUST_ERROR',
  ) {
    super(message);
    this.name = 'TrustError';
  }
}

export const REVOCATION_REASONS = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'unspecified'] as const;
export const REVOCATION_REASON_LABELS: Record<(typeof REVOCATION_REASONS)[number], string> = {
  keyCompromise: '私钥泄露或丢失',
  affiliationChanged: '单位或人员信息变更',
  superseded: '已更换新证书',
  cessationOfOperation: '不再使用',
  unspecified: '其他原因',
};
