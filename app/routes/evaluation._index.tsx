import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { can } from '~/modules/auth/permissions';
import { requirePermission } from '~/modules/auth/session.server';
import { listEvaluationsFor } from '~/modules/evaluation/access.server';
import { EVALUATION_STATES, METHOD_LABELS } from '~/modules/evaluation/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '评标与定标 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  return { role: user.role, canPlan: can(user.role, 'plan:evaluation:own'), canAnswer: can(user.role, 'answer:clarification:own'), rows: await listEvaluationsFor(user) };
}

const TITLES: Record<string, string> = { expert: '我的评标任务', tenderer: '评标与定标', bidder: '评标结果与通知', supervisor: '评标监督', admin: '评标组织与专家抽取' };

export default function EvaluationIndex() {
  const d = useLoaderData<typeof loader>();
  const tone = (s: string) => (s === 'closed' ? 'pill-muted' : ['publicity', 'awarded'].includes(s) ? 'pill-ok' : s === 'planned' ? 'pill-info' : 'pill-warn');
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>{TITLES[d.role] ?? '评标'}</h1>
        <div className="actions">
          {d.canAnswer ? <Link to="/evaluation/clarifications">澄清答复</Link> : null}
          {d.role === 'admin' ? <Link to="/admin/experts">评标专家库</Link> : null}
          {d.canPlan ? (
            <Link className="btn btn-primary" to="/evaluation/new">
              登记评标
            </Link>
          ) : null}
        </div>
      </div>
      {d.role === 'expert' ? <p className="muted">评标任务在评标结束前严格保密，请勿向任何人透露您参加评标的项目。</p> : null}
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">项目</th>
              <th scope="col">标段</th>
              <th scope="col">评标办法</th>
              <th scope="col">评标时间</th>
              <th scope="col">状态</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">
                  暂无评标项目
                </td>
              </tr>
            ) : null}
            {d.rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={['publicity', 'awarded', 'closed', 'reported'].includes(r.state) && d.role !== 'expert' ? `/award/${r.id}` : `/evaluation/${r.id}`}>
                    {r.tenderCode} {r.tenderName}
                  </Link>
                </td>
                <td>
                  第{r.sectionSeq}标段 {r.sectionName}
                </td>
                <td>{METHOD_LABELS[r.method]}</td>
                <td>{formatDateTime(r.scheduledAt)}</td>
                <td>
                  <span className={`pill ${tone(r.state)}`}>{EVALUATION_STATES[r.state]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
