// 新建双随机抽查计划: scope, counts and the draw time; the commitment is published on creation.
import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { inspectionPlanSchema, REINSPECTION_GAP_MONTHS, type InspectionPlanInput } from '~/modules/supervision/inspections-types';
import { createInspection, InspectionError, inspectionScopeOptions } from '~/modules/supervision/inspections.server';
import { FieldErrors, FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '新建抽查计划 - 双随机抽查' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'run:inspection');
  return inspectionScopeOptions(await getPrisma());
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'run:inspection');
  const submission = parseWithZod(await request.formData(), { schema: inspectionPlanSchema });
  if (submission.status !== 'success') return Response.json(submission.reply(), { status: 400 });
  try {
    const ins = await createInspection(await getPrisma(), actorOf(request, user), user, submission.value);
    return redirect(`/inspections/${ins.id}?created=1`);
  } catch (e) {
    if (e instanceof InspectionError) {
      return Response.json(submission.reply({ formErrors: Object.keys(e.fieldErrors).length ? [] : [e.message], fieldErrors: e.fieldErrors }), { status: e.status });
    }
    throw e;
  }
}

export default function NewInspection() {
  const { categories, regions } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const nav = useNavigation();
  const [form, fields] = useForm<InspectionPlanInput>({
    lastResult,
    defaultValue: { agencyCount: 3, inspectorCount: 2, drawInHours: 0 } as unknown as Partial<InspectionPlanInput>,
    constraint: getZodConstraint(inspectionPlanSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inspectionPlanSchema }),
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
  });
  const row = (meta: { id: string; errorId: string; errors?: string[] }, label: string, el: React.ReactNode, hint?: string) => (
    <div className={`field${meta.errors?.length ? ' has-error' : ''}`}>
      <label htmlFor={meta.id}>{label}</label>
      {el}
      {hint ? <p className="hint">{hint}</p> : null}
      <FieldErrors id={meta.errorId} errors={meta.errors} />
    </div>
  );
  return (
    <section className="auth-card wide">
      <nav className="crumbs" aria-label="位置">
        <Link to="/inspections">双随机抽查</Link> / 新建
      </nav>
      <h1>新建抽查计划</h1>
      <div className="notice info">
        <p>
          保存后，系统生成随机种子并立即公示其承诺值（SHA-256）和检查对象名单哈希；近{REINSPECTION_GAP_MONTHS}
          个月内已被抽查的机构列入名单但不参加抽取。抽取时先抽检查对象，再从检查人员库中排除与检查对象有利害关系的人员后抽取检查人员。
        </p>
      </div>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        {row(fields.title, '计划名称', <input {...getInputProps(fields.title, { type: 'text' })} key={fields.title.key} placeholder="例如：2026年第二季度中介机构执业行为抽查" />)}
        {row(fields.scope, '检查事项和依据', <textarea {...getTextareaProps(fields.scope)} key={fields.scope.key} rows={3} />, '例如：执业人员在岗情况、收费是否符合统一收费标准、服务成果质量')}
        <fieldset>
          <legend>抽查范围</legend>
          {row(
            fields.categoryId,
            '服务类别',
            <select {...getSelectProps(fields.categoryId)} key={fields.categoryId.key}>
              <option value="">全部类别</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>,
          )}
          {row(
            fields.region,
            '区域',
            <select {...getSelectProps(fields.region)} key={fields.region.key}>
              <option value="">全部区域</option>
              {regions.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>,
          )}
          {row(fields.agencyCount, '抽取检查对象（家）', <input {...getInputProps(fields.agencyCount, { type: 'number' })} key={fields.agencyCount.key} />)}
        </fieldset>
        <fieldset>
          <legend>检查人员</legend>
          {row(fields.inspectorCount, '抽取检查人员（名）', <input {...getInputProps(fields.inspectorCount, { type: 'number' })} key={fields.inspectorCount.key} />)}
          <div className="field checkbox">
            <label>
              <input {...getInputProps(fields.includeExperts, { type: 'checkbox' })} key={fields.includeExperts.key} /> 将评标专家纳入检查人员库
            </label>
          </div>
          {row(fields.drawInHours, '公示后多少小时可抽取', <input {...getInputProps(fields.drawInHours, { type: 'number' })} key={fields.drawInHours.key} />, '0 表示公示后即可抽取')}
        </fieldset>
        <button type="submit" className="btn btn-primary btn-block" disabled={nav.state === 'submitting'}>
          {nav.state === 'submitting' ? '正在保存…' : '保存并公示承诺值'}
        </button>
      </Form>
    </section>
  );
}
