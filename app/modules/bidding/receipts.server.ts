// 投标回执: proof for the bidder that the platform received exactly this ciphertext at a trusted
// time. Two forms: a PDF signed by the platform record signer (detached CMS), and a JSON bundle
// with the SHA-256, the RFC 3161 token and the audit-log inclusion proof under a signed tree head,
// which anyone can check offline with crypto/ (or `openssl ts -verify`, `openssl cms -verify`).
import crypto from 'node:crypto';
import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { formatDateTimeMs, formatDateTime } from '~/modules/documents/datetime';
import { renderPdf, type PdfDoc } from '~/modules/documents/pdf.server';
import { putBytes } from '~/modules/files/store.server';
import { getPlatformPki, signAsPlatform } from '~/modules/pki/platform.server';
import { inclusionProofFor, latestTreeHead, signTreeHeadIfGrown } from '~/modules/transparency/log.server';
import { formatBytes, RECEIPT_KIND_LABELS } from './types';
import { certInfo } from '../../../crypto/pki';

export interface ReceiptFacts {
  receiptNo: string;
  kind: 'submit' | 'replace' | 'withdraw';
  tender: { id: string; code: string; name: string; bidDeadline: Date };
  section: { seq: number; name: string };
  bidder: { name: string; creditCode: string };
  submitter: string;
  signerSubject: string;
  signerCertSha256: string;
  envelopeSha256: string;
  envelopeSize: number;
  version: number;
  /** for withdraw: the SHA-256 of the signed withdrawal statement (what the TSA stamped) */
  stampedSha256: string;
  tsGenTime: Date;
  tsSerialHex: string;
  tsaName: string;
}

export function newReceiptNo(at: Date): string {
  const d = formatDateTime(at).slice(0, 10).replaceAll('-', '');
  return `HZ-${d}-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
}

export function receiptDoc(f: ReceiptFacts): PdfDoc {
  const withdraw = f.kind === 'withdraw';
  return {
    title: withdraw ? '投标文件撤回回执' : '投标文件递交回执',
    subtitle: `回执编号 ${f.receiptNo}`,
    header: '江城市公共资源交易平台 · 电子招标投标交易系统',
    meta: { createdAt: f.tsGenTime, documentId: f.receiptNo, subject: '投标回执', creator: '江城市公共资源交易平台', author: '江城市公共资源交易中心' },
    blocks: [
      { type: 'heading', text: '项目信息' },
      {
        type: 'kv',
        rows: [
          ['项目编号', f.tender.code],
          ['项目名称', f.tender.name],
          ['标段', `第${f.section.seq}标段 ${f.section.name}`],
          ['投标截止时间', `${formatDateTime(f.tender.bidDeadline)}（北京时间）`],
        ],
      },
      { type: 'heading', text: '投标人' },
      {
        type: 'kv',
        rows: [
          ['投标人', f.bidder.name],
          ['统一社会信用代码', f.bidder.creditCode],
          ['经办人', f.submitter],
          ['签名证书', f.signerSubject],
          ['证书指纹（SHA-256）', f.signerCertSha256],
        ],
      },
      { type: 'heading', text: withdraw ? '撤回事项' : '递交的密文投标文件' },
      {
        type: 'kv',
        rows: [
          ['操作', RECEIPT_KIND_LABELS[f.kind]],
          ['文件版本', `第 ${f.version} 版`],
          ['密文 SHA-256', f.envelopeSha256],
          ['密文大小', `${f.envelopeSize} 字节（${formatBytes(f.envelopeSize)}）`],
          ...(withdraw ? ([['撤回声明 SHA-256', f.stampedSha256]] as [string, string][]) : []),
        ],
      },
      { type: 'heading', text: '可信时间' },
      {
        type: 'kv',
        rows: [
          ['时间戳时间', `${formatDateTimeMs(f.tsGenTime)}（北京时间）`],
          ['时间戳序列号', f.tsSerialHex],
          ['时间戳服务', f.tsaName],
        ],
      },
      {
        type: 'paragraph',
        indent: true,
        text: withdraw
          ? '平台已于上述可信时间收到投标人签名的撤回声明，上述投标文件自即时起不再参与开标。撤回前递交的密文不会被解密。投标截止时间前，投标人可以重新递交投标文件。'
          : '平台已于上述可信时间完整接收上述密文投标文件，并核验其为投标人数字证书签名、加密至本项目开标证书的文件。平台不持有开标私钥，投标截止时间前任何人（包括平台工作人员）均无法解密。截止前再次递交的，以最后一次递交的版本为准。',
      },
      {
        type: 'note',
        text: '核验方法：本回执附有平台电子签章（CMS 分离式签名，.p7s）及回执数据（JSON，含 RFC 3161 时间戳令牌和审计日志包含性证明）。可使用 openssl ts -verify -digest <密文SHA-256> -in 时间戳令牌 -token_in -CAfile 平台根证书 核验时间戳。',
      },
      { type: 'verification', url: `${env().PUBLIC_BASE_URL}/bids`, code: f.receiptNo, text: '登录平台“我的投标”可随时下载本回执及核验材料。' },
    ],
  };
}

export async function renderSignedReceipt(f: ReceiptFacts) {
  const pdf = await renderPdf(receiptDoc(f));
  const signature = await signAsPlatform(pdf, { detached: true });
  const { sha256 } = await putBytes(pdf);
  return { pdfSha256: sha256, signature };
}

export async function tsaName(): Promise<string> {
  return certInfo((await getPlatformPki()).tsa.cert).subject;
}

/** The receipt bundle: everything needed to verify it offline. Computed on request. */
export async function receiptJson(receiptId: string) {
  const prisma = await getPrisma();
  const r = await prisma.bidReceipt.findUnique({ where: { id: receiptId }, include: { bid: { include: { tender: true, section: true } } } });
  if (!r) return null;
  const org = await prisma.organization.findUnique({ where: { id: r.bidderOrgId }, select: { name: true, creditCode: true } });
  // The entry is in the log once committed; make sure a signed head covers it.
  let head = await latestTreeHead();
  if (!head || BigInt(head.treeSize) < r.auditSeq) head = (await signTreeHeadIfGrown()) ?? (await latestTreeHead());
  const inclusion = head && BigInt(head.treeSize) >= r.auditSeq ? await inclusionProofFor(r.auditSeq, head.treeSize) : null;
  const pki = await getPlatformPki();
  return {
    type: 'ggzy-bid-receipt',
    v: 1,
    receiptNo: r.receiptNo,
    kind: r.kind,
    tender: { id: r.bid.tender.id, code: r.bid.tender.code, name: r.bid.tender.name },
    section: { id: r.bid.section.id, seq: r.bid.section.seq, name: r.bid.section.name },
    bidder: { orgId: r.bidderOrgId, name: org?.name, creditCode: org?.creditCode },
    envelope: { sha256: r.bid.envelopeSha256, size: Number(r.bid.envelopeSize), version: r.bid.version },
    submissionStatementB64: r.bid.submission,
    withdrawalStatementB64: r.statement ?? undefined,
    timestamp: { stampedSha256: r.stampedSha256, genTime: r.tsGenTime.toISOString(), serialHex: r.tsSerialHex, tokenB64: r.tsToken },
    audit: { seq: r.auditSeq.toString(), inclusion, treeHead: head?.sth ?? null },
    pdf: { sha256: r.pdfSha256, signatureB64: r.pdfSignature },
    platform: { caCertPem: pki.ca.certPem, tsaCertPem: pki.tsa.certPem, signerCertPem: pki.signer.certPem },
  };
}
