// 网上挂牌: an approved agency lists the catalog services it is qualified for.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { listItems } from '~/modules/market/catalog.server';
import { describeFee, levelMeets, LISTING_STATUS_LABELS, MAX_DISCOUNT_PCT } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { createListing, listingSchema, listingsOfOrg, maxDiscountFor, withdrawListing } from '~/modules/market/listings.server';
import { agencyOfOrg } from '~/modules/market/registration.server';
import { formatDate } from '~/ui/format';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '我的挂牌服务 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'create:listing');
  const orgId = user.organizationId ?? '';
  const [agency, listings, items] = await Promise.all([agencyOfOrg(orgId), listingsOfOrg(orgId), listItems({ activeOnly: true })]);
  const quals = agency?.qualifications ?? [];
  return {
    agency: agency && { id: agency.id, status: agency.status, approved: !!agency.approvedAt, grade: agency.creditGrade, blacklisted: agency.blacklisted },
    qualifications: quals.map((q) => ({ id: q.id, label: `${q.type} ${q.level}（${q.number}，有效期至 ${q.validUntil.toISOString().slice(0, 10)}）` })),
    // Only items the agency holds a matching, valid qualification for are offered.
    items: items
      .filter((i) => quals.some((q) => q.type === i.qualificationType && levelMeets(q.level, i.qualificationLevel)))
      .map((i) => ({ id: i.id, label: `${i.category.name} · ${i.name}（${i.code}）`, fee: describeFee(i), days: i.timeLimitDays, maxDiscount: maxDiscountFor(i) })),
    listings: listings.map((l) => ({ id: l.id, item: `${l.item.category.name} · ${l.item.name}`, code: l.item.code, qual: `${l.qualification.type} ${l.qualification.level}`, discountPct: l.discountPct, status: l.status, suspendReason: l.suspendReason, fee: describeFee(l.item), days: l.item.timeLimitDays, since: l.createdAt.toISOString() })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:listing');
  const form = await request.formData();
  const actor = actorOf(request, user);
  try {
    if (form.get('intent') === 'withdraw') {
      await requirePermission(request, 'update:listing:own');
      await withdrawListing(actor, user.organizationId ?? '', String(form.get('id') ?? ''));
      return { ok: '已撤牌', error: null, fieldErrors: {} };
    }
    const v = listingSchema.safeParse(Object.fromEntries(form));
    if (!v.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const i of v.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(i.message);
      return Response.json({ ok: null, error: null, fieldErrors }, { status: 400 });
    }
    await createListing(actor, user.organizationId ?? '', v.data);
    return { ok: '挂牌成功，已在服务大厅公开展示', error: null, fieldErrors: {} };
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ ok: null, error: Object.keys(e.fieldErrors).length ? null : e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

export default function Listings() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { ok: string | null; error: string | null; fieldErrors: Record<string, string[]> } | undefined;
  const fe = r?.fieldErrors ?? {};
  return (
    <div>
      <h1>我的挂牌服务</h1>
      {!d.agency?.approved ? (
        <p className="notice warning">
          入驻审核通过后方可挂牌服务。<Link to="/market/registration">办理入驻</Link>
        </p>
      ) : null}
      {r?.ok ? (
        <p className="notice success" role="status">
          {r.ok}
        </p>
      ) : null}
      {r?.error ? <FormErrors errors={[r.error]} /> : null}
      <div className="two-col">
        <section className="panel">
          <h2>已挂牌</h2>
          {d.listings.length === 0 ? (
            <p className="empty">暂无挂牌服务</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th>服务事项</th>
                  <th>依据资质</th>
                  <th>收费</th>
                  <th>时限</th>
                  <th>状态</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {d.listings.map((l) => (
                  <tr key={l.id}>
                    <td>
                      {l.item}
                      <div className="muted">挂牌于 {formatDate(l.since)}</div>
                    </td>
                    <td>{l.qual}</td>
                    <td>
                      {l.fee}
                      {l.discountPct ? <div>承诺下浮 {l.discountPct}%</div> : null}
                    </td>
                    <td>{l.days} 个工作日</td>
                    <td>
                      {LISTING_STATUS_LABELS[l.status]}
                      {l.suspendReason ? <div className="status-bad">{l.suspendReason}</div> : null}
                    </td>
                    <td>
                      {l.status !== 'withdrawn' ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="withdraw" />
                          <input type="hidden" name="id" value={l.id} />
                          <button className="link-button" type="submit" aria-label={`撤牌 ${l.code}`}>
                            撤牌
                          </button>
                        </Form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>挂牌新服务</h2>
          <p className="muted">只能挂牌与本机构资质相符的事项，收费不得高于统一收费标准，可在标准范围内下浮（最多 {MAX_DISCOUNT_PCT}%）；承诺时限执行目录统一时限。</p>
          <Form method="post">
            <div className={`field${fe.itemId ? ' has-error' : ''}`}>
              <label htmlFor="itemId">服务事项</label>
              <select id="itemId" name="itemId" required defaultValue="">
                <option value="">请选择</option>
                {d.items.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.label}
                  </option>
                ))}
              </select>
              {fe.itemId ? <p className="field-errors" role="alert">{fe.itemId[0]}</p> : null}
            </div>
            <div className={`field${fe.qualificationId ? ' has-error' : ''}`}>
              <label htmlFor="qualificationId">依据资质</label>
              <select id="qualificationId" name="qualificationId" required defaultValue="">
                <option value="">请选择</option>
                {d.qualifications.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.label}
                  </option>
                ))}
              </select>
              {fe.qualificationId ? <p className="field-errors" role="alert">{fe.qualificationId[0]}</p> : null}
            </div>
            <div className={`field${fe.discountPct ? ' has-error' : ''}`}>
              <label htmlFor="discountPct">收费下浮比例（%）</label>
              <input id="discountPct" name="discountPct" type="number" min={0} max={100} defaultValue={0} required />
              <p className="hint">0 表示执行统一收费标准上限</p>
              {fe.discountPct ? <p className="field-errors" role="alert">{fe.discountPct[0]}</p> : null}
            </div>
            <div className="field">
              <label htmlFor="note">服务承诺（选填）</label>
              <textarea id="note" name="note" maxLength={500} />
            </div>
            <button className="btn btn-primary" type="submit" disabled={!d.agency?.approved}>
              挂牌
            </button>
          </Form>
        </section>
      </div>
    </div>
  );
}
