// 提出投诉/异议/质疑: any market participant. Other pages link here with the subject prefilled,
// e.g. /complaints/new?kind=query&subjectType=purchase&subjectId=<id>&label=<名称>.
import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { COMPLAINT_KINDS, COMPLAINT_SUBJECTS, DEFAULT_COMPLAINT_DEADLINES, fileComplaintSchema, type FileComplaintInput } from '~/modules/supervision/complaint-types';
import { ComplaintError, fileComplaint, getComplaintDeadlines } from '~/modules/supervision/complaints.server';
import { FieldErrors, FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '提出投诉或异议 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'create:complaint');
  const u = new URL(request.url).searchParams;
  const pick = (k: string, max = 120) => u.get(k)?.slice(0, max) ?? '';
  return {
    deadlines: await getComplaintDeadlines(await getPrisma()),
    defaults: { kind: pick('kind', 20), subjectType: pick('subjectType', 20), subjectId: pick('subjectId', 64), subjectLabel: pick('label') },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:complaint');
  const submission = parseWithZod(await request.formData(), { schema: fileComplaintSchema });
  if (submission.status !== 'success') return Response.json(submission.reply(), { status: 400 });
  try {
    const c = await fileComplaint(await getPrisma(), actorOf(request, user), user, submission.value);
    return redirect(`/complaints/${c.id}?filed=1`);
  } catch (e) {
    if (e instanceof ComplaintError) {
      return Response.json(submission.reply({ formErrors: Object.keys(e.fieldErrors).length ? [] : [e.message], fieldErrors: e.fieldErrors }), { status: e.status });
    }
    throw e;
  }
}

const unitText = (u: string) => (u === 'workdays' ? '个工作日' : '日');

export default function NewComplaint() {
  const { deadlines, defaults } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const nav = useNavigation();
  const [form, fields] = useForm<FileComplaintInput>({
    lastResult,
    defaultValue: defaults as Partial<FileComplaintInput>,
    constraint: getZodConstraint(fileComplaintSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: fileComplaintSchema }),
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
  });
  const d = deadlines ?? DEFAULT_COMPLAINT_DEADLINES;
  const row = (meta: typeof fields.title, label: string, el: React.ReactNode, hint?: string) => (
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
        <Link to="/complaints">我的投诉与异议</Link> / 提出
      </nav>
      <h1>提出投诉、异议或质疑</h1>
      <div className="notice info">
        <p>法定办理期限（自收到之日起计算）：</p>
        <ul>
          <li>
            投诉：{d.complaint.acceptDays}
            {unitText(d.complaint.unit)}内决定是否受理，受理后{d.complaint.answerDays}
            {unitText(d.complaint.unit)}内作出处理决定；
          </li>
          <li>
            异议：{d.objection.answerDays}
            {unitText(d.objection.unit)}内答复；质疑：{d.query.answerDays}
            {unitText(d.query.unit)}内答复。
          </li>
        </ul>
        <p className="muted">逾期未办结的，系统自动向监督人员发出预警。</p>
      </div>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <fieldset>
          <legend>事项</legend>
          {row(
            fields.kind,
            '类型',
            <select {...getSelectProps(fields.kind)} key={fields.kind.key}>
              <option value="">请选择</option>
              {Object.entries(COMPLAINT_KINDS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>,
          )}
          {row(
            fields.subjectType,
            '事项类别',
            <select {...getSelectProps(fields.subjectType)} key={fields.subjectType.key}>
              <option value="">请选择</option>
              {Object.entries(COMPLAINT_SUBJECTS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>,
          )}
          {row(fields.subjectId, '项目编号或主体信用代码（选填）', <input {...getInputProps(fields.subjectId, { type: 'text' })} key={fields.subjectId.key} />, '填写后系统自动核对并通知被投诉方')}
          {row(fields.subjectLabel, '所涉项目或主体名称', <input {...getInputProps(fields.subjectLabel, { type: 'text' })} key={fields.subjectLabel.key} />)}
          {row(fields.respondentName, '被投诉（异议）人（选填）', <input {...getInputProps(fields.respondentName, { type: 'text' })} key={fields.respondentName.key} />)}
        </fieldset>
        <fieldset>
          <legend>内容</legend>
          {row(fields.title, '标题', <input {...getInputProps(fields.title, { type: 'text' })} key={fields.title.key} />)}
          {row(fields.facts, '事实和理由', <textarea {...getTextareaProps(fields.facts)} key={fields.facts.key} rows={6} />, '请写明具体事实、理由及相关证据')}
          {row(fields.demands, '请求事项', <textarea {...getTextareaProps(fields.demands)} key={fields.demands.key} rows={3} />)}
        </fieldset>
        <button type="submit" className="btn btn-primary btn-block" disabled={nav.state === 'submitting'}>
          {nav.state === 'submitting' ? '正在提交…' : '提交'}
        </button>
      </Form>
    </section>
  );
}
