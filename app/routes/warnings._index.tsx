// 预警纠错: every warning the rules raised, filtered by state, level and rule; read by supervisors.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { WARNING_RULES } from '~/modules/supervision/rules/index.server';
import { LevelBadge, WarningStatusTag } from '~/modules/supervision/ui';
import { WARNING_LEVELS, WARNING_STATUS } from '~/modules/supervision/warning-types';
import { listWarnings } from '~/modules/supervision/warnings.server';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '预警纠错 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'handle:warning');
  const u = new URL(request.url).searchParams;
  const status = u.get('status') ?? 'open';
  const filter = {
    status: ['open', 'pending', 'handling', 'closed'].includes(status) ? status : undefined,
    level: u.get('level') === 'red' || u.get('level') === 'yellow' ? u.get('level')! : undefined,
    ruleId: WARNING_RULES.some((r) => r.id === u.get('rule')) ? u.get('rule')! : undefined,
    assigneeId: u.get('mine') === '1' ? user.id : undefined,
    q: u.get('q')?.trim().slice(0, 60) || undefined,
    page: Number(u.get('page')) || 1,
  };
  const prisma = await getPrisma();
  const r = await listWarnings(prisma, filter);
  const assignees = await prisma.user.findMany({ where: { id: { in: r.items.map((w) => w.assigneeId).filter((x): x is string => !!x) } }, select: { id: true, displayName: true } });
  const nameOf = new Map(assignees.map((a) => [a.id, a.displayName]));
  const ruleName = new Map(WARNING_RULES.map((x) => [x.id, x.name]));
  return {
    total: r.total,
    page: r.page,
    pageSize: r.pageSize,
    filter: { status, level: u.get('level') ?? '', rule: u.get('rule') ?? '', mine: u.get('mine') === '1', q: u.get('q') ?? '' },
    rules: WARNING_RULES.map((x) => ({ id: x.id, name: x.name })),
    items: r.items.map((w) => ({
      id: w.id,
      level: w.level,
      status: w.status,
      title: w.title,
      subjectLabel: w.subjectLabel,
      rule: ruleName.get(w.ruleId) ?? w.ruleId,
      raisedAt: w.raisedAt.toISOString(),
      cleared: !!w.clearedAt,
      assignee: w.assigneeId ? (nameOf.get(w.assigneeId) ?? '—') : '未指派',
    })),
  };
}

export default function Warnings() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>预警纠错</h1>
        <Link to="/supervision">返回监察台</Link>
      </div>
      <Form method="get" className="filters" role="search">
        <label>
          状态
          <select name="status" defaultValue={d.filter.status}>
            <option value="open">未办结</option>
            {Object.entries(WARNING_STATUS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
            <option value="all">全部</option>
          </select>
        </label>
        <label>
          级别
          <select name="level" defaultValue={d.filter.level}>
            <option value="">全部</option>
            {Object.entries(WARNING_LEVELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          预警规则
          <select name="rule" defaultValue={d.filter.rule}>
            <option value="">全部</option>
            {d.rules.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          关键词
          <input name="q" defaultValue={d.filter.q} placeholder="项目、机构或编号" />
        </label>
        <label className="sup-check">
          <input type="checkbox" name="mine" value="1" defaultChecked={d.filter.mine} /> 只看我承办的
        </label>
        <button className="btn" type="submit">
          筛选
        </button>
      </Form>
      {d.items.length === 0 ? (
        <p className="empty">没有符合条件的预警</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">级别</th>
                <th scope="col">预警事项</th>
                <th scope="col">规则</th>
                <th scope="col">触发时间</th>
                <th scope="col">承办人</th>
                <th scope="col">状态</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((w) => (
                <tr key={w.id}>
                  <td>
                    <LevelBadge level={w.level} />
                  </td>
                  <td>
                    <Link to={`/warnings/${w.id}`}>{w.title}</Link>
                    <div className="muted small">{w.subjectLabel}</div>
                  </td>
                  <td>{w.rule}</td>
                  <td>{formatDateTime(w.raisedAt)}</td>
                  <td>{w.assignee}</td>
                  <td>
                    <WarningStatusTag status={w.status} />
                    {w.cleared && w.status !== 'closed' ? <div className="muted small">条件已消除</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}
