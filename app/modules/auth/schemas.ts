// One schema per form, used by the browser (conform) and by the action (parseWithZod).
import { z } from 'zod';
import { checkCreditCode, creditCodeMessages, normalizeCreditCode } from './credit-code';
import { ORG_ROLES } from './permissions';

export const usernameSchema = z
  .string({ required_error: '请输入用户名' })
  .trim()
  .min(3, '用户名至少3个字符')
  .max(32, '用户名不能超过32个字符')
  .regex(/^[a-zA-Z0-9_.-]+$/, '用户名只能包含字母、数字、下划线、点和横线');

const passwordField = z.string({ required_error: '请输入密码' }).min(1, '请输入密码').max(128, '密码不能超过128位');

export const loginSchema = z.object({
  username: z.string({ required_error: '请输入用户名' }).trim().min(1, '请输入用户名').max(64),
  password: passwordField,
  redirectTo: z.string().optional(),
});

export const creditCodeSchema = z
  .string({ required_error: '请输入统一社会信用代码' })
  .transform(normalizeCreditCode)
  .superRefine((v, ctx) => {
    const p = checkCreditCode(v);
    if (p) ctx.addIssue({ code: z.ZodIssueCode.custom, message: creditCodeMessages[p] });
  });

export const registerSchema = z
  .object({
    orgName: z.string({ required_error: '请输入单位名称' }).trim().min(2, '单位名称至少2个字').max(100, '单位名称过长'),
    creditCode: creditCodeSchema,
    orgRole: z.enum(ORG_ROLES, { required_error: '请选择主体类型', invalid_type_error: '请选择主体类型' }),
    contactName: z.string({ required_error: '请输入联系人' }).trim().min(2, '请输入联系人姓名').max(32),
    phone: z
      .string({ required_error: '请输入手机号' })
      .trim()
      .regex(/^1[3-9]\d{9}$/, '请输入11位手机号'),
    email: z.string().trim().email('邮箱格式不正确').optional(),
    username: usernameSchema,
    password: z.string({ required_error: '请输入密码' }).max(128, '密码不能超过128位'),
    confirmPassword: z.string({ required_error: '请再次输入密码' }),
  })
  .superRefine((v, ctx) => {
    if (v.password !== v.confirmPassword) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['confirmPassword'], message: '两次输入的密码不一致' });
    }
  });

export const changePasswordSchema = z
  .object({
    currentPassword: passwordField,
    newPassword: z.string({ required_error: '请输入新密码' }).max(128),
    confirmPassword: z.string({ required_error: '请再次输入新密码' }),
  })
  .superRefine((v, ctx) => {
    if (v.newPassword !== v.confirmPassword) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['confirmPassword'], message: '两次输入的密码不一致' });
    }
  });

export const createStaffSchema = z.object({
  username: usernameSchema,
  displayName: z.string({ required_error: '请输入姓名' }).trim().min(2, '请输入姓名').max(32),
  role: z.enum(['supervisor', 'admin', 'expert'], { required_error: '请选择角色' }),
  phone: z.string().trim().regex(/^1[3-9]\d{9}$/, '请输入11位手机号').optional(),
  email: z.string().trim().email('邮箱格式不正确').optional(),
  password: z.string({ required_error: '请设置初始密码' }).max(128),
});
