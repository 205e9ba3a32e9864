// 中介机构入驻: the agency's own registration — data, licence, qualifications, practitioners,
// submission, and the one-time list of what to complete when the center returned it.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { getPrisma } from '~/db/index.server';
import { QUAL_LEVELS, REGISTRATION_STATUS_LABELS } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { parseUploadForm } from '~/modules/market/files.server';
import {
  addPractitioner, addQualification, agencyOfOrg, missingForSubmission, practitionerSchema, profileSchema, qualificationSchema,
  removePractitioner, removeQualification, saveProfile, submitRegistration,
} from '~/modules/market/registration.server';
import { formatDate, formatDateTime } from '~/ui/format';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '机构入驻 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'update:registration:own');
  const prisma = await getPrisma();
  const org = user.organizationId ? await prisma.organization.findUnique({ where: { id: user.organizationId } }) : null;
  const a = user.organizationId ? await agencyOfOrg(user.organizationId) : null;
  return {
    org: org && { name: org.name, creditCode: org.creditCode, region: org.region, contactName: org.contactName, phone: org.phone },
    agency: a && {
      id: a.id,
      status: a.status,
      name: a.name,
      region: a.region,
      address: a.address,
      legalRep: a.legalRep,
      contactName: a.contactName,
      phone: a.phone,
      intro: a.intro,
      licenceNo: a.licenceNo,
      licenceFileId: a.licenceFileId,
      reviewNote: a.reviewNote,
      returnedItems: (a.returnedItems as string[] | null) ?? [],
      qualifications: a.qualifications.map((q) => ({ id: q.id, type: q.type, level: q.level, number: q.number, validFrom: q.validFrom.toISOString(), validUntil: q.validUntil.toISOString(), fileId: q.fileId })),
      practitioners: a.practitioners.map((p) => ({ id: p.id, name: p.name, certType: p.certType, certNo: p.certNo, certValidUntil: p.certValidUntil.toISOString() })),
      reviews: a.reviews.map((r) => ({ id: r.id, decision: r.decision, reason: r.reason, items: (r.items as string[] | null) ?? [], at: r.at.toISOString() })),
      missing: missingForSubmission(a),
    },
  };
}

type Reply = { ok?: string; error?: string; fieldErrors?: Record<string, string[]>; form?: string };

function zodErrors(issues: { path: (string | number)[]; message: string }[]) {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[String(i.path[0] ?? '')] ??= []).push(i.message);
  return out;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'update:registration:own');
  if (!user.organizationId) throw new Response('账号未关联单位', { status: 403 });
  const actor = actorOf(request, user);
  const isMultipart = request.headers.get('content-type')?.startsWith('multipart/form-data');
  let form: FormData;
  try {
    form = isMultipart ? await parseUploadForm(request, user.organizationId) : await request.formData();
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ error: e.message, fieldErrors: e.fieldErrors } satisfies Reply, { status: 400 });
    throw e;
  }
  const intent = String(form.get('intent') ?? '');
  const data = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  try {
    if (intent === 'profile') {
      const v = profileSchema.safeParse(data);
      if (!v.success) return Response.json({ form: intent, fieldErrors: zodErrors(v.error.issues) } satisfies Reply, { status: 400 });
      await saveProfile(actor, user.organizationId, { ...v.data, licenceFileId: data.licenceFile || null });
      return { ok: '机构信息已保存' } satisfies Reply;
    }
    if (intent === 'qualification') {
      const v = qualificationSchema.safeParse(data);
      if (!v.success) return Response.json({ form: intent, fieldErrors: zodErrors(v.error.issues) } satisfies Reply, { status: 400 });
      await addQualification(actor, user.organizationId, { ...v.data, fileId: data.qualFile || null });
      return { ok: '资质证书已登记' } satisfies Reply;
    }
    if (intent === 'practitioner') {
      const v = practitionerSchema.safeParse(data);
      if (!v.success) return Response.json({ form: intent, fieldErrors: zodErrors(v.error.issues) } satisfies Reply, { status: 400 });
      await addPractitioner(actor, user.organizationId, v.data);
      return { ok: '执业人员已登记' } satisfies Reply;
    }
    if (intent === 'remove-qualification') {
      await removeQualification(actor, user.organizationId, data.id ?? '');
      return { ok: '资质证书已删除' } satisfies Reply;
    }
    if (intent === 'remove-practitioner') {
      await removePractitioner(actor, user.organizationId, data.id ?? '');
      return { ok: '执业人员已删除' } satisfies Reply;
    }
    if (intent === 'submit') {
      await submitRegistration(actor, user.organizationId);
      return { ok: '入驻申请已提交，交易中心将在承诺时限内审核' } satisfies Reply;
    }
    return Response.json({ error: '请求有误' } satisfies Reply, { status: 400 });
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ form: intent, error: Object.keys(e.fieldErrors).length ? undefined : e.message, fieldErrors: e.fieldErrors } satisfies Reply, { status: e.status });
    throw e;
  }
}

function Err({ a, form, name }: { a: Reply | undefined; form: string; name: string }) {
  const errs = a?.form === form ? a.fieldErrors?.[name] : undefined;
  if (!errs?.length) return null;
  return (
    <ul className="field-errors" role="alert">
      {errs.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

function Input({ a, form, name, label, type = 'text', defaultValue, required = true, hint }: { a: Reply | undefined; form: string; name: string; label: string; type?: string; defaultValue?: string | null; required?: boolean; hint?: string }) {
  const id = `${form}-${name}`;
  const bad = a?.form === form && a.fieldErrors?.[name]?.length;
  return (
    <div className={`field${bad ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type={type} defaultValue={defaultValue ?? undefined} required={required} aria-invalid={bad ? true : undefined} />
      {hint ? <p className="hint">{hint}</p> : null}
      <Err a={a} form={form} name={name} />
    </div>
  );
}

export default function Registration() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as Reply | undefined;
  const nav = useNavigation();
  const ag = d.agency;
  const editable = !ag || ['draft', 'returned', 'approved', 'submitted'].includes(ag.status);
  return (
    <div>
      <div className="panel-head">
        <h1>中介机构入驻</h1>
        {ag ? <span className="pill pill-info">当前状态：{REGISTRATION_STATUS_LABELS[ag.status]}</span> : <span className="pill pill-muted">未填写</span>}
      </div>
      <ol className="steps" aria-label="入驻流程">
        {['填写机构信息', '登记资质与人员', '提交申请', '中心审核', '入驻完成'].map((s, i) => {
          const stage = !ag ? 0 : ag.status === 'approved' ? 5 : ag.status === 'submitted' ? 3 : ag.qualifications.length ? 2 : 1;
          return (
            <li key={s} className={i < stage ? 'done' : i === stage ? 'current' : ''}>
              {s}
            </li>
          );
        })}
      </ol>
      {a?.ok ? (
        <p className="notice success" role="status">
          {a.ok}
        </p>
      ) : null}
      {a?.error ? <FormErrors errors={[a.error]} /> : null}
      {ag?.status === 'returned' ? (
        <section className="notice warning" aria-labelledby="returned-title">
          <h2 id="returned-title">退回补正（一次性告知）</h2>
          <p>请一次性补正以下全部材料后重新提交：</p>
          <ol>
            {ag.returnedItems.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ol>
          <p>审核意见：{ag.reviewNote}</p>
        </section>
      ) : null}
      {ag?.status === 'rejected' ? <p className="notice danger">入驻申请不予通过。审核意见：{ag.reviewNote}</p> : null}
      {ag?.status === 'approved' ? (
        <p className="notice success">
          入驻已通过，可以<a href="/market/listings">挂牌服务</a>并参与全市所有中介服务采购。变更资质或执业人员后须重新审核。
        </p>
      ) : null}

      <section className="panel">
        <h2>机构基本信息</h2>
        <Form method="post" encType="multipart/form-data">
          <input type="hidden" name="intent" value="profile" />
          <dl className="kv">
            <dt>统一社会信用代码</dt>
            <dd>{d.org?.creditCode}</dd>
          </dl>
          <div className="two-col">
            <div>
              <Input a={a} form="profile" name="name" label="机构名称" defaultValue={ag?.name ?? d.org?.name} />
              <Input a={a} form="profile" name="region" label="所在区域" defaultValue={ag?.region ?? d.org?.region} hint="如：江城市江北区" />
              <Input a={a} form="profile" name="address" label="办公地址" defaultValue={ag?.address} />
              <Input a={a} form="profile" name="legalRep" label="法定代表人" defaultValue={ag?.legalRep} />
            </div>
            <div>
              <Input a={a} form="profile" name="contactName" label="联系人" defaultValue={ag?.contactName ?? d.org?.contactName} />
              <Input a={a} form="profile" name="phone" label="联系电话" defaultValue={ag?.phone ?? d.org?.phone} />
              <Input a={a} form="profile" name="licenceNo" label="营业执照编号" defaultValue={ag?.licenceNo} required={false} />
              <div className="field">
                <label htmlFor="licenceFile">营业执照扫描件{ag?.licenceFileId ? '（已上传，可重新上传替换）' : ''}</label>
                <input id="licenceFile" name="licenceFile" type="file" accept=".pdf,.png,.jpg,.jpeg" />
                <p className="hint">PDF、PNG 或 JPEG</p>
                <Err a={a} form="profile" name="licenceFile" />
              </div>
            </div>
          </div>
          <div className="field">
            <label htmlFor="profile-intro">机构简介</label>
            <textarea id="profile-intro" name="intro" defaultValue={ag?.intro ?? ''} maxLength={2000} />
          </div>
          <button className="btn btn-primary" type="submit" disabled={!editable || nav.state === 'submitting'}>
            保存机构信息
          </button>
        </Form>
      </section>

      {ag ? (
        <>
          <section className="panel">
            <h2>资质证书</h2>
            {ag.qualifications.length ? (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th>资质类别</th>
                      <th>等级</th>
                      <th>证书编号</th>
                      <th>有效期</th>
                      <th>扫描件</th>
                      <th>操作</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ag.qualifications.map((q) => (
                      <tr key={q.id}>
                        <td>{q.type}</td>
                        <td>{q.level}</td>
                        <td>{q.number}</td>
                        <td>
                          {formatDate(q.validFrom)} 至 {formatDate(q.validUntil)}
                        </td>
                        <td>{q.fileId ? <a href={`/market/files/${q.fileId}`}>查看</a> : <span className="status-bad">未上传</span>}</td>
                        <td>
                          <Form method="post">
                            <input type="hidden" name="intent" value="remove-qualification" />
                            <input type="hidden" name="id" value={q.id} />
                            <button className="link-button" type="submit" aria-label={`删除资质 ${q.number}`}>
                              删除
                            </button>
                          </Form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">尚未登记资质证书。</p>
            )}
            <Form method="post" encType="multipart/form-data" className="panel" aria-label="登记资质证书">
              <input type="hidden" name="intent" value="qualification" />
              <div className="two-col">
                <div>
                  <Input a={a} form="qualification" name="type" label="资质类别" hint="与服务事项目录中的资质类别一致，如：工程造价咨询" />
                  <div className="field">
                    <label htmlFor="qualification-level">资质等级</label>
                    <select id="qualification-level" name="level" required defaultValue="">
                      <option value="">请选择</option>
                      {QUAL_LEVELS.map((l) => (
                        <option key={l} value={l}>
                          {l}
                        </option>
                      ))}
                    </select>
                    <Err a={a} form="qualification" name="level" />
                  </div>
                  <Input a={a} form="qualification" name="number" label="证书编号" />
                </div>
                <div>
                  <Input a={a} form="qualification" name="validFrom" label="发证日期" type="date" />
                  <Input a={a} form="qualification" name="validUntil" label="有效期至" type="date" />
                  <div className="field">
                    <label htmlFor="qualFile">证书扫描件</label>
                    <input id="qualFile" name="qualFile" type="file" accept=".pdf,.png,.jpg,.jpeg" />
                    <Err a={a} form="qualification" name="qualFile" />
                  </div>
                </div>
              </div>
              <button className="btn" type="submit" disabled={!editable}>
                登记资质
              </button>
            </Form>
          </section>

          <section className="panel">
            <h2>执业人员</h2>
            {ag.practitioners.length ? (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th>姓名</th>
                      <th>证书类别</th>
                      <th>证书编号</th>
                      <th>有效期至</th>
                      <th>操作</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ag.practitioners.map((p) => (
                      <tr key={p.id}>
                        <td>{p.name}</td>
                        <td>{p.certType}</td>
                        <td>{p.certNo}</td>
                        <td>{formatDate(p.certValidUntil)}</td>
                        <td>
                          <Form method="post">
                            <input type="hidden" name="intent" value="remove-practitioner" />
                            <input type="hidden" name="id" value={p.id} />
                            <button className="link-button" type="submit" aria-label={`删除执业人员 ${p.name}`}>
                              删除
                            </button>
                          </Form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">尚未登记执业人员。</p>
            )}
            <Form method="post" className="filters" aria-label="登记执业人员">
              <input type="hidden" name="intent" value="practitioner" />
              <Input a={a} form="practitioner" name="name" label="姓名" />
              <Input a={a} form="practitioner" name="certType" label="执业证书类别" />
              <Input a={a} form="practitioner" name="certNo" label="执业证书编号" />
              <Input a={a} form="practitioner" name="certValidUntil" label="证书有效期至" type="date" />
              <button className="btn" type="submit" disabled={!editable}>
                登记人员
              </button>
            </Form>
          </section>

          {['draft', 'returned'].includes(ag.status) ? (
            <section className="panel">
              <h2>提交入驻申请</h2>
              {ag.missing.length ? (
                <div className="notice warning">
                  提交前尚需：
                  <ul>
                    {ag.missing.map((m) => (
                      <li key={m}>{m}</li>
                    ))}
                  </ul>
                </div>
              ) : (
                <p className="muted">材料已齐全，提交后由交易中心审核。</p>
              )}
              <Form method="post">
                <input type="hidden" name="intent" value="submit" />
                <button className="btn btn-primary" type="submit">
                  提交入驻申请
                </button>
              </Form>
            </section>
          ) : null}

          {ag.reviews.length ? (
            <section className="panel">
              <h2>审核记录</h2>
              <ul className="inbox">
                {ag.reviews.map((r) => (
                  <li key={r.id} className="msg">
                    <div>
                      <strong>{{ approve: '审核通过', return: '退回补正', reject: '不予入驻' }[r.decision]}</strong>
                      <time>{formatDateTime(r.at)}</time>
                    </div>
                    {r.items.length ? <p>需补正：{r.items.join('；')}</p> : null}
                    <p>{r.reason}</p>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
