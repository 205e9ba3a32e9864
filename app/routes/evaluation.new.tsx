import { getFormProps, useForm, type FieldMetadata } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { createEvaluationPlan, EvaluationError } from '~/modules/evaluation/evaluation.server';
import { openedSectionsOfAgent } from '~/modules/evaluation/opened-bids.server';
import { DEFAULT_CRITERIA_TEXT, DEFAULT_PRICE_WEIGHT, METHOD_LABELS, planSchema } from '~/modules/evaluation/types';
import { SPECIALTIES } from '~/modules/experts/specialties';
import { Field, FieldErrors, FormErrors, SelectField } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '登记评标 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'plan:evaluation:own');
  const tenders = user.organizationId ? await openedSectionsOfAgent(user.organizationId) : [];
  const prisma = await getPrisma();
  const planned = new Set((await prisma.tenderEvaluation.findMany({ where: { tenderId: { in: tenders.map((t) => t.id) } }, select: { sectionId: true } })).map((e) => e.sectionId));
  const sections = tenders.flatMap((t) => t.sections.filter((s) => !planned.has(s.id)).map((s) => ({ value: s.id, label: `${t.code} ${t.name} · 第${s.seq}标段 ${s.name}` })));
  const pre = new URL(request.url).searchParams.get('section');
  return { sections, preselect: sections.some((s) => s.value === pre) ? pre : null };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'plan:evaluation:own');
  const submission = parseWithZod(await request.formData(), { schema: planSchema });
  if (submission.status !== 'success') return Response.json({ result: submission.reply() }, { status: 400 });
  try {
    const ev = await createEvaluationPlan(actorOf(request, user), user, submission.value);
    return redirect(`/evaluation/${ev.id}`);
  } catch (e) {
    if (e instanceof EvaluationError) {
      const hasField = Object.keys(e.fieldErrors).length > 0;
      return Response.json({ result: submission.reply({ fieldErrors: e.fieldErrors, formErrors: hasField ? [] : [e.message] }) }, { status: e.status });
    }
    throw e;
  }
}

export default function NewEvaluation() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: a?.result,
    defaultValue: { sectionId: d.preselect ?? '', method: 'comprehensive', expertCount: '5', priceWeight: String(DEFAULT_PRICE_WEIGHT), criteriaText: DEFAULT_CRITERIA_TEXT },
    constraint: getZodConstraint(planSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: planSchema }),
    shouldRevalidate: 'onInput',
  });
  const comprehensive = (fields.method.value ?? 'comprehensive') === 'comprehensive';
  return (
    <section className="panel narrow-panel">
      <p className="crumbs">
        <Link to="/evaluation">评标与定标</Link> / 登记评标
      </p>
      <h1>登记评标</h1>
      <p className="muted">
        开标结束后登记评标。登记时平台即生成专家抽取的随机种子并公布其承诺值；评标开始前 2 小时自动抽取（也可由交易中心提前抽取），抽取记录可独立复算。评标委员会成员名单在评标结束前保密。
      </p>
      {d.sections.length === 0 ? <p className="notice warning">没有可登记评标的标段：标段须已开标结束且尚未登记评标。</p> : null}
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <SelectField meta={fields.sectionId} label="标段" options={d.sections} />
        <SelectField meta={fields.method} label="评标办法" options={Object.entries(METHOD_LABELS).map(([value, label]) => ({ value, label }))} />
        <SelectField meta={fields.specialty} label="评标专业" options={SPECIALTIES.map((s) => ({ value: s.code, label: `${s.code} ${s.name}` }))} />
        <SelectField meta={fields.expertCount as unknown as FieldMetadata<string | undefined>} label="评标专家人数" options={[5, 7, 9].map((n) => ({ value: String(n), label: `${n} 人` }))} />
        <Field meta={fields.scheduledAt} label="评标时间" type="datetime-local" />
        {comprehensive ? (
          <>
            <Field meta={fields.priceWeight as unknown as FieldMetadata<string | undefined>} label="价格分值" type="number" hint="价格分 = 价格分值 × 评标基准价 / 投标报价；评标基准价为未被否决投标的最低报价" />
            <div className={`field${fields.criteriaText.errors?.length ? ' has-error' : ''}`}>
              <label htmlFor={fields.criteriaText.id}>其他评分因素（每行“名称=分值”，与价格分值合计100分）</label>
              <textarea id={fields.criteriaText.id} name={fields.criteriaText.name} defaultValue={fields.criteriaText.initialValue} rows={5} aria-describedby={fields.criteriaText.errors?.length ? `${fields.criteriaText.id}-error` : undefined} />
              <FieldErrors id={`${fields.criteriaText.id}-error`} errors={fields.criteriaText.errors} />
            </div>
          </>
        ) : null}
        <button className="btn btn-primary" type="submit" disabled={d.sections.length === 0}>
          登记评标
        </button>
      </Form>
    </section>
  );
}
