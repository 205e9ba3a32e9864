// 招标项目详情: the notice, sections, documents, amendments and the opening certificate. Public once
// published. Bidders obtain the documents here (free, or after paying the fee).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { actorOf, getSessionUser, requirePermission } from '~/modules/auth/session.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { documentAccess, obtainDocuments } from '~/modules/bidding/documents.server';
import { BiddingError } from '~/modules/bidding/errors';
import { getTender } from '~/modules/bidding/tenders.server';
import { formatBytes, formatFenText, METHOD_LABELS, TENDER_STATUS_LABELS } from '~/modules/bidding/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.tender.name ?? '招标项目'} - 江城市公共资源交易平台` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const t = await getTender(params.id!);
  const own = !!t && !!user?.organizationId && t.agentOrgId === user.organizationId;
  if (!t || (t.status === 'draft' && !own)) throw new Response('招标项目不存在', { status: 404 });
  const access = user && can(user.role, 'download:tender-document') ? await documentAccess(user, t.id) : null;
  const open = t.status === 'published' && now() < t.bidDeadline;
  const canSeeDocs = own || user?.role === 'supervisor' || !!access?.holder;
  return {
    tender: {
      id: t.id,
      code: t.code,
      name: t.name,
      tendererName: t.tendererName,
      method: t.method,
      summary: t.summary,
      status: t.status,
      bidDeadline: t.bidDeadline.toISOString(),
      depositFen: t.depositFen,
      documentFeeFen: t.documentFeeFen,
      publishedAt: t.publishedAt?.toISOString() ?? null,
      openingCertSha256: t.status === 'draft' ? null : t.openingCertSha256,
      cancelReason: t.cancelReason,
      threshold: t.threshold,
    },
    sections: t.sections.map((s) => ({ id: s.id, seq: s.seq, name: s.name, budgetFen: s.budgetFen === null ? null : Number(s.budgetFen) })),
    documents: t.documents.map((d) => ({ id: d.id, name: d.name, size: d.size, sha256: d.sha256, amendmentId: d.amendmentId })),
    amendments: t.amendments.map((a) => ({ id: a.id, seq: a.seq, kind: a.kind, title: a.title, body: a.body, reason: a.reason, createdAt: a.createdAt.toISOString(), newDeadline: a.newDeadline.toISOString(), extended: a.newDeadline.getTime() !== a.oldDeadline.getTime() })),
    open,
    own,
    canSeeDocs,
    isBidder: !!user && can(user.role, 'submit:bid'),
    isSupervisor: !!user && can(user.role, 'read:bidders:any'),
    loggedIn: !!user,
    access,
    now: now().toISOString(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'download:tender-document');
  try {
    const r = await obtainDocuments(actorOf(request, user), user, params.id!);
    if (!r.granted) return redirect(r.payUrl);
    return redirect(`/tenders/${params.id}?obtained=1`);
  } catch (e) {
    if (e instanceof BiddingError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}

export default function TenderDetail() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const nav = useNavigation();
  const t = d.tender;
  const mainDocs = d.documents.filter((x) => !x.amendmentId);
  return (
    <div className="two-col">
      <div>
        <section className="panel">
          <p className="crumbs">
            <Link to="/tenders">招标项目</Link> / {t.code}
          </p>
          <div className="panel-head">
            <h1>{t.name}</h1>
            <span className={`t-state t-${t.status}`}>{TENDER_STATUS_LABELS[t.status]}</span>
          </div>
          <dl className="bd-facts">
            <dt>项目编号</dt>
            <dd>
              <code>{t.code}</code>
            </dd>
            <dt>招标人</dt>
            <dd>{t.tendererName}</dd>
            <dt>招标方式</dt>
            <dd>{METHOD_LABELS[t.method]}</dd>
            <dt>投标截止 / 开标时间</dt>
            <dd>
              <strong>{formatDateTime(t.bidDeadline)}</strong>（北京时间，以平台可信时间为准）
            </dd>
            <dt>招标文件费</dt>
            <dd>{t.documentFeeFen > 0 ? formatFenText(t.documentFeeFen) : '免费'}</dd>
            <dt>投标保证金</dt>
            <dd>{t.depositFen > 0 ? `${formatFenText(t.depositFen)} / 标段（可在线缴纳或提交银行保函）` : '不收取'}</dd>
            <dt>发布时间</dt>
            <dd>{formatDateTime(t.publishedAt)}</dd>
          </dl>
          {t.status === 'cancelled' ? <p className="notice danger">本项目已终止招标。原因：{t.cancelReason}</p> : null}
          <h2>项目概况</h2>
          <p className="bd-prewrap">{t.summary}</p>
          <h2>标段</h2>
          <table className="data">
            <thead>
              <tr>
                <th>标段</th>
                <th>名称</th>
                <th className="num">最高投标限价</th>
              </tr>
            </thead>
            <tbody>
              {d.sections.map((s) => (
                <tr key={s.id}>
                  <td>第{s.seq}标段</td>
                  <td>{s.name}</td>
                  <td className="num">{s.budgetFen != null ? formatFenText(s.budgetFen) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {d.amendments.length ? (
          <section className="panel">
            <h2>澄清与修改</h2>
            {d.amendments.map((m) => (
              <article key={m.id} className="bd-amendment">
                <h3>
                  第{m.seq}号{m.kind === 'clarification' ? '澄清' : '修改'}：{m.title}
                </h3>
                <p className="muted">
                  {formatDateTime(m.createdAt)}
                  {m.extended ? ` · 投标截止时间顺延至 ${formatDateTime(m.newDeadline)}` : ''}
                </p>
                <p className="bd-prewrap">{m.body}</p>
                <p className="muted">原因：{m.reason}</p>
              </article>
            ))}
          </section>
        ) : null}
      </div>
      <aside>
        <section className="panel">
          <h2>招标文件</h2>
          {d.canSeeDocs ? (
            <ul className="bd-doc-list">
              {d.documents.map((x) => (
                <li key={x.id}>
                  <a href={`/tenders/${t.id}/documents/${x.id}`} download>
                    {x.name}
                  </a>
                  <small className="muted">
                    {formatBytes(x.size)} · SHA-256 <code title={x.sha256}>{x.sha256.slice(0, 12)}…</code>
                  </small>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">共 {mainDocs.length} 个文件。获取后可下载。</p>
          )}
          {d.isBidder && d.access && !d.access.holder ? (
            d.open ? (
              <Form method="post">
                {a && 'error' in a ? (
                  <p className="notice danger" role="alert">
                    {a.error}
                  </p>
                ) : null}
                <button type="submit" className="btn btn-primary btn-block" disabled={nav.state !== 'idle'}>
                  {t.documentFeeFen > 0 ? `支付 ${formatFenText(t.documentFeeFen)} 并获取招标文件` : '免费获取招标文件'}
                </button>
                <p className="hint">获取记录仅监督人员可见，不向招标人和其他投标人公开。</p>
              </Form>
            ) : (
              <p className="muted">已停止发售招标文件。</p>
            )
          ) : null}
          {!d.loggedIn && d.open ? (
            <p>
              <Link to={`/login?redirectTo=/tenders/${t.id}`}>登录</Link>后获取招标文件并投标。
            </p>
          ) : null}
          {d.isBidder && d.access?.holder ? (
            <p>
              <Link className="btn btn-primary btn-block" to={`/tenders/${t.id}/bid`}>
                {d.open ? '递交 / 修改投标文件' : '我的投标文件'}
              </Link>
            </p>
          ) : null}
          {d.own ? (
            <p>
              <Link className="btn btn-primary btn-block" to={`/tenders/${t.id}/manage`}>
                办理本项目
              </Link>
            </p>
          ) : null}
          {d.isSupervisor ? (
            <p>
              <Link className="btn btn-block" to={`/tenders/${t.id}/supervise`}>
                监督：获取与递交情况
              </Link>
            </p>
          ) : null}
        </section>
        {t.openingCertSha256 ? (
          <section className="panel">
            <h2>开标证书</h2>
            <p className="hint">投标文件在投标人浏览器中加密至此证书；私钥已按 {t.threshold} 人门限拆分保管，截止前任何人无法解密。</p>
            <p>
              <code className="bd-wrap">{t.openingCertSha256}</code>
            </p>
            <a href={`/tenders/${t.id}/opening-cert`}>下载开标证书（PEM）</a>
          </section>
        ) : null}
      </aside>
    </div>
  );
}
