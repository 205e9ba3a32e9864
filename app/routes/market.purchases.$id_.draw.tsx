// "Verify this draw": the browser recomputes the draw from the published record with the same
// isomorphic code (crypto/draw.ts) an auditor can run offline — nothing is taken on trust from
// the server except the record itself and the values published earlier.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { candidatesHash, canonicalCandidates, commitSeed, outcomeSeed, verifyDraw, type DrawRecord } from '../../crypto/draw';
import { getPrisma } from '~/db/index.server';
import { getPurchase, publishedDrawRecord } from '~/modules/market/purchases.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '复核随机抽取 - 网上中介超市' }];

// Public.
export async function loader({ params }: LoaderFunctionArgs) {
  const p = await getPurchase(params.id ?? '');
  if (!p) throw new Response('采购项目不存在', { status: 404 });
  const record = publishedDrawRecord(p);
  const prisma = await getPrisma();
  // The commitment as it was published in the purchase announcement (before sign-up closed).
  const ann = await prisma.announcement.findFirst({ where: { sourceType: 'Purchase', sourceId: p.id, kind: 'purchase' }, orderBy: { publishedAt: 'asc' } });
  const announced = ann?.body.match(/承诺值（SHA-256）：([0-9a-f]{64})/)?.[1] ?? null;
  return {
    p: { id: p.id, code: p.code, projectName: p.projectName, method: p.method, resultAt: p.resultAt?.toISOString() ?? null, publishedAt: p.publishedAt.toISOString() },
    record,
    published: { commitment: announced ?? p.drawCommitment, candidatesHash: p.candidatesHash, announcementId: ann?.id ?? null },
  };
}

type Step = { label: string; ok: boolean; detail: string };

function recompute(record: DrawRecord, published: { commitment: string | null; candidatesHash: string | null }) {
  const steps: Step[] = [];
  const commit = commitSeed(record.seed);
  steps.push({ label: '公开的种子与发布时的承诺值一致', ok: commit === record.commitment && (!published.commitment || published.commitment === record.commitment), detail: `SHA-256("draw-commit-v1" ‖ 种子) = ${commit}` });
  let ch = '';
  try {
    ch = candidatesHash(canonicalCandidates(record.candidates));
  } catch (e) {
    ch = `无效：${String(e)}`;
  }
  steps.push({ label: '报名名单哈希与报名截止时公开的值一致', ok: ch === record.candidatesHash && (!published.candidatesHash || published.candidatesHash === ch), detail: ch });
  const os = outcomeSeed(record.seed, record.candidatesHash, record.purpose, record.extraEntropy);
  steps.push({ label: '结果种子由承诺种子和报名名单共同决定', ok: os === record.outcomeSeed, detail: os });
  const v = verifyDraw(record, { commitment: published.commitment ?? undefined, candidatesHash: published.candidatesHash ?? undefined });
  steps.push({ label: '按公开算法重新抽取，结果与公布的一致', ok: v.ok, detail: v.ok ? `中选：${v.winners.join('、')}；备选：${v.reserves.join('、') || '无'}` : `${v.code}：${v.reason}` });
  return { steps, ok: steps.every((s) => s.ok) };
}

export default function VerifyDraw() {
  const d = useLoaderData<typeof loader>();
  const [result, setResult] = useState<ReturnType<typeof recompute> | null>(null);
  const [pasted, setPasted] = useState('');
  const [pastedResult, setPastedResult] = useState<string | null>(null);
  const label = (id: string) => d.record?.candidates.find((c) => c.id === id)?.label ?? id;
  return (
    <div>
      <p className="crumbs">
        <Link to={`/market/purchases/${d.p.id}`}>{d.p.projectName}</Link> / 复核随机抽取
      </p>
      <h1>复核随机抽取（{d.p.code}）</h1>
      {!d.record ? (
        <p className="notice">本项目尚未进行随机抽取，或未产生需复核的抽取记录。</p>
      ) : (
        <>
          <section className="panel">
            <h2>公开记录</h2>
            <dl className="kv">
              <dt>抽取用途</dt>
              <dd>
                <code>{d.record.purpose}</code>
              </dd>
              <dt>发布时公开的承诺值</dt>
              <dd>
                <span className="hash">{d.published.commitment}</span>
                {d.published.announcementId ? (
                  <>
                    {' '}
                    <Link to={`/announcements/${d.published.announcementId}`}>见采购公告（{formatDateTime(d.p.publishedAt)}）</Link>
                  </>
                ) : null}
              </dd>
              <dt>抽取时公开的种子</dt>
              <dd>
                <span className="hash">{d.record.seed}</span>
              </dd>
              <dt>报名名单哈希</dt>
              <dd>
                <span className="hash">{d.record.candidatesHash}</span>
              </dd>
              <dt>结果种子</dt>
              <dd>
                <span className="hash">{d.record.outcomeSeed}</span>
              </dd>
            </dl>
            <h3>报名名单（按编号排序，含资格审查结果和权重）</h3>
            <table className="data">
              <thead>
                <tr>
                  <th>编号</th>
                  <th>机构</th>
                  <th>资格</th>
                  <th className="num">权重</th>
                  <th>结果</th>
                </tr>
              </thead>
              <tbody>
                {d.record.candidates.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <code>{c.id}</code>
                    </td>
                    <td>{c.label}</td>
                    <td>{c.eligible ? '参加抽取' : <span className="status-bad">排除：{c.reason}</span>}</td>
                    <td className="num">{c.weight}</td>
                    <td>{d.record!.winners.includes(c.id) ? <strong className="status-ok">中选</strong> : d.record!.reserves.includes(c.id) ? `备选第${d.record!.reserves.indexOf(c.id) + 1}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="actions">
              <button className="btn btn-primary" type="button" onClick={() => setResult(recompute(d.record!, d.published))}>
                在本浏览器中重新计算
              </button>
              <a className="btn" href={`/market/purchases/${d.p.id}/record.json`} download>
                下载抽取记录（JSON）
              </a>
            </p>
          </section>
          {result ? (
            <section className={`panel ${result.ok ? 'verify-ok' : 'verify-bad'}`} aria-live="polite">
              <h2>{result.ok ? '复核通过：抽取结果与公开记录一致' : '复核未通过'}</h2>
              <ol>
                {result.steps.map((s) => (
                  <li key={s.label}>
                    <strong className={s.ok ? 'status-ok' : 'status-bad'}>{s.ok ? '✓' : '✗'}</strong> {s.label}
                    <div className="hash">{s.detail}</div>
                  </li>
                ))}
              </ol>
              {result.ok ? <p>中选机构：{d.record.winners.map(label).join('、')}</p> : null}
            </section>
          ) : null}
          <section className="panel">
            <h2>离线复核</h2>
            <p>算法公开于《随机抽取算法说明》（docs/draw-algorithm.md），可用命令行或任意独立实现复核：</p>
            <pre className="hash">{`npx tsx crypto/cli.ts draw verify --in draw-${d.p.code}.json --commitment ${d.published.commitment} --candidates-hash ${d.record.candidatesHash}`}</pre>
            <label htmlFor="pasted">或粘贴一份抽取记录（JSON）在浏览器中核验：</label>
            <textarea id="pasted" value={pasted} onChange={(e) => setPasted(e.target.value)} />
            <button
              className="btn"
              type="button"
              onClick={() => {
                try {
                  const v = verifyDraw(JSON.parse(pasted), { commitment: d.published.commitment ?? undefined, candidatesHash: d.published.candidatesHash ?? undefined });
                  setPastedResult(v.ok ? `核验通过：中选 ${v.winners.join('、')}` : `核验未通过（${v.code}）：${v.reason}`);
                } catch {
                  setPastedResult('不是有效的 JSON');
                }
              }}
            >
              核验粘贴的记录
            </button>
            {pastedResult ? <p role="status">{pastedResult}</p> : null}
          </section>
        </>
      )}
    </div>
  );
}
