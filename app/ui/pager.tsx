import { Link, useSearchParams } from '@remix-run/react';

export function Pager({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const [params] = useSearchParams();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return <p className="pager-info">共 {total} 条</p>;
  const href = (p: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(p));
    return `?${next.toString()}`;
  };
  return (
    <nav className="pager" aria-label="分页">
      <span className="pager-info">
        共 {total} 条，第 {page}/{pages} 页
      </span>
      {page > 1 ? <Link to={href(page - 1)}>上一页</Link> : <span aria-disabled="true">上一页</span>}
      {page < pages ? <Link to={href(page + 1)}>下一页</Link> : <span aria-disabled="true">下一页</span>}
    </nav>
  );
}
