// 监督 (supervisors only, read-only): who obtained the tender documents and, per section, which
// bids are on file. Before the opening this is secret (招标投标法 第二十二条), so every viewing is
// itself written to the audit log. Bid contents are never shown: they are ciphertext until opening.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { listDocumentHolders } from '~/modules/bidding/documents.server';
import { getTender } from '~/modules/bidding/tenders.server';
import { BID_STATUS_LABELS, formatBytes, TENDER_STATUS_LABELS } from '~/modules/bidding/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '监督：获取与递交情况 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:bidders:any');
  const t = await getTender(params.id!);
  if (!t || t.status === 'draft') throw new Response('招标项目不存在', { status: 404 });
  const prisma = await getPrisma();
  const [holders, bids] = await Promise.all([
    listDocumentHolders(t.id),
    prisma.bid.findMany({ where: { tenderId: t.id }, orderBy: [{ sectionId: 'asc' }, { submittedAt: 'asc' }] }),
  ]);
  const orgs = await prisma.organization.findMany({ where: { id: { in: bids.map((b) => b.bidderOrgId) } }, select: { id: true, name: true } });
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actorOf(request, user), { action: 'tender.supervise.view', objectType: 'tender', objectId: t.id, payload: { holders: holders.length, bidVersions: bids.length } }),
  );
  return {
    tender: { id: t.id, code: t.code, name: t.name, status: t.status, bidDeadline: t.bidDeadline.toISOString() },
    holders: holders.map((h) => ({ id: h.id, org: h.org?.name ?? '', creditCode: h.org?.creditCode ?? '', obtainedAt: h.obtainedAt.toISOString(), downloads: h.downloads, paid: !!h.orderId })),
    sections: t.sections.map((s) => ({
      id: s.id,
      seq: s.seq,
      name: s.name,
      bids: bids
        .filter((b) => b.sectionId === s.id)
        .map((b) => ({ id: b.id, org: orgs.find((o) => o.id === b.bidderOrgId)?.name ?? '', version: b.version, status: b.status, size: Number(b.envelopeSize), sha: b.envelopeSha256, at: b.submittedAt.toISOString() })),
    })),
  };
}

export default function Supervise() {
  const d = useLoaderData<typeof loader>();
  return (
    <div>
      <section className="panel">
        <p className="crumbs">
          <Link to={`/tenders/${d.tender.id}`}>{d.tender.code}</Link> / 监督
        </p>
        <div className="panel-head">
          <h1>{d.tender.name}</h1>
          <span className={`t-state t-${d.tender.status}`}>{TENDER_STATUS_LABELS[d.tender.status]}</span>
        </div>
        <p className="notice warning">开标前，获取招标文件和递交投标文件的单位名称及数量依法保密。本页仅监督人员可见，您的每次查看均记入审计日志。</p>
      </section>
      <section className="panel">
        <h2>招标文件获取记录（{d.holders.length}）</h2>
        {d.holders.length === 0 ? (
          <p className="muted">暂无。</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>单位</th>
                <th>统一社会信用代码</th>
                <th>获取时间</th>
                <th>付费</th>
                <th className="num">下载次数</th>
              </tr>
            </thead>
            <tbody>
              {d.holders.map((h) => (
                <tr key={h.id}>
                  <td>{h.org}</td>
                  <td>
                    <code>{h.creditCode}</code>
                  </td>
                  <td>{formatDateTime(h.obtainedAt)}</td>
                  <td>{h.paid ? '已付费' : '免费'}</td>
                  <td className="num">{h.downloads}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {d.sections.map((s) => (
        <section className="panel" key={s.id}>
          <h2>
            第{s.seq}标段 {s.name}：有效投标 {s.bids.filter((b) => b.status === 'active').length} 家
          </h2>
          {s.bids.length === 0 ? (
            <p className="muted">暂无递交记录。</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th>投标人</th>
                  <th>版本</th>
                  <th>状态</th>
                  <th>可信时间</th>
                  <th className="num">密文大小</th>
                  <th>密文 SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {s.bids.map((b) => (
                  <tr key={b.id}>
                    <td>{b.org}</td>
                    <td>第{b.version}版</td>
                    <td>{BID_STATUS_LABELS[b.status]}</td>
                    <td>{formatDateTime(b.at)}</td>
                    <td className="num">{formatBytes(b.size)}</td>
                    <td>
                      <code title={b.sha}>{b.sha.slice(0, 16)}…</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </div>
  );
}
