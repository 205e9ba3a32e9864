// The opening-key ceremony (开标密钥生成仪式), run in the agent's browser (docs/decisions/070):
// generate an RSA-OAEP 3072 key pair, have the platform CA certify the public key (the opening
// certificate bidders encrypt to), split the private key k-of-n and encrypt each share to its
// holder's certificate. Only the certificate and the encrypted shares leave this function; the
// private key bytes are overwritten before it returns. Isomorphic: the integration tests run the
// very same code in Node.
import { generateOpeningKey, splitPrivateKey, encryptShareForHolder } from '../../../crypto/shamir';
import { toBase64, toHex, sha256 } from '../../../crypto/hash';
import { pemToDer } from '../../../crypto/pki';
import { isAddressedTo } from '../../../crypto/envelope';

export interface CeremonyHolder {
  userId: string;
  certPem: string;
}

export interface CeremonyResult {
  openingCertPem: string;
  keyId: string;
  shares: { userId: string; shareIndex: number; encryptedShareB64: string; sha256: string; holderCertSha256: string }[];
}

export async function runOpeningKeyCeremony(input: {
  k: number;
  holders: CeremonyHolder[];
  /** asks the platform CA to certify the public key (SPKI DER, base64); returns the certificate PEM */
  requestCertificate: (spkiB64: string, keyId: string) => Promise<string>;
  onStep?: (step: 'generate' | 'certify' | 'split' | 'encrypt' | 'done') => void;
}): Promise<CeremonyResult> {
  const { k, holders } = input;
  if (holders.length < 3) throw new Error('至少需要3名密钥持有人（代理机构和至少两名监督人员）');
  if (k < 2 || k > holders.length) throw new Error(`门限须在 2 到 ${holders.length} 之间`);
  input.onStep?.('generate');
  const key = await generateOpeningKey({ modulusLength: 3072 });
  try {
    input.onStep?.('certify');
    const openingCertPem = await input.requestCertificate(toBase64(key.publicKeySpki), key.keyId);
    input.onStep?.('split');
    const shares = await splitPrivateKey(key.privateKeyPkcs8, { k, n: holders.length });
    input.onStep?.('encrypt');
    const out: CeremonyResult['shares'] = [];
    for (let i = 0; i < holders.length; i++) {
      const cert = pemToDer(holders[i].certPem);
      const enc = await encryptShareForHolder(shares[i], cert);
      if (!isAddressedTo(enc, cert)) throw new Error('份额加密异常');
      shares[i].fill(0);
      out.push({ userId: holders[i].userId, shareIndex: i + 1, encryptedShareB64: toBase64(enc), sha256: toHex(await sha256(enc)), holderCertSha256: toHex(await sha256(cert)) });
    }
    input.onStep?.('done');
    return { openingCertPem, keyId: key.keyId, shares: out };
  } finally {
    // The exported bytes are the only copy we can reach; the CryptoKey objects become garbage.
    key.privateKeyPkcs8.fill(0);
  }
}
