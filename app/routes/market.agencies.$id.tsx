import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { CREDIT_EVENT_LABELS } from '~/modules/credit/rules';
import { describeFee, LISTING_STATUS_LABELS, REGISTRATION_STATUS_LABELS } from '~/modules/market/constants';
import { publicAgencyProfile } from '~/modules/market/listings.server';
import { GradeBadge, MarketTabs, Stars } from '~/modules/market/ui';
import { formatDate } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.a.name ?? '中介机构'} - 网上中介超市` }];

// Public profile (信用信息公开).
export async function loader({ params }: LoaderFunctionArgs) {
  const r = await publicAgencyProfile(params.id ?? '');
  if (!r) throw new Response('机构不存在', { status: 404 });
  const a = r.agency;
  return {
    a: {
      id: a.id, name: a.name, creditCode: a.creditCode, region: a.region, address: a.address, intro: a.intro, status: a.status,
      grade: a.creditGrade, score: a.creditScore / 100, blacklisted: a.blacklisted, rating: a.ratingAvg, ratingCount: a.ratingCount, completed: a.completedOrders, penalties: a.penaltyCount,
      approvedAt: a.approvedAt?.toISOString() ?? null,
    },
    qualifications: a.qualifications.map((q) => ({ id: q.id, type: q.type, level: q.level, number: q.number, validUntil: q.validUntil.toISOString() })),
    practitioners: a.practitioners.map((p) => ({ id: p.id, name: p.name, certType: p.certType })),
    listings: a.listings.map((l) => ({ id: l.id, item: l.item.name, category: l.item.category.name, fee: describeFee(l.item), days: l.item.timeLimitDays, discountPct: l.discountPct, status: l.status, reason: l.suspendReason })),
    evaluations: r.evaluations.map((e) => ({ id: e.id, avg: (e.quality + e.timeliness + e.attitude + e.feeCompliance) / 4, comment: e.comment, at: e.at.toISOString() })),
    penalties: r.penalties.map((e) => ({ id: e.id, kind: e.kind, note: e.note, at: e.at.toISOString() })),
  };
}

export default function AgencyProfile() {
  const d = useLoaderData<typeof loader>();
  const a = d.a;
  return (
    <div>
      <MarketTabs current="" />
      <div className="panel-head">
        <h1>
          {a.name} <GradeBadge grade={a.grade} blacklisted={a.blacklisted} />
        </h1>
        <Link to={`/market/agencies/${a.id}/credit`}>信用记录</Link>
      </div>
      {a.status === 'cleared' ? <p className="notice danger">该机构已被清退，暂停参与中介服务。</p> : null}
      {a.blacklisted ? <p className="notice danger">该机构已列入黑名单，挂牌服务已暂停，不得参与随机抽取。</p> : null}
      <div className="two-col">
        <div>
          <section className="panel">
            <dl className="kv">
              <dt>统一社会信用代码</dt>
              <dd>{a.creditCode}</dd>
              <dt>所在区域</dt>
              <dd>{a.region}</dd>
              <dt>办公地址</dt>
              <dd>{a.address}</dd>
              <dt>入驻状态</dt>
              <dd>
                {REGISTRATION_STATUS_LABELS[a.status]}（{formatDate(a.approvedAt)} 入驻）
              </dd>
              <dt>信用</dt>
              <dd>
                <span data-testid="credit-grade">{a.grade}</span> 级，信用分 <span data-testid="credit-score">{a.score.toFixed(2)}</span>
              </dd>
              <dt>服务评价</dt>
              <dd>
                <Stars value={a.rating} />（{a.ratingCount} 次评价）
              </dd>
              <dt>完成订单</dt>
              <dd>{a.completed} 单</dd>
              <dt>不良记录</dt>
              <dd>{a.penalties} 条</dd>
            </dl>
            {a.intro ? <p>{a.intro}</p> : null}
          </section>
          <section className="panel">
            <h2>挂牌服务</h2>
            <table className="data">
              <thead>
                <tr>
                  <th>服务事项</th>
                  <th>收费</th>
                  <th>时限</th>
                  <th>状态</th>
                </tr>
              </thead>
              <tbody>
                {d.listings.map((l) => (
                  <tr key={l.id}>
                    <td>
                      {l.item}
                      <div className="muted">{l.category}</div>
                    </td>
                    <td>
                      {l.fee}
                      {l.discountPct ? <div>承诺下浮 {l.discountPct}%</div> : null}
                    </td>
                    <td>{l.days} 个工作日</td>
                    <td>
                      {LISTING_STATUS_LABELS[l.status]}
                      {l.reason ? <div className="status-bad">{l.reason}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel">
            <h2>近期评价</h2>
            {d.evaluations.length === 0 ? <p className="muted">暂无评价</p> : null}
            <ul className="inbox">
              {d.evaluations.map((e) => (
                <li key={e.id} className="msg">
                  <div>
                    <Stars value={e.avg} />
                    <time>{formatDate(e.at)}</time>
                  </div>
                  {e.comment ? <p>{e.comment}</p> : null}
                </li>
              ))}
            </ul>
          </section>
        </div>
        <div>
          <section className="panel">
            <h2>资质证书</h2>
            <ul className="inbox">
              {d.qualifications.map((q) => (
                <li key={q.id} className="msg">
                  <strong>
                    {q.type} {q.level}
                  </strong>
                  <p className="muted">
                    {q.number}，有效期至 {formatDate(q.validUntil)}
                  </p>
                </li>
              ))}
            </ul>
          </section>
          <section className="panel">
            <h2>执业人员</h2>
            <ul>
              {d.practitioners.map((p) => (
                <li key={p.id}>
                  {p.name}（{p.certType}）
                </li>
              ))}
            </ul>
          </section>
          <section className="panel">
            <h2>处罚与不良记录</h2>
            {d.penalties.length === 0 ? <p className="muted">无</p> : null}
            <ul className="inbox">
              {d.penalties.map((p) => (
                <li key={p.id} className="msg">
                  <div>
                    <strong className="status-bad">{CREDIT_EVENT_LABELS[p.kind] ?? p.kind}</strong>
                    <time>{formatDate(p.at)}</time>
                  </div>
                  <p>{p.note}</p>
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </div>
  );
}
