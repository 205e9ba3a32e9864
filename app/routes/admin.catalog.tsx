// 目录管理: center admins keep the catalog (items, uniform fees and time limits, model contracts),
// with CSV import/export. Every change is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { getItem, importCatalogCsv, itemSchema, listCategories, listItems, saveItem, setItemActive } from '~/modules/market/catalog.server';
import { describeFee, FEE_KIND_LABELS, parseYuan, QUAL_LEVELS } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { issuesToFieldErrors } from '~/modules/market/form-utils';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '服务事项目录管理 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:catalog');
  const u = new URL(request.url).searchParams;
  const [cats, items, edit] = await Promise.all([listCategories(), listItems({ categoryId: u.get('category') || undefined }), u.get('edit') ? getItem(u.get('edit')!) : null]);
  const y = (f: number | null) => (f == null ? '' : (f / 100).toFixed(2));
  return {
    categories: cats.map((c) => ({ id: c.id, name: c.name })),
    items: items.map((i) => ({ id: i.id, code: i.code, name: i.name, category: i.category.name, qual: `${i.qualificationType} ${i.qualificationLevel}`, fee: describeFee(i), days: i.timeLimitDays, active: i.active })),
    edit: edit && { id: edit.id, code: edit.code, categoryId: edit.categoryId, name: edit.name, legalBasis: edit.legalBasis, approvalItem: edit.approvalItem, qualificationType: edit.qualificationType, qualificationLevel: edit.qualificationLevel, feeKind: edit.feeKind, fixed: y(edit.feeFixedFen), min: y(edit.feeMinFen), max: y(edit.feeMaxFen), ratePermille: edit.feeRatePpm == null ? '' : String(edit.feeRatePpm / 1000), timeLimitDays: String(edit.timeLimitDays), serviceStandard: edit.serviceStandard, modelContract: edit.modelContract },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:catalog');
  const actor = actorOf(request, user);
  const f = await request.formData();
  const intent = String(f.get('intent') ?? '');
  const str = (k: string) => String(f.get(k) ?? '').trim();
  try {
    if (intent === 'toggle') {
      await setItemActive(actor, str('id'), str('active') === 'true');
      return { ok: '已更新', error: null, fieldErrors: {} };
    }
    if (intent === 'import') {
      const file = f.get('csv');
      const text = typeof file === 'string' ? file : file ? await file.text() : '';
      const r = await importCatalogCsv(actor, text);
      return { ok: `导入完成：新增 ${r.created} 项，更新 ${r.updated} 项`, error: null, fieldErrors: {} };
    }
    const fen = (k: string) => (str(k) ? parseYuan(str(k)) : null);
    const v = itemSchema.safeParse({
      code: str('code'), categoryId: str('categoryId'), name: str('name'), legalBasis: str('legalBasis'), approvalItem: str('approvalItem'),
      qualificationType: str('qualificationType'), qualificationLevel: str('qualificationLevel'), feeKind: str('feeKind'),
      feeFixedFen: fen('fixed'), feeMinFen: fen('min'), feeMaxFen: fen('max'), feeRatePpm: str('ratePermille') ? Math.round(Number(str('ratePermille')) * 1000) : null,
      timeLimitDays: Number(str('timeLimitDays')), serviceStandard: str('serviceStandard'), modelContract: str('modelContract'),
    });
    if (!v.success) return Response.json({ ok: null, error: null, fieldErrors: issuesToFieldErrors(v.error.issues) }, { status: 400 });
    await saveItem(actor, str('id') || null, v.data);
    return { ok: str('id') ? '事项已修改' : '事项已新增', error: null, fieldErrors: {} };
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ ok: null, error: Object.keys(e.fieldErrors).length ? null : e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

export default function AdminCatalog() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { ok: string | null; error: string | null; fieldErrors: Record<string, string[]> } | undefined;
  const [sp] = useSearchParams();
  const e = d.edit;
  const fe = r?.fieldErrors ?? {};
  const F = ({ name, label, value, area, type = 'text' }: { name: string; label: string; value?: string; area?: boolean; type?: string }) => (
    <div className={`field${fe[name] ? ' has-error' : ''}`}>
      <label htmlFor={`c-${name}`}>{label}</label>
      {area ? <textarea id={`c-${name}`} name={name} defaultValue={value} /> : <input id={`c-${name}`} name={name} type={type} defaultValue={value} />}
      {fe[name] ? <p className="field-errors">{fe[name][0]}</p> : null}
    </div>
  );
  return (
    <div>
      <div className="panel-head">
        <h1>服务事项目录管理</h1>
        <span className="actions">
          <a className="btn" href="/admin/catalog.csv">
            导出 CSV
          </a>
          <Link className="btn" to="/market/catalog">
            查看公开目录
          </Link>
        </span>
      </div>
      {r?.ok ? (
        <p className="notice success" role="status">
          {r.ok}
        </p>
      ) : null}
      {r?.error ? <FormErrors errors={r.error.split('\n')} /> : null}
      <div className="two-col">
        <section className="panel">
          <Form method="get" className="filters">
            <label>
              类别
              <select name="category" defaultValue={sp.get('category') ?? ''}>
                <option value="">全部</option>
                {d.categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <button className="btn" type="submit">
              筛选
            </button>
          </Form>
          <table className="data">
            <thead>
              <tr>
                <th>编码</th>
                <th>事项</th>
                <th>资质</th>
                <th>收费标准</th>
                <th className="num">时限</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.code}</td>
                  <td>
                    {i.name}
                    <div className="muted">{i.category}</div>
                    {!i.active ? <span className="pill pill-muted">已停用</span> : null}
                  </td>
                  <td>{i.qual}</td>
                  <td>{i.fee}</td>
                  <td className="num">{i.days}</td>
                  <td>
                    <Link to={`?edit=${i.id}`}>修改</Link>
                    <Form method="post">
                      <input type="hidden" name="intent" value="toggle" />
                      <input type="hidden" name="id" value={i.id} />
                      <input type="hidden" name="active" value={String(!i.active)} />
                      <button className="link-button" type="submit">
                        {i.active ? '停用' : '启用'}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <div>
          <section className="panel">
            <h2>{e ? `修改事项 ${e.code}` : '新增事项'}</h2>
            <Form method="post" key={e?.id ?? 'new'}>
              <input type="hidden" name="intent" value="save" />
              {e ? <input type="hidden" name="id" value={e.id} /> : null}
              <F name="code" label="事项编码" value={e?.code} />
              <div className="field">
                <label htmlFor="c-categoryId">类别</label>
                <select id="c-categoryId" name="categoryId" defaultValue={e?.categoryId ?? ''}>
                  <option value="">请选择</option>
                  {d.categories.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
              <F name="name" label="事项名称" value={e?.name} />
              <F name="legalBasis" label="设立依据" value={e?.legalBasis} area />
              <F name="approvalItem" label="服务的审批事项" value={e?.approvalItem} />
              <F name="qualificationType" label="资质类别" value={e?.qualificationType} />
              <div className="field">
                <label htmlFor="c-level">最低资质等级</label>
                <select id="c-level" name="qualificationLevel" defaultValue={e?.qualificationLevel ?? ''}>
                  {QUAL_LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="c-feeKind">收费方式</label>
                <select id="c-feeKind" name="feeKind" defaultValue={e?.feeKind ?? 'range'}>
                  {Object.entries(FEE_KIND_LABELS).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </select>
              </div>
              <F name="fixed" label="固定收费（元）" value={e?.fixed} />
              <F name="min" label="收费下限 / 最低收费（元）" value={e?.min} />
              <F name="max" label="收费上限 / 最高收费（元）" value={e?.max} />
              {fe.feeFixedFen || fe.feeMaxFen || fe.feeRatePpm ? <p className="field-errors">{(fe.feeFixedFen ?? fe.feeMaxFen ?? fe.feeRatePpm)[0]}</p> : null}
              <F name="ratePermille" label="费率（‰，按投资额比例时填写）" value={e?.ratePermille} />
              <F name="timeLimitDays" label="承诺时限（工作日）" value={e?.timeLimitDays} type="number" />
              <F name="serviceStandard" label="服务标准" value={e?.serviceStandard} area />
              <F name="modelContract" label="示范合同（可用 {甲方} {乙方} {项目名称} {服务事项} {服务费} {服务费大写} {承诺时限} {合同编号}）" value={e?.modelContract} area />
              <button className="btn btn-primary" type="submit">
                保存
              </button>
            </Form>
          </section>
          <section className="panel">
            <h2>CSV 导入</h2>
            <p className="muted">格式与导出文件相同（UTF-8）。全部行校验通过后才会写入，有误时一次性列出全部问题。</p>
            <Form method="post" encType="multipart/form-data">
              <input type="hidden" name="intent" value="import" />
              <label htmlFor="csv">CSV 文件</label>
              <input id="csv" name="csv" type="file" accept=".csv,text/csv" required />
              <button className="btn" type="submit">
                导入
              </button>
            </Form>
          </section>
        </div>
      </div>
    </div>
  );
}
