// Statements a bidder signs in the browser (shared by browser and server, no server imports).
import { canonicalJson } from '../../../crypto/seal';

/** The exact bytes (UTF-8 of canonical JSON) a bidder signs to withdraw (撤回) its bid. */
export function withdrawalText(input: { tenderId: string; sectionId: string; bidderId: string; envelopeSha256: string; at: string }) {
  return canonicalJson({ v: 1, kind: 'sealed-bid-withdrawal', tenderId: input.tenderId, sectionId: input.sectionId, bidderId: input.bidderId, envelopeSha256: input.envelopeSha256, at: input.at });
}
