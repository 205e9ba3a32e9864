import { getFormProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { AccountError, registerOrganization } from '~/modules/auth/accounts.server';
import { ROLE_LABELS, ORG_ROLES } from '~/modules/auth/permissions';
import { registerSchema } from '~/modules/auth/schemas';
import { actorOf, createSession, getSessionUser } from '~/modules/auth/session.server';
import { Field, FormErrors, SelectField } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '单位注册 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSessionUser(request)) throw redirect('/');
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: registerSchema });
  if (submission.status !== 'success') {
    return Response.json(submission.reply({ hideFields: ['password', 'confirmPassword'] }), { status: 400 });
  }
  try {
    const { user } = await registerOrganization(actorOf(request, null), submission.value);
    const cookie = await createSession(request, user.id);
    return redirect('/?welcome=1', { headers: { 'Set-Cookie': cookie } });
  } catch (e) {
    if (e instanceof AccountError) {
      return Response.json(
        submission.reply({
          formErrors: Object.keys(e.fieldErrors).length ? [] : [e.message],
          fieldErrors: e.fieldErrors,
          hideFields: ['password', 'confirmPassword'],
        }),
        { status: e.status },
      );
    }
    throw e;
  }
}

export default function Register() {
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(registerSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: registerSchema }),
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
  });
  return (
    <section className="auth-card wide">
      <h1>单位注册</h1>
      <p className="muted">一次注册，全平台通用。监督人员、交易中心工作人员和评标专家账号由交易中心统一开设。</p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <fieldset>
          <legend>单位信息</legend>
          <Field meta={fields.orgName} label="单位名称" />
          <Field meta={fields.creditCode} label="统一社会信用代码" hint="18位，字母须大写；系统将自动核验校验位" />
          <SelectField meta={fields.orgRole} label="主体类型" options={ORG_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} />
        </fieldset>
        <fieldset>
          <legend>联系人与账号</legend>
          <Field meta={fields.contactName} label="联系人" autoComplete="name" />
          <Field meta={fields.phone} label="手机号" type="tel" autoComplete="tel" />
          <Field meta={fields.email} label="邮箱（选填）" type="email" autoComplete="email" />
          <Field meta={fields.username} label="用户名" autoComplete="username" />
          <Field meta={fields.password} label="密码" type="password" autoComplete="new-password" hint="至少8位，须包含字母和数字" />
          <Field meta={fields.confirmPassword} label="确认密码" type="password" autoComplete="new-password" />
        </fieldset>
        <button type="submit" className="btn btn-primary btn-block" disabled={navigation.state === 'submitting'}>
          {navigation.state === 'submitting' ? '正在提交…' : '注册'}
        </button>
      </Form>
      <p className="muted">
        已有账号？<Link to="/login">登录</Link>
      </p>
    </section>
  );
}
