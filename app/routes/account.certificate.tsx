// 我的数字证书: apply for a certificate (key generated in this browser), import a .p12 backup,
// download certificates, revoke one's own.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { REVOCATION_REASON_LABELS, REVOCATION_REASONS, TrustError } from '~/modules/pki/protocol';
import { certInfo, pemToDer } from '../../crypto/pki';
import { certificatesOf, findCertificate, revokeCertificate } from '~/modules/pki/user-certs.server';
import { formatDate, formatDateTime } from '~/ui/format';
import { ImportP12 } from '~/ui/sign-button';

export const meta: MetaFunction = () => [{ title: '我的数字证书 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'manage:certificate:own');
  const t = now();
  const rows = await certificatesOf(user.id);
  return {
    userId: user.id,
    displayName: user.displayName,
    organization: user.organization?.name ?? null,
    certificates: rows.map((c) => ({
      ...holderOf(c.pem),
      id: c.id,
      serialHex: c.serialHex,
      sha256: c.sha256,
      subject: c.subject,
      issuer: c.issuer,
      pem: c.pem,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      revokedAt: c.revokedAt?.toISOString() ?? null,
      revocationReason: c.revocationReason,
      status: c.revokedAt ? 'revoked' : c.notAfter <= t ? 'expired' : 'active',
    })),
  };
}

function holderOf(pem: string) {
  const i = certInfo(pemToDer(pem));
  return { cn: i.commonName, org: i.organization ?? null, creditCode: i.creditCode ?? null };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:certificate:own');
  const form = await request.formData();
  if (form.get('intent') !== 'revoke') return Response.json({ error: '未知操作' }, { status: 400 });
  const id = String(form.get('certificateId') ?? '');
  const reason = String(form.get('reason') ?? '');
  const cert = await findCertificate(id);
  // Someone else's certificate looks exactly like a missing one.
  if (!cert || cert.userId !== user.id) return Response.json({ error: '证书不存在' }, { status: 404 });
  if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) return Response.json({ error: '请选择注销原因', field: 'reason', id }, { status: 400 });
  try {
    await revokeCertificate(actorOf(request, user), id, reason);
    return { ok: `证书 ${cert.serialHex.slice(0, 12)}… 已注销，并已列入证书吊销列表（CRL）。` };
  } catch (e) {
    if (e instanceof TrustError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}

const STATUS_LABEL: Record<string, string> = { active: '有效', revoked: '已注销', expired: '已过期' };

function download(name: string, bytes: Uint8Array | string, type: string) {
  const blob = new Blob([bytes as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function groupHex(hex: string) {
  return hex.toUpperCase().match(/.{1,2}/g)!.join(':');
}

export default function MyCertificates() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { ok?: string; error?: string } | undefined;
  const nav = useNavigation();
  const revalidator = useRevalidator();
  const [localShas, setLocalShas] = useState<Set<string> | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);

  async function refreshLocal() {
    const ks = await import('~/ui/keystore.client');
    try {
      setLocalShas(new Set((await ks.listLocalKeys()).map((k) => k.certSha256)));
    } catch {
      setLocalShas(new Set());
    }
  }
  useEffect(() => {
    void refreshLocal();
  }, [d.certificates.length]);

  return (
    <>
      <section className="panel">
        <div className="panel-head">
          <h1>我的数字证书</h1>
          <a className="btn btn-small" href="/pki/ca.pem" download="平台根证书.pem">
            下载平台根证书
          </a>
        </div>
        <p className="muted">
          数字证书用于投标文件签名与加密、合同签署、开标签到和证书登录。私钥在您的浏览器中生成并保存，平台不保存、也无法取得您的私钥；请妥善保管证书备份文件（.p12）及其密码。
        </p>
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
        {d.certificates.length === 0 ? (
          <p className="empty">您还没有数字证书，请在下方申请。</p>
        ) : (
          <div className="table-wrap">
            <table className="data cert-table">
              <thead>
                <tr>
                  <th scope="col">证书主题</th>
                  <th scope="col">序列号</th>
                  <th scope="col">有效期</th>
                  <th scope="col">SHA-256 指纹</th>
                  <th scope="col">状态</th>
                  <th scope="col">本机私钥</th>
                  <th scope="col">操作</th>
                </tr>
              </thead>
              <tbody>
                {d.certificates.map((c) => (
                  <tr key={c.id} data-cert={c.sha256}>
                    <td className="subject" title={c.subject}>
                      <strong>{c.cn}</strong>
                      {c.org ? <span>{c.org}</span> : null}
                      {c.creditCode ? <small className="muted">统一社会信用代码 {c.creditCode}</small> : null}
                    </td>
                    <td>
                      <code title={c.serialHex}>{c.serialHex.slice(0, 12)}…</code>
                    </td>
                    <td>
                      {formatDate(c.notBefore)} 至 {formatDate(c.notAfter)}
                    </td>
                    <td>
                      <code className="fingerprint" title={groupHex(c.sha256)}>
                        {groupHex(c.sha256.slice(0, 16))}…
                      </code>
                    </td>
                    <td>
                      <span className={`status status-${c.status}`}>{STATUS_LABEL[c.status]}</span>
                      {c.revokedAt ? <small className="muted"> {formatDateTime(c.revokedAt)}</small> : null}
                    </td>
                    <td>{localShas === null ? '…' : localShas.has(c.sha256) ? '已保存' : '—'}</td>
                    <td className="cell-actions">
                      <button type="button" className="link-button" onClick={() => download(`证书-${c.serialHex.slice(0, 8)}.pem`, c.pem, 'application/x-pem-file')}>
                        下载证书
                      </button>
                      {c.status === 'active' ? (
                        revoking === c.id ? (
                          <Form method="post" className="revoke-form">
                            <input type="hidden" name="intent" value="revoke" />
                            <input type="hidden" name="certificateId" value={c.id} />
                            <label>
                              注销原因
                              <select name="reason" defaultValue="" required>
                                <option value="" disabled>
                                  请选择
                                </option>
                                {REVOCATION_REASONS.map((r) => (
                                  <option key={r} value={r}>
                                    {REVOCATION_REASON_LABELS[r]}
                                  </option>
                                ))}
                              </select>
                            </label>
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
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div className="two-col">
        <EnrollPanel userId={d.userId} subject={`${d.displayName}${d.organization ? ` · ${d.organization}` : ''}`} onDone={() => revalidator.revalidate()} />
        <section className="panel">
          <h2>导入证书备份</h2>
          <p className="muted">在其他电脑上申请过证书，或持有 CA 机构颁发的证书文件（.p12 / .pfx），可导入到本机浏览器使用。</p>
          <ImportP12 userId={d.userId} onImported={() => refreshLocal()} />
        </section>
      </div>
    </>
  );
}

function EnrollPanel({ userId, subject, onDone }: { userId: string; subject: string; onDone: () => void }) {
  const [step, setStep] = useState<string | null>(null);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [done, setDone] = useState<{ p12: Uint8Array; serial: string } | null>(null);

  async function onSubmit(ev: React.FormEvent<HTMLFormElement>) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const pw = (form.elements.namedItem('backupPassword') as HTMLInputElement).value;
    const pw2 = (form.elements.namedItem('backupPassword2') as HTMLInputElement).value;
    if (pw.length < 8) return setError({ field: 'backupPassword', message: '备份密码至少 8 位' });
    if (pw !== pw2) return setError({ field: 'backupPassword2', message: '两次输入的密码不一致' });
    setError(null);
    try {
      const ks = await import('~/ui/keystore.client');
      const r = await ks.generateAndEnroll({ userId, backupPassword: pw, onStep: setStep });
      setDone({ p12: r.p12, serial: r.key.serialHex });
      download(`数字证书备份-${r.key.serialHex.slice(0, 8)}.p12`, r.p12, 'application/x-pkcs12');
      form.reset();
      onDone();
    } catch (e) {
      setError({ message: e instanceof Error ? e.message : String(e) });
    } finally {
      setStep(null);
    }
  }

  return (
    <section className="panel">
      <h2>申请新证书</h2>
      <p className="muted">
        证书主题：<strong>{subject}</strong>。将在本浏览器中生成 RSA-3072 密钥对，同一密钥用于签名和解密（投标文件会同时加密给您本人的证书）。
      </p>
      {done ? (
        <div className="notice success" role="status">
          <p>证书已签发并保存到本机（序列号 {done.serial.slice(0, 12)}…）。备份文件已开始下载，这是私钥唯一的备份，请离线妥善保存。</p>
          <button type="button" className="btn btn-small" onClick={() => download(`数字证书备份-${done.serial.slice(0, 8)}.p12`, done.p12, 'application/x-pkcs12')}>
            再次下载备份文件
          </button>
        </div>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        <div className={`field${error?.field === 'backupPassword' ? ' has-error' : ''}`}>
          <label htmlFor="backupPassword">设置备份密码</label>
          <input id="backupPassword" name="backupPassword" type="password" autoComplete="new-password" aria-describedby="bp-hint" />
          <p className="hint" id="bp-hint">
            用于保护证书备份文件（.p12），至少 8 位。平台不保存此密码，遗失后无法找回。
          </p>
          {error?.field === 'backupPassword' ? <p className="field-errors">{error.message}</p> : null}
        </div>
        <div className={`field${error?.field === 'backupPassword2' ? ' has-error' : ''}`}>
          <label htmlFor="backupPassword2">确认备份密码</label>
          <input id="backupPassword2" name="backupPassword2" type="password" autoComplete="new-password" />
          {error?.field === 'backupPassword2' ? <p className="field-errors">{error.message}</p> : null}
        </div>
        {error && !error.field ? (
          <p className="form-errors" role="alert">
            {error.message}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={step !== null}>
          {step ?? '生成密钥并申请证书'}
        </button>
      </form>
    </section>
  );
}
