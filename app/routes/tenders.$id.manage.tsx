// 项目办理 (agent): upload the tender documents, run the opening-key ceremony in this browser and
// publish, then issue clarifications/modifications (澄清/修改) or cancel; after the deadline, verify
// bank guarantees.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useRef, useState } from 'react';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { decideGuarantee, listGuaranteesAfterDeadline } from '~/modules/bidding/deposits.server';
import { removeTenderDocument } from '~/modules/bidding/documents.server';
import { BiddingError } from '~/modules/bidding/errors';
import { amendTender, cancelTender, ceremonyHolders, getTender } from '~/modules/bidding/tenders.server';
import { AMENDMENT_NOTICE_DAYS, DAY_MS, formatBytes, formatFenText, MAX_TENDER_DOCUMENT_BYTES, TENDER_STATUS_LABELS, toBeijingLocal } from '~/modules/bidding/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '项目办理 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'update:tender:own');
  const t = await getTender(params.id!);
  if (!t) throw new Response('招标项目不存在', { status: 404 });
  if (t.agentOrgId !== user.organizationId) throw new Response('只能办理本单位的招标项目', { status: 403 });
  const deadlinePassed = now() >= t.bidDeadline;
  return {
    tender: {
      id: t.id,
      code: t.code,
      name: t.name,
      status: t.status,
      threshold: t.threshold,
      bidDeadline: t.bidDeadline.toISOString(),
      depositFen: t.depositFen,
      documentFeeFen: t.documentFeeFen,
      openingCertSha256: t.openingCertSha256,
    },
    sections: t.sections.map((s) => ({ id: s.id, seq: s.seq, name: s.name })),
    documents: t.documents.map((d) => ({ id: d.id, name: d.name, size: d.size, sha256: d.sha256, createdAt: d.createdAt.toISOString() })),
    holders: (await ceremonyHolders(t.id)).map((h) => ({ userId: h.userId, shareIndex: h.shareIndex, kind: h.kind, name: h.displayName, certPem: h.cert?.certPem ?? null, certSha256: h.cert?.sha256 ?? null, hasShare: h.hasShare })),
    guarantees: deadlinePassed ? ((await listGuaranteesAfterDeadline(user, t.id)) ?? []).map((g) => ({ id: g.id, orgName: g.orgName, bank: g.bank, reference: g.reference, amountFen: g.amountFen, status: g.status, sectionId: g.sectionId })) : null,
    minExtension: toBeijingLocal(new Date(now().getTime() + AMENDMENT_NOTICE_DAYS * DAY_MS + 3600_000)),
    lessThan15: t.bidDeadline.getTime() - now().getTime() < AMENDMENT_NOTICE_DAYS * DAY_MS,
    created: new URL(request.url).searchParams.get('created') === '1',
  };
}

const amendSchema = z.object({
  kind: z.enum(['clarification', 'modification'], { errorMap: () => ({ message: '请选择类型' }) }),
  title: z.string({ required_error: '请填写标题' }).trim().min(2, '请填写标题').max(100),
  body: z.string({ required_error: '请填写内容' }).trim().min(5, '请填写澄清或修改内容').max(8000),
  reason: z.string({ required_error: '请填写原因' }).trim().min(2, '请填写原因').max(500),
  newDeadline: z.string().optional(),
  noImpact: z.literal('on').optional(),
});

type ActionData = { ok?: string; error?: string; fieldErrors?: Record<string, string[]>; intent?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'update:tender:own');
  const form = Object.fromEntries(await request.formData()) as Record<string, string>;
  const actor = actorOf(request, user);
  const intent = form.intent;
  try {
    if (intent === 'remove-doc') {
      await removeTenderDocument(actor, user, params.id!, form.documentId ?? '');
      return { ok: '已删除' } satisfies ActionData;
    }
    if (intent === 'amend') {
      const p = amendSchema.safeParse(form);
      if (!p.success) return Response.json({ intent, fieldErrors: p.error.flatten().fieldErrors } satisfies ActionData, { status: 400 });
      await amendTender(actor, user, params.id!, { ...p.data, newDeadline: p.data.newDeadline || undefined, noImpact: p.data.noImpact === 'on' });
      return { intent, ok: '澄清/修改公告已发布，已通知全部已获取招标文件的单位。' } satisfies ActionData;
    }
    if (intent === 'cancel') {
      const reason = (form.reason ?? '').trim();
      if (reason.length < 4) return Response.json({ intent, fieldErrors: { reason: ['请填写终止原因（至少4个字）'] } } satisfies ActionData, { status: 400 });
      await cancelTender(actor, user, params.id!, reason.slice(0, 500));
      return redirect(`/tenders/${params.id}`);
    }
    if (intent === 'guarantee') {
      await decideGuarantee(actor, user, { tenderId: params.id!, guaranteeId: form.guaranteeId ?? '', verified: form.verified === '1', note: (form.note ?? '').slice(0, 200) });
      return { ok: '已记录保函核验结果' } satisfies ActionData;
    }
    return Response.json({ error: '未知操作' } satisfies ActionData, { status: 400 });
  } catch (e) {
    if (e instanceof BiddingError) return Response.json({ intent, error: Object.keys(e.fieldErrors).length ? undefined : e.message, fieldErrors: e.fieldErrors } satisfies ActionData, { status: e.status });
    throw e;
  }
}

function DocumentUploader({ tenderId, onDone }: { tenderId: string; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function upload(files: FileList | null) {
    if (!files?.length) return;
    setError(null);
    for (const f of Array.from(files)) {
      if (f.size > MAX_TENDER_DOCUMENT_BYTES) {
        setError(`${f.name} 超过 200 MB`);
        continue;
      }
      await new Promise<void>((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `/api/uploads/tender-docs/${tenderId}?name=${encodeURIComponent(f.name)}`);
        xhr.setRequestHeader('Content-Type', f.type || 'application/octet-stream');
        xhr.upload.onprogress = (e) => setProgress(Math.round((e.loaded / Math.max(e.total, 1)) * 100));
        xhr.onload = () => {
          if (xhr.status >= 300) setError((JSON.parse(xhr.responseText || '{}') as { error?: string }).error ?? `上传失败（${xhr.status}）`);
          resolve();
        };
        xhr.onerror = () => {
          setError('网络中断，请重试');
          resolve();
        };
        xhr.send(f);
      });
    }
    setProgress(null);
    if (input.current) input.current.value = '';
    onDone();
  }
  return (
    <div className="field">
      <label htmlFor="tender-doc-file">上传招标文件（PDF、ZIP、Word 等，单个不超过 200 MB）</label>
      <input id="tender-doc-file" ref={input} type="file" multiple onChange={(e) => void upload(e.currentTarget.files)} />
      {progress !== null ? <progress max={100} value={progress} aria-label="上传进度" /> : null}
      {error ? (
        <p className="field-errors" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

type Holder = { userId: string; shareIndex: number; kind: string; name: string; certPem: string | null; certSha256: string | null; hasShare: boolean };

const STEP_LABELS: Record<string, string> = {
  generate: '正在本浏览器中生成 RSA-3072 开标密钥对…',
  certify: '正在请平台 CA 签发开标证书…',
  split: '正在按门限拆分私钥…',
  encrypt: '正在用各持有人的证书加密密钥份额…',
  done: '密钥份额已加密，私钥已从内存清除。',
  publish: '正在发布招标公告…',
};

function Ceremony({ tenderId, k, holders, documents, onDone }: { tenderId: string; k: number; holders: Holder[]; documents: number; onDone: () => void }) {
  const [step, setStep] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const missing = holders.filter((h) => !h.certPem);
  async function run() {
    setError(null);
    try {
      const { runOpeningKeyCeremony } = await import('~/modules/bidding/ceremony');
      const result = await runOpeningKeyCeremony({
        k,
        holders: holders.map((h) => ({ userId: h.userId, certPem: h.certPem! })),
        onStep: (s) => setStep(s),
        requestCertificate: async (spkiB64, keyId) => {
          const r = await fetch(`/tenders/${tenderId}/ceremony`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ step: 'certify', spkiB64, keyId }) });
          const b = (await r.json()) as { certPem?: string; error?: string };
          if (!r.ok || !b.certPem) throw new Error(b.error ?? '签发开标证书失败');
          return b.certPem;
        },
      });
      setStep('publish');
      const r = await fetch(`/tenders/${tenderId}/ceremony`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ step: 'publish', shares: result.shares.map((s) => ({ userId: s.userId, shareIndex: s.shareIndex, encryptedShareB64: s.encryptedShareB64, holderCertSha256: s.holderCertSha256 })) }),
      });
      const b = (await r.json()) as { error?: string };
      if (!r.ok) throw new Error(b.error ?? '发布失败');
      setStep(null);
      onDone();
    } catch (e) {
      setStep(null);
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <div>
      <table className="data">
        <thead>
          <tr>
            <th>份额</th>
            <th>持有人</th>
            <th>加密证书</th>
          </tr>
        </thead>
        <tbody>
          {holders.map((h) => (
            <tr key={h.userId}>
              <td>#{h.shareIndex}</td>
              <td>
                {h.name} <small className="muted">{h.kind === 'agent' ? '代理机构' : '监督人员'}</small>
              </td>
              <td>{h.certSha256 ? <code title={h.certSha256}>{h.certSha256.slice(0, 16)}…</code> : <span className="status-bad">尚未申领数字证书</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        开标私钥将在<strong>您的浏览器</strong>中生成，拆分为 {holders.length} 份（任意 {k} 份可恢复），每份只用对应持有人的证书加密后上传；私钥本身不离开本浏览器且随即清除，平台从不持有。
      </p>
      {missing.length ? <p className="notice warning">以下持有人须先在“数字证书”页面申领证书：{missing.map((m) => m.name).join('、')}</p> : null}
      {documents === 0 ? <p className="notice warning">请先上传招标文件。</p> : null}
      {step ? (
        <p className="notice" role="status" aria-live="polite">
          {STEP_LABELS[step]}
        </p>
      ) : null}
      {error ? (
        <p className="notice danger" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" className="btn btn-primary" disabled={!!step || missing.length > 0 || documents === 0} onClick={() => void run()}>
        生成开标密钥并发布招标公告
      </button>
    </div>
  );
}

export default function ManageTender() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<ActionData>();
  const nav = useNavigation();
  const rv = useRevalidator();
  const t = d.tender;
  const [extend, setExtend] = useState(d.lessThan15);
  const busy = nav.state !== 'idle';
  return (
    <div>
      <section className="panel">
        <p className="crumbs">
          <Link to="/tenders?mine=1">本单位招标项目</Link> / <Link to={`/tenders/${t.id}`}>{t.code}</Link> / 办理
        </p>
        <div className="panel-head">
          <h1>{t.name}</h1>
          <span className={`t-state t-${t.status}`}>{TENDER_STATUS_LABELS[t.status]}</span>
        </div>
        {d.created ? <p className="notice success">草稿已保存。请上传招标文件，然后生成开标密钥并发布。</p> : null}
        {a?.ok ? (
          <p className="notice success" role="status">
            {a.ok}
          </p>
        ) : null}
        {a?.error && !a.intent ? (
          <p className="notice danger" role="alert">
            {a.error}
          </p>
        ) : null}
        <p>
          投标截止 / 开标时间：<strong>{formatDateTime(t.bidDeadline)}</strong> · 招标文件费 {t.documentFeeFen ? formatFenText(t.documentFeeFen) : '免费'} · 保证金{' '}
          {t.depositFen ? `${formatFenText(t.depositFen)}/标段` : '不收取'} · 标段 {d.sections.length} 个 · 门限 {t.threshold}/{d.holders.length}
        </p>
      </section>

      <section className="panel">
        <h2>1. 招标文件</h2>
        {d.documents.length ? (
          <ul className="bd-doc-list">
            {d.documents.map((x) => (
              <li key={x.id}>
                <a href={`/tenders/${t.id}/documents/${x.id}`}>{x.name}</a>
                <small className="muted">
                  {formatBytes(x.size)} · SHA-256 <code>{x.sha256.slice(0, 16)}…</code>
                </small>
                {t.status === 'draft' ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="remove-doc" />
                    <input type="hidden" name="documentId" value={x.id} />
                    <button className="link-button" type="submit">
                      删除
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">尚未上传招标文件。</p>
        )}
        {t.status === 'draft' || t.status === 'published' ? <DocumentUploader tenderId={t.id} onDone={() => rv.revalidate()} /> : null}
        {t.status === 'published' ? <p className="hint">发布后新增的文件请同时发布澄清/修改公告说明。</p> : null}
      </section>

      <section className="panel">
        <h2>2. 开标密钥与发布</h2>
        {t.status === 'draft' ? (
          <Ceremony tenderId={t.id} k={t.threshold} holders={d.holders} documents={d.documents.length} onDone={() => rv.revalidate()} />
        ) : (
          <div>
            <p className="notice success">
              已完成开标密钥生成并发布。开标证书 SHA-256：<code className="bd-wrap">{t.openingCertSha256}</code>
            </p>
            <ul>
              {d.holders.map((h) => (
                <li key={h.userId}>
                  份额 #{h.shareIndex}：{h.name}（{h.kind === 'agent' ? '代理机构' : '监督人员'}）{h.hasShare ? '· 已加密保存' : ''}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {t.status === 'published' ? (
        <section className="panel">
          <h2>3. 澄清 / 修改</h2>
          <Form method="post" className="bd-stack">
            <input type="hidden" name="intent" value="amend" />
            {a?.intent === 'amend' && a.error ? (
              <p className="notice danger" role="alert">
                {a.error}
              </p>
            ) : null}
            <div className="field">
              <label htmlFor="am-kind">类型</label>
              <select id="am-kind" name="kind" defaultValue="clarification">
                <option value="clarification">澄清</option>
                <option value="modification">修改</option>
              </select>
            </div>
            <div className={`field${a?.fieldErrors?.title ? ' has-error' : ''}`}>
              <label htmlFor="am-title">标题</label>
              <input id="am-title" name="title" />
              {a?.fieldErrors?.title ? <p className="field-errors">{a.fieldErrors.title[0]}</p> : null}
            </div>
            <div className={`field${a?.fieldErrors?.body ? ' has-error' : ''}`}>
              <label htmlFor="am-body">内容</label>
              <textarea id="am-body" name="body" rows={5} />
              {a?.fieldErrors?.body ? <p className="field-errors">{a.fieldErrors.body[0]}</p> : null}
            </div>
            <div className={`field${a?.fieldErrors?.reason ? ' has-error' : ''}`}>
              <label htmlFor="am-reason">原因</label>
              <input id="am-reason" name="reason" />
              {a?.fieldErrors?.reason ? <p className="field-errors">{a.fieldErrors.reason[0]}</p> : null}
            </div>
            {d.lessThan15 ? <p className="notice warning">距投标截止已不足{AMENDMENT_NOTICE_DAYS}日：澄清或修改可能影响投标文件编制的，应当顺延投标截止时间。</p> : null}
            <label className="bd-check">
              <input type="checkbox" checked={extend} onChange={(e) => setExtend(e.currentTarget.checked)} /> 顺延投标截止时间
            </label>
            {extend ? (
              <div className={`field${a?.fieldErrors?.newDeadline ? ' has-error' : ''}`}>
                <label htmlFor="am-deadline">新的投标截止时间（北京时间）</label>
                <input id="am-deadline" type="datetime-local" name="newDeadline" defaultValue={d.minExtension} />
              </div>
            ) : null}
            {a?.fieldErrors?.newDeadline ? (
              <p className="field-errors" role="alert">
                {a.fieldErrors.newDeadline[0]}
              </p>
            ) : null}
            {d.lessThan15 && !extend ? (
              <label className="bd-check">
                <input type="checkbox" name="noImpact" /> 本次澄清不影响投标文件编制，无需顺延
              </label>
            ) : null}
            <button type="submit" className="btn btn-primary" disabled={busy}>
              发布澄清/修改公告并通知已获取文件的单位
            </button>
          </Form>
        </section>
      ) : null}

      {d.guarantees ? (
        <section className="panel">
          <h2>保函核验（投标截止后）</h2>
          {d.guarantees.length === 0 ? (
            <p className="muted">没有投标人提交保函。</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th>投标人</th>
                  <th>标段</th>
                  <th>开立银行</th>
                  <th>保函编号</th>
                  <th className="num">金额</th>
                  <th>状态</th>
                  <th>核验</th>
                </tr>
              </thead>
              <tbody>
                {d.guarantees.map((g) => (
                  <tr key={g.id}>
                    <td>{g.orgName}</td>
                    <td>第{d.sections.find((s) => s.id === g.sectionId)?.seq}标段</td>
                    <td>{g.bank}</td>
                    <td>
                      <code>{g.reference}</code>
                    </td>
                    <td className="num">{formatFenText(g.amountFen)}</td>
                    <td>{g.status === 'verified' ? '已核验' : g.status === 'rejected' ? '核验未通过' : '待核验'}</td>
                    <td>
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="guarantee" />
                        <input type="hidden" name="guaranteeId" value={g.id} />
                        <input name="note" placeholder="核验说明" aria-label="核验说明" />
                        <button className="btn btn-small" name="verified" value="1">
                          通过
                        </button>
                        <button className="btn btn-small" name="verified" value="0">
                          不通过
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}

      {['draft', 'published', 'closed'].includes(t.status) ? (
        <section className="panel bd-danger-zone">
          <h2>终止招标</h2>
          <Form method="post" className="bd-stack" onSubmit={(e) => (!confirm('确定终止本项目？终止公告将公开发布并通知已获取招标文件的单位。') ? e.preventDefault() : undefined)}>
            <input type="hidden" name="intent" value="cancel" />
            <div className={`field${a?.fieldErrors?.reason && a.intent === 'cancel' ? ' has-error' : ''}`}>
              <label htmlFor="cancel-reason">终止原因</label>
              <input id="cancel-reason" name="reason" />
              {a?.intent === 'cancel' && a.fieldErrors?.reason ? <p className="field-errors">{a.fieldErrors.reason[0]}</p> : null}
            </div>
            <button type="submit" className="btn btn-danger" disabled={busy}>
              终止招标
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
