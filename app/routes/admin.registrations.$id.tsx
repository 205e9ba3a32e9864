// Center review of one registration: approve, return with ONE complete list of what is missing
// (一次性告知), or reject — always with reasons.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { REGISTRATION_STATUS_LABELS } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { getAgency, MISSING_ITEMS, reviewRegistration, reviewSchema } from '~/modules/market/registration.server';
import { formatDate, formatDateTime } from '~/ui/format';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '入驻审核 - 网上中介超市' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, 'review:registration');
  const a = await getAgency(params.id ?? '');
  if (!a) throw new Response('入驻申请不存在', { status: 404 });
  return {
    a: {
      id: a.id, name: a.name, creditCode: a.creditCode, region: a.region, address: a.address, legalRep: a.legalRep, contactName: a.contactName, phone: a.phone,
      intro: a.intro, licenceNo: a.licenceNo, licenceFileId: a.licenceFileId, status: a.status, submittedAt: a.submittedAt?.toISOString() ?? null, approvedAt: a.approvedAt?.toISOString() ?? null,
      qualifications: a.qualifications.map((q) => ({ id: q.id, type: q.type, level: q.level, number: q.number, validUntil: q.validUntil.toISOString(), fileId: q.fileId })),
      practitioners: a.practitioners.map((p) => ({ id: p.id, name: p.name, certType: p.certType, certNo: p.certNo, certValidUntil: p.certValidUntil.toISOString() })),
      reviews: a.reviews.map((r) => ({ id: r.id, decision: r.decision, reason: r.reason, items: (r.items as string[] | null) ?? [], at: r.at.toISOString() })),
    },
    standardItems: [...MISSING_ITEMS],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'review:registration');
  const form = await request.formData();
  const extra = String(form.get('extraItems') ?? '')
    .split(/\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const v = reviewSchema.safeParse({ decision: form.get('decision'), items: [...form.getAll('items').map(String), ...extra], reason: form.get('reason') ?? '' });
  if (!v.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of v.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(i.message);
    return Response.json({ ok: null, error: null, fieldErrors }, { status: 400 });
  }
  try {
    await reviewRegistration(actorOf(request, user), params.id ?? '', v.data);
    return { ok: v.data.decision === 'approve' ? '已审核通过' : v.data.decision === 'return' ? '已退回补正，并一次性告知需补正的全部材料' : '已作出不予入驻决定', error: null, fieldErrors: {} };
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ ok: null, error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

export default function ReviewRegistration() {
  const { a, standardItems } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { ok: string | null; error: string | null; fieldErrors: Record<string, string[]> } | undefined;
  return (
    <div>
      <p className="crumbs">
        <Link to="/admin/registrations">入驻审核</Link> / {a.name}
      </p>
      <div className="panel-head">
        <h1>{a.name}</h1>
        <span className="pill pill-info">{REGISTRATION_STATUS_LABELS[a.status]}</span>
      </div>
      {r?.ok ? (
        <p className="notice success" role="status">
          {r.ok}
        </p>
      ) : null}
      {r?.error ? <FormErrors errors={[r.error]} /> : null}
      <div className="two-col">
        <div>
          <section className="panel">
            <h2>机构信息</h2>
            <dl className="kv">
              <dt>统一社会信用代码</dt>
              <dd>{a.creditCode}</dd>
              <dt>区域 / 地址</dt>
              <dd>
                {a.region} {a.address}
              </dd>
              <dt>法定代表人</dt>
              <dd>{a.legalRep}</dd>
              <dt>联系人</dt>
              <dd>
                {a.contactName} {a.phone}
              </dd>
              <dt>营业执照</dt>
              <dd>
                {a.licenceNo ?? <span className="status-bad">未填写编号</span>}{' '}
                {a.licenceFileId ? <a href={`/market/files/${a.licenceFileId}`}>查看扫描件</a> : <span className="status-bad">未上传扫描件</span>}
              </dd>
              <dt>提交时间</dt>
              <dd>{formatDateTime(a.submittedAt)}</dd>
            </dl>
            <p className="muted">{a.intro}</p>
          </section>
          <section className="panel">
            <h2>资质证书</h2>
            <table className="data">
              <thead>
                <tr>
                  <th>类别</th>
                  <th>等级</th>
                  <th>编号</th>
                  <th>有效期至</th>
                  <th>扫描件</th>
                </tr>
              </thead>
              <tbody>
                {a.qualifications.map((q) => (
                  <tr key={q.id}>
                    <td>{q.type}</td>
                    <td>{q.level}</td>
                    <td>{q.number}</td>
                    <td>{formatDate(q.validUntil)}</td>
                    <td>{q.fileId ? <a href={`/market/files/${q.fileId}`}>查看</a> : <span className="status-bad">缺</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel">
            <h2>执业人员</h2>
            <table className="data">
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>证书类别</th>
                  <th>编号</th>
                  <th>有效期至</th>
                </tr>
              </thead>
              <tbody>
                {a.practitioners.map((p) => (
                  <tr key={p.id}>
                    <td>{p.name}</td>
                    <td>{p.certType}</td>
                    <td>{p.certNo}</td>
                    <td>{formatDate(p.certValidUntil)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
        <div>
          {a.status === 'submitted' ? (
            <section className="panel">
              <h2>审核</h2>
              <Form method="post">
                <fieldset>
                  <legend>审核结论</legend>
                  {[
                    ['approve', '通过'],
                    ['return', '退回补正（一次性告知）'],
                    ['reject', '不予入驻'],
                  ].map(([v, l]) => (
                    <label key={v} style={{ display: 'block' }}>
                      <input type="radio" name="decision" value={v} required /> {l}
                    </label>
                  ))}
                  {r?.fieldErrors?.decision ? <p className="field-errors">{r.fieldErrors.decision[0]}</p> : null}
                </fieldset>
                <fieldset>
                  <legend>需补正的材料（退回时一次性列全）</legend>
                  <ul className="checklist">
                    {standardItems.map((x) => (
                      <li key={x}>
                        <label>
                          <input type="checkbox" name="items" value={x} /> {x}
                        </label>
                      </li>
                    ))}
                  </ul>
                  <div className="field">
                    <label htmlFor="extraItems">其他需补正事项（每行一项）</label>
                    <textarea id="extraItems" name="extraItems" />
                  </div>
                  {r?.fieldErrors?.items ? (
                    <p className="field-errors" role="alert">
                      {r.fieldErrors.items[0]}
                    </p>
                  ) : null}
                </fieldset>
                <div className={`field${r?.fieldErrors?.reason ? ' has-error' : ''}`}>
                  <label htmlFor="reason">审核意见</label>
                  <textarea id="reason" name="reason" required />
                  {r?.fieldErrors?.reason ? <p className="field-errors">{r.fieldErrors.reason[0]}</p> : null}
                </div>
                <button className="btn btn-primary" type="submit">
                  提交审核结论
                </button>
              </Form>
            </section>
          ) : null}
          <section className="panel">
            <h2>审核记录</h2>
            {a.reviews.length === 0 ? <p className="muted">暂无</p> : null}
            <ul className="inbox">
              {a.reviews.map((x) => (
                <li key={x.id} className="msg">
                  <div>
                    <strong>{{ approve: '通过', return: '退回补正', reject: '不予入驻' }[x.decision]}</strong>
                    <time>{formatDateTime(x.at)}</time>
                  </div>
                  {x.items.length ? <p>补正事项：{x.items.join('；')}</p> : null}
                  <p>{x.reason}</p>
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </div>
  );
}
