import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { unstable_parseMultipartFormData, type UploadHandler } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { loadAwardPage, requireViewer } from '~/modules/evaluation/access.server';
import { answerObjection, fileContract, issueAward, prepareAward, publishCandidates, raiseObjection } from '~/modules/evaluation/award.server';
import { EvaluationError } from '~/modules/evaluation/evaluation.server';
import { awardStatement, centiText, EVALUATION_STATES, METHOD_LABELS } from '~/modules/evaluation/types';
import { EvaluationSteps, fenText, utf8Bytes } from '~/modules/evaluation/ui';
import { FileTooLargeError, putStream, readBytes, removeFile } from '~/modules/files/store.server';
import { REFUND_STATUS_LABELS, STATUS_LABELS } from '~/modules/payments/labels';
import { formatDate, formatDateTime } from '~/ui/format';
import { SignButton } from '~/ui/sign-button';

export const meta: MetaFunction = () => [{ title: '中标候选人公示与定标 - 江城市公共资源交易平台' }];

const MAX_CONTRACT_BYTES = 20 * 1024 * 1024;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  return loadAwardPage(user, params.id ?? '');
}

const contractSchema = z.object({
  amount: z.string().trim().regex(/^\d{1,12}(\.\d{1,2})?$/, '请输入合同金额（元），最多两位小数'),
  partyAName: z.string().trim().min(2, '请输入发包人（甲方）名称').max(100),
  partyBCreditCode: z.string().trim().min(18, '请输入承包人（乙方）统一社会信用代码').max(18, '统一社会信用代码应为18位'),
  signedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择合同签订日期'),
});

function yuanToFen(s: string) {
  const [i, f = ''] = s.split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
}

async function contractAction(request: Request, id: string) {
  const user = await requirePermission(request, 'file:contract:own');
  await requireViewer(user, id);
  let stored: { sha256: string; size: number; name: string; head: Uint8Array } | null = null;
  // Streamed into the content-addressed store with a cap; never buffered whole.
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (name !== 'file' || !filename) {
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const c of data) {
        n += c.length;
        if (n > 10_000) throw new EvaluationError('表单字段过长');
        chunks.push(c);
      }
      return Buffer.concat(chunks).toString('utf8');
    }
    const r = await putStream(Readable.toWeb(Readable.from(data)) as unknown as ReadableStream<Uint8Array>, { maxBytes: MAX_CONTRACT_BYTES });
    stored = { ...r, name: filename, head: new Uint8Array() };
    return `stored:${r.sha256}`;
  };
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, handler);
  } catch (e) {
    if (e instanceof FileTooLargeError) return Response.json({ form: 'contract', fieldErrors: { file: ['合同文件不能超过20MB'] } }, { status: 400 });
    if (e instanceof EvaluationError) return Response.json({ form: 'contract', error: e.message }, { status: 400 });
    throw e;
  }
  const file = stored as { sha256: string; size: number; name: string } | null;
  const p = contractSchema.safeParse(Object.fromEntries(form));
  const fieldErrors: Record<string, string[]> = p.success ? {} : (p.error.flatten().fieldErrors as Record<string, string[]>);
  if (!file) fieldErrors.file = ['请上传双方签章的合同文件（PDF）'];
  else {
    const head = (await readBytes(file.sha256)).subarray(0, 5);
    if (new TextDecoder().decode(head) !== '%PDF-') {
      fieldErrors.file = ['合同文件须为PDF格式'];
    }
  }
  if (!p.success || Object.keys(fieldErrors).length) return Response.json({ form: 'contract', fieldErrors }, { status: 400 });
  try {
    await fileContract(actorOf(request, user), user, id, {
      fileSha256: file!.sha256,
      fileName: file!.name,
      fileSize: file!.size,
      amountFen: yuanToFen(p.data.amount),
      partyAName: p.data.partyAName,
      partyBCreditCode: p.data.partyBCreditCode,
      signedOn: new Date(`${p.data.signedOn}T12:00:00+08:00`),
    });
  } catch (e) {
    if (e instanceof EvaluationError) {
      const n = await countRefs(file!.sha256);
      if (n === 0) await removeFile(file!.sha256);
      return Response.json({ form: 'contract', error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    }
    throw e;
  }
  return { ok: '合同已备案。' };
}

// An uploaded file that no row refers to is removed when the filing is refused.
async function countRefs(sha256: string) {
  const { getPrisma } = await import('~/db/index.server');
  const prisma = await getPrisma();
  return prisma.contractFiling.count({ where: { fileSha256: sha256 } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? '';
  if ((request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) return contractAction(request, id);
  const user = await requirePermission(request, 'read:evaluation');
  await requireViewer(user, id);
  const form = Object.fromEntries(await request.formData());
  const actor = actorOf(request, user);
  const intent = String(form.intent ?? '');
  try {
    switch (intent) {
      case 'publish':
        await requirePermission(request, 'award:tender:own');
        await publishCandidates(actor, user, id, Number(form.days));
        return { ok: '中标候选人已在交易公告中公示。' };
      case 'object':
        await requirePermission(request, 'create:objection');
        await raiseObjection(actor, user, id, String(form.text ?? ''));
        return { ok: '异议已提交招标人，招标人应在3日内答复。' };
      case 'answer':
        await requirePermission(request, 'answer:objection:own');
        await answerObjection(actor, user, id, String(form.objectionId ?? ''), String(form.answer ?? ''));
        return { ok: '答复已发送并记录在案。' };
      case 'prepare':
        await requirePermission(request, 'award:tender:own');
        await prepareAward(actor, user, id, { evaluationBidId: String(form.evaluationBidId ?? ''), reason: String(form.reason ?? '') });
        return { ok: '中标通知书和中标结果通知书已生成，请核对后签名发出。' };
      case 'issue':
        await requirePermission(request, 'award:tender:own');
        await issueAward(actor, user, id, String(form.signature ?? ''));
        return { ok: '中标通知书已发出，中标结果已公告；未中标人的投标保证金将在5日内退还。' };
      default:
        return Response.json({ error: '未知操作' }, { status: 400 });
    }
  } catch (e) {
    if (e instanceof EvaluationError) return Response.json({ form: intent, error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

type ActionResult = { ok?: string; error?: string; form?: string; fieldErrors?: Record<string, string[]> };

function FieldError({ errors, id }: { errors?: string[]; id: string }) {
  if (!errors?.length) return null;
  return (
    <p className="field-errors" id={id} role="alert">
      {errors[0]}
    </p>
  );
}

export default function AwardPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as ActionResult | undefined;
  const fetcher = useFetcher<ActionResult>();
  const msg = fetcher.data ?? a;
  const fe = msg?.fieldErrors ?? {};
  const tenderer = d.kind === 'tenderer';
  const openObjections = d.objections.filter((o) => !o.answeredAt).length;
  return (
    <>
      <p className="crumbs">
        <Link to="/evaluation">评标与定标</Link> / {d.header.tenderCode}
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            {d.header.tenderName} <small className="muted">第{d.header.sectionSeq}标段 {d.header.sectionName}</small>
          </h1>
          <span className="pill pill-info">{EVALUATION_STATES[d.state]}</span>
        </div>
        <EvaluationSteps state={d.state} />
        <p className="muted">
          招标人：{d.header.tendererName} · 评标办法：{METHOD_LABELS[d.method]}
          {d.kind !== 'bidder' ? (
            <>
              {' '}
              · <Link to={`/evaluation/${d.id}`}>评标过程与评标报告</Link>
            </>
          ) : null}
        </p>
      </section>
      {msg?.ok ? (
        <p className="notice success" role="status">
          {msg.ok}
        </p>
      ) : null}
      {msg?.error ? (
        <p className="notice danger" role="alert">
          {msg.error}
        </p>
      ) : null}

      {!d.ended ? (
        <section className="panel">
          <p className="notice">评标尚未结束。评标委员会签署评标报告后，招标人方可公示中标候选人。</p>
        </section>
      ) : null}

      {d.ended ? (
        <section className="panel" aria-labelledby="cand-title">
          <h2 id="cand-title">中标候选人</h2>
          {d.candidates.length === 0 ? <p className="notice warning">所有投标均被否决，请依法重新招标。</p> : null}
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">排序</th>
                  <th scope="col">中标候选人</th>
                  <th scope="col">投标报价</th>
                  {d.method === 'comprehensive' ? <th scope="col">综合得分</th> : null}
                </tr>
              </thead>
              <tbody>
                {d.candidates.map((c) => (
                  <tr key={c.bidId}>
                    <td>第{c.rank}名</td>
                    <td>{c.bidderName}</td>
                    <td>{fenText(c.priceFen)}</td>
                    {d.method === 'comprehensive' ? <td>{centiText(c.totalCenti)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.publicity ? (
            <p>
              公示期 {formatDateTime(d.publicity.start)} 至 {formatDateTime(d.publicity.end)}（{d.publicity.days} 日）
              {d.publicity.over ? '，公示期已满。' : '，公示中。'}
              {d.publicity.announcementId ? <Link to={`/announcements/${d.publicity.announcementId}`}>查看公示公告</Link> : null}
            </p>
          ) : null}
          {tenderer && d.state === 'reported' && d.candidates.length ? (
            <fetcher.Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="publish" />
              <label>
                公示期（日）
                <input type="number" name="days" min={3} max={10} defaultValue={3} className="score-input" aria-describedby={fe.days ? 'days-err' : undefined} />
              </label>
              <button className="btn btn-primary" type="submit" disabled={fetcher.state !== 'idle'}>
                发布中标候选人公示
              </button>
              <FieldError errors={fe.days} id="days-err" />
            </fetcher.Form>
          ) : null}
        </section>
      ) : null}

      {d.publicity ? (
        <section className="panel" aria-labelledby="obj-title">
          <h2 id="obj-title">异议与答复</h2>
          {d.objections.length === 0 ? <p className="muted">{d.kind === 'bidder' ? '您尚未提出异议。' : '公示期内未收到异议。'}</p> : null}
          <ol className="objections">
            {d.objections.map((o) => (
              <li key={o.id}>
                <p>
                  <strong>
                    第{o.seq}号 · {o.orgName}
                  </strong>{' '}
                  <small className="muted">{formatDateTime(o.createdAt)}</small>
                  {o.complaint ? (
                    <small className="muted objection-complaint">
                      {' '}
                      · 监察编号 {o.complaint.link ? <a href={o.complaint.link}>{o.complaint.no}</a> : o.complaint.no} · 答复期限 {formatDateTime(o.complaint.answerDueAt)}
                    </small>
                  ) : null}
                </p>
                <p>{o.text}</p>
                {o.answeredAt ? (
                  <p className="answer">
                    <strong>答复：</strong>
                    {o.answer} <small className="muted">（{formatDateTime(o.answeredAt)}）</small>
                  </p>
                ) : tenderer ? (
                  <fetcher.Form method="post">
                    <input type="hidden" name="intent" value="answer" />
                    <input type="hidden" name="objectionId" value={o.id} />
                    <div className={`field${fe.answer ? ' has-error' : ''}`}>
                      <label htmlFor={`ans-${o.id}`}>答复第{o.seq}号异议</label>
                      <textarea id={`ans-${o.id}`} name="answer" rows={3} maxLength={2000} />
                      <FieldError errors={fe.answer} id={`ans-${o.id}-err`} />
                    </div>
                    <button className="btn" type="submit">
                      提交答复
                    </button>
                  </fetcher.Form>
                ) : (
                  <p className="muted">待招标人答复{o.complaint ? `（期限 ${formatDateTime(o.complaint.answerDueAt)}，电子监察跟踪）` : '（3日内）'}</p>
                )}
              </li>
            ))}
          </ol>
          {d.kind === 'bidder' && d.state === 'publicity' && !d.publicity.over ? (
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="object" />
              <div className={`field${fe.text ? ' has-error' : ''}`}>
                <label htmlFor="obj-text">对评标结果提出异议</label>
                <textarea id="obj-text" name="text" rows={4} maxLength={2000} placeholder="请写明异议事项、理由和依据" />
                <FieldError errors={fe.text} id="obj-text-err" />
              </div>
              <button className="btn" type="submit">
                提交异议
              </button>
            </fetcher.Form>
          ) : null}
        </section>
      ) : null}

      {tenderer && d.state === 'publicity' ? (
        <section className="panel" aria-labelledby="award-title">
          <h2 id="award-title">定标</h2>
          {!d.publicity?.over ? <p className="notice">公示期满后方可定标。</p> : null}
          {openObjections ? <p className="notice warning">还有 {openObjections} 项异议未答复，答复前暂停定标。</p> : null}
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="prepare" />
            <fieldset className="field">
              <legend>确定中标人</legend>
              {d.candidates.map((c) => (
                <label key={c.bidId} className="radio-row">
                  <input type="radio" name="evaluationBidId" value={c.bidId} defaultChecked={c.rank === 1} /> 第{c.rank}名 {c.bidderName}（{fenText(c.priceFen)}）
                </label>
              ))}
            </fieldset>
            <div className={`field${fe.reason ? ' has-error' : ''}`}>
              <label htmlFor="award-reason">未选第一名的理由（选择第一名时不填）</label>
              <input id="award-reason" name="reason" maxLength={300} />
              <FieldError errors={fe.reason} id="award-reason-err" />
            </div>
            <button className="btn" type="submit" disabled={!d.publicity?.over || openObjections > 0 || fetcher.state !== 'idle'}>
              生成中标通知书
            </button>
          </fetcher.Form>
          {d.award?.manifest ? (
            <div className="sign-box">
              <p>
                拟确定中标人：<strong>{d.award.winnerName}</strong>，中标价 {fenText(d.award.amountFen)}。请核对下列通知书后，使用数字证书签名发出。
              </p>
              <ul>
                {d.notices.map((n) => (
                  <li key={n.id}>
                    <a href={`/award/${d.id}/notice/${n.id}.pdf`} target="_blank" rel="noreferrer">
                      {n.kind === 'award' ? '中标通知书' : '中标结果通知书'} · {n.bidderName}
                    </a>{' '}
                    <span className="hash">{n.pdfSha256.slice(0, 16)}…</span>
                  </li>
                ))}
              </ul>
              <SignButton
                label="签名并发出中标通知书"
                userId={d.viewerId}
                content={() => utf8Bytes(awardStatement(d.award!.manifest!))}
                onSigned={(signature) => fetcher.submit({ intent: 'issue', signature }, { method: 'post' })}
              />
            </div>
          ) : null}
        </section>
      ) : null}

      {d.award?.awardedAt ? (
        <section className="panel" aria-labelledby="notice-title">
          <h2 id="notice-title">中标结果</h2>
          <p>
            中标人：<strong>{d.award.winnerName}</strong>，中标价 {fenText(d.award.amountFen)}，通知书发出于 {formatDateTime(d.award.awardedAt)}。
            {d.award.announcementId ? <Link to={`/announcements/${d.award.announcementId}`}>中标结果公告</Link> : null}
          </p>
          {d.award.reason ? <p className="muted">说明：{d.award.reason}</p> : null}
          <ul>
            {d.notices.map((n) => (
              <li key={n.id}>
                <a href={`/award/${d.id}/notice/${n.id}.pdf`} target="_blank" rel="noreferrer">
                  {n.kind === 'award' ? '中标通知书' : '中标结果通知书'}（{n.noticeNo}）· {n.bidderName}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {d.deposits.length ? (
        <section className="panel" aria-labelledby="dep-title">
          <h2 id="dep-title">投标保证金退还</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">投标人</th>
                  <th scope="col">金额</th>
                  <th scope="col">订单状态</th>
                  <th scope="col">退还</th>
                </tr>
              </thead>
              <tbody>
                {d.deposits.map((o) => (
                  <tr key={o.orderId}>
                    <td>{o.payer}</td>
                    <td>{fenText(o.amountFen)}</td>
                    <td>{STATUS_LABELS[o.status as keyof typeof STATUS_LABELS] ?? o.status}</td>
                    <td>
                      {o.refunds.length === 0
                        ? '—'
                        : o.refunds.map((r, i) => (
                            <span key={i}>
                              {REFUND_STATUS_LABELS[r.status] ?? r.status}
                              {r.doneAt ? `（${formatDateTime(r.doneAt)}）` : `（${formatDate(r.dueAt)}前）`}
                            </span>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {d.contract ? (
        <section className="panel" aria-labelledby="contract-title">
          <h2 id="contract-title">合同备案</h2>
          {d.contract.status === 'filed' ? (
            <dl className="kv">
              <dt>状态</dt>
              <dd>
                <span className="pill pill-ok">已备案</span>
                {d.contract.late ? <span className="pill pill-bad">超期备案</span> : null}
              </dd>
              <dt>合同文件</dt>
              <dd>
                {d.contract.fileName} {d.contract.fileSha256 ? <span className="hash">{d.contract.fileSha256}</span> : null}
              </dd>
              <dt>合同金额</dt>
              <dd>{fenText(d.contract.amountFen ?? 0)}</dd>
              <dt>发包人 / 承包人</dt>
              <dd>
                {d.contract.partyAName} / {d.contract.partyBName}
              </dd>
              <dt>签订日期 / 备案时间</dt>
              <dd>
                {formatDate(d.contract.signedOn)} / {formatDateTime(d.contract.filedAt)}
              </dd>
            </dl>
          ) : (
            <>
              <p className={d.contract.overdue ? 'notice danger' : 'notice'}>
                应于 {formatDateTime(d.contract.dueAt)} 前订立书面合同并备案{d.contract.overdue ? '，已超期，监督人员已收到预警。' : '。'}合同金额、当事人须与中标结果一致。
              </p>
              {d.kind === 'tenderer' ? (
                <Form method="post" encType="multipart/form-data" className="contract-form">
                  <div className={`field${fe.file ? ' has-error' : ''}`}>
                    <label htmlFor="c-file">合同文件（双方签章的PDF，不超过20MB）</label>
                    <input id="c-file" type="file" name="file" accept="application/pdf,.pdf" />
                    <FieldError errors={fe.file} id="c-file-err" />
                  </div>
                  <div className={`field${fe.amount ? ' has-error' : ''}`}>
                    <label htmlFor="c-amount">合同金额（元）</label>
                    <input id="c-amount" name="amount" inputMode="decimal" />
                    <FieldError errors={fe.amount} id="c-amount-err" />
                  </div>
                  <div className={`field${fe.partyAName ? ' has-error' : ''}`}>
                    <label htmlFor="c-a">发包人（甲方）</label>
                    <input id="c-a" name="partyAName" defaultValue={d.header.tendererName} />
                    <FieldError errors={fe.partyAName} id="c-a-err" />
                  </div>
                  <div className={`field${fe.partyBCreditCode ? ' has-error' : ''}`}>
                    <label htmlFor="c-b">承包人（乙方）统一社会信用代码</label>
                    <input id="c-b" name="partyBCreditCode" maxLength={18} />
                    <FieldError errors={fe.partyBCreditCode} id="c-b-err" />
                  </div>
                  <div className={`field${fe.signedOn ? ' has-error' : ''}`}>
                    <label htmlFor="c-date">合同签订日期</label>
                    <input id="c-date" type="date" name="signedOn" />
                    <FieldError errors={fe.signedOn} id="c-date-err" />
                  </div>
                  <button className="btn btn-primary" type="submit">
                    提交合同备案
                  </button>
                </Form>
              ) : null}
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
