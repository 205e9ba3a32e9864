// Shared with the browser (no server imports): the expert library's code lists and form schemas.
// Glossary: 专家库 expert library, 专业 specialty, 回避 recusal (avoidance), 工作单位 employer.
import { z } from 'zod';
import { checkCreditCode, creditCodeMessages } from '~/modules/auth/credit-code';

/**
 * 评标专业 (industry code list). Codes follow the shape of the provincial 综合评标专家库 lists
 * (a letter for the trade, digits for the field); the platform keeps only what this city tenders.
 */
export const SPECIALTIES = [
  { code: 'A01', name: '房屋建筑工程' },
  { code: 'A02', name: '市政公用工程' },
  { code: 'A03', name: '公路工程' },
  { code: 'A04', name: '水利水电工程' },
  { code: 'A05', name: '园林绿化工程' },
  { code: 'A06', name: '建筑智能化工程' },
  { code: 'A07', name: '机电安装工程' },
  { code: 'B01', name: '工程造价' },
  { code: 'B02', name: '工程监理' },
  { code: 'C01', name: '信息化与软件' },
] as const;

export type SpecialtyCode = (typeof SPECIALTIES)[number]['code'];
export const SPECIALTY_CODES = SPECIALTIES.map((s) => s.code) as [SpecialtyCode, ...SpecialtyCode[]];
export const SPECIALTY_LABELS: Record<string, string> = Object.fromEntries(SPECIALTIES.map((s) => [s.code, s.name]));

/**
 * 回避关系 kinds (实施条例 第四十六条: members who have an interest in a bidder must recuse). Each
 * kind counts while ongoing and for `lookbackDays` after it ended (default 3 years, setting
 * `experts.avoidance`).
 */
export const RELATION_KINDS: Record<string, string> = {
  former_employer: '曾在该单位任职',
  shareholder: '持有该单位股份',
  relative: '近亲属在该单位任职或持股',
  cooperation: '近期与该单位有项目合作或咨询服务',
  dispute: '与该单位存在经济纠纷或诉讼',
  other: '其他利害关系',
};

export const EXPERT_STATUS_LABELS: Record<string, string> = { available: '可抽取', suspended: '暂停抽取' };

const creditCode = z
  .string({ required_error: '请输入统一社会信用代码' })
  .trim()
  .toUpperCase()
  .superRefine((s, ctx) => {
    const p = checkCreditCode(s);
    if (p) ctx.addIssue({ code: 'custom', message: creditCodeMessages[p] });
  });

export const expertSchema = z.object({
  username: z.string({ required_error: '请输入登录用户名' }).trim().regex(/^[a-zA-Z][a-zA-Z0-9_]{3,31}$/, '用户名须以字母开头，4-32位字母、数字或下划线'),
  name: z.string({ required_error: '请输入姓名' }).trim().min(2, '请输入姓名').max(20, '姓名最多20字'),
  title: z.string({ required_error: '请输入职称' }).trim().min(2, '请输入职称').max(30, '职称最多30字'),
  specialties: z.array(z.enum(SPECIALTY_CODES), { required_error: '至少选择一个专业', invalid_type_error: '至少选择一个专业' }).min(1, '至少选择一个专业').max(5, '最多选择5个专业'),
  region: z.string({ required_error: '请输入所在地区' }).trim().min(2, '请输入所在地区').max(40),
  employerName: z.string({ required_error: '请输入工作单位' }).trim().min(4, '请输入工作单位全称').max(100),
  employerCreditCode: creditCode,
  phone: z
    .string()
    .trim()
    .regex(/^1\d{10}$/, '请输入11位手机号')
    .optional(),
  password: z
    .string({ required_error: '请设置初始密码' })
    .min(8, '至少8位')
    .max(128)
    .refine((s) => /[a-zA-Z]/.test(s) && /\d/.test(s), '密码须同时包含字母和数字'),
});
export type ExpertInput = z.infer<typeof expertSchema>;

export const expertUpdateSchema = expertSchema.omit({ username: true, password: true });
export type ExpertUpdateInput = z.infer<typeof expertUpdateSchema>;

export const relationSchema = z.object({
  kind: z.enum(Object.keys(RELATION_KINDS) as [string, ...string[]], { required_error: '请选择关系类型', invalid_type_error: '请选择关系类型' }),
  orgName: z.string({ required_error: '请输入单位名称' }).trim().min(4, '请输入单位全称').max(100),
  orgCreditCode: creditCode,
  endedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '请选择日期')
    .optional(),
  note: z.string().trim().max(200, '最多200字').optional(),
});
export type RelationInput = z.infer<typeof relationSchema>;
