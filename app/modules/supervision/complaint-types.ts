// Shared with the browser: complaint kinds, states, outcomes and the form schemas. No server imports.
import { z } from 'zod';

/** 投诉 goes to the supervisory department; 异议 and 质疑 are answered directly. */
export const COMPLAINT_KINDS = { complaint: '投诉', objection: '异议', query: '质疑' } as const;
export type ComplaintKind = keyof typeof COMPLAINT_KINDS;

export const COMPLAINT_STATUS = {
  submitted: '待受理',
  accepted: '已受理',
  rejected: '不予受理',
  decided: '已办结',
  withdrawn: '已撤回',
} as const;
export type ComplaintStatus = keyof typeof COMPLAINT_STATUS;

export const COMPLAINT_OUTCOMES = { upheld: '投诉（异议）成立', partly: '部分成立', dismissed: '不成立，予以驳回' } as const;
export type ComplaintOutcome = keyof typeof COMPLAINT_OUTCOMES;

export const COMPLAINT_SUBJECTS = {
  tender: '招标项目',
  purchase: '中介服务采购',
  contract: '中介服务合同/订单',
  agency: '中介机构',
  owner: '项目业主',
  other: '其他',
} as const;
export type ComplaintSubject = keyof typeof COMPLAINT_SUBJECTS;

/** Subjects mirrored from other modules (not on the filing form): answered there, followed here read-only. */
export const LINKED_COMPLAINT_SUBJECTS: Record<string, string> = { award: '中标候选人公示（由招标人答复）' };

/**
 * Statutory answer periods, configurable by the center (Setting "supervision.complaintDeadlines").
 * Defaults: 《招标投标法实施条例》第六十一条 — a complaint is accepted or refused within 3 working
 * days and decided within 30 working days of acceptance; 第二十二条 — an objection is answered
 * within 3 days (calendar days); 《政府采购法》第五十三条 — a query (质疑) within 7 working days.
 */
export interface DeadlineRule {
  acceptDays?: number;
  answerDays: number;
  unit: 'workdays' | 'days';
}
export type ComplaintDeadlines = Record<ComplaintKind, DeadlineRule>;

export const DEFAULT_COMPLAINT_DEADLINES: ComplaintDeadlines = {
  complaint: { acceptDays: 3, answerDays: 30, unit: 'workdays' },
  objection: { answerDays: 3, unit: 'days' },
  query: { answerDays: 7, unit: 'workdays' },
};

export const fileComplaintSchema = z.object({
  kind: z.enum(['complaint', 'objection', 'query'], { errorMap: () => ({ message: '请选择类型' }) }),
  subjectType: z.enum(['tender', 'purchase', 'contract', 'agency', 'owner', 'other'], { errorMap: () => ({ message: '请选择事项类别' }) }),
  subjectId: z.string().trim().max(64, '编号过长').optional(),
  subjectLabel: z.string({ required_error: '请填写所涉项目或主体名称' }).trim().min(2, '请填写所涉项目或主体名称').max(120, '不超过120字'),
  respondentName: z.string().trim().max(120, '不超过120字').optional(),
  title: z.string({ required_error: '请填写标题' }).trim().min(4, '标题至少4个字').max(80, '标题不超过80字'),
  facts: z.string({ required_error: '请写明事实和理由' }).trim().min(10, '事实和理由至少10个字').max(5000, '不超过5000字'),
  demands: z.string({ required_error: '请写明请求事项' }).trim().min(4, '请求事项至少4个字').max(1000, '不超过1000字'),
});
export type FileComplaintInput = z.infer<typeof fileComplaintSchema>;

export const handleComplaintSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('accept'), note: z.string({ required_error: '请填写受理意见' }).trim().min(2, '请填写受理意见').max(1000, '不超过1000字') }),
  z.object({ intent: z.literal('reject'), note: z.string({ required_error: '请写明不予受理的理由' }).trim().min(4, '请写明不予受理的理由').max(1000, '不超过1000字') }),
  z.object({
    intent: z.literal('decide'),
    outcome: z.enum(['upheld', 'partly', 'dismissed'], { errorMap: () => ({ message: '请选择处理结论' }) }),
    reason: z.string({ required_error: '请写明处理理由和依据' }).trim().min(10, '处理理由和依据至少10个字').max(5000, '不超过5000字'),
    publish: z
      .enum(['on'])
      .optional()
      .transform((v) => v === 'on'),
  }),
]);
export type HandleComplaintInput = z.infer<typeof handleComplaintSchema>;
