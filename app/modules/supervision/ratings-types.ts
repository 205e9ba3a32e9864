// 一事一评 — shared with the browser (no server imports).
import { z } from 'zod';

/** What can be rated; each maps to a participant check on the server (ratings.server.ts). */
export const RATING_SUBJECTS = {
  'market-order': '中介服务',
  'payment-order': '网上支付',
  complaint: '投诉处理',
  tender: '招标投标',
  'agency-registration': '机构入驻',
} as const;
export type RatingSubjectType = keyof typeof RATING_SUBJECTS;

export const SCORE_LABELS: Record<number, string> = {
  1: '非常不满意',
  2: '不满意',
  3: '基本满意',
  4: '满意',
  5: '非常满意',
};

export const rateSchema = z.object({
  subjectType: z.enum(Object.keys(RATING_SUBJECTS) as [RatingSubjectType, ...RatingSubjectType[]], { errorMap: () => ({ message: '评价对象无效' }) }),
  subjectId: z.string().trim().min(1, '评价对象无效').max(60),
  score: z.coerce.number({ invalid_type_error: '请选择评分' }).int('请选择评分').min(1, '请选择1到5星').max(5, '请选择1到5星'),
  comment: z.string().trim().max(500, '评价内容不超过500个字').optional(),
});
export type RateInput = z.infer<typeof rateSchema>;

/** What the rating widget learns about the current user and subject. */
export type RatingState =
  | { canRate: true; existing: null }
  | { canRate: false; existing: { score: number; comment: string | null; createdAt: string } | null; reason?: string };

/** Satisfied = 4 or 5 stars (满意率). */
export const isSatisfied = (score: number) => score >= 4;
