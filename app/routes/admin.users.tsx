import { getFormProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { AccountError, createStaffUser, setUserActive } from '~/modules/auth/accounts.server';
import { ROLE_LABELS, type Role } from '~/modules/auth/permissions';
import { createStaffSchema } from '~/modules/auth/schemas';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { Field, FormErrors, SelectField } from '~/ui/form';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '用户管理 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:users');
  const u = new URL(request.url).searchParams;
  const role = u.get('role') || undefined;
  const q = u.get('q')?.trim().slice(0, 50) || undefined;
  const prisma = await getPrisma();
  const users = await prisma.user.findMany({
    where: {
      ...(role ? { role } : {}),
      ...(q ? { OR: [{ username: { contains: q } }, { displayName: { contains: q } }, { organization: { name: { contains: q } } }] } : {}),
    },
    include: { organization: { select: { name: true, creditCode: true } } },
    orderBy: [{ role: 'asc' }, { username: 'asc' }],
    take: 200,
  });
  return {
    role: role ?? '',
    q: q ?? '',
    users: users.map((x) => ({ id: x.id, username: x.username, displayName: x.displayName, role: x.role, active: x.active, org: x.organization?.name ?? null, createdAt: x.createdAt.toISOString() })),
  };
}

const toggleSchema = z.object({ intent: z.literal('toggle'), userId: z.string().min(1), active: z.enum(['true', 'false']) });

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, 'manage:users');
  const formData = await request.formData();
  if (formData.get('intent') === 'toggle') {
    const t = toggleSchema.safeParse(Object.fromEntries(formData));
    if (!t.success) return Response.json({ result: null, message: '请求参数有误' }, { status: 400 });
    if (t.data.userId === admin.id) return Response.json({ result: null, message: '不能停用自己的账号' }, { status: 400 });
    await setUserActive(actorOf(request, admin), t.data.userId, t.data.active === 'true');
    return { result: null, message: t.data.active === 'true' ? '账号已启用' : '账号已停用' };
  }
  const submission = parseWithZod(formData, { schema: createStaffSchema });
  if (submission.status !== 'success') return Response.json({ result: submission.reply({ hideFields: ['password'] }), message: null }, { status: 400 });
  try {
    const user = await createStaffUser(actorOf(request, admin), submission.value);
    return { result: submission.reply({ resetForm: true }), message: `已开设账号 ${user.username}` };
  } catch (e) {
    if (e instanceof AccountError) return Response.json({ result: submission.reply({ fieldErrors: e.fieldErrors, hideFields: ['password'] }), message: null }, { status: 400 });
    throw e;
  }
}

export default function AdminUsers() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: a?.result ?? undefined,
    constraint: getZodConstraint(createStaffSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: createStaffSchema }),
    shouldRevalidate: 'onInput',
  });
  return (
    <div className="two-col">
      <section className="panel">
        <h1>用户管理</h1>
        {a?.message ? (
          <p className="notice" role="status">
            {a.message}
          </p>
        ) : null}
        <Form method="get" className="filters" role="search">
          <label>
            角色
            <select name="role" defaultValue={d.role}>
              <option value="">全部</option>
              {Object.entries(ROLE_LABELS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            关键字
            <input type="search" name="q" defaultValue={d.q} placeholder="用户名、姓名或单位" />
          </label>
          <button className="btn" type="submit">
            查询
          </button>
        </Form>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">用户名</th>
                <th scope="col">姓名</th>
                <th scope="col">角色</th>
                <th scope="col">单位</th>
                <th scope="col">状态</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {d.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>{ROLE_LABELS[u.role as Role] ?? u.role}</td>
                  <td>{u.org ?? '—'}</td>
                  <td>{u.active ? '正常' : <span className="status-bad">已停用</span>}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="toggle" />
                      <input type="hidden" name="userId" value={u.id} />
                      <input type="hidden" name="active" value={u.active ? 'false' : 'true'} />
                      <button className="link-button" type="submit" aria-label={`${u.active ? '停用' : '启用'} ${u.username}`}>
                        {u.active ? '停用' : '启用'}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel">
        <h2>开设工作人员账号</h2>
        <p className="muted">监督人员、交易中心管理员和评标专家账号只能由管理员开设。</p>
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <Field meta={fields.username} label="用户名" />
          <Field meta={fields.displayName} label="姓名" />
          <SelectField
            meta={fields.role}
            label="角色"
            options={(['supervisor', 'admin', 'expert'] as const).map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
          <Field meta={fields.phone} label="手机号（选填）" type="tel" />
          <Field meta={fields.email} label="邮箱（选填）" type="email" />
          <Field meta={fields.password} label="初始密码" type="password" autoComplete="new-password" hint="至少8位，须包含字母和数字" />
          <button className="btn btn-primary" type="submit">
            开设账号
          </button>
        </Form>
      </section>
    </div>
  );
}
