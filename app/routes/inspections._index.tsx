// 双随机一公开: public list of inspection plans, their commitments and results.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { getSessionUser } from '~/modules/auth/session.server';
import { INSPECTION_STATUS } from '~/modules/supervision/inspections-types';
import { listInspections } from '~/modules/supervision/inspections.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '双随机抽查 - 江城市公共资源交易平台' }];

// Public: plans, commitments and results are published (一公开).
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const items = await listInspections(await getPrisma());
  return { items, canCreate: can(user?.role, 'run:inspection') };
}

export default function Inspections() {
  const { items, canCreate } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>双随机抽查</h1>
        {canCreate ? (
          <Link className="btn btn-primary" to="/inspections/new">
            新建抽查计划
          </Link>
        ) : null}
      </div>
      <p className="muted">随机抽取检查对象、随机选派检查人员，抽查情况和查处结果及时向社会公开。每次抽取使用事先公示承诺值的随机种子，任何人都可以在浏览器中或离线复核抽取结果。</p>
      {items.length === 0 ? (
        <p className="empty">暂无抽查计划</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>编号</th>
                <th>名称</th>
                <th className="num">检查对象</th>
                <th className="num">检查人员</th>
                <th>状态</th>
                <th>公示时间</th>
                <th>抽取时间</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/inspections/${i.id}`}>{i.no}</Link>
                  </td>
                  <td>
                    <Link to={`/inspections/${i.id}`}>{i.title}</Link>
                  </td>
                  <td className="num">{i.agencyCount} 家</td>
                  <td className="num">{i.inspectorCount} 名</td>
                  <td>
                    <span className={`state state-insp-${i.status}`}>{INSPECTION_STATUS[i.status] ?? i.status}</span>
                  </td>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>{i.drawnAt ? formatDateTime(i.drawnAt) : `不早于 ${formatDateTime(i.drawAt)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
