import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { listCategories } from '~/modules/market/catalog.server';
import { describeFee, GRADES, QUAL_LEVELS, SORTS, yuan, feeBounds } from '~/modules/market/constants';
import { browseListings, listingRegions, parseBrowseQuery } from '~/modules/market/listings.server';
import { GradeBadge, MarketTabs, Stars } from '~/modules/market/ui';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '网上中介超市 - 江城市公共资源交易平台' }];

// Public: anyone can browse the supermarket (公开透明).
export async function loader({ request }: LoaderFunctionArgs) {
  const u = new URL(request.url).searchParams;
  const query = parseBrowseQuery(u);
  const [result, categories, regions] = await Promise.all([browseListings(query), listCategories(), listingRegions()]);
  return {
    query,
    regions,
    categories: categories.map((c) => ({ id: c.id, name: c.name, count: c._count.items })),
    ...result,
    rows: result.rows.map((r) => {
      const b = feeBounds(r.item, null);
      return {
        id: r.id,
        agencyId: r.agencyId,
        agencyName: r.agencyName,
        region: r.region,
        grade: r.creditGrade,
        score: r.creditScore / 100,
        rating: r.ratingAvg,
        completed: r.completedOrders,
        discountPct: r.discountPct,
        qualification: `${r.qualification.type} ${r.qualification.level}`,
        item: { id: r.item.id, code: r.item.code, name: r.item.name, days: r.item.timeLimitDays },
        fee: describeFee(r.item),
        offer: b && r.discountPct ? yuan(Math.round((b.max * (100 - r.discountPct)) / 100)) : null,
      };
    }),
  };
}

export default function MarketHome() {
  const d = useLoaderData<typeof loader>();
  const q = d.query;
  const catHref = (id?: string) => {
    const p = new URLSearchParams();
    if (id) p.set('category', id);
    if (q.sort && q.sort !== 'credit') p.set('sort', q.sort);
    return `/market${p.size ? `?${p}` : ''}`;
  };
  return (
    <div>
      <div className="panel-head">
        <h1>网上中介超市</h1>
        <span className="muted">统一收费标准 · 统一承诺时限 · 一地入驻、全域通行</span>
      </div>
      <MarketTabs current="/market" />
      <div className="market-layout">
        <aside className="panel" aria-label="服务类别">
          <h2>服务类别</h2>
          <ul className="cat-list">
            <li>
              <Link to={catHref()} aria-current={!q.categoryId ? 'true' : undefined}>
                全部类别
              </Link>
            </li>
            {d.categories.map((c) => (
              <li key={c.id}>
                <Link to={catHref(c.id)} aria-current={q.categoryId === c.id ? 'true' : undefined}>
                  <span>{c.name}</span>
                  <span className="muted">{c.count}</span>
                </Link>
              </li>
            ))}
          </ul>
        </aside>
        <section className="panel" aria-labelledby="results-title">
          <h2 id="results-title" className="sr-only">挂牌服务</h2>
          <Form method="get" className="filters" role="search">
            {q.categoryId ? <input type="hidden" name="category" value={q.categoryId} /> : null}
            <label>
              关键字
              <input type="search" name="q" defaultValue={q.q ?? ''} placeholder="机构名称或服务事项" />
            </label>
            <label>
              区域
              <select name="region" defaultValue={q.region ?? ''}>
                <option value="">不限</option>
                {d.regions.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              资质等级不低于
              <select name="level" defaultValue={q.level ?? ''}>
                <option value="">不限</option>
                {QUAL_LEVELS.filter((l) => l !== '不分级').map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label>
              信用等级不低于
              <select name="grade" defaultValue={q.grade ?? ''}>
                <option value="">不限</option>
                {GRADES.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </label>
            <label>
              排序
              <select name="sort" defaultValue={q.sort}>
                {Object.entries(SORTS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <button className="btn btn-primary" type="submit">
              查询
            </button>
          </Form>
          {d.rows.length === 0 ? (
            <p className="empty">没有符合条件的挂牌服务</p>
          ) : (
            <ul className="listing-cards">
              {d.rows.map((r) => (
                <li key={r.id} className="listing-card">
                  <div>
                    <h3>
                      <Link to={`/market/agencies/${r.agencyId}`}>{r.agencyName}</Link> <GradeBadge grade={r.grade} />
                    </h3>
                    <div>
                      {r.item.name} <span className="muted">（{r.item.code}）</span>
                    </div>
                    <div className="meta">
                      <span>{r.region}</span>
                      <span>{r.qualification}</span>
                      <span>信用分 {r.score.toFixed(2)}</span>
                      <Stars value={r.rating} />
                      <span>完成 {r.completed} 单</span>
                    </div>
                  </div>
                  <div className="fee">
                    <div className="muted">统一收费标准</div>
                    <div>{r.fee}</div>
                    {r.offer ? (
                      <div>
                        承诺下浮 {r.discountPct}%：<strong>{r.offer}</strong>
                      </div>
                    ) : null}
                    <div className="muted">承诺时限 {r.item.days} 个工作日</div>
                  </div>
                </li>
              ))}
            </ul>
          )}
          {d.capped ? <p className="pager-info">匹配超过 {d.total} 条，请增加筛选条件</p> : null}
          <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
        </section>
      </div>
    </div>
  );
}
