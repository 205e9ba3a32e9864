// 递交投标文件 (bidder): fill in the bid form, choose the files, seal them in a Web Worker in this
// browser (signed with the bidder's local key, encrypted to the tender's opening certificate and
// the bidder's own certificate), upload the ciphertext in resumable chunks, get the receipt.
// Also: replace (修改), withdraw (撤回), deposit (保证金) and bank guarantee (保函).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { z } from 'zod';
import { fromBase64 } from '../../crypto/hash';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { depositState, payDeposit, submitGuarantee } from '~/modules/bidding/deposits.server';
import { documentAccess } from '~/modules/bidding/documents.server';
import { BiddingError } from '~/modules/bidding/errors';
import { bidFormOf, getTender } from '~/modules/bidding/tenders.server';
import { formatBytes, formatFenText, MAX_BID_FILES_BYTES, RECEIPT_KIND_LABELS, validateBidForm, type BidFormField } from '~/modules/bidding/types';
import { withdrawBid } from '~/modules/bidding/uploads.server';
import { getPrisma } from '~/db/index.server';
import { KeyPicker } from '~/ui/sign-button';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '递交投标文件 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'submit:bid');
  const t = await getTender(params.id!);
  if (!t || t.status === 'draft') throw new Response('招标项目不存在', { status: 404 });
  const orgId = user.organizationId;
  if (!orgId) throw new Response('您的账号未关联投标单位', { status: 403 });
  const access = await documentAccess(user, t.id);
  const prisma = await getPrisma();
  const [bids, receipts] = await Promise.all([
    prisma.bid.findMany({ where: { tenderId: t.id, bidderOrgId: orgId }, orderBy: { version: 'desc' } }),
    prisma.bidReceipt.findMany({ where: { tenderId: t.id, bidderOrgId: orgId }, orderBy: { createdAt: 'desc' } }),
  ]);
  const sections = await Promise.all(
    t.sections.map(async (s) => {
      const active = bids.find((b) => b.sectionId === s.id && b.status === 'active');
      return {
        id: s.id,
        seq: s.seq,
        name: s.name,
        active: active ? { id: active.id, version: active.version, envelopeSha256: active.envelopeSha256, size: Number(active.envelopeSize), submittedAt: active.submittedAt.toISOString() } : null,
        receipts: receipts.filter((r) => r.sectionId === s.id).map((r) => ({ id: r.id, receiptNo: r.receiptNo, kind: r.kind, at: r.tsGenTime.toISOString() })),
        deposit: await depositState(orgId, t, s.id),
      };
    }),
  );
  return {
    tender: { id: t.id, code: t.code, name: t.name, status: t.status, bidDeadline: t.bidDeadline.toISOString(), depositFen: t.depositFen, openingCertPem: t.openingCertPem! },
    bidForm: bidFormOf(t),
    sections,
    holder: access.holder,
    open: t.status === 'published' && now() < t.bidDeadline,
    serverNow: now().toISOString(),
    userId: user.id,
    orgId,
    orgName: user.organization?.name ?? '',
    paid: new URL(request.url).searchParams.get('paid') === '1',
  };
}

const guaranteeSchema = z.object({
  sectionId: z.string().min(1),
  bank: z.string().trim().min(4, '请填写开立银行全称').max(60),
  reference: z.string().trim().regex(/^[A-Za-z0-9-]{6,40}$/, '保函编号为6-40位字母、数字或“-”'),
});

type ActionData = { ok?: string; error?: string; fieldErrors?: Record<string, string[] | undefined>; intent?: string; sectionId?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'submit:bid');
  const form = Object.fromEntries(await request.formData()) as Record<string, string>;
  const intent = form.intent;
  try {
    if (intent === 'deposit') {
      const r = await payDeposit(user, params.id!, form.sectionId ?? '');
      if (!r.paid) return redirect(r.payUrl);
      return { ok: '保证金已缴纳' } satisfies ActionData;
    }
    if (intent === 'guarantee') {
      const p = guaranteeSchema.safeParse(form);
      if (!p.success) return Response.json({ intent, sectionId: form.sectionId, fieldErrors: p.error.flatten().fieldErrors } satisfies ActionData, { status: 400 });
      await submitGuarantee(actorOf(request, user), user, { tenderId: params.id!, ...p.data });
      return { intent, ok: '保函信息已提交，投标截止后由代理机构向开立银行核验。' } satisfies ActionData;
    }
    if (intent === 'withdraw') {
      let statement: Uint8Array;
      try {
        statement = fromBase64(form.statementB64 ?? '');
      } catch {
        return Response.json({ error: '撤回声明格式不正确' } satisfies ActionData, { status: 400 });
      }
      const r = await withdrawBid(actorOf(request, user), user, { bidId: form.bidId ?? '', statement });
      return { intent, ok: `投标文件已撤回，回执编号 ${r.receiptNo}。截止前可以重新递交。` } satisfies ActionData;
    }
    return Response.json({ error: '未知操作' } satisfies ActionData, { status: 400 });
  } catch (e) {
    if (e instanceof BiddingError) return Response.json({ intent, error: e.message } satisfies ActionData, { status: e.status });
    throw e;
  }
}

function useCountdown(deadlineIso: string, serverNowIso: string) {
  const skew = useMemo(() => new Date(serverNowIso).getTime() - Date.now(), [serverNowIso]);
  const [left, setLeft] = useState(() => new Date(deadlineIso).getTime() - new Date(serverNowIso).getTime());
  useEffect(() => {
    const t = setInterval(() => setLeft(new Date(deadlineIso).getTime() - (Date.now() + skew)), 1000);
    return () => clearInterval(t);
  }, [deadlineIso, skew]);
  if (left <= 0) return '已截止';
  const d = Math.floor(left / 86_400_000);
  const h = Math.floor((left % 86_400_000) / 3_600_000);
  const m = Math.floor((left % 3_600_000) / 60_000);
  const s = Math.floor((left % 60_000) / 1000);
  return `${d > 0 ? `${d}天` : ''}${h}小时${m}分${s}秒`;
}

type Phase = { label: string; done: number; total: number } | null;

const PHASE_LABELS: Record<string, string> = { read: '读取文件', hash: '计算文件摘要', sign: '数字签名', encrypt: '加密', upload: '上传密文', retrying: '网络中断，正在自动重连续传', verifying: '平台核验并加盖时间戳' };

function SealAndSubmit({ d, sectionId, onDone }: { d: ReturnType<typeof useLoaderData<typeof loader>>; sectionId: string; onDone: (receiptNo: string) => void }) {
  const [certSha256, setCert] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<File[]>([]);
  const [phase, setPhase] = useState<Phase>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const section = d.sections.find((s) => s.id === sectionId)!;
  const total = files.reduce((n, f) => n + f.size, 0);

  async function submit() {
    setError(null);
    const v = validateBidForm(d.bidForm as BidFormField[], values);
    const fileErrors: Record<string, string> = {};
    if (files.length === 0) fileErrors.files = '请选择投标文件（PDF 或 ZIP）';
    else if (files.some((f) => !/\.(pdf|zip)$/i.test(f.name))) fileErrors.files = '投标文件仅支持 PDF 或 ZIP 格式';
    else if (total > MAX_BID_FILES_BYTES) fileErrors.files = '每个标段的投标文件合计不能超过 500 MB';
    else if (new Set(files.map((f) => f.name)).size !== files.length) fileErrors.files = '文件名不能重复';
    if (!certSha256) fileErrors.cert = '请选择用于签名的数字证书';
    setErrors({ ...v.errors, ...fileErrors });
    if (Object.keys(v.errors).length || Object.keys(fileErrors).length) return;
    setBusy(true);
    let worker: Worker | null = null;
    try {
      const ks = await import('~/ui/keystore.client');
      const [signerKey, signerCert] = await Promise.all([ks.getSigningKey(certSha256!), ks.getLocalCertificate(certSha256!)]);
      const { pemToDer } = await import('../../crypto/pki');
      const parts: { name: string; bytes: Uint8Array }[] = [];
      let read = 0;
      for (const f of files) {
        setPhase({ label: PHASE_LABELS.read, done: read, total });
        parts.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
        read += f.size;
      }
      worker = new Worker('/workers/seal.worker.js', { type: 'module' });
      const { sealInWorker } = await import('../../crypto/seal-client');
      const sealed = await sealInWorker(
        worker,
        {
          tenderId: d.tender.id,
          sectionId,
          bidderId: d.orgId,
          form: v.value,
          files: parts,
          signerCert,
          signerKey,
          recipients: [pemToDer(d.tender.openingCertPem)],
        },
        { onProgress: (p, done, tot) => setPhase({ label: PHASE_LABELS[p], done, total: tot }), transferFiles: true },
      );
      const { uploadSealedBid } = await import('~/modules/bidding/upload-client');
      const r = await uploadSealedBid({
        tenderId: d.tender.id,
        sectionId,
        envelope: sealed.envelope,
        submission: sealed.submission,
        onProgress: (p) => setPhase({ label: PHASE_LABELS[p.state === 'uploading' ? 'upload' : p.state] + (p.attempt ? `（第${p.attempt}次）` : ''), done: p.sent, total: p.total }),
      });
      setPhase(null);
      setFiles([]);
      setValues({});
      if (fileInput.current) fileInput.current.value = '';
      onDone(r.receiptNo);
    } catch (e) {
      setPhase(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      worker?.terminate();
      setBusy(false);
    }
  }

  const pct = phase && phase.total > 0 ? Math.floor((phase.done / phase.total) * 100) : 0;
  return (
    <div className="bd-seal-form" aria-busy={busy}>
      <h3>
        {section.active ? `修改第${section.seq}标段投标文件（将替换第 ${section.active.version} 版）` : `递交第${section.seq}标段投标文件`}
      </h3>
      <fieldset disabled={busy}>
        <legend>开标一览表</legend>
        <div className="bd-grid-2">
          {(d.bidForm as BidFormField[]).map((f) => (
            <div key={f.key} className={`field${errors[f.key] ? ' has-error' : ''}`}>
              <label htmlFor={`bf-${f.key}`}>
                {f.label}
                {f.type === 'money' ? '（元）' : ''}
                {f.required ? '' : '（选填）'}
              </label>
              <input
                id={`bf-${f.key}`}
                inputMode={f.type === 'text' ? undefined : 'decimal'}
                value={values[f.key] ?? ''}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setValues((x) => ({ ...x, [f.key]: value }));
                }}
                aria-invalid={!!errors[f.key]}
              />
              {errors[f.key] ? <p className="field-errors">{errors[f.key]}</p> : null}
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={busy}>
        <legend>投标文件</legend>
        <div className={`field${errors.files ? ' has-error' : ''}`}>
          <label htmlFor="bid-files">选择文件（PDF 或 ZIP，每标段合计不超过 500 MB）</label>
          <input id="bid-files" ref={fileInput} type="file" multiple accept=".pdf,.zip,application/pdf,application/zip" onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? []))} />
          {files.length ? (
            <p className="hint">
              已选 {files.length} 个文件，共 {formatBytes(total)}
            </p>
          ) : null}
          {errors.files ? <p className="field-errors">{errors.files}</p> : null}
        </div>
        <KeyPicker userId={d.userId} value={certSha256} onChange={setCert} />
        {errors.cert ? <p className="field-errors">{errors.cert}</p> : null}
      </fieldset>
      {phase ? (
        <div className="bd-progress-box" role="status" aria-live="polite">
          <p>
            {phase.label}：{formatBytes(phase.done)} / {formatBytes(phase.total)}（{pct}%）
          </p>
          <progress max={100} value={pct} aria-label={phase.label} />
        </div>
      ) : null}
      {error ? (
        <p className="notice danger" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" className="btn btn-primary" disabled={busy || !d.open} onClick={() => void submit()}>
        {busy ? '正在处理，请勿关闭页面…' : section.active ? '签名加密并替换' : '签名加密并递交'}
      </button>
      <p className="hint">文件在本浏览器中签名并加密后才上传，平台只收到密文；截止前任何人无法解密。网络中断会自动续传。</p>
    </div>
  );
}

function WithdrawButton({ d, section }: { d: ReturnType<typeof useLoaderData<typeof loader>>; section: ReturnType<typeof useLoaderData<typeof loader>>['sections'][number] }) {
  const [certSha256, setCert] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const stmtRef = useRef<HTMLInputElement>(null);
  const nav = useNavigation();
  if (!section.active) return null;
  async function sign() {
    if (!certSha256) return setError('请选择数字证书');
    try {
      const ks = await import('~/ui/keystore.client');
      const { withdrawalText } = await import('~/modules/bidding/statements');
      const text = withdrawalText({ tenderId: d.tender.id, sectionId: section.id, bidderId: d.orgId, envelopeSha256: section.active!.envelopeSha256, at: new Date().toISOString() });
      const sig = await ks.signCms(new TextEncoder().encode(text), certSha256, { detached: false });
      stmtRef.current!.value = ks.toBase64(sig);
      formRef.current!.requestSubmit();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <div className="withdraw">
      {!open ? (
        <button type="button" className="btn btn-small" onClick={() => setOpen(true)} disabled={!d.open}>
          撤回投标文件
        </button>
      ) : (
        <Form method="post" ref={formRef} className="bd-stack">
          <input type="hidden" name="intent" value="withdraw" />
          <input type="hidden" name="bidId" value={section.active.id} />
          <input type="hidden" name="statementB64" ref={stmtRef} />
          <p className="notice warning">撤回须以数字证书签名确认。撤回后该版本不参与开标；截止前可重新递交。</p>
          <KeyPicker userId={d.userId} value={certSha256} onChange={setCert} allowImport={false} />
          {error ? <p className="field-errors">{error}</p> : null}
          <div className="actions">
            <button type="button" className="btn btn-danger" onClick={() => void sign()} disabled={nav.state !== 'idle'}>
              签名确认撤回
            </button>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              取消
            </button>
          </div>
        </Form>
      )}
    </div>
  );
}

export default function SubmitBid() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<ActionData>();
  const rv = useRevalidator();
  const countdown = useCountdown(d.tender.bidDeadline, d.serverNow);
  const [sectionId, setSectionId] = useState(d.sections[0]?.id ?? '');
  const [done, setDone] = useState<string | null>(null);
  if (!d.holder) {
    return (
      <section className="panel">
        <h1>{d.tender.name}</h1>
        <p className="notice warning">
          请先<Link to={`/tenders/${d.tender.id}`}>获取招标文件</Link>，再递交投标文件。
        </p>
      </section>
    );
  }
  return (
    <div>
      <section className="panel">
        <p className="crumbs">
          <Link to="/tenders">招标项目</Link> / <Link to={`/tenders/${d.tender.id}`}>{d.tender.code}</Link> / 投标文件
        </p>
        <div className="panel-head">
          <h1>{d.tender.name}</h1>
          <div className={`bd-deadline${d.open ? '' : ' bd-passed'}`}>
            <span>投标截止</span>
            <strong>{formatDateTime(d.tender.bidDeadline)}</strong>
            <small>{d.open ? `剩余 ${countdown}` : '已截止'}</small>
          </div>
        </div>
        <p className="muted">投标人：{d.orgName}</p>
        {!d.open ? (
          <p className="notice danger" role="alert">
            投标截止时间已到，平台不再接收投标文件。截止时间前未完整送达的投标文件视为未提交。
          </p>
        ) : null}
        {done ? (
          <p className="notice success" role="status">
            投标文件已递交，回执编号 <strong>{done}</strong>。回执可在下方下载。
          </p>
        ) : null}
        {a?.ok ? (
          <p className="notice success" role="status">
            {a.ok}
          </p>
        ) : null}
        {a?.error ? (
          <p className="notice danger" role="alert">
            {a.error}
          </p>
        ) : null}
      </section>

      <div className="bd-section-cards">
        {d.sections.map((s) => (
          <section key={s.id} className={`panel bd-section-card${s.id === sectionId ? ' bd-selected' : ''}`} aria-label={`第${s.seq}标段`} data-section-id={s.id} data-tender-id={d.tender.id}>
            <div className="panel-head">
              <h2>
                第{s.seq}标段 {s.name}
              </h2>
              {s.active ? <span className="t-state t-published">已递交 第{s.active.version}版</span> : <span className="t-state t-draft">未递交</span>}
            </div>
            {s.active ? (
              <p className="bd-small">
                递交时间 {formatDateTime(s.active.submittedAt)} · 密文 {formatBytes(s.active.size)} · SHA-256 <code title={s.active.envelopeSha256}>{s.active.envelopeSha256.slice(0, 16)}…</code>
              </p>
            ) : null}
            {s.deposit.required ? (
              <div className="bd-deposit">
                <p>
                  投标保证金 {formatFenText(s.deposit.amountFen)}：
                  {s.deposit.paid ? (
                    <strong className="status-ok">已缴纳</strong>
                  ) : s.deposit.guarantee ? (
                    <span>
                      已提交保函（{s.deposit.guarantee.bank} <code>{s.deposit.guarantee.reference}</code>）
                      {s.deposit.guarantee.status === 'verified' ? <strong className="status-ok"> 已核验</strong> : s.deposit.guarantee.status === 'rejected' ? <strong className="status-bad"> 核验未通过</strong> : '，截止后核验'}
                    </span>
                  ) : (
                    <strong className="status-warn">未缴纳（未缴纳保证金或保函未通过核验的投标无效）</strong>
                  )}
                </p>
                {!s.deposit.paid && d.open ? (
                  <details>
                    <summary>缴纳保证金或提交保函</summary>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="deposit" />
                      <input type="hidden" name="sectionId" value={s.id} />
                      <button className="btn btn-small btn-primary">在线缴纳 {formatFenText(s.deposit.amountFen)}</button>
                    </Form>
                    <Form method="post" className="bd-guarantee-form">
                      <input type="hidden" name="intent" value="guarantee" />
                      <input type="hidden" name="sectionId" value={s.id} />
                      <label>
                        开立银行
                        <input name="bank" defaultValue={s.deposit.guarantee?.bank} />
                      </label>
                      {a?.intent === 'guarantee' && a.sectionId === s.id && a.fieldErrors?.bank ? <p className="field-errors">{a.fieldErrors.bank[0]}</p> : null}
                      <label>
                        保函编号
                        <input name="reference" defaultValue={s.deposit.guarantee?.reference} />
                      </label>
                      {a?.intent === 'guarantee' && a.sectionId === s.id && a.fieldErrors?.reference ? <p className="field-errors">{a.fieldErrors.reference[0]}</p> : null}
                      <button className="btn btn-small">提交保函</button>
                    </Form>
                  </details>
                ) : null}
              </div>
            ) : null}
            {s.receipts.length ? (
              <table className="data bd-receipts">
                <thead>
                  <tr>
                    <th>回执编号</th>
                    <th>操作</th>
                    <th>可信时间</th>
                    <th>下载</th>
                  </tr>
                </thead>
                <tbody>
                  {s.receipts.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <code>{r.receiptNo}</code>
                      </td>
                      <td>{RECEIPT_KIND_LABELS[r.kind]}</td>
                      <td>{formatDateTime(r.at)}</td>
                      <td className="bd-links">
                        <a href={`/bids/receipts/${r.id}?format=pdf`}>回执 PDF</a> <a href={`/bids/receipts/${r.id}?format=p7s`}>电子签章</a> <a href={`/bids/receipts/${r.id}?format=json`}>核验数据</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div className="actions">
              {d.open && s.id !== sectionId ? (
                <button type="button" className="btn btn-small" onClick={() => setSectionId(s.id)}>
                  {s.active ? '修改本标段投标文件' : '递交本标段投标文件'}
                </button>
              ) : null}
              <WithdrawButton d={d} section={s} />
            </div>
          </section>
        ))}
      </div>

      {d.open && sectionId ? (
        <section className="panel">
          <SealAndSubmit
            key={sectionId}
            d={d}
            sectionId={sectionId}
            onDone={(no) => {
              setDone(no);
              rv.revalidate();
            }}
          />
        </section>
      ) : null}
    </div>
  );
}
