// 新建招标项目: the agent defines the project, its sections, the bid form read out at opening, the
// deposit and document fee, the deadline and the opening-key holders (itself + ≥ 2 supervisors, k).
import { getFormProps, getInputProps, getTextareaProps, useForm, type FieldMetadata, type SubmissionResult } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { BiddingError } from '~/modules/bidding/errors';
import { createTender, holderCandidates } from '~/modules/bidding/tenders.server';
import { DAY_MS, MIN_BIDDING_DAYS, STANDARD_BID_FIELDS, tenderSchema, toBeijingLocal, type TenderInput } from '~/modules/bidding/types';
import { Field, FieldErrors, FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '新建招标项目 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'create:tender');
  const t = new Date(now().getTime() + (MIN_BIDDING_DAYS + 1) * DAY_MS);
  const local = toBeijingLocal(t).slice(0, 10) + 'T09:30';
  return {
    orgName: user.organization?.name ?? '',
    defaultDeadline: local,
    minDeadline: toBeijingLocal(new Date(now().getTime() + MIN_BIDDING_DAYS * DAY_MS)),
    supervisors: (await holderCandidates()).map((s) => ({ id: s.id, name: s.displayName, hasCert: !!s.encryptionCert })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:tender');
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: tenderSchema });
  if (submission.status !== 'success') return Response.json(submission.reply(), { status: 400 });
  try {
    const t = await createTender(actorOf(request, user), user, submission.value);
    return redirect(`/tenders/${t.id}/manage?created=1`);
  } catch (e) {
    if (e instanceof BiddingError) {
      return Response.json(submission.reply({ formErrors: Object.keys(e.fieldErrors).length ? [] : [e.message], fieldErrors: e.fieldErrors }), { status: e.status });
    }
    throw e;
  }
}

function TextArea({ meta, label, hint, rows = 4 }: { meta: FieldMetadata<string | undefined>; label: string; hint?: string; rows?: number }) {
  return (
    <div className={`field${meta.errors?.length ? ' has-error' : ''}`}>
      <label htmlFor={meta.id}>{label}</label>
      <textarea {...getTextareaProps(meta)} rows={rows} key={meta.key} />
      {hint ? <p className="hint">{hint}</p> : null}
      <FieldErrors id={`${meta.id}-error`} errors={meta.errors} />
    </div>
  );
}

export default function NewTender() {
  const d = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm<TenderInput>({
    lastResult: lastResult as SubmissionResult<string[]> | undefined,
    constraint: getZodConstraint(tenderSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: tenderSchema }),
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    defaultValue: {
      method: 'open',
      deposit: '0',
      documentFee: '0',
      bidDeadline: d.defaultDeadline,
      sections: [{ name: '', budget: '' }],
      fields: ['durationDays', 'quality', 'projectManager'],
      threshold: 2,
      tendererName: '',
    },
  });
  const sections = fields.sections.getFieldList();
  const [supCount, setSupCount] = useState(0);
  const holders = supCount + 1;
  return (
    <section className="panel bd-narrow-form">
      <p className="crumbs">
        <Link to="/tenders?mine=1">本单位招标项目</Link> / 新建
      </p>
      <h1>新建招标项目</h1>
      <p className="muted">代理机构：{d.orgName}。保存为草稿后上传招标文件，再完成开标密钥生成并发布招标公告。</p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <fieldset>
          <legend>项目信息</legend>
          <div className="bd-grid-2">
            <Field meta={fields.code} label="项目编号" hint="如 JC-2026-GC-0012" />
            <div className={`field${fields.method.errors?.length ? ' has-error' : ''}`}>
              <label htmlFor={fields.method.id}>招标方式</label>
              <select name={fields.method.name} id={fields.method.id} defaultValue={fields.method.initialValue as string}>
                <option value="open">公开招标</option>
                <option value="invited">邀请招标</option>
              </select>
              <FieldErrors id={`${fields.method.id}-error`} errors={fields.method.errors} />
            </div>
          </div>
          <Field meta={fields.name} label="项目名称" />
          <Field meta={fields.tendererName} label="招标人" hint="委托本机构代理招标的单位名称" />
          <TextArea meta={fields.summary} label="项目概况与招标范围" />
          <TextArea meta={fields.invitedCreditCodes} label="邀请对象（邀请招标时填写）" hint="被邀请单位的统一社会信用代码，每行一个，至少三个" rows={2} />
        </fieldset>
        <fieldset>
          <legend>标段划分</legend>
          <FieldErrors id="sections-error" errors={fields.sections.errors} />
          {sections.map((s, i) => {
            const sf = s.getFieldset();
            return (
              <div className="bd-section-row" key={s.key}>
                <span className="bd-section-no">第{i + 1}标段</span>
                <Field meta={sf.name} label="标段名称" />
                <Field meta={sf.budget} label="最高投标限价（元，选填）" />
                {sections.length > 1 ? (
                  <button className="btn btn-small" {...form.remove.getButtonProps({ name: fields.sections.name, index: i })}>
                    删除
                  </button>
                ) : null}
              </div>
            );
          })}
          <button className="btn btn-small" {...form.insert.getButtonProps({ name: fields.sections.name, defaultValue: { name: '', budget: '' } })}>
            ＋ 添加标段
          </button>
        </fieldset>
        <fieldset>
          <legend>投标与开标</legend>
          <div className="bd-grid-3">
            <Field meta={fields.bidDeadline} label="投标截止时间（即开标时间）" type="datetime-local" hint={`北京时间；自发布起不少于${20}日`} />
            <Field meta={fields.deposit} label="投标保证金（元/标段）" hint="0 表示不收取" />
            <Field meta={fields.documentFee} label="招标文件费（元）" hint="0 表示免费获取" />
          </div>
          <div className="field">
            <span className="bd-label">开标一览表字段（开标时当众宣读）</span>
            <div className="bd-checks">
              {STANDARD_BID_FIELDS.map((f) => (
                <label key={f.key} className="bd-check">
                  <input
                    type="checkbox"
                    name={fields.fields.name}
                    value={f.key}
                    defaultChecked={f.key === 'price' || (fields.fields.initialValue as string[] | undefined)?.includes(f.key)}
                    disabled={f.key === 'price'}
                  />
                  {f.label}
                  {f.key === 'price' ? '（必选）' : ''}
                </label>
              ))}
            </div>
            <input {...getInputProps(fields.customFields, { type: 'text' })} placeholder="其他字段，用逗号分隔，如：安全文明施工费承诺, 主要材料品牌" key={fields.customFields.key} />
          </div>
        </fieldset>
        <fieldset>
          <legend>开标密钥持有人</legend>
          <p className="hint">开标私钥在您的浏览器中生成后按门限拆分，每份以持有人的数字证书加密。开标时须至少“门限”名持有人在线解密，任何一人（包括平台）都无法单独解密投标文件。</p>
          <p>
            <strong>持有人 1：</strong>本机构经办人（您本人）
          </p>
          <FieldErrors id="sup-error" errors={fields.supervisorIds.errors} />
          <div className="bd-checks">
            {d.supervisors.map((s) => (
              <label key={s.id} className="bd-check">
                <input
                  type="checkbox"
                  name={fields.supervisorIds.name}
                  value={s.id}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setSupCount((c) => c + (on ? 1 : -1));
                  }}
                />
                {s.name}
                {s.hasCert ? null : <small className="status-warn">（尚未申领证书，发布前须申领）</small>}
              </label>
            ))}
          </div>
          <div className="field bd-inline">
            <label htmlFor={fields.threshold.id}>解密门限 k</label>
            <select name={fields.threshold.name} id={fields.threshold.id} defaultValue="2">
              {Array.from({ length: Math.max(2, holders) - 1 }, (_, i) => i + 2).map((k) => (
                <option key={k} value={k}>
                  {k} / {Math.max(holders, 3)}
                </option>
              ))}
            </select>
            <FieldErrors id={`${fields.threshold.id}-error`} errors={fields.threshold.errors} />
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={navigation.state === 'submitting'}>
            {navigation.state === 'submitting' ? '正在保存…' : '保存草稿'}
          </button>
          <Link to="/tenders?mine=1" className="btn">
            取消
          </Link>
        </div>
      </Form>
    </section>
  );
}
