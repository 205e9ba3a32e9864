import { getFormProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { createExpert, ExpertError, listExperts } from '~/modules/experts/experts.server';
import { EXPERT_STATUS_LABELS, expertSchema, SPECIALTIES, SPECIALTY_LABELS } from '~/modules/experts/specialties';
import { Field, FieldErrors, FormErrors } from '~/ui/form';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '评标专家库 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:experts');
  const u = new URL(request.url).searchParams;
  const q = u.get('q')?.trim().slice(0, 40) || undefined;
  const specialty = SPECIALTY_LABELS[u.get('specialty') ?? ''] ? u.get('specialty')! : undefined;
  const status = ['available', 'suspended'].includes(u.get('status') ?? '') ? u.get('status')! : undefined;
  const page = Math.max(1, Number(u.get('page')) || 1);
  const r = await listExperts({ q, specialty, status, page });
  return {
    q: q ?? '',
    specialty: specialty ?? '',
    status: status ?? '',
    page: r.page,
    pageSize: r.pageSize,
    total: r.total,
    experts: r.rows.map((e) => ({ id: e.id, code: e.code, name: e.name, title: e.title, specialties: e.specialties, region: e.region, employerName: e.employerName, status: e.status, relations: e._count.relations })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, 'manage:experts');
  const submission = parseWithZod(await request.formData(), { schema: expertSchema });
  if (submission.status !== 'success') return Response.json({ result: submission.reply({ hideFields: ['password'] }), message: null }, { status: 400 });
  try {
    const e = await createExpert(actorOf(request, admin), submission.value);
    return { result: submission.reply({ resetForm: true }), message: `已入库：${e.code} ${e.name}` };
  } catch (err) {
    if (err instanceof ExpertError) return Response.json({ result: submission.reply({ fieldErrors: err.fieldErrors, hideFields: ['password'] }), message: null }, { status: err.status });
    throw err;
  }
}

export default function ExpertLibrary() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: a?.result ?? undefined,
    constraint: getZodConstraint(expertSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: expertSchema }),
    shouldRevalidate: 'onInput',
  });
  const picked = new Set((fields.specialties.value as string[] | string | undefined) ?? []);
  return (
    <div className="two-col">
      <section className="panel">
        <div className="panel-head">
          <h1>评标专家库</h1>
          <span className="muted">共 {d.total} 名专家</span>
        </div>
        {a?.message ? (
          <p className="notice success" role="status">
            {a.message}
          </p>
        ) : null}
        <Form method="get" className="filters" role="search">
          <label>
            专业
            <select name="specialty" defaultValue={d.specialty}>
              <option value="">全部</option>
              {SPECIALTIES.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.code} {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            状态
            <select name="status" defaultValue={d.status}>
              <option value="">全部</option>
              {Object.entries(EXPERT_STATUS_LABELS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            关键字
            <input type="search" name="q" defaultValue={d.q} placeholder="姓名、编号或工作单位" />
          </label>
          <button className="btn" type="submit">
            查询
          </button>
        </Form>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">编号</th>
                <th scope="col">姓名</th>
                <th scope="col">职称</th>
                <th scope="col">专业</th>
                <th scope="col">工作单位</th>
                <th scope="col">回避关系</th>
                <th scope="col">状态</th>
              </tr>
            </thead>
            <tbody>
              {d.experts.length === 0 ? (
                <tr>
                  <td colSpan={7} className="empty">
                    没有符合条件的专家
                  </td>
                </tr>
              ) : null}
              {d.experts.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link to={`/admin/experts/${e.id}`}>{e.code}</Link>
                  </td>
                  <td>{e.name}</td>
                  <td>{e.title}</td>
                  <td>{e.specialties.map((s) => SPECIALTY_LABELS[s] ?? s).join('、')}</td>
                  <td>{e.employerName}</td>
                  <td>{e.relations ? `${e.relations} 项` : '—'}</td>
                  <td>{e.status === 'available' ? <span className="pill pill-ok">可抽取</span> : <span className="pill pill-warn">暂停抽取</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
      </section>
      <section className="panel">
        <h2>专家入库</h2>
        <p className="muted">入库同时开设专家登录账号。专家登录后须申请本人数字证书，用于签署回避声明和评标报告。</p>
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <Field meta={fields.username} label="登录用户名" autoComplete="off" />
          <Field meta={fields.name} label="姓名" />
          <Field meta={fields.title} label="职称" hint="例如：高级工程师、正高级工程师" />
          <fieldset className={`field${fields.specialties.errors?.length ? ' has-error' : ''}`}>
            <legend>评标专业</legend>
            <ul className="checklist">
              {SPECIALTIES.map((s) => (
                <li key={s.code}>
                  <label>
                    <input type="checkbox" name={fields.specialties.name} value={s.code} defaultChecked={picked.has(s.code)} />
                    {s.code} {s.name}
                  </label>
                </li>
              ))}
            </ul>
            <FieldErrors id={`${fields.specialties.id}-error`} errors={fields.specialties.errors} />
          </fieldset>
          <Field meta={fields.region} label="所在地区" />
          <Field meta={fields.employerName} label="工作单位" />
          <Field meta={fields.employerCreditCode} label="工作单位统一社会信用代码" />
          <Field meta={fields.phone} label="手机号（选填）" type="tel" />
          <Field meta={fields.password} label="初始密码" type="password" autoComplete="new-password" hint="至少8位，须包含字母和数字；请线下告知专家并提醒其首次登录后修改" />
          <button className="btn btn-primary" type="submit">
            入库并开设账号
          </button>
        </Form>
      </section>
    </div>
  );
}
