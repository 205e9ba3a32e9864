// DEMO_MODE only: move the platform clock forward so that deadlines, openings and overtime
// warnings can be shown (and tested end to end) without waiting. Refused in production.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { persistClockAdvance } from '~/modules/clock/clock-store.server';
import { clockOffsetMs, now } from '~/modules/clock/clock.server';
import { runDueJobs } from '~/modules/clock/scheduler.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '演示时钟 - 江城市公共资源交易平台' }];

function requireDemo() {
  if (!env().DEMO_MODE) throw new Response('仅演示环境可调整平台时钟', { status: 403 });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'advance:clock:demo');
  requireDemo();
  return { now: now().toISOString(), offsetMs: clockOffsetMs() };
}

const schema = z.object({
  minutes: z.coerce.number({ invalid_type_error: '请输入分钟数' }).int('请输入整数分钟').min(1, '至少快进1分钟').max(60 * 24 * 400, '一次最多快进400天'),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'advance:clock:demo');
  requireDemo();
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0].message, now: null }, { status: 400 });
  const before = now();
  const after = await persistClockAdvance(parsed.data.minutes * 60_000);
  const prisma = await getPrisma();
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actorOf(request, user), {
      action: 'demo.clock.advance',
      payload: { minutes: parsed.data.minutes, from: before.toISOString(), to: after.toISOString() },
    }),
  );
  await runDueJobs();
  return { error: null, now: after.toISOString() };
}

export default function DemoClock() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  return (
    <section className="panel">
      <h1>演示时钟</h1>
      <p>
        平台当前时间：<strong>{formatDateTime(a?.now ?? d.now)}</strong>
        {d.offsetMs ? <span className="muted">（已快进 {Math.round(d.offsetMs / 60000)} 分钟）</span> : null}
      </p>
      <p className="muted">快进后，到期的截止时间、开标、超时预警等将立即按新时间处理。仅演示环境可用，操作记入审计日志。</p>
      <Form method="post" className="filters">
        <label>
          快进（分钟）
          <input type="number" name="minutes" min={1} defaultValue={60} required />
        </label>
        <button className="btn btn-primary" type="submit">
          快进
        </button>
      </Form>
      {a?.error ? (
        <p className="notice danger" role="alert">
          {a.error}
        </p>
      ) : null}
    </section>
  );
}
