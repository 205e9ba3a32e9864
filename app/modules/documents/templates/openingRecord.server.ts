import type { Block, PdfDoc } from '../pdf.server';
import { formatDateTime } from '../datetime';
import { formatFen } from '../money';
import {
  groupHex,
  signatureBlock,
  verificationBlocks,
  type IssueInfo,
  type SectionRef,
  type SignerData,
  type TenderRef,
} from './shared';

/**
 * How a bid fared at decryption. 《电子招标投标办法》 Art. 31: a bid the bidder fails to decrypt
 * is deemed revoked (视为撤销); one that fails for reasons outside the bidder is deemed withdrawn
 * (视为撤回). Either way the opening continues without it.
 */
export type DecryptionOutcome = 'decrypted' | 'deemedRevoked' | 'deemedWithdrawn';

export const DECRYPTION_OUTCOME_LABEL: Record<DecryptionOutcome, string> = {
  decrypted: '解密成功',
  deemedRevoked: '视为撤销',
  deemedWithdrawn: '视为撤回',
};

export type DepositStatus = 'paid' | 'guarantee' | 'unpaid';

export const DEPOSIT_STATUS_LABEL: Record<DepositStatus, string> = {
  paid: '已缴纳',
  guarantee: '保函',
  unpaid: '未缴纳',
};

/** OpeningRecord 开标记录. */
export interface OpeningRecordData extends IssueInfo {
  recordId: string;
  tender: TenderRef & { tenderer: string; agent?: string };
  sections: SectionRef[];
  bidDeadline: Date;
  openingTime: Date;
  venue: string;
  host: { name: string; organization: string };
  supervisors: { name: string; organization: string }[];
  attendance: { bidder: string; representative: string; checkedInAt?: Date; ipAddress?: string }[];
  decryption: { section: string; bidder: string; outcome: DecryptionOutcome; reason?: string; at?: Date }[];
  quotes: {
    section: string;
    bidder: string;
    priceFen: number | bigint;
    durationDays: number;
    quality: string;
    projectManager: string;
    deposit: DepositStatus;
  }[];
  objections: { raisedBy: string; raisedAt: Date; content: string; answer: string; answeredBy: string; answeredAt: Date }[];
  timeline: { at: Date; event: string; actor?: string }[];
  recordingSha256?: string;
  auditLog: { treeSize: number; rootHash: string; signedTreeHead: string; signedAt: Date };
  signers: SignerData[];
}

export function openingRecord(data: OpeningRecordData): PdfDoc {
  const sectionCodes = new Set(data.sections.map((s) => s.code));
  const outcomes = new Map(data.decryption.map((d) => [`${d.section}\u0000${d.bidder}`, d]));
  for (const d of data.decryption) {
    if (!sectionCodes.has(d.section)) throw new Error(`Decryption result for unknown section ${d.section}`);
    if (d.outcome !== 'decrypted' && !d.reason) {
      throw new Error(`A bid ${DECRYPTION_OUTCOME_LABEL[d.outcome]} needs a reason: ${d.bidder}`);
    }
  }
  // Only decrypted bids may be read out; a record that announces a revoked bid's price is wrong.
  for (const q of data.quotes) {
    const d = outcomes.get(`${q.section}\u0000${q.bidder}`);
    if (d?.outcome !== 'decrypted') {
      throw new Error(`Quote of ${q.bidder} in section ${q.section} was not decrypted and cannot be read out`);
    }
  }
  for (const d of data.decryption) {
    if (d.outcome === 'decrypted' && !data.quotes.some((q) => q.section === d.section && q.bidder === d.bidder)) {
      throw new Error(`Decrypted bid of ${d.bidder} in section ${d.section} is missing from the read-out`);
    }
  }
  const sectionName = (code: string) => data.sections.find((s) => s.code === code)?.name ?? code;
  const multi = data.sections.length > 1;

  const count = (o: DecryptionOutcome) => data.decryption.filter((d) => d.outcome === o).length;
  const blocks: Block[] = [
    { type: 'heading', text: '一、项目概况' },
    {
      type: 'kv',
      rows: [
        ['项目名称', data.tender.name],
        ['项目编号', data.tender.code],
        ['招标人', data.tender.tenderer],
        ...(data.tender.agent ? [['招标代理机构', data.tender.agent] as [string, string]] : []),
        ['标段（包）', data.sections.map((s) => `${s.name}（${s.code}）`).join('；')],
        ['投标截止时间', formatDateTime(data.bidDeadline)],
        ['开标时间', formatDateTime(data.openingTime)],
        ['开标地点', data.venue],
        ['开标主持人', `${data.host.name}（${data.host.organization}）`],
        ['监督人员', data.supervisors.map((s) => `${s.name}（${s.organization}）`).join('、') || '—'],
      ],
    },
    { type: 'heading', text: '二、投标人签到' },
    {
      type: 'table',
      columns: [
        { title: '序号', width: 0.07, align: 'center' },
        { title: '投标人' },
        { title: '授权代表', width: 0.13 },
        { title: '签到时间', width: 0.22, align: 'center' },
        { title: 'IP 地址', width: 0.17 },
      ],
      rows: data.attendance.map((a, i) => [
        String(i + 1),
        a.bidder,
        a.representative,
        a.checkedInAt ? formatDateTime(a.checkedInAt) : '未签到',
        a.ipAddress ?? '—',
      ]),
    },
    { type: 'heading', text: '三、投标文件解密情况' },
    {
      type: 'paragraph',
      text: `共 ${data.decryption.length} 份投标文件：解密成功 ${count('decrypted')} 份，视为撤销 ${count('deemedRevoked')} 份，视为撤回 ${count('deemedWithdrawn')} 份。`,
    },
    {
      type: 'table',
      columns: [
        { title: '序号', width: 0.07, align: 'center' },
        ...(multi ? [{ title: '标段', width: 0.14 }] : []),
        { title: '投标人' },
        { title: '解密结果', width: 0.12, align: 'center' as const },
        { title: '解密时间', width: 0.2, align: 'center' as const },
        { title: '原因', width: 0.24 },
      ],
      rows: data.decryption.map((d, i) => [
        String(i + 1),
        ...(multi ? [sectionName(d.section)] : []),
        d.bidder,
        DECRYPTION_OUTCOME_LABEL[d.outcome],
        d.at ? formatDateTime(d.at) : '—',
        d.reason ?? '—',
      ]),
    },
    {
      type: 'note',
      text: '依据《电子招标投标办法》第三十一条：因投标人原因造成投标文件未解密的，视为撤销其投标文件；因投标人之外的原因造成投标文件未解密的，视为撤回其投标文件。部分投标文件未解密的，其他投标文件的开标继续进行。',
    },
    { type: 'heading', text: '四、唱标记录' },
  ];

  for (const section of data.sections) {
    const quotes = data.quotes.filter((q) => q.section === section.code);
    if (multi) blocks.push({ type: 'heading', level: 2, text: `${section.name}（${section.code}）` });
    blocks.push({
      type: 'table',
      columns: [
        { title: '序号', width: 0.07, align: 'center' },
        { title: '投标人' },
        { title: '投标报价（元）', width: 0.17, align: 'right' },
        { title: '工期（日历天）', width: 0.15, align: 'right' },
        { title: '质量标准', width: 0.1, align: 'center' },
        { title: '项目经理', width: 0.1, align: 'center' },
        { title: '保证金', width: 0.09, align: 'center' },
      ],
      rows: quotes.map((q, i) => [
        String(i + 1),
        q.bidder,
        formatFen(q.priceFen),
        String(q.durationDays),
        q.quality,
        q.projectManager,
        DEPOSIT_STATUS_LABEL[q.deposit],
      ]),
    });
    if (quotes.length === 0) blocks.push({ type: 'paragraph', text: '本标段无解密成功的投标文件。' });
  }

  blocks.push({ type: 'heading', text: '五、异议及答复' });
  if (data.objections.length === 0) {
    blocks.push({ type: 'paragraph', text: '开标过程中无投标人提出异议。' });
  } else {
    blocks.push({
      type: 'table',
      columns: [
        { title: '序号', width: 0.07, align: 'center' },
        { title: '异议人', width: 0.17 },
        { title: '异议内容' },
        { title: '答复', width: 0.3 },
        { title: '时间', width: 0.16, align: 'center' },
      ],
      rows: data.objections.map((o, i) => [
        String(i + 1),
        o.raisedBy,
        o.content,
        `${o.answer}（${o.answeredBy}）`,
        `提出 ${formatDateTime(o.raisedAt)}\n答复 ${formatDateTime(o.answeredAt)}`,
      ]),
    });
  }

  blocks.push(
    { type: 'heading', text: '六、开标过程' },
    {
      type: 'table',
      columns: [
        { title: '时间', width: 0.24, align: 'center' },
        { title: '事件' },
        { title: '操作人', width: 0.2 },
      ],
      rows: [...data.timeline]
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .map((t) => [formatDateTime(t.at), t.event, t.actor ?? '系统']),
    },
    { type: 'heading', text: '七、存证信息' },
    {
      type: 'kv',
      rows: [
        ['开标录像摘要（SHA-256）', data.recordingSha256 ? groupHex(data.recordingSha256) : '无'],
        ['审计日志树大小', String(data.auditLog.treeSize)],
        ['审计日志树根哈希', groupHex(data.auditLog.rootHash)],
        ['签名树头', data.auditLog.signedTreeHead],
        ['树头签署时间', formatDateTime(data.auditLog.signedAt)],
      ],
    },
    { type: 'heading', text: '八、签署' },
    signatureBlock(data.signers),
    ...verificationBlocks(data),
  );

  return {
    title: '开标记录',
    subtitle: `${data.tender.name}（${data.tender.code}）`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.recordId,
      author: data.issuer,
      subject: `${data.tender.name} 开标记录`,
      keywords: ['开标记录', data.tender.code],
    },
    blocks,
  };
}
