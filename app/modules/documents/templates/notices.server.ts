import type { PdfDoc } from '../pdf.server';
import { formatDateCn, formatDateTime } from '../datetime';
import { formatFen, formatYuanUpper } from '../money';
import { sectionLabel, signatureBlock, verificationBlocks, type IssueInfo, type SectionRef, type SignerData, type TenderRef } from './shared';

interface NoticeBase extends IssueInfo {
  noticeNo: string;
  tender: TenderRef;
  section?: SectionRef;
  tenderer: string;
  agent?: string;
  winner: { name: string; creditCode: string };
  priceFen: number | bigint;
  durationDays: number;
  quality: string;
  projectManager: string;
  /** When the bid was opened; the notice refers to the bid by it. */
  openedAt: Date;
  signers: SignerData[];
}

/** AwardNotice 中标通知书, sent to the winning bidder. */
export interface AwardNoticeData extends NoticeBase {
  /** Deadline for signing the contract: within 30 days of the notice (招标投标法 Art. 46). */
  contractDeadline: Date;
  contractPlace: string;
  /** Performance security demanded by the tender documents, if any. */
  performanceSecurityFen?: number | bigint;
}

/** ResultNotice 中标结果通知书, sent to every bidder that did not win. */
export interface ResultNoticeData extends NoticeBase {
  recipient: string;
}

function awardSummary(data: NoticeBase): [string, string][] {
  return [
    ['项目名称', data.tender.name],
    ['项目编号', data.tender.code],
    ['标段（包）', sectionLabel(data.section)],
    ['中标人', data.winner.name],
    ['统一社会信用代码', data.winner.creditCode],
    ['中标价（小写）', formatFen(data.priceFen)],
    ['中标价（大写）', `人民币${formatYuanUpper(data.priceFen)}`],
    ['工期', `${data.durationDays} 日历天`],
    ['质量标准', data.quality],
    ['项目经理', data.projectManager],
  ];
}

function issuedBy(data: NoticeBase): [string, string][] {
  return [
    ['招标人', data.tenderer],
    ...(data.agent ? [['招标代理机构', data.agent] as [string, string]] : []),
    ['发出日期', formatDateCn(data.issuedAt)],
  ];
}

function meta(data: NoticeBase, subject: string) {
  return {
    createdAt: data.issuedAt,
    documentId: data.noticeNo,
    author: data.tenderer,
    subject: `${data.tender.name} ${subject}`,
    keywords: [subject, data.tender.code, data.winner.name],
  };
}

export function awardNotice(data: AwardNoticeData): PdfDoc {
  const days = Math.round((data.contractDeadline.getTime() - data.issuedAt.getTime()) / 86_400_000);
  if (days > 30) throw new RangeError('The contract must be signed within 30 days of the award notice');
  const security =
    data.performanceSecurityFen !== undefined
      ? `并按招标文件要求提交履约担保，金额为人民币${formatYuanUpper(data.performanceSecurityFen)}（${formatFen(data.performanceSecurityFen)}）`
      : '';
  return {
    title: '中标通知书',
    subtitle: `编号：${data.noticeNo}`,
    header: data.issuer,
    meta: meta(data, '中标通知书'),
    blocks: [
      { type: 'paragraph', bold: true, text: `${data.winner.name}：` },
      {
        type: 'paragraph',
        indent: true,
        text: `你方于${formatDateTime(data.openedAt)}开标的${data.tender.name}（项目编号：${data.tender.code}）投标文件已被确定为中标。中标价：人民币${formatYuanUpper(data.priceFen)}（${formatFen(data.priceFen)}），工期：${data.durationDays}日历天，工程质量：${data.quality}，项目经理：${data.projectManager}。`,
      },
      {
        type: 'paragraph',
        indent: true,
        text: `请你方在${formatDateCn(data.contractDeadline)}前到${data.contractPlace}与招标人按照招标文件和你方投标文件订立书面合同${security}。`,
      },
      { type: 'heading', text: '中标信息' },
      { type: 'kv', rows: [...awardSummary(data), ...issuedBy(data)] },
      signatureBlock(data.signers),
      {
        type: 'note',
        text: '中标通知书对招标人和中标人具有法律效力。中标通知书发出后，招标人改变中标结果的，或者中标人放弃中标项目的，应当依法承担法律责任。',
      },
      ...verificationBlocks(data),
    ],
  };
}

export function resultNotice(data: ResultNoticeData): PdfDoc {
  if (data.recipient === data.winner.name) throw new Error('The winner receives an award notice, not a result notice');
  return {
    title: '中标结果通知书',
    subtitle: `编号：${data.noticeNo}`,
    header: data.issuer,
    meta: meta(data, '中标结果通知书'),
    blocks: [
      { type: 'paragraph', bold: true, text: `${data.recipient}：` },
      {
        type: 'paragraph',
        indent: true,
        text: `我方已接受${data.winner.name}于${formatDateTime(data.openedAt)}开标的${data.tender.name}（项目编号：${data.tender.code}）投标文件，确定${data.winner.name}为中标人。`,
      },
      { type: 'paragraph', indent: true, text: '感谢你单位对我方工作的大力支持！' },
      { type: 'heading', text: '中标结果' },
      { type: 'kv', rows: [...awardSummary(data), ...issuedBy(data)] },
      signatureBlock(data.signers),
      ...verificationBlocks(data),
    ],
  };
}
