// Demo and test tooling only (the seed and the tests use it, never a route): a sealed bid whose
// inner manifest signature is broken while everything the server checks at upload is valid —
// what a faulty or tampering bidder client would produce. The opening must reject it with
// SIGNATURE_INVALID and go on.
import { signData } from '../../../crypto/cms';
import { decryptEnvelope, encryptEnvelope } from '../../../crypto/envelope';
import { sha256, toHex, utf8 } from '../../../crypto/hash';
import { canonicalJson, sealBid, sealedBidContent, type SealBidInput, type SealedBid } from '../../../crypto/seal';

export async function sealBidWithBrokenSignature(input: SealBidInput & { signerDecryptKey: CryptoKey }): Promise<SealedBid> {
  const good = await sealBid({ ...input, includeSelf: true });
  const plain = await decryptEnvelope({ envelope: good.envelope, recipientCert: input.signerCert, recipientKey: input.signerDecryptKey });
  const { signedManifest, files } = sealedBidContent.parse(plain);
  const broken = new Uint8Array(signedManifest);
  // The SignerInfo's signature value is the last element of the SignedData.
  broken[broken.length - 1] ^= 0x01;
  const envelope = await encryptEnvelope({ content: sealedBidContent.build(broken, files), recipients: [...input.recipients, input.signerCert] });
  const envelopeSha256 = toHex(await sha256(envelope));
  const statement = {
    v: 1,
    kind: 'sealed-bid-submission',
    tenderId: input.tenderId,
    sectionId: input.sectionId,
    bidderId: input.bidderId,
    envelopeSha256,
    envelopeSize: envelope.length,
    sealedAt: good.manifest.sealedAt,
  };
  const submission = await signData({ content: utf8(canonicalJson(statement)), signerCert: input.signerCert, signerKey: input.signerKey, chain: input.chain, signingTime: input.now });
  return { envelope, submission, manifest: good.manifest, envelopeSha256 };
}
