import { getFormProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useNavigation } from '@remix-run/react';
import { AccountError, changePassword } from '~/modules/auth/accounts.server';
import { changePasswordSchema } from '~/modules/auth/schemas';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { Field, FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '修改密码 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'update:account:own');
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'update:account:own');
  const submission = parseWithZod(await request.formData(), { schema: changePasswordSchema });
  const hide = ['currentPassword', 'newPassword', 'confirmPassword'];
  if (submission.status !== 'success') return Response.json({ result: submission.reply({ hideFields: hide }), done: false }, { status: 400 });
  try {
    await changePassword(actorOf(request, user), user.id, submission.value.currentPassword, submission.value.newPassword);
    return { result: submission.reply({ resetForm: true }), done: true };
  } catch (e) {
    if (e instanceof AccountError) return Response.json({ result: submission.reply({ fieldErrors: e.fieldErrors, hideFields: hide }), done: false }, { status: 400 });
    throw e;
  }
}

export default function ChangePassword() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    constraint: getZodConstraint(changePasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: changePasswordSchema }),
    shouldRevalidate: 'onInput',
  });
  return (
    <section className="auth-card">
      <h1>修改密码</h1>
      {data?.done ? <p className="notice success" role="status">密码已修改，其他设备上的登录已失效。</p> : null}
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field meta={fields.currentPassword} label="当前密码" type="password" autoComplete="current-password" />
        <Field meta={fields.newPassword} label="新密码" type="password" autoComplete="new-password" hint="至少8位，须包含字母和数字" />
        <Field meta={fields.confirmPassword} label="确认新密码" type="password" autoComplete="new-password" />
        <button className="btn btn-primary btn-block" type="submit" disabled={navigation.state === 'submitting'}>
          保存
        </button>
      </Form>
    </section>
  );
}
