// 证书管理 (center administrator): every user certificate, with revocation.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { REVOCATION_REASON_LABELS, REVOCATION_REASONS, TrustError } from '~/modules/pki/protocol';
import { certInfo, pemToDer } from '../../crypto/pki';
import { listCertificates, revokeCertificate } from '~/modules/pki/user-certs.server';
import { formatDate, formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '证书管理 - 江城市公共资源交易平台' }];

const STATUSES = ['active', 'revoked', 'expired'] as const;
const STATUS_LABEL: Record<string, string> = { active: '有效', revoked: '已注销', expired: '已过期' };

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:keys');
  const u = new URL(request.url).searchParams;
  const status = (STATUSES as readonly string[]).includes(u.get('status') ?? '') ? (u.get('status') as (typeof STATUSES)[number]) : undefined;
  const q = u.get('q')?.trim().slice(0, 64) || undefined;
  const r = await listCertificates({ q, status, page: Number(u.get('page')) || 1 });
  const t = now();
  return {
    filter: { q: q ?? '', status: status ?? '' },
    total: r.total,
    page: r.page,
    pageSize: r.pageSize,
    rows: r.rows.map((c) => ({
      ...holderOf(c.pem),
      id: c.id,
      subject: c.subject,
      issuer: c.issuer,
      serialHex: c.serialHex,
      sha256: c.sha256,
      notAfter: c.notAfter.toISOString(),
      createdAt: c.createdAt.toISOString(),
      revokedAt: c.revokedAt?.toISOString() ?? null,
      revocationReason: c.revocationReason,
      user: c.user ? `${c.user.displayName}（${c.user.username}）` : '—',
      status: c.revokedAt ? 'revoked' : c.notAfter <= t ? 'expired' : 'active',
    })),
  };
}

function holderOf(pem: string) {
  const i = certInfo(pemToDer(pem));
  return { cn: i.commonName, org: i.organization ?? null, creditCode: i.creditCode ?? null };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:keys');
  const form = await request.formData();
  const id = String(form.get('certificateId') ?? '');
  const reason = String(form.get('reason') ?? '');
  if (form.get('intent') !== 'revoke' || !id) return Response.json({ error: '未知操作' }, { status: 400 });
  if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) return Response.json({ error: '请选择注销原因' }, { status: 400 });
  try {
    await revokeCertificate(actorOf(request, user), id, reason);
    return { ok: '证书已注销，并已列入证书吊销列表（CRL）。' };
  } catch (e) {
    if (e instanceof TrustError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}

export default function AdminCertificates() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { ok?: string; error?: string } | undefined;
  const nav = useNavigation();
  const [revoking, setRevoking] = useState<string | null>(null);
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>证书管理</h1>
        <span>
          <a className="btn btn-small" href="/pki/ca.pem">
            平台根证书
          </a>{' '}
          <a className="btn btn-small" href="/pki/crl.der">
            证书吊销列表（CRL）
          </a>
        </span>
      </div>
      {result?.ok ? (
        <p className="notice success" role="status">
          {result.ok}
        </p>
      ) : null}
      {result?.error ? (
        <p className="form-errors" role="alert">
          {result.error}
        </p>
      ) : null}
      <Form method="get" className="filters" role="search">
        <label>
          主题 / 序列号 / 指纹
          <input name="q" defaultValue={d.filter.q} />
        </label>
        <label>
          状态
          <select name="status" defaultValue={d.filter.status}>
            <option value="">全部</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" type="submit">
          筛选
        </button>
      </Form>
      <div className="table-wrap">
        <table className="data cert-table">
          <thead>
            <tr>
              <th scope="col">持有人</th>
              <th scope="col">证书主题</th>
              <th scope="col">序列号</th>
              <th scope="col">签发时间</th>
              <th scope="col">有效期至</th>
              <th scope="col">状态</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  没有符合条件的证书
                </td>
              </tr>
            ) : null}
            {d.rows.map((c) => (
              <tr key={c.id}>
                <td>{c.user}</td>
                <td className="subject" title={`${c.subject}\n颁发者：${c.issuer}`}>
                  <strong>{c.cn}</strong>
                  {c.org ? <span>{c.org}</span> : null}
                  {c.creditCode ? <small className="muted">统一社会信用代码 {c.creditCode}</small> : null}
                </td>
                <td>
                  <code title={c.serialHex}>{c.serialHex.slice(0, 12)}…</code>
                </td>
                <td>{formatDateTime(c.createdAt)}</td>
                <td>{formatDate(c.notAfter)}</td>
                <td>
                  <span className={`status status-${c.status}`}>{STATUS_LABEL[c.status]}</span>
                  {c.revocationReason ? <small className="muted"> {REVOCATION_REASON_LABELS[c.revocationReason as keyof typeof REVOCATION_REASON_LABELS] ?? c.revocationReason}</small> : null}
                </td>
                <td className="cell-actions">
                  {c.status === 'active' ? (
                    revoking === c.id ? (
                      <Form method="post" className="revoke-form">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="certificateId" value={c.id} />
                        <select name="reason" defaultValue="" required aria-label="注销原因">
                          <option value="" disabled>
                            注销原因
                          </option>
                          {REVOCATION_REASONS.map((r) => (
                            <option key={r} value={r}>
                              {REVOCATION_REASON_LABELS[r]}
                            </option>
                          ))}
                        </select>
                        <button type="submit" className="btn btn-danger btn-small" disabled={nav.state === 'submitting'}>
                          确认注销
                        </button>
                        <button type="button" className="link-button" onClick={() => setRevoking(null)}>
                          取消
                        </button>
                      </Form>
                    ) : (
                      <button type="button" className="link-button danger" onClick={() => setRevoking(c.id)}>
                        注销
                      </button>
                    )
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}
