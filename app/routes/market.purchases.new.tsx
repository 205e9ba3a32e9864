// 发布采购公告: the owner picks a catalog item, states the budget (checked against the uniform
// fee standard), the sign-up period and the selection method.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { listItems } from '~/modules/market/catalog.server';
import { getRules } from '~/modules/credit/credit.server';
import { CRITERIA_KEYS, CRITERIA_LABELS, DEFAULT_CRITERIA, describeFee, METHOD_LABELS, METHODS, parseYuan, QUAL_LEVELS, yuan } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { chinaDateTime, issuesToFieldErrors, toChinaInput } from '~/modules/market/form-utils';
import { publishPurchase, purchaseSchema } from '~/modules/market/purchases.server';
import { now } from '~/modules/clock/clock.server';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '发布采购公告 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'create:purchase');
  const [items, { rules }, prisma] = await Promise.all([listItems({ activeOnly: true }), getRules(), getPrisma()]);
  const agencies = await prisma.agencyProfile.findMany({ where: { status: 'approved', blacklisted: false }, orderBy: { name: 'asc' }, take: 500, select: { id: true, name: true, creditGrade: true } });
  const t = now();
  return {
    items: items.map((i) => ({ id: i.id, label: `${i.category.name} · ${i.name}（${i.code}）`, fee: describeFee(i), kind: i.feeKind, days: i.timeLimitDays, qual: `${i.qualificationType} ${i.qualificationLevel}及以上` })),
    agencies,
    directMax: yuan(rules.directMaxFen),
    defaults: { signupEnd: toChinaInput(new Date(t.getTime() + 3 * 86_400_000)), selectAt: toChinaInput(new Date(t.getTime() + 3 * 86_400_000 + 3_600_000)) },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:purchase');
  const f = await request.formData();
  const str = (k: string) => String(f.get(k) ?? '').trim();
  const budget = parseYuan(str('budget'));
  const investment = str('investment') ? parseYuan(str('investment')) : null;
  const pre: Record<string, string[]> = {};
  if (budget === null) pre.budgetFen = ['请填写正确的预算金额（元）'];
  if (str('investment') && investment === null) pre.investmentFen = ['请填写正确的总投资（元）'];
  const criteria = Object.fromEntries(CRITERIA_KEYS.map((k) => [k, Number(str(`criteria_${k}`) || DEFAULT_CRITERIA[k])]));
  const v = purchaseSchema.safeParse({
    projectName: str('projectName'),
    projectCode: str('projectCode'),
    itemId: str('itemId'),
    budgetFen: budget ?? undefined,
    investmentFen: investment,
    requiredQualLevel: str('requiredQualLevel') || undefined,
    description: str('description'),
    method: str('method'),
    signupEnd: chinaDateTime(f.get('signupEnd')),
    selectAt: chinaDateTime(f.get('selectAt')),
    minSignups: Number(str('minSignups') || 3),
    rotation: f.get('rotation') === 'on',
    criteria,
    directAgencyId: str('directAgencyId') || undefined,
  });
  if (!v.success || Object.keys(pre).length) {
    return Response.json({ error: null, fieldErrors: { ...(v.success ? {} : issuesToFieldErrors(v.error.issues)), ...pre } }, { status: 400 });
  }
  try {
    const p = await publishPurchase(actorOf(request, user), user, v.data);
    return redirect(`/market/purchases/${p.id}?published=1`);
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ error: Object.keys(e.fieldErrors).length ? null : e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

export default function NewPurchase() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { error: string | null; fieldErrors: Record<string, string[]> } | undefined;
  const nav = useNavigation();
  const [method, setMethod] = useState<string>('draw');
  const [itemId, setItemId] = useState('');
  const fe = r?.fieldErrors ?? {};
  const item = d.items.find((i) => i.id === itemId);
  const E = ({ name }: { name: string }) =>
    fe[name] ? (
      <ul className="field-errors" role="alert">
        {fe[name].map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    ) : null;
  const cls = (name: string) => `field${fe[name] ? ' has-error' : ''}`;
  return (
    <section className="panel">
      <h1>发布中介服务采购公告</h1>
      {r?.error ? <FormErrors errors={[r.error]} /> : null}
      <Form method="post">
        <fieldset>
          <legend>项目信息</legend>
          <div className={cls('projectName')}>
            <label htmlFor="projectName">项目名称</label>
            <input id="projectName" name="projectName" required />
            <E name="projectName" />
          </div>
          <div className={cls('projectCode')}>
            <label htmlFor="projectCode">投资项目代码</label>
            <input id="projectCode" name="projectCode" required placeholder="2026-420100-48-01-123456" />
            <p className="hint">投资项目在线审批监管平台赋予的项目代码</p>
            <E name="projectCode" />
          </div>
        </fieldset>
        <fieldset>
          <legend>服务需求</legend>
          <div className={cls('itemId')}>
            <label htmlFor="itemId">服务事项</label>
            <select id="itemId" name="itemId" required value={itemId} onChange={(e) => setItemId(e.target.value)}>
              <option value="">请选择</option>
              {d.items.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.label}
                </option>
              ))}
            </select>
            {item ? (
              <p className="hint">
                统一收费标准：{item.fee}；承诺时限 {item.days} 个工作日；资质要求 {item.qual}
              </p>
            ) : null}
            <E name="itemId" />
          </div>
          <div className={cls('investmentFen')}>
            <label htmlFor="investment">项目总投资（元，按投资额比例收费的事项必填）</label>
            <input id="investment" name="investment" inputMode="decimal" />
            <E name="investmentFen" />
          </div>
          <div className={cls('budgetFen')}>
            <label htmlFor="budget">预算金额（元）</label>
            <input id="budget" name="budget" required inputMode="decimal" />
            <p className="hint">须在统一收费标准范围内</p>
            <E name="budgetFen" />
          </div>
          <div className={cls('requiredQualLevel')}>
            <label htmlFor="requiredQualLevel">资质等级要求（不得低于目录要求）</label>
            <select id="requiredQualLevel" name="requiredQualLevel" defaultValue="">
              <option value="">按目录要求</option>
              {QUAL_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
            <E name="requiredQualLevel" />
          </div>
          <div className={cls('description')}>
            <label htmlFor="description">服务内容及要求</label>
            <textarea id="description" name="description" required />
            <E name="description" />
          </div>
        </fieldset>
        <fieldset>
          <legend>选取方式</legend>
          <div role="radiogroup" aria-label="选取方式" className="actions">
            {METHODS.map((m) => (
              <label key={m}>
                <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} /> {METHOD_LABELS[m]}
              </label>
            ))}
          </div>
          <E name="method" />
          {method === 'direct' ? (
            <div className={cls('directAgencyId')}>
              <label htmlFor="directAgencyId">选取的中介机构</label>
              <select id="directAgencyId" name="directAgencyId" defaultValue="">
                <option value="">请选择</option>
                {d.agencies.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}（{a.creditGrade}）
                  </option>
                ))}
              </select>
              <p className="hint">仅限预算低于 {d.directMax} 的项目；与本单位存在关联关系的机构应当回避</p>
              <E name="directAgencyId" />
            </div>
          ) : (
            <>
              <div className="filters">
                <div className={cls('signupEnd')}>
                  <label htmlFor="signupEnd">报名截止时间</label>
                  <input id="signupEnd" name="signupEnd" type="datetime-local" defaultValue={d.defaults.signupEnd} required />
                  <E name="signupEnd" />
                </div>
                <div className={cls('selectAt')}>
                  <label htmlFor="selectAt">{method === 'compare' ? '评分开始时间' : '选取时间'}</label>
                  <input id="selectAt" name="selectAt" type="datetime-local" defaultValue={d.defaults.selectAt} />
                  <E name="selectAt" />
                </div>
                <div className={cls('minSignups')}>
                  <label htmlFor="minSignups">最少有效报名家数</label>
                  <input id="minSignups" name="minSignups" type="number" min={1} max={20} defaultValue={3} />
                  <E name="minSignups" />
                </div>
              </div>
              {method === 'draw' ? (
                <label>
                  <input type="checkbox" name="rotation" /> 启用轮换（近期中选机构降低抽中权重）
                </label>
              ) : null}
              {method === 'compare' ? (
                <fieldset>
                  <legend>评分因素及权重（合计100分）</legend>
                  <div className="filters">
                    {CRITERIA_KEYS.map((k) => (
                      <label key={k}>
                        {CRITERIA_LABELS[k]}
                        <input className="score-input" name={`criteria_${k}`} type="number" min={0} max={100} defaultValue={DEFAULT_CRITERIA[k]} />
                      </label>
                    ))}
                  </div>
                  <E name="criteria" />
                </fieldset>
              ) : null}
            </>
          )}
        </fieldset>
        <button className="btn btn-primary" type="submit" disabled={nav.state === 'submitting'}>
          {nav.state === 'submitting' ? '正在发布…' : '发布采购公告'}
        </button>
      </Form>
    </section>
  );
}
