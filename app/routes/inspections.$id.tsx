// One double-random inspection: the plan and its published commitment, the two draw records with an
// in-browser recomputation (crypto/draw.ts, the same code an auditor runs offline), the results per
// agency, and for supervisors the draw / result / publish actions.
import { parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useState } from 'react';
import { candidatesHash, canonicalCandidates, commitSeed, outcomeSeed, verifyDraw, type DrawRecord } from '../../crypto/draw';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { actorOf, getSessionUser, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { agencyPurpose, INSPECTION_RESULTS, INSPECTION_STATUS, inspectionResultSchema, inspectorPurpose, type InspectionResult } from '~/modules/supervision/inspections-types';
import { getInspection, inspectionRecord, InspectionError, publishInspectionResults, recordInspectionResult, runInspectionDraw } from '~/modules/supervision/inspections.server';
import { formatDate, formatDateTime } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.ins.no ?? ''} 双随机抽查 - 江城市公共资源交易平台` }];

// Public page; results in progress and the actions are for supervisors (run:inspection).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const ins = await getInspection(await getPrisma(), params.id ?? '');
  if (!ins) throw new Response('抽查计划不存在', { status: 404 });
  const supervisor = can(user?.role, 'run:inspection');
  const published = ins.status === 'published';
  return {
    ins: {
      id: ins.id,
      no: ins.no,
      title: ins.title,
      scope: ins.scope,
      status: ins.status,
      agencyCount: ins.agencyCount,
      inspectorCount: ins.inspectorCount,
      includeExperts: ins.includeExperts,
      region: ins.region,
      commitment: ins.commitment,
      agencyCandidatesHash: ins.agencyCandidatesHash,
      agencyCandidateCount: Array.isArray(ins.agencyCandidates) ? ins.agencyCandidates.length : 0,
      createdAt: ins.createdAt.toISOString(),
      drawAt: ins.drawAt?.toISOString() ?? null,
      drawnAt: ins.drawnAt?.toISOString() ?? null,
      publishedAt: ins.publishedAt?.toISOString() ?? null,
      announcementId: ins.announcementId,
      resultAnnouncementId: ins.resultAnnouncementId,
    },
    records: { agencies: inspectionRecord(ins, 'agencies'), inspectors: inspectionRecord(ins, 'inspectors') },
    targets: ins.targets.map((t) => ({
      id: t.id,
      orgName: t.orgName,
      creditCode: t.creditCode,
      agencyId: t.agencyId,
      inspectorNames: t.inspectorNames,
      mine: !!user && (t.inspectorIds.includes(user.id) || ins.createdById === user.id),
      // Conclusions are public once published; before that only supervisors see them.
      result: published || supervisor ? t.result : null,
      findings: published || supervisor ? t.findings : null,
      rectifyDueAt: published || supervisor ? (t.rectifyDueAt?.toISOString() ?? null) : null,
      checkedAt: published || supervisor ? (t.checkedAt?.toISOString() ?? null) : null,
    })),
    supervisor,
    drawReady: !ins.drawAt || ins.drawAt <= now(),
  };
}

type ActionData = { ok?: string; error?: string; targetId?: string; fieldErrors?: Record<string, string[] | null> };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'run:inspection');
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const prisma = await getPrisma();
  const id = params.id ?? '';
  try {
    if (intent === 'draw') {
      await runInspectionDraw(prisma, actorOf(request, user), id);
      return Response.json({ ok: '抽取完成。抽取记录已公开，可在下方复核。' } satisfies ActionData);
    }
    if (intent === 'result') {
      const submission = parseWithZod(form, { schema: inspectionResultSchema });
      if (submission.status !== 'success') {
        return Response.json({ targetId: String(form.get('targetId') ?? ''), fieldErrors: submission.reply().error ?? {} } satisfies ActionData, { status: 400 });
      }
      await recordInspectionResult(prisma, actorOf(request, user), user, id, submission.value);
      return Response.json({ ok: '检查结论已保存。', targetId: submission.value.targetId } satisfies ActionData);
    }
    if (intent === 'publish') {
      await publishInspectionResults(prisma, actorOf(request, user), user, id);
      return Response.json({ ok: '检查结果已公开发布。' } satisfies ActionData);
    }
    return Response.json({ error: '未知操作' } satisfies ActionData, { status: 400 });
  } catch (e) {
    if (e instanceof InspectionError) return Response.json({ error: e.message, targetId: String(form.get('targetId') ?? '') || undefined } satisfies ActionData, { status: e.status });
    throw e;
  }
}

type Step = { label: string; ok: boolean; detail: string };

function recompute(record: DrawRecord, expect: { commitment: string; candidatesHash?: string | null; purpose: string }) {
  const steps: Step[] = [];
  const commit = commitSeed(record.seed);
  steps.push({ label: '公开的种子与抽取前公示的承诺值一致', ok: commit === record.commitment && commit === expect.commitment, detail: `SHA-256("draw-commit-v1" ‖ 种子) = ${commit}` });
  let ch = '';
  try {
    ch = candidatesHash(canonicalCandidates(record.candidates));
  } catch (e) {
    ch = `无效：${String(e)}`;
  }
  steps.push({
    label: expect.candidatesHash ? '候选名单哈希与计划公示时的一致' : '候选名单哈希与名单内容一致',
    ok: ch === record.candidatesHash && (!expect.candidatesHash || expect.candidatesHash === ch),
    detail: ch,
  });
  steps.push({ label: '抽取用途与本计划一致', ok: record.purpose === expect.purpose, detail: record.purpose });
  const os = outcomeSeed(record.seed, record.candidatesHash, record.purpose, record.extraEntropy);
  steps.push({ label: '结果种子由承诺种子、候选名单和用途共同决定', ok: os === record.outcomeSeed, detail: os });
  const v = verifyDraw(record, { commitment: expect.commitment, candidatesHash: expect.candidatesHash ?? undefined, purpose: expect.purpose });
  steps.push({ label: '按公开算法重新抽取，结果与公布的一致', ok: v.ok, detail: v.ok ? `抽中：${v.winners.join('、')}` : `${v.code}：${v.reason}` });
  return { steps, ok: steps.every((s) => s.ok) };
}

function DrawPanel({ title, record, expect, href, file }: { title: string; record: DrawRecord; expect: { commitment: string; candidatesHash?: string | null; purpose: string }; href: string; file: string }) {
  const [result, setResult] = useState<ReturnType<typeof recompute> | null>(null);
  const label = (id: string) => record.candidates.find((c) => c.id === id)?.label ?? id;
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      <dl className="kv">
        <dt>抽取用途</dt>
        <dd>
          <code>{record.purpose}</code>
        </dd>
        <dt>候选名单哈希</dt>
        <dd>
          <span className="hash">{record.candidatesHash}</span>
        </dd>
        <dt>结果种子</dt>
        <dd>
          <span className="hash">{record.outcomeSeed}</span>
        </dd>
        <dt>抽中</dt>
        <dd>{record.winners.map(label).join('、')}</dd>
      </dl>
      <details>
        <summary>候选名单（{record.candidates.length} 个，含排除原因）</summary>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>编号</th>
                <th>名称</th>
                <th>资格</th>
                <th>结果</th>
              </tr>
            </thead>
            <tbody>
              {record.candidates.map((c) => (
                <tr key={c.id}>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.label}</td>
                  <td>{c.eligible ? '参加抽取' : <span className="status-bad">排除：{c.reason}</span>}</td>
                  <td>{record.winners.includes(c.id) ? <strong className="status-ok">抽中（第{record.winners.indexOf(c.id) + 1}位）</strong> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <p className="actions">
        <button className="btn btn-primary" type="button" onClick={() => setResult(recompute(record, expect))}>
          在本浏览器中重新计算
        </button>
        <a className="btn" href={href} download>
          下载抽取记录（JSON）
        </a>
      </p>
      {result ? (
        <div className={`verify-box ${result.ok ? 'verify-ok' : 'verify-bad'}`} role="status" aria-live="polite">
          <strong>{result.ok ? '复核通过：抽取结果与公开记录一致' : '复核未通过'}</strong>
          <ol>
            {result.steps.map((s) => (
              <li key={s.label}>
                <strong className={s.ok ? 'status-ok' : 'status-bad'}>{s.ok ? '✓' : '✗'}</strong> {s.label}
                <div className="hash">{s.detail}</div>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <pre className="hash insp-cli">{`npx tsx crypto/cli.ts draw verify --in ${file} --commitment ${expect.commitment}${expect.candidatesHash ? ` --candidates-hash ${expect.candidatesHash}` : ''}`}</pre>
    </section>
  );
}

function ResultForm({ t, a, busy }: { t: { id: string; result: string | null; findings: string | null }; a: ActionData | undefined; busy: boolean }) {
  const [result, setResult] = useState(t.result ?? '');
  const errs = a?.targetId === t.id ? (a.fieldErrors ?? {}) : {};
  const err = (k: string) =>
    errs[k]?.length ? (
      <span className="field-errors" id={`${t.id}-${k}-err`}>
        {errs[k]!.join('；')}
      </span>
    ) : null;
  return (
    <Form method="post" className="stack-form insp-result-form" aria-label="录入检查结论">
      <input type="hidden" name="intent" value="result" />
      <input type="hidden" name="targetId" value={t.id} />
      <fieldset className="radio-row">
        <legend>检查结论</legend>
        {Object.entries(INSPECTION_RESULTS).map(([k, v]) => (
          <label key={k}>
            <input type="radio" name="result" value={k} checked={result === k} onChange={() => setResult(k)} /> {v}
          </label>
        ))}
        {err('result')}
      </fieldset>
      {result === 'rectify' ? (
        <label>
          整改期限（天）
          <input type="number" name="rectifyDays" min={1} max={180} defaultValue={30} aria-invalid={errs.rectifyDays ? true : undefined} />
          {err('rectifyDays')}
        </label>
      ) : null}
      <label>
        检查发现
        <textarea name="findings" rows={3} defaultValue={t.findings ?? ''} aria-invalid={errs.findings ? true : undefined} aria-describedby={errs.findings ? `${t.id}-findings-err` : undefined} />
        {err('findings')}
      </label>
      <button className="btn" type="submit" disabled={busy}>
        保存结论
      </button>
    </Form>
  );
}

export default function InspectionPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<ActionData>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  const busy = nav.state !== 'idle';
  const ins = d.ins;
  const allRecorded = d.targets.length > 0 && d.targets.every((t) => t.result);
  return (
    <div className="stack">
      <section className="panel">
        <nav className="crumbs" aria-label="位置">
          <Link to="/inspections">双随机抽查</Link> / {ins.no}
        </nav>
        <div className="panel-head">
          <h1>{ins.title}</h1>
          <span className={`state state-insp-${ins.status}`}>{INSPECTION_STATUS[ins.status] ?? ins.status}</span>
        </div>
        {params.get('created') === '1' ? (
          <p className="notice success" role="status">
            抽查计划已保存，随机种子承诺值已公示。
          </p>
        ) : null}
        {a?.ok ? (
          <p className="notice success" role="status">
            {a.ok}
          </p>
        ) : null}
        {a?.error && !a.targetId ? (
          <p className="notice danger" role="alert">
            {a.error}
          </p>
        ) : null}
        <dl className="kv">
          <dt>抽查编号</dt>
          <dd>{ins.no}</dd>
          <dt>检查事项</dt>
          <dd className="prewrap">{ins.scope}</dd>
          <dt>抽取数量</dt>
          <dd>
            检查对象 {ins.agencyCount} 家（候选 {ins.agencyCandidateCount} 家{ins.region ? `，${ins.region}` : ''}）；检查人员 {ins.inspectorCount} 名（{ins.includeExperts ? '监督人员及评标专家' : '监督人员'}）
          </dd>
          <dt>公示时间</dt>
          <dd>
            {formatDateTime(ins.createdAt)}
            {ins.announcementId ? (
              <>
                {' '}
                <Link to={`/announcements/${ins.announcementId}`}>查看计划公示</Link>
              </>
            ) : null}
          </dd>
          <dt>随机种子承诺值</dt>
          <dd>
            <span className="hash" data-testid="commitment">
              {ins.commitment}
            </span>
          </dd>
          <dt>检查对象名单哈希</dt>
          <dd>
            <span className="hash">{ins.agencyCandidatesHash}</span>
          </dd>
          <dt>抽取时间</dt>
          <dd>{ins.drawnAt ? formatDateTime(ins.drawnAt) : `不早于 ${formatDateTime(ins.drawAt)}`}</dd>
          {ins.publishedAt ? (
            <>
              <dt>结果公开</dt>
              <dd>
                {formatDateTime(ins.publishedAt)}
                {ins.resultAnnouncementId ? (
                  <>
                    {' '}
                    <Link to={`/announcements/${ins.resultAnnouncementId}`}>查看结果公示</Link>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
        </dl>
        {d.supervisor && ins.status === 'committed' ? (
          <Form method="post" className="actions" onSubmit={(e) => !confirm('确定现在抽取？抽取后种子公开，结果不可更改。') && e.preventDefault()}>
            <input type="hidden" name="intent" value="draw" />
            <button className="btn btn-primary" type="submit" disabled={busy || !d.drawReady}>
              {busy ? '正在抽取…' : '揭示种子并抽取'}
            </button>
            {!d.drawReady ? <span className="muted">未到公示的抽取时间</span> : null}
          </Form>
        ) : null}
      </section>

      {d.records.agencies && d.records.inspectors ? (
        <div className="two-col even">
          <DrawPanel
            title="抽取一：检查对象"
            record={d.records.agencies}
            expect={{ commitment: ins.commitment, candidatesHash: ins.agencyCandidatesHash, purpose: agencyPurpose(ins.no) }}
            href={`/inspections/${ins.id}/record.json?draw=agencies`}
            file={`draw-${ins.no}-agencies.json`}
          />
          <DrawPanel
            title="抽取二：检查人员"
            record={d.records.inspectors}
            expect={{ commitment: ins.commitment, purpose: inspectorPurpose(ins.no) }}
            href={`/inspections/${ins.id}/record.json?draw=inspectors`}
            file={`draw-${ins.no}-inspectors.json`}
          />
        </div>
      ) : null}

      {d.targets.length ? (
        <section className="panel" aria-labelledby="h-targets">
          <div className="panel-head">
            <h2 id="h-targets">检查对象与结果</h2>
            {d.supervisor && ins.status === 'drawn' ? (
              <Form method="post" onSubmit={(e) => !confirm('确定公开全部检查结果？公开后不能修改。') && e.preventDefault()}>
                <input type="hidden" name="intent" value="publish" />
                <button className="btn btn-primary" type="submit" disabled={busy || !allRecorded} title={allRecorded ? undefined : '全部检查对象录入结论后才能公开'}>
                  公开检查结果
                </button>
              </Form>
            ) : null}
          </div>
          <ul className="insp-targets">
            {d.targets.map((t) => (
              <li key={t.id} className="insp-target">
                <div className="insp-target-head">
                  <strong>{t.agencyId ? <Link to={`/market/agencies/${t.agencyId}`}>{t.orgName}</Link> : t.orgName}</strong>
                  {t.result ? <span className={`insp-result insp-${t.result}`}>{INSPECTION_RESULTS[t.result as InspectionResult]}</span> : <span className="muted">{ins.status === 'published' ? '' : '检查中'}</span>}
                </div>
                <p className="muted small">
                  统一社会信用代码 {t.creditCode} · 检查人员 {t.inspectorNames.join('、')}
                  {t.checkedAt ? ` · 检查时间 ${formatDateTime(t.checkedAt)}` : ''}
                  {t.rectifyDueAt ? ` · 整改期限 ${formatDate(t.rectifyDueAt)}` : ''}
                </p>
                {t.findings ? <p className="prewrap">{t.findings}</p> : null}
                {a?.targetId === t.id && a.error ? (
                  <p className="notice danger" role="alert">
                    {a.error}
                  </p>
                ) : null}
                {d.supervisor && t.mine && ins.status === 'drawn' ? <ResultForm t={t} a={a} busy={busy} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
