import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, verifyAuditLog } from '~/modules/audit/audit.server';
import { searchAuditLog } from '~/modules/audit/query.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { can, ROLE_LABELS, type Role } from '~/modules/auth/permissions';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';
import { TransparencyChecks } from '~/modules/transparency/audit-panel';
import { listTreeHeads } from '~/modules/transparency/log.server';

export const meta: MetaFunction = () => [{ title: '审计日志 - 江城市公共资源交易平台' }];

function parseDate(v: string | null, endOfDay = false) {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  return new Date(`${v}T${endOfDay ? '23:59:59.999' : '00:00:00'}+08:00`);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePermission(request, 'read:audit');
  const u = new URL(request.url).searchParams;
  const filter = {
    action: u.get('action')?.trim().slice(0, 64) || undefined,
    objectType: u.get('objectType')?.trim().slice(0, 64) || undefined,
    objectId: u.get('objectId')?.trim().slice(0, 64) || undefined,
    actor: u.get('actor')?.trim().slice(0, 64) || undefined,
    from: parseDate(u.get('from')),
    to: parseDate(u.get('to'), true),
    page: Number(u.get('page')) || 1,
    includeBidderActivity: can(viewer.role, 'read:bidders:any'),
  };
  const [r, heads] = await Promise.all([searchAuditLog(filter), listTreeHeads({ pageSize: 30 })]);
  if (filter.includeBidderActivity) {
    // Supervisors see the entries of tenders not yet opened (decision 032): read-only, and logged.
    const prisma = await getPrisma();
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actorOf(request, viewer), {
        action: 'audit.supervise.view',
        payload: { filter: Object.fromEntries(['action', 'objectType', 'objectId', 'actor', 'from', 'to', 'page'].map((k) => [k, u.get(k) ?? ''])) },
      }),
    );
  }
  return {
    full: filter.includeBidderActivity,
    heads: heads.rows.map((h) => ({ id: h.id, treeSize: h.treeSize, timestamp: h.timestamp.toISOString(), sth: h.sth })),
    total: r.total,
    page: r.page,
    pageSize: r.pageSize,
    filter: Object.fromEntries(['action', 'objectType', 'objectId', 'actor', 'from', 'to'].map((k) => [k, u.get(k) ?? ''])),
    rows: r.rows,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'read:audit');
  const prisma = await getPrisma();
  const result = await verifyAuditLog(prisma);
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actorOf(request, user), {
      action: 'audit.verify',
      payload: { checked: result.checked, problems: result.problems.length },
    }),
  );
  return { checked: result.checked, problems: result.problems.slice(0, 100) };
}

export default function AuditLog() {
  const d = useLoaderData<typeof loader>();
  const verify = useActionData<typeof action>();
  const nav = useNavigation();
  const [seq, setSeq] = useState(d.rows[0]?.seq ?? '');
  return (
    <>
    <section className="panel">
      <div className="panel-head">
        <h1>审计日志</h1>
        <Form method="post">
          <button className="btn" type="submit" disabled={nav.state === 'submitting'}>
            {nav.state === 'submitting' ? '正在核验…' : '核验哈希链'}
          </button>
        </Form>
      </div>
      {verify ? (
        verify.problems.length === 0 ? (
          <p className="notice success" role="status">
            已核验 {verify.checked} 条记录，哈希链完整，未发现篡改。
          </p>
        ) : (
          <div className="notice danger" role="alert">
            <p>
              已核验 {verify.checked} 条记录，发现 {verify.problems.length} 处异常：
            </p>
            <ul>
              {verify.problems.map((p) => (
                <li key={`${p.seq}-${p.problem}`}>
                  第 {p.seq} 条：{PROBLEM_LABELS[p.problem] ?? p.problem}（{p.detail}）
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
      {d.full ? (
        <p className="notice warning" role="note">您可查看尚未开标项目的投标、获取文件与保证金记录；本次查看已记入审计日志。</p>
      ) : (
        <p className="hint">尚未开标项目的投标相关记录（投标、获取招标文件、保证金与文件费、监督查看等）开标前仅监督人员可见：列表中只显示其序号、时间和哈希，筛选结果不含此类记录；哈希链核验仍覆盖全部记录。</p>
      )}
      <Form method="get" className="filters" role="search">
        <label>
          操作
          <input name="action" defaultValue={d.filter.action} placeholder="如 auth.login" />
        </label>
        <label>
          对象类型
          <input name="objectType" defaultValue={d.filter.objectType} />
        </label>
        <label>
          对象编号
          <input name="objectId" defaultValue={d.filter.objectId} />
        </label>
        <label>
          操作人
          <input name="actor" defaultValue={d.filter.actor} />
        </label>
        <label>
          起始日期
          <input type="date" name="from" defaultValue={d.filter.from} />
        </label>
        <label>
          截止日期
          <input type="date" name="to" defaultValue={d.filter.to} />
        </label>
        <button className="btn" type="submit">
          筛选
        </button>
      </Form>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">序号</th>
              <th scope="col">时间</th>
              <th scope="col">操作人</th>
              <th scope="col">角色</th>
              <th scope="col">IP</th>
              <th scope="col">操作</th>
              <th scope="col">对象</th>
              <th scope="col">条目哈希</th>
              <th scope="col">
                <span className="visually-hidden">核验</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr key={r.seq} className={r.sealed ? 'muted' : undefined}>
                <td className="num">{r.seq}</td>
                <td>{formatDateTime(r.at)}</td>
                <td>{r.actorName ?? '—'}</td>
                <td>{ROLE_LABELS[r.role as Role] ?? r.role ?? '—'}</td>
                <td>{r.ip ?? '—'}</td>
                <td>{r.sealed ? r.action : <code>{r.action}</code>}</td>
                <td>{r.objectType ? `${r.objectType}:${r.objectId ?? ''}` : '—'}</td>
                <td>
                  <code title={r.entryHash}>{r.entryHash.slice(0, 12)}…</code>
                </td>
                <td>
                  {r.sealed ? null : (
                  <button
                    type="button"
                    className="link-button nowrap"
                    title="在页面下方核验该记录的 Merkle 包含证明"
                    onClick={() => {
                      setSeq(r.seq);
                      document.getElementById('tc-title')?.scrollIntoView({ behavior: 'smooth' });
                    }}
                  >
                    核验
                  </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
    <TransparencyChecks heads={d.heads} seq={seq} onSeq={setSeq} />
    </>
  );
}

const PROBLEM_LABELS: Record<string, string> = {
  ENTRY_HASH_MISMATCH: '记录内容被修改',
  PREV_HASH_MISMATCH: '哈希链断裂（记录被删除、插入或重排）',
  LEAF_HASH_MISMATCH: 'Merkle 叶子哈希不符',
  PAYLOAD_HASH_MISMATCH: '操作内容与其哈希不符',
  SEQ_GAP: '序号不连续',
};
