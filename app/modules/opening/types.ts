// Shared by the server and the browser (no server imports): the opening's states, outcomes and
// labels. Glossary: 开标 opening, 开标室/开标大厅 room, 签到 check-in, 主持人 host, 开标密钥 opening
// key, 密钥份额 key share, 解密 decryption, 唱标 bid reading, 异议 objection, 答复 answer,
// 开标记录 opening record, 视为撤销 deemed revoked, 视为撤回 deemed withdrawn.

export const OPENING_STATES = ['checkin', 'ceremony', 'decrypting', 'processing', 'reading', 'signing', 'closed'] as const;
export type OpeningState = (typeof OPENING_STATES)[number];

export const STATE_LABELS: Record<OpeningState, string> = {
  checkin: '签到',
  ceremony: '开标密钥恢复',
  decrypting: '投标文件解密',
  processing: '解密结果核验',
  reading: '唱标',
  signing: '开标记录签署',
  closed: '开标结束',
};

/** Check-in opens this long before the opening time (= the bid deadline). */
export const CHECKIN_LEAD_MS = 30 * 60_000;

export type BidResult = 'valid' | 'revoked' | 'withdrawn' | 'rejected';

export const RESULT_LABELS: Record<BidResult, string> = {
  valid: '有效',
  // 《电子招标投标办法》第三十条: bidder's cause → deemed revoked; others' cause → deemed withdrawn.
  revoked: '视为撤销',
  withdrawn: '视为撤回',
  rejected: '无效（验证未通过）',
};

export const CAUSE_LABELS: Record<string, string> = { bidder: '投标人原因', other: '非投标人原因' };

export const KIND_LABELS: Record<string, string> = { bidder: '投标人', agent: '代理机构（主持人）', supervisor: '监督人员' };

export const DEPOSIT_LABELS: Record<string, string> = {
  none: '无需缴纳',
  paid: '已缴纳',
  guarantee: '保函已核验',
  unpaid: '未缴纳',
};

/** The challenge purpose a check-in signature is made for (app/modules/pki/protocol.ts). */
export const CHECKIN_PURPOSE = 'checkin';
export const RECORD_SIGN_PURPOSE = 'opening-record';

export interface RoomBidRow {
  id: string;
  position: number;
  sectionSeq: number;
  bidderName: string;
  result: BidResult | null;
  cause: string | null;
  reason: string | null;
  decryptedBy: string | null;
  bidderDecrypted: boolean;
  /** The host's reason for opening it with the opening key (non-bidder cause), if any. */
  fallbackReason: string | null;
  read: boolean;
  form: Record<string, unknown> | null;
  depositStatus: string | null;
}

/** Formats a bid form value for the table (money in fen). */
export function formatFormValue(type: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (type === 'money' && typeof v === 'number') {
    const y = Math.floor(v / 100)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `¥${y}.${String(v % 100).padStart(2, '0')}`;
  }
  if (type === 'days' && typeof v === 'number') return `${v} 天`;
  return String(v);
}

/** A Chinese message the room shows (refused steps, bad input). */
export class OpeningError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly code = 'OPENING_ERROR',
  ) {
    super(message);
    this.name = 'OpeningError';
  }
}

/** Timeline labels for the room's events (event type = audit action without "opening."). */
export const EVENT_LABELS: Record<string, string> = {
  create: '开标室设立',
  checkin: '签到',
  start: '开标：投标截止，投标文件清单固定',
  'share.submit': '提交开标密钥份额',
  'share.refuse': '密钥份额被拒绝',
  'key.rebuilt': '开标密钥恢复成功，开始解密',
  'bid.decrypt.fail': '投标人解密失败（可在时限内重试）',
  'bid.fallback': '非投标人原因，启用开标密钥解密',
  'bid.result': '投标文件解密核验结果',
  'decrypt.end': '解密环节结束',
  'decrypt.finish': '解密核验完成，进入唱标',
  'bid.read': '唱标',
  objection: '提出异议',
  answer: '答复异议',
  confirm: '确认开标结果',
  pause: '监督暂停',
  resume: '恢复开标',
  'host.replace': '更换主持人',
  'video.chunk': '录像片段',
  close: '开标结束，生成开标记录',
  sign: '签署开标记录',
  finalize: '开标记录发布',
};
