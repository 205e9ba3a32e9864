import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { creditRecordOf } from '~/modules/credit/credit.server';
import { CREDIT_EVENT_LABELS } from '~/modules/credit/rules';
import { GradeBadge } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '信用记录 - 网上中介超市' }];

// Public credit history (信用记录公开).
export async function loader({ params }: LoaderFunctionArgs) {
  const r = await creditRecordOf(params.id ?? '');
  if (!r.agency || !r.agency.approvedAt) throw new Response('机构不存在', { status: 404 });
  return {
    a: { id: r.agency.id, name: r.agency.name, grade: r.agency.creditGrade, score: r.agency.creditScore / 100, blacklisted: r.agency.blacklisted },
    history: r.history.map((h) => ({ id: h.id, score: h.score / 100, grade: h.grade, reason: h.reason, at: h.at.toISOString() })),
    events: r.events.map((e) => ({ id: e.id, kind: e.kind, points: e.points, note: e.note, at: e.at.toISOString() })),
    evaluations: r.evaluations.map((e) => ({ id: e.id, scores: [e.quality, e.timeliness, e.attitude, e.feeCompliance], appeal: e.appealStatus, at: e.at.toISOString() })),
  };
}

export default function CreditHistory() {
  const d = useLoaderData<typeof loader>();
  return (
    <div>
      <p className="crumbs">
        <Link to={`/market/agencies/${d.a.id}`}>{d.a.name}</Link> / 信用记录
      </p>
      <h1>
        {d.a.name} 信用记录 <GradeBadge grade={d.a.grade} blacklisted={d.a.blacklisted} />
      </h1>
      <p>
        当前信用分 <strong data-testid="credit-score">{d.a.score.toFixed(2)}</strong>，等级 <strong data-testid="credit-grade">{d.a.grade}</strong>。计算方法见<Link to="/market/credit-rules">信用评价规则</Link>。
      </p>
      <div className="two-col">
        <section className="panel">
          <h2>信用分变动</h2>
          <table className="data">
            <thead>
              <tr>
                <th>时间</th>
                <th className="num">信用分</th>
                <th>等级</th>
                <th>原因</th>
              </tr>
            </thead>
            <tbody>
              {d.history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDateTime(h.at)}</td>
                  <td className="num">{h.score.toFixed(2)}</td>
                  <td>
                    <GradeBadge grade={h.grade} />
                  </td>
                  <td>{h.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="panel">
          <h2>奖惩与不良记录</h2>
          {d.events.length === 0 ? <p className="muted">无</p> : null}
          <ul className="inbox">
            {d.events.map((e) => (
              <li key={e.id} className="msg">
                <div>
                  <strong>{CREDIT_EVENT_LABELS[e.kind] ?? e.kind}</strong>
                  <time>{formatDateTime(e.at)}</time>
                </div>
                <p>{e.note}</p>
              </li>
            ))}
          </ul>
          <h2>近期服务评价</h2>
          <ul className="inbox">
            {d.evaluations.map((e) => (
              <li key={e.id} className="msg">
                <div>
                  <span>质量 {e.scores[0]} · 时效 {e.scores[1]} · 态度 {e.scores[2]} · 收费 {e.scores[3]}</span>
                  <time>{formatDateTime(e.at)}</time>
                </div>
                {e.appeal === 'upheld' ? <p className="muted">申诉成立，不计入信用</p> : null}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
