// 开标记录（公开版）: the record as published, without personal names, certificate fingerprints or
// signer subjects. Participants download the signed PDF and the evidence package from the room.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { recordOf } from '~/modules/opening/record.server';
import { getOpening } from '~/modules/opening/room.server';
import { CAUSE_LABELS, formatFormValue, OpeningError, RESULT_LABELS, type BidResult } from '~/modules/opening/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.tender.name ?? ''}开标记录 - 江城市公共资源交易平台` }];

export async function loader({ params }: LoaderFunctionArgs) {
  const o = await getOpening(params.id ?? '').catch((e) => {
    if (e instanceof OpeningError) throw new Response('开标记录不存在', { status: 404 });
    throw e;
  });
  const r = o.state === 'closed' ? recordOf(o) : null;
  if (!r) throw new Response('开标记录尚未发布', { status: 404 });
  return {
    id: o.id,
    recordSha256: o.recordSha256!,
    tender: r.tender,
    host: r.host.orgName,
    startedAt: r.startedAt,
    closedAt: r.closedAt,
    attendance: { bidders: r.attendance.filter((a) => a.kind === 'bidder').map((a) => a.orgName), staff: r.attendance.length },
    bids: r.bids.map((b) => ({ position: b.position, sectionSeq: b.sectionSeq, bidderName: b.bidderName, tsGenTime: b.tsGenTime, result: b.result, cause: b.cause, reason: b.reason, form: b.form })),
    objections: r.objections.map((x) => ({ seq: x.seq, orgName: x.orgName, text: x.text, answer: x.answer })),
    video: { chunks: r.video.chunks.length, recordingSha256: r.video.recordingSha256 },
  };
}

export default function PublicRecord() {
  const d = useLoaderData<typeof loader>();
  return (
    <div>
      <p className="muted small">
        <Link to="/openings">不见面开标大厅</Link> / 开标记录
      </p>
      <h1>{d.tender.name} 开标记录</h1>
      <section className="panel">
        <dl className="kv">
          <dt>项目编号</dt>
          <dd>{d.tender.code}</dd>
          <dt>招标人</dt>
          <dd>{d.tender.tendererName}</dd>
          <dt>开标时间</dt>
          <dd>{formatDateTime(d.tender.bidDeadline)}（不见面开标）</dd>
          <dt>代理机构</dt>
          <dd>{d.host ?? '—'}</dd>
          <dt>签到投标人</dt>
          <dd>{d.attendance.bidders.join('、') || '—'}</dd>
          <dt>记录摘要</dt>
          <dd>
            <code className="hash">{d.recordSha256}</code>
          </dd>
        </dl>
      </section>
      <section className="panel">
        <h2>开标一览表</h2>
        <table className="data reading-table">
          <thead>
            <tr>
              <th>序号</th>
              <th>标段</th>
              <th>投标人</th>
              {d.tender.bidForm.map((f) => (
                <th key={f.key}>{f.label}</th>
              ))}
              <th>结果</th>
            </tr>
          </thead>
          <tbody>
            {d.bids.map((b) => (
              <tr key={b.position}>
                <td>{b.position}</td>
                <td>{b.sectionSeq}</td>
                <td>{b.bidderName}</td>
                {d.tender.bidForm.map((f) => (
                  <td key={f.key} className={f.type === 'money' ? 'num' : ''}>
                    {b.result === 'valid' ? formatFormValue(f.type, b.form?.[f.key]) : '—'}
                  </td>
                ))}
                <td>
                  <span className={`result result-${b.result}`}>{RESULT_LABELS[b.result as BidResult] ?? '—'}</span>
                  {b.result !== 'valid' ? <div className="small muted">{CAUSE_LABELS[b.cause ?? ''] ?? ''}：{b.reason}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {d.objections.length ? (
        <section className="panel">
          <h2>异议及答复</h2>
          <ol className="objections">
            {d.objections.map((o) => (
              <li key={o.seq}>
                <p>
                  <strong>{o.orgName}</strong>：{o.text}
                </p>
                <p className="answer">答复：{o.answer}</p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section className="panel">
        <h2>录像与核验</h2>
        <p>
          开标全程录像 {d.video.chunks} 个片段{d.video.recordingSha256 ? <>，SHA-256 <code className="hash">{d.video.recordingSha256}</code></> : null}。
        </p>
        <p className="muted small">开标记录由平台电子签章，并经主持人、监督人员数字证书签署；各方可下载证据包，使用 npx tsx crypto/cli.ts record verify 离线核验。</p>
      </section>
    </div>
  );
}
