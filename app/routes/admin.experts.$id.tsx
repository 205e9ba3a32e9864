import { getFormProps, useForm, type SubmissionResult } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { addRelation, avoidanceLookbackDays, ExpertError, getExpert, removeRelation, setExpertStatus, updateExpert } from '~/modules/experts/experts.server';
import { expertUpdateSchema, RELATION_KINDS, relationSchema, SPECIALTIES } from '~/modules/experts/specialties';
import { Field, FieldErrors, FormErrors, SelectField } from '~/ui/form';
import { formatDate } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '专家信息 - 评标专家库' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:experts');
  const e = await getExpert(params.id ?? '');
  if (!e) throw new Response('专家不存在', { status: 404 });
  return {
    lookbackDays: await avoidanceLookbackDays(),
    expert: {
      id: e.id,
      code: e.code,
      username: e.username,
      name: e.name,
      title: e.title,
      specialties: e.specialties,
      region: e.region,
      employerName: e.employerName,
      employerCreditCode: e.employerCreditCode,
      phone: e.phone ?? '',
      status: e.status,
      statusReason: e.statusReason,
      relations: e.relations.map((r) => ({ id: r.id, kind: r.kind, orgName: r.orgName, orgCreditCode: r.orgCreditCode, endedOn: r.endedOn?.toISOString() ?? null, note: r.note })),
    },
  };
}

const statusSchema = z.object({ intent: z.literal('status'), status: z.enum(['available', 'suspended']), reason: z.string().max(200).default('') });
const removeSchema = z.object({ intent: z.literal('remove-relation'), relationId: z.string().min(1) });

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requirePermission(request, 'manage:experts');
  const id = params.id ?? '';
  const actor = actorOf(request, admin);
  const formData = await request.formData();
  const intent = formData.get('intent');
  try {
    if (intent === 'status') {
      const p = statusSchema.safeParse(Object.fromEntries(formData));
      if (!p.success) return Response.json({ form: 'status', message: '请求参数有误' }, { status: 400 });
      await setExpertStatus(actor, id, p.data.status, p.data.reason);
      return { form: 'status', message: p.data.status === 'suspended' ? '已暂停抽取' : '已恢复抽取' };
    }
    if (intent === 'remove-relation') {
      const p = removeSchema.safeParse(Object.fromEntries(formData));
      if (!p.success) return Response.json({ form: 'relation', message: '请求参数有误' }, { status: 400 });
      await removeRelation(actor, id, p.data.relationId);
      return { form: 'relation', message: '已删除回避关系' };
    }
    if (intent === 'relation') {
      const s = parseWithZod(formData, { schema: relationSchema });
      if (s.status !== 'success') return Response.json({ form: 'relation', result: s.reply() }, { status: 400 });
      try {
        await addRelation(actor, id, s.value);
      } catch (e) {
        if (e instanceof ExpertError) return Response.json({ form: 'relation', result: s.reply({ fieldErrors: e.fieldErrors, formErrors: Object.keys(e.fieldErrors).length ? [] : [e.message] }) }, { status: e.status });
        throw e;
      }
      return { form: 'relation', result: s.reply({ resetForm: true }), message: '已登记回避关系' };
    }
    const s = parseWithZod(formData, { schema: expertUpdateSchema });
    if (s.status !== 'success') return Response.json({ form: 'profile', result: s.reply() }, { status: 400 });
    await updateExpert(actor, id, s.value);
    return { form: 'profile', result: s.reply(), message: '专家信息已保存' };
  } catch (e) {
    if (e instanceof ExpertError) return Response.json({ form: String(intent ?? 'profile'), message: e.message }, { status: e.status });
    throw e;
  }
}

type ActionData = { form?: string; message?: string; result?: SubmissionResult<string[]> };

export default function ExpertDetail() {
  const { expert: e, lookbackDays } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as ActionData | undefined;
  const [form, fields] = useForm({
    id: 'profile',
    lastResult: a?.form === 'profile' ? a.result : undefined,
    defaultValue: { name: e.name, title: e.title, specialties: e.specialties, region: e.region, employerName: e.employerName, employerCreditCode: e.employerCreditCode, phone: e.phone },
    constraint: getZodConstraint(expertUpdateSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: expertUpdateSchema }),
    shouldRevalidate: 'onInput',
  });
  const [rform, rfields] = useForm({
    id: 'relation',
    lastResult: a?.form === 'relation' ? a.result : undefined,
    constraint: getZodConstraint(relationSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: relationSchema }),
    shouldRevalidate: 'onInput',
  });
  return (
    <>
      <p className="crumbs">
        <Link to="/admin/experts">评标专家库</Link> / {e.code}
      </p>
      {a?.message ? (
        <p className="notice" role="status">
          {a.message}
        </p>
      ) : null}
      <div className="two-col">
        <section className="panel">
          <div className="panel-head">
            <h1>
              {e.name} <small className="muted">{e.code}</small>
            </h1>
            {e.status === 'available' ? <span className="pill pill-ok">可抽取</span> : <span className="pill pill-warn">暂停抽取</span>}
          </div>
          <p className="muted">登录用户名：{e.username}</p>
          <Form method="post" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <Field meta={fields.name} label="姓名" />
            <Field meta={fields.title} label="职称" />
            <fieldset className={`field${fields.specialties.errors?.length ? ' has-error' : ''}`}>
              <legend>评标专业</legend>
              <ul className="checklist">
                {SPECIALTIES.map((s) => (
                  <li key={s.code}>
                    <label>
                      <input type="checkbox" name={fields.specialties.name} value={s.code} defaultChecked={e.specialties.includes(s.code)} />
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
            <button className="btn btn-primary" type="submit">
              保存
            </button>
          </Form>
          <h2>抽取状态</h2>
          {e.status === 'suspended' ? <p className="notice warning">暂停原因：{e.statusReason}</p> : null}
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="status" />
            {e.status === 'available' ? (
              <>
                <input type="hidden" name="status" value="suspended" />
                <label>
                  暂停原因
                  <input name="reason" required maxLength={200} placeholder="例如：出国、病假、信用处理期" />
                </label>
                <button className="btn" type="submit">
                  暂停抽取
                </button>
              </>
            ) : (
              <>
                <input type="hidden" name="status" value="available" />
                <button className="btn" type="submit">
                  恢复抽取
                </button>
              </>
            )}
          </Form>
        </section>
        <section className="panel">
          <h2>回避关系</h2>
          <p className="muted">
            抽取时自动排除：工作单位与投标人、招标人或代理机构相同的专家；与其存在下列关系（持续中，或结束不满 {Math.round(lookbackDays / 365)} 年）的专家。排除理由写入抽取记录。
          </p>
          {e.relations.length === 0 ? (
            <p className="empty">未登记回避关系</p>
          ) : (
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">关系</th>
                    <th scope="col">单位</th>
                    <th scope="col">结束日期</th>
                    <th scope="col">操作</th>
                  </tr>
                </thead>
                <tbody>
                  {e.relations.map((r) => (
                    <tr key={r.id}>
                      <td>{RELATION_KINDS[r.kind] ?? r.kind}</td>
                      <td>
                        {r.orgName}
                        <br />
                        <span className="hash">{r.orgCreditCode}</span>
                      </td>
                      <td>{r.endedOn ? formatDate(r.endedOn) : '持续中'}</td>
                      <td>
                        <Form method="post">
                          <input type="hidden" name="intent" value="remove-relation" />
                          <input type="hidden" name="relationId" value={r.id} />
                          <button className="link-button" type="submit" aria-label={`删除与${r.orgName}的回避关系`}>
                            删除
                          </button>
                        </Form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>登记回避关系</h3>
          <Form method="post" {...getFormProps(rform)}>
            <input type="hidden" name="intent" value="relation" />
            <FormErrors errors={rform.errors} />
            <SelectField meta={rfields.kind} label="关系类型" options={Object.entries(RELATION_KINDS).map(([value, label]) => ({ value, label }))} />
            <Field meta={rfields.orgName} label="单位名称" />
            <Field meta={rfields.orgCreditCode} label="单位统一社会信用代码" />
            <Field meta={rfields.endedOn} label="关系结束日期（仍在持续请留空）" type="date" />
            <Field meta={rfields.note} label="说明（选填）" />
            <button className="btn" type="submit">
              登记
            </button>
          </Form>
        </section>
      </div>
    </>
  );
}
