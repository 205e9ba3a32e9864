// 满意度评价结果 (一事一评): averages and star distributions per agency, department and window.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { endOfChinaDay, startOfChinaDay } from '~/modules/clock/workdays';
import { statsFilterFrom } from '~/modules/stats/stats.server';
import { formatPct } from '~/modules/stats/types';
import { SCORE_LABELS } from '~/modules/supervision/ratings-types';
import { satisfactionSummary, type RatingGroup } from '~/modules/supervision/ratings.server';
import { BarChart, DonutChart } from '~/ui/charts';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '满意度评价 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:statistics');
  const { filter, errors } = statsFilterFrom(new URL(request.url).searchParams, now());
  const summary = await satisfactionSummary(await getPrisma(), { from: startOfChinaDay(filter.from), to: new Date(endOfChinaDay(filter.to).getTime() + 1) });
  return { summary, filter, errors };
}

const STAR_COLORS = ['#b83b5e', '#e0892b', '#c9a227', '#2e8b57', '#1f7a4d'];

function Distribution({ d }: { d: number[] }) {
  const n = d.reduce((a, b) => a + b, 0) || 1;
  return (
    <span className="dist-bar" role="img" aria-label={d.map((c, i) => `${i + 1}星 ${c}`).join('，')}>
      {d.map((c, i) => (c ? <span key={i} style={{ width: `${(c / n) * 100}%`, background: STAR_COLORS[i] }} title={`${i + 1}星（${SCORE_LABELS[i + 1]}）：${c}`} /> : null))}
    </span>
  );
}

function GroupTable({ title, label, groups }: { title: string; label: string; groups: RatingGroup[] }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {groups.length === 0 ? (
        <p className="empty">暂无评价</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>{label}</th>
                <th className="num">评价数</th>
                <th className="num">平均分</th>
                <th className="num">满意率</th>
                <th>分布（1→5星）</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.key}>
                  <td>{g.label}</td>
                  <td className="num">{g.count}</td>
                  <td className="num">{g.average.toFixed(2)}</td>
                  <td className="num">{formatPct(g.satisfiedRate)}</td>
                  <td>
                    <Distribution d={g.distribution} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function Satisfaction() {
  const { summary: s, filter, errors } = useLoaderData<typeof loader>();
  const topAgencies = s.byAgency.slice(0, 10);
  return (
    <div className="stack">
      <section className="panel">
        <div className="panel-head">
          <h1>满意度评价（一事一评）</h1>
          <Link to="/stats">返回统计分析</Link>
        </div>
        <Form method="get" className="filters">
          <label>
            开始日期
            <input type="date" name="from" defaultValue={filter.from} />
            {errors.from ? <span className="field-errors">{errors.from}</span> : null}
          </label>
          <label>
            结束日期
            <input type="date" name="to" defaultValue={filter.to} />
            {errors.to ? <span className="field-errors">{errors.to}</span> : null}
          </label>
          <button className="btn btn-primary" type="submit">
            查询
          </button>
        </Form>
        <ul className="stats" aria-label="总体满意度">
          <li className="stat tone-plain">
            <span className="stat-value">{s.total}</span>
            <span className="stat-label">评价总数</span>
          </li>
          <li className="stat tone-plain">
            <span className="stat-value">{s.total ? s.average.toFixed(2) : '—'}</span>
            <span className="stat-label">平均分（5分制）</span>
          </li>
          <li className="stat tone-plain">
            <span className="stat-value">{s.total ? formatPct(s.satisfiedRate) : '—'}</span>
            <span className="stat-label">满意率（4星及以上）</span>
          </li>
        </ul>
        <div className="chart-grid">
          <DonutChart title="评分分布" centerLabel="条评价" slices={s.distribution.map((c, i) => ({ label: `${i + 1}星 ${SCORE_LABELS[i + 1]}`, value: c, color: STAR_COLORS[i] }))} />
          <BarChart title="中介机构平均分（评价数前10）" horizontal categories={topAgencies.map((g) => g.label)} format={(v) => v.toFixed(2)} series={[{ label: '平均分', values: topAgencies.map((g) => g.average), color: '#2e8b57' }]} />
        </div>
      </section>
      <GroupTable title="按中介机构" label="中介机构" groups={s.byAgency} />
      <div className="two-col even">
        <GroupTable title="按部门" label="部门（承办单位）" groups={s.byDepartment} />
        <GroupTable title="按服务窗口" label="窗口" groups={s.byWindow} />
      </div>
      <section className="panel" aria-label="最新评价">
        <h2>最新评价</h2>
        {s.recent.length === 0 ? (
          <p className="empty">暂无评价</p>
        ) : (
          <ul className="plain-list rating-feed">
            {s.recent.map((r) => (
              <li key={r.id}>
                <span className="rate-stars static" aria-label={`${r.score}星`}>
                  {'★'.repeat(r.score)}
                  <span className="off">{'★'.repeat(5 - r.score)}</span>
                </span>{' '}
                <strong>{r.subjectLabel}</strong> <span className="muted small">{r.window} · {formatDateTime(r.createdAt)}</span>
                {r.comment ? <p className="prewrap">{r.comment}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
