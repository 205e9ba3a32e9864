import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { listCategories, listItems } from '~/modules/market/catalog.server';
import { describeFee } from '~/modules/market/constants';
import { MarketTabs } from '~/modules/market/ui';

export const meta: MetaFunction = () => [{ title: '中介服务事项目录 - 网上中介超市' }];

// Public catalog with uniform fees and time limits (清单管理、统一公开).
export async function loader({ request }: LoaderFunctionArgs) {
  const u = new URL(request.url).searchParams;
  const [cats, items] = await Promise.all([listCategories(), listItems({ activeOnly: true, categoryId: u.get('category') || undefined, q: u.get('q')?.trim().slice(0, 40) || undefined })]);
  return {
    category: u.get('category') ?? '',
    q: u.get('q') ?? '',
    categories: cats.map((c) => ({ id: c.id, name: c.name })),
    items: items.map((i) => ({ id: i.id, code: i.code, name: i.name, category: i.category.name, legalBasis: i.legalBasis, approvalItem: i.approvalItem, qual: `${i.qualificationType} ${i.qualificationLevel}`, fee: describeFee(i), days: i.timeLimitDays, standard: i.serviceStandard })),
  };
}

export default function Catalog() {
  const d = useLoaderData<typeof loader>();
  return (
    <div>
      <h1>中介服务事项目录</h1>
      <MarketTabs current="/market/catalog" />
      <section className="panel">
        <Form method="get" className="filters" role="search">
          <label>
            类别
            <select name="category" defaultValue={d.category}>
              <option value="">全部</option>
              {d.categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            关键字
            <input type="search" name="q" defaultValue={d.q} placeholder="事项名称、编码或审批事项" />
          </label>
          <button className="btn" type="submit">
            查询
          </button>
        </Form>
        <p className="muted">共 {d.items.length} 项。收费不得高于统一收费标准，时限不得长于统一承诺时限。</p>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>编码</th>
                <th>事项名称</th>
                <th>服务的审批事项</th>
                <th>资质要求</th>
                <th>统一收费标准</th>
                <th className="num">承诺时限</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.code}</td>
                  <td>
                    <Link to={`/market?item=${i.id}`}>{i.name}</Link>
                    <div className="muted">{i.category}</div>
                    <details>
                      <summary>设立依据与服务标准</summary>
                      <p>{i.legalBasis}</p>
                      <p>{i.standard}</p>
                    </details>
                  </td>
                  <td>{i.approvalItem}</td>
                  <td>{i.qual}</td>
                  <td>{i.fee}</td>
                  <td className="num">{i.days} 个工作日</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
