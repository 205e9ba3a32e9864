// Shared with the browser (no server imports): labels and the form schema of double-random
// inspections (双随机一公开).
import { z } from 'zod';

export const INSPECTION_STATUS: Record<string, string> = {
  committed: '已公示承诺值，待抽取',
  drawn: '已抽取，检查中',
  published: '结果已公开',
};

export const INSPECTION_RESULTS = {
  pass: '合格',
  rectify: '责令整改',
  fail: '不合格',
} as const;
export type InspectionResult = keyof typeof INSPECTION_RESULTS;

/** Agencies inspected within this many months are left out of the next draw (and say so). */
export const REINSPECTION_GAP_MONTHS = 12;

export const inspectionPlanSchema = z.object({
  title: z.string({ required_error: '请填写抽查计划名称' }).trim().min(4, '名称至少4个字').max(80, '名称不超过80个字'),
  scope: z.string({ required_error: '请填写检查事项' }).trim().min(4, '请写明检查事项和依据').max(500, '检查事项不超过500个字'),
  categoryId: z.string().trim().max(40).optional(),
  region: z.string().trim().max(40).optional(),
  agencyCount: z.coerce.number({ invalid_type_error: '请填写整数' }).int('请填写整数').min(1, '至少抽取1家').max(50, '一次最多抽取50家'),
  inspectorCount: z.coerce.number({ invalid_type_error: '请填写整数' }).int('请填写整数').min(1, '至少抽取1名检查人员').max(20, '一次最多抽取20名'),
  includeExperts: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()).default(false),
  /** Hours from now until the draw may run (0 = right away). */
  drawInHours: z.coerce.number({ invalid_type_error: '请填写整数' }).int('请填写整数').min(0, '不能为负数').max(24 * 30, '最长30天').default(0),
});
export type InspectionPlanInput = z.infer<typeof inspectionPlanSchema>;

export const inspectionResultSchema = z
  .object({
    targetId: z.string().min(1),
    result: z.enum(['pass', 'rectify', 'fail'], { required_error: '请选择检查结论', invalid_type_error: '请选择检查结论' }),
    findings: z.string({ required_error: '请填写检查发现' }).trim().min(4, '请写明检查发现（至少4个字）').max(2000, '不超过2000个字'),
    rectifyDays: z.coerce.number().int().min(1, '整改期限至少1天').max(180, '整改期限最长180天').optional(),
  })
  .refine((v) => v.result !== 'rectify' || v.rectifyDays !== undefined, { path: ['rectifyDays'], message: '责令整改须填写整改期限（天）' });
export type InspectionResultInput = z.infer<typeof inspectionResultSchema>;

export const agencyPurpose = (no: string) => `inspection:${no}:agencies`;
export const inspectorPurpose = (no: string) => `inspection:${no}:inspectors`;
