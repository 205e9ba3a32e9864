// 工作日历: holidays and make-up working days (调休) that every committed time limit counts with.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { listCalendarDays, loadWorkCalendar, removeCalendarDay, setCalendarDay } from '~/modules/market/calendar.server';
import { MarketError } from '~/modules/market/errors.server';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '工作日历 - 交易中心' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:calendar');
  const year = Number(new URL(request.url).searchParams.get('year')) || now().getFullYear();
  const [days, cal] = await Promise.all([listCalendarDays(year), loadWorkCalendar()]);
  return { year, covered: cal.covers(`${year}-06-01`), days: days.map((d) => ({ day: d.day, kind: d.kind, name: d.name })) };
}

const schema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择日期'),
  kind: z.enum(['holiday', 'workday'], { errorMap: () => ({ message: '请选择类型' }) }),
  name: z.string().trim().min(2, '请填写名称（如 春节）').max(20),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:calendar');
  const f = await request.formData();
  try {
    if (f.get('intent') === 'remove') {
      await removeCalendarDay(actorOf(request, user), String(f.get('day') ?? ''));
      return { ok: '已删除', error: null };
    }
    const v = schema.safeParse(Object.fromEntries(f));
    if (!v.success) return Response.json({ ok: null, error: v.error.issues[0].message }, { status: 400 });
    await setCalendarDay(actorOf(request, user), v.data);
    return { ok: `已设置 ${v.data.day} 为${v.data.kind === 'holiday' ? '休息日' : '调休上班日'}`, error: null };
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ ok: null, error: e.message }, { status: 400 });
    throw e;
  }
}

export default function AdminCalendar() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { ok: string | null; error: string | null } | undefined;
  return (
    <div className="two-col">
      <section className="panel">
        <div className="panel-head">
          <h1>{d.year} 年工作日历</h1>
          <Form method="get" className="inline-form">
            <input name="year" type="number" defaultValue={d.year} min={2020} max={2100} aria-label="年份" className="score-input" />
            <button className="btn btn-small" type="submit">
              切换年份
            </button>
          </Form>
        </div>
        {!d.covered ? <p className="notice warning">尚未录入 {d.year} 年节假日安排，时限将仅按周末计算。请依据国务院办公厅通知录入。</p> : null}
        {r?.ok ? (
          <p className="notice success" role="status">
            {r.ok}
          </p>
        ) : null}
        {r?.error ? <FormErrors errors={[r.error]} /> : null}
        <table className="data">
          <thead>
            <tr>
              <th>日期</th>
              <th>类型</th>
              <th>名称</th>
              <th>操作</th>
            </tr>
          </thead>
          <tbody>
            {d.days.map((x) => (
              <tr key={x.day}>
                <td>{x.day}</td>
                <td>{x.kind === 'holiday' ? '休息' : <strong>调休上班</strong>}</td>
                <td>{x.name}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="day" value={x.day} />
                    <button className="link-button" type="submit" aria-label={`删除 ${x.day}`}>
                      删除
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>设置日期</h2>
        <p className="muted">周一至周五默认为工作日，周六、周日默认休息；此处录入法定节假日（含连休的周末）及调休上班的周末。</p>
        <Form method="post">
          <div className="field">
            <label htmlFor="day">日期</label>
            <input id="day" name="day" type="date" required />
          </div>
          <div className="field">
            <label htmlFor="kind">类型</label>
            <select id="kind" name="kind" required>
              <option value="holiday">法定节假日（休息）</option>
              <option value="workday">调休上班日</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="name">名称</label>
            <input id="name" name="name" required placeholder="如 春节、调休上班" />
          </div>
          <button className="btn btn-primary" type="submit">
            保存
          </button>
        </Form>
      </section>
    </div>
  );
}
