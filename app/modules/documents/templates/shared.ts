import type { Block, Signer } from '../pdf.server';
import { formatDateTime } from '../datetime';

/** What every issued document carries: who issues it, when, and where to verify it. */
export interface IssueInfo {
  /** Issuing organisation, printed as the running header, e.g. 某市公共资源交易中心. */
  issuer: string;
  issuedAt: Date;
  /** Public page where the document's hash and signatures can be checked. */
  verifyUrl?: string;
  verifyCode?: string;
}

export interface TenderRef {
  name: string;
  code: string;
}

export interface SectionRef {
  code: string;
  name: string;
}

export interface SignerData {
  role: string;
  name: string;
  signedAt?: Date;
  certificateFingerprint?: string;
}

export function signatureBlock(signers: SignerData[]): Block {
  return {
    type: 'signatures',
    signers: signers.map(
      (s): Signer => ({
        role: s.role,
        name: s.name,
        time: s.signedAt ? formatDateTime(s.signedAt) : undefined,
        fingerprint: s.certificateFingerprint && groupHex(s.certificateFingerprint),
      }),
    ),
  };
}

export function verificationBlocks(issue: IssueInfo): Block[] {
  return issue.verifyUrl ? [{ type: 'verification', url: issue.verifyUrl, code: issue.verifyCode }] : [];
}

export function sectionLabel(section?: SectionRef): string {
  return section ? `${section.name}（${section.code}）` : '—';
}

/** Groups a hex digest in blocks of eight so that it can be read aloud and compared by eye. */
export function groupHex(hex: string): string {
  return hex.toLowerCase().replace(/(.{8})(?=.)/g, '$1 ');
}
