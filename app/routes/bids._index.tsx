// 我的投标: the bidder organization's bids across tenders, with receipts.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { BID_STATUS_LABELS, formatBytes, RECEIPT_KIND_LABELS, TENDER_STATUS_LABELS } from '~/modules/bidding/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '我的投标 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:bid-receipt:own');
  const prisma = await getPrisma();
  const bids = user.organizationId
    ? await prisma.bid.findMany({ where: { bidderOrgId: user.organizationId }, include: { tender: true, section: true, receipts: { orderBy: { createdAt: 'asc' } } }, orderBy: { submittedAt: 'desc' }, take: 200 })
    : [];
  return {
    bids: bids.map((b) => ({
      id: b.id,
      tender: { id: b.tender.id, code: b.tender.code, name: b.tender.name, status: b.tender.status, bidDeadline: b.tender.bidDeadline.toISOString() },
      section: `第${b.section.seq}标段 ${b.section.name}`,
      version: b.version,
      status: b.status,
      size: Number(b.envelopeSize),
      submittedAt: b.submittedAt.toISOString(),
      receipts: b.receipts.map((r) => ({ id: r.id, receiptNo: r.receiptNo, kind: r.kind })),
    })),
  };
}

export default function MyBids() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>我的投标</h1>
      {d.bids.length === 0 ? (
        <p className="empty">
          还没有递交过投标文件。前往 <Link to="/tenders">招标项目</Link> 获取招标文件并投标。
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>项目</th>
                <th>标段</th>
                <th>版本</th>
                <th>状态</th>
                <th>递交时间</th>
                <th className="num">密文</th>
                <th>回执</th>
              </tr>
            </thead>
            <tbody>
              {d.bids.map((b) => (
                <tr key={b.id}>
                  <td>
                    <Link to={`/tenders/${b.tender.id}/bid`}>{b.tender.name}</Link>
                    <br />
                    <small className="muted">
                      {b.tender.code} · {TENDER_STATUS_LABELS[b.tender.status]} · 截止 {formatDateTime(b.tender.bidDeadline)}
                    </small>
                  </td>
                  <td>{b.section}</td>
                  <td>第{b.version}版</td>
                  <td>{BID_STATUS_LABELS[b.status]}</td>
                  <td>{formatDateTime(b.submittedAt)}</td>
                  <td className="num">{formatBytes(b.size)}</td>
                  <td className="bd-links">
                    {b.receipts.map((r) => (
                      <a key={r.id} href={`/bids/receipts/${r.id}?format=pdf`} title={r.receiptNo}>
                        {RECEIPT_KIND_LABELS[r.kind]}回执
                      </a>
                    ))}
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
