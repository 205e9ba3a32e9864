import type { PdfDoc } from '../pdf.server';
import { formatDateTime, formatDateTimeMs } from '../datetime';
import { groupHex, sectionLabel, verificationBlocks, type IssueInfo, type SectionRef, type TenderRef } from './shared';

/** BidReceipt 投标回执: issued the moment a sealed bid is accepted. */
export interface BidReceiptData extends IssueInfo {
  receiptId: string;
  tender: TenderRef;
  section?: SectionRef;
  bidder: { name: string; creditCode: string };
  submittedAt: Date;
  bidDeadline: Date;
  /** SHA-256 of the sealed (encrypted) bid file exactly as stored. */
  ciphertextSha256: string;
  ciphertextBytes: number;
  timestamp: { serial: string; tsaTime: Date; tsaName: string };
  auditLog: { index: number; treeSize: number; rootHash: string };
}

export function bidReceipt(data: BidReceiptData): PdfDoc {
  return {
    title: '投标回执',
    subtitle: `回执编号：${data.receiptId}`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.receiptId,
      author: data.issuer,
      subject: `${data.tender.name} 投标回执`,
      keywords: ['投标回执', data.tender.code, data.bidder.name],
    },
    blocks: [
      {
        type: 'paragraph',
        indent: true,
        text: `${data.bidder.name}：你单位递交的${data.tender.name}电子投标文件已于${formatDateTime(data.submittedAt)}被本平台成功接收并加密保存。特此回执。`,
      },
      { type: 'heading', text: '一、投标信息' },
      {
        type: 'kv',
        rows: [
          ['项目名称', data.tender.name],
          ['项目编号', data.tender.code],
          ['标段（包）', sectionLabel(data.section)],
          ['投标人', data.bidder.name],
          ['统一社会信用代码', data.bidder.creditCode],
          ['递交时间', formatDateTimeMs(data.submittedAt)],
          ['投标截止时间', formatDateTime(data.bidDeadline)],
        ],
      },
      { type: 'heading', text: '二、密封与时间戳' },
      {
        type: 'kv',
        rows: [
          ['密文摘要（SHA-256）', groupHex(data.ciphertextSha256)],
          ['密文大小', `${data.ciphertextBytes.toLocaleString('en-US')} 字节`],
          ['时间戳序列号', data.timestamp.serial],
          ['时间戳时间', formatDateTimeMs(data.timestamp.tsaTime)],
          ['时间戳服务机构', data.timestamp.tsaName],
        ],
      },
      { type: 'heading', text: '三、审计日志' },
      {
        type: 'kv',
        rows: [
          ['日志序号', String(data.auditLog.index)],
          ['日志树大小', String(data.auditLog.treeSize)],
          ['日志树根哈希', groupHex(data.auditLog.rootHash)],
        ],
      },
      {
        type: 'note',
        text: '说明：投标文件已在投标人端签名并加密，开标前任何人（含平台）均无法解密。投标截止时间前，投标人可修改或撤回投标文件，以最后一次递交为准。请妥善保管本回执，可凭密文摘要、时间戳及审计日志证明递交时间与内容。',
      },
      ...verificationBlocks(data),
    ],
  };
}
