// Shared by the server and the browser (no server imports): tender schemas, labels and limits.
// Glossary: 招标项目 Tender, 标段/包 TenderSection, 招标公告 notice, 澄清/修改 amendment,
// 招标文件 tender documents, 投标文件 sealed bid, 投标回执 BidReceipt, 开标密钥 opening key,
// 投标保证金 deposit, 保函 bank guarantee, 投标截止时间 bid deadline (= 开标时间).
import { z } from 'zod';

/** 500 MB of bid files per section (the limit); the envelope adds a few KB. */
export const MAX_BID_FILES_BYTES = 500 * 1024 * 1024;
export const MAX_ENVELOPE_BYTES = MAX_BID_FILES_BYTES + 1024 * 1024;
/** Upload chunk: large enough for throughput, small enough that a retry loses little. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
export const MAX_TENDER_DOCUMENT_BYTES = 200 * 1024 * 1024;
/** 招标投标法 第二十四条: at least 20 days from issuing the documents to the bid deadline. */
export const MIN_BIDDING_DAYS = 20;
/** 实施条例 第二十一条: an amendment affecting bid preparation needs 15 days before the deadline. */
export const AMENDMENT_NOTICE_DAYS = 15;
export const DAY_MS = 24 * 3600_000;

export const TENDER_STATUS_LABELS: Record<string, string> = {
  draft: '草稿',
  published: '投标中',
  closed: '投标已截止',
  opening: '开标中',
  opened: '已开标',
  cancelled: '已终止',
};

export const METHOD_LABELS: Record<string, string> = { open: '公开招标', invited: '邀请招标' };

export const BID_STATUS_LABELS: Record<string, string> = { active: '有效', replaced: '已被修改替换', withdrawn: '已撤回' };
export const RECEIPT_KIND_LABELS: Record<string, string> = { submit: '递交', replace: '修改（替换）', withdraw: '撤回' };

/** A bid form (投标函/开标一览表) field read out at the opening. */
export interface BidFormField {
  key: string;
  label: string;
  /** money: integer fen (entered in 元); days: whole days; text: one line */
  type: 'money' | 'days' | 'text';
  required: boolean;
}

/** The standard fields an agent picks from; `price` is always present. */
export const STANDARD_BID_FIELDS: BidFormField[] = [
  { key: 'price', label: '投标报价', type: 'money', required: true },
  { key: 'durationDays', label: '工期（日历天）', type: 'days', required: true },
  { key: 'quality', label: '质量承诺', type: 'text', required: true },
  { key: 'projectManager', label: '项目经理', type: 'text', required: true },
  { key: 'warrantyDays', label: '质保期（日历天）', type: 'days', required: false },
];

export const bidFormSchema = z
  .array(
    z.object({
      key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,31}$/),
      label: z.string().min(1).max(30),
      type: z.enum(['money', 'days', 'text']),
      required: z.boolean(),
    }),
  )
  .min(1)
  .max(12)
  .refine((f) => new Set(f.map((x) => x.key)).size === f.length, '字段重复')
  .refine((f) => f.some((x) => x.key === 'price' && x.type === 'money'), '必须包含投标报价');

const yuan = z
  .string({ required_error: '请输入金额' })
  .trim()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, '请输入金额（元），最多两位小数');

/** 元 text → integer fen without floating point. */
export function yuanToFen(s: string): number {
  const [i, f = ''] = s.trim().split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
}

export function fenToYuanText(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `2026-06-01T09:30` typed in a datetime-local field means Beijing time. */
export function parseBeijingLocal(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5]));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toBeijingLocal(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600_000);
  return b.toISOString().slice(0, 16);
}

/** A checkbox group: absent → [], one box → [value], several → [...]. */
const stringList = z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

export const tenderSchema = z.object({
  code: z
    .string({ required_error: '请输入项目编号' })
    .trim()
    .regex(/^[A-Z0-9][A-Z0-9-]{3,39}$/, '项目编号由大写字母、数字和“-”组成，4-40位'),
  name: z.string({ required_error: '请输入项目名称' }).trim().min(4, '项目名称至少4个字').max(100, '项目名称最多100个字'),
  tendererName: z.string({ required_error: '请输入招标人名称' }).trim().min(2, '请输入招标人名称').max(100),
  method: z.enum(['open', 'invited'], { required_error: '请选择招标方式', invalid_type_error: '请选择招标方式' }),
  summary: z.string({ required_error: '请填写项目概况' }).trim().min(10, '项目概况至少10个字').max(4000, '项目概况最多4000字'),
  bidDeadline: z.string({ required_error: '请选择投标截止时间' }).refine((s) => parseBeijingLocal(s) !== null, '请选择投标截止时间'),
  deposit: yuan,
  documentFee: yuan,
  sections: z
    .array(
      z.object({
        name: z.string({ required_error: '请输入标段名称' }).trim().min(2, '请输入标段名称').max(60, '标段名称最多60字'),
        budget: yuan.optional(),
      }),
      { required_error: '至少设置一个标段' },
    )
    .min(1, '至少设置一个标段')
    .max(20, '最多20个标段'),
  fields: stringList,
  customFields: z.string().trim().max(200).optional(),
  supervisorIds: stringList,
  threshold: z.coerce.number({ invalid_type_error: '请选择门限' }).int().min(2, '门限至少为2'),
  invitedCreditCodes: z.string().trim().max(2000).optional(),
});

export type TenderInput = z.infer<typeof tenderSchema>;

export function buildBidForm(picked: string[], custom: string | undefined): BidFormField[] {
  const fields = STANDARD_BID_FIELDS.filter((f) => f.key === 'price' || picked.includes(f.key));
  const labels = (custom ?? '')
    .split(/[,，、\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  labels.forEach((label, i) => fields.push({ key: `custom${i + 1}`, label: label.slice(0, 30), type: 'text', required: false }));
  return fields;
}

/** Checks a bid form as filled in by a bidder; returns field errors keyed by field key. */
export function validateBidForm(def: BidFormField[], values: Record<string, string>): { value: Record<string, string | number>; errors: Record<string, string> } {
  const value: Record<string, string | number> = {};
  const errors: Record<string, string> = {};
  for (const f of def) {
    const raw = (values[f.key] ?? '').trim();
    if (!raw) {
      if (f.required) errors[f.key] = `请填写${f.label}`;
      continue;
    }
    if (f.type === 'money') {
      if (!/^\d{1,12}(\.\d{1,2})?$/.test(raw)) errors[f.key] = '请输入金额（元），最多两位小数';
      else value[f.key] = yuanToFen(raw);
    } else if (f.type === 'days') {
      if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1) errors[f.key] = '请输入正整数天数';
      else value[f.key] = Number(raw);
    } else if (raw.length > 200) errors[f.key] = '最多200字';
    else value[f.key] = raw;
  }
  return { value, errors };
}

export function formatFenText(fen: number | bigint): string {
  const v = BigInt(fen);
  const yuanPart = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `¥${yuanPart}.${String(v % 100n).padStart(2, '0')}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
