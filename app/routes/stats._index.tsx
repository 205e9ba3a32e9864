// 统计分析: dashboards over tenders, market purchases and orders, credit and satisfaction, with CSV
// / XLSX export of every table and the monthly report PDF. Definitions: docs/decisions/095.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { chinaDay } from '~/modules/clock/workdays';
import { statsFilterFrom, statsReport } from '~/modules/stats/stats.server';
import { formatCell, formatPct, formatWan, STATS_MARKETS, type StatsTable } from '~/modules/stats/types';
import { BarChart, DonutChart, LineChart } from '~/ui/charts';

export const meta: MetaFunction = () => [{ title: '统计分析 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:statistics');
  const at = now();
  const { filter, errors } = statsFilterFrom(new URL(request.url).searchParams, at);
  const report = await statsReport(await getPrisma(), filter, at);
  // Months offered for the monthly report: the last twelve, newest first.
  const [y, m] = chinaDay(at).split('-').map(Number);
  const months = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
  return { report, errors, months };
}

const shortMonth = (c: string) => `${Number(c.slice(5))}月`;

function ExportLinks({ table, query }: { table: string; query: string }) {
  return (
    <span className="export-links">
      <a href={`/stats/export?table=${table}&format=csv&${query}`} download>
        导出 CSV
      </a>
      <a href={`/stats/export?table=${table}&format=xlsx&${query}`} download>
        导出 Excel
      </a>
    </span>
  );
}

function Table({ t, query }: { t: StatsTable; query: string }) {
  return (
    <div className="stats-table">
      <div className="panel-head">
        <h3>{t.title}</h3>
        <ExportLinks table={t.key} query={query} />
      </div>
      {t.rows.length === 0 ? (
        <p className="empty">所选范围内没有数据</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                {t.columns.map((c) => (
                  <th key={c.key} scope="col" className={c.kind === 'text' ? undefined : 'num'}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j} className={t.columns[j].kind === 'text' ? undefined : 'num'}>
                      {formatCell(t.columns[j].kind, v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export default function Stats() {
  const { report, errors, months } = useLoaderData<typeof loader>();
  const f = report.filter;
  const query = new URLSearchParams({ from: f.from, to: f.to, market: f.market }).toString();
  const t = report.tables;
  const cats = t.monthly.rows.map((r) => String(r[0]));
  const col = (tb: StatsTable, i: number) => tb.rows.map((r) => (typeof r[i] === 'number' ? (r[i] as number) : NaN));
  const showBidding = f.market !== 'market';
  const showMarket = f.market !== 'bidding';
  const topAgencies = t['overtime-agency'].rows.slice(0, 10);
  const topOwners = t['overtime-owner'].rows.slice(0, 10);
  return (
    <div className="stack stats-page">
      <section className="panel">
        <div className="panel-head">
          <h1>统计分析</h1>
          <nav className="actions quick-links" aria-label="相关功能">
            <Link to="/satisfaction">满意度评价</Link>
            <Link to="/inspections">双随机抽查</Link>
            <a href={`/stats/export?table=all&format=xlsx&${query}`} download>
              全部表格导出 Excel
            </a>
          </nav>
        </div>
        <Form method="get" className="filters" aria-label="统计条件">
          <label>
            开始日期
            <input type="date" name="from" defaultValue={f.from} aria-invalid={errors.from ? true : undefined} aria-describedby={errors.from ? 'from-err' : undefined} />
            {errors.from ? (
              <span className="field-errors" id="from-err">
                {errors.from}
              </span>
            ) : null}
          </label>
          <label>
            结束日期
            <input type="date" name="to" defaultValue={f.to} aria-invalid={errors.to ? true : undefined} aria-describedby={errors.to ? 'to-err' : undefined} />
            {errors.to ? (
              <span className="field-errors" id="to-err">
                {errors.to}
              </span>
            ) : null}
          </label>
          <label>
            市场
            <select name="market" defaultValue={f.market}>
              {Object.entries(STATS_MARKETS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <button className="btn btn-primary" type="submit">
            统计
          </button>
        </Form>
        <ul className="stats" aria-label="主要指标">
          {showBidding ? (
            <li className="stat tone-plain">
              <span className="stat-value">{report.totals.tenders}</span>
              <span className="stat-label">招标项目（个）</span>
            </li>
          ) : null}
          {showMarket ? (
            <li className="stat tone-plain">
              <span className="stat-value">{report.totals.purchases}</span>
              <span className="stat-label">中介采购（宗）</span>
            </li>
          ) : null}
          <li className="stat tone-plain">
            <span className="stat-value">{formatWan(report.totals.dealAmountFen)}</span>
            <span className="stat-label">成交金额（元）</span>
          </li>
          <li className="stat tone-plain">
            <span className="stat-value">{formatPct(report.totals.savingsRate)}</span>
            <span className="stat-label">节约率</span>
          </li>
          {showMarket ? (
            <>
              <li className="stat tone-plain">
                <span className="stat-value">{report.totals.avgCompletionDays == null ? '—' : report.totals.avgCompletionDays.toFixed(1)}</span>
                <span className="stat-label">平均办结（工作日）</span>
              </li>
              <li className={`stat ${report.totals.overtimeRate ? 'tone-yellow' : 'tone-plain'}`}>
                <span className="stat-value">{formatPct(report.totals.overtimeRate)}</span>
                <span className="stat-label">超时率</span>
              </li>
            </>
          ) : null}
        </ul>
      </section>

      <section className="panel" aria-labelledby="h-volume">
        <h2 id="h-volume">交易量与成交金额</h2>
        <div className="chart-grid">
          <BarChart
            title="月度交易量"
            categories={cats}
            shortLabel={shortMonth}
            unit="个/宗"
            series={[...(showBidding ? [{ label: '招标项目', values: col(t.monthly, 1) }] : []), ...(showMarket ? [{ label: '中介采购', values: col(t.monthly, 2) }] : [])]}
          />
          {showMarket ? (
            <BarChart title="中介服务月度成交金额" categories={cats} shortLabel={shortMonth} unit="元" format={(v) => formatWan(v)} series={[{ label: '中介成交', values: col(t.monthly, 4), color: '#e0892b' }]} />
          ) : null}
          {showBidding ? (
            // Construction contracts are a thousand times larger than service fees: a chart of their own keeps both readable.
            <BarChart title="招投标月度成交金额" categories={cats} shortLabel={shortMonth} unit="元" format={(v) => formatWan(v)} series={[{ label: '招标成交', values: col(t.monthly, 3) }]} />
          ) : null}
        </div>
        <Table t={t.monthly} query={query} />
        <Table t={t.savings} query={query} />
      </section>

      {showMarket ? (
        <section className="panel" aria-labelledby="h-time">
          <h2 id="h-time">限时办结</h2>
          <div className="chart-grid">
            <LineChart title="中介服务平均办结时间（合同签订至验收）" categories={t.completion.rows.map((r) => String(r[0]))} shortLabel={shortMonth} unit="工作日" format={(v) => v.toFixed(1)} series={[{ label: '平均办结工作日', values: col(t.completion, 2) }]} />
            <BarChart
              title="超时率（按中介机构，前10）"
              horizontal
              categories={topAgencies.map((r) => String(r[0]))}
              format={(v) => `${(v * 100).toFixed(1)}%`}
              series={[{ label: '超时率', values: topAgencies.map((r) => (r[3] as number) ?? 0), color: '#b83b5e' }]}
            />
          </div>
          <div className="chart-grid">
            <BarChart
              title="超时率（按业主单位，前10）"
              horizontal
              categories={topOwners.map((r) => String(r[0]))}
              format={(v) => `${(v * 100).toFixed(1)}%`}
              series={[{ label: '超时率', values: topOwners.map((r) => (r[3] as number) ?? 0), color: '#6a4c93' }]}
            />
            <DonutChart title="中介机构信用等级分布" centerLabel="入驻机构" slices={t.credit.rows.map((r, i) => ({ label: `${r[0]}级`, value: r[1] as number, color: ['#1f7a4d', '#2e8b57', '#1f5fa8', '#e0892b', '#b83b5e'][i] }))} />
          </div>
          <Table t={t.completion} query={query} />
          <Table t={t['overtime-agency']} query={query} />
          <Table t={t['overtime-owner']} query={query} />
          <Table t={t.credit} query={query} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="h-sat">
        <h2 id="h-sat">满意度（一事一评）</h2>
        <Table t={t.satisfaction} query={query} />
        <p>
          <Link to="/satisfaction">查看按机构、部门、窗口的满意度明细</Link>
        </p>
      </section>

      <section className="panel" aria-labelledby="h-report">
        <h2 id="h-report">月度报告</h2>
        <Form method="get" action="/stats/report.pdf" reloadDocument className="filters">
          <label>
            报告月份
            <select name="month" defaultValue={months[0]}>
              {months.map((m) => (
                <option key={m} value={m}>
                  {m.slice(0, 4)}年{Number(m.slice(5))}月
                </option>
              ))}
            </select>
          </label>
          <button className="btn" type="submit">
            下载月度报告（PDF）
          </button>
        </Form>
        <p className="muted">报告含总体情况、分类交易、中介机构服务情况、节约资金、超时率、信用等级与满意度附表，统计口径与本页一致。</p>
      </section>
    </div>
  );
}
