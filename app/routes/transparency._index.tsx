// 审计透明 (public): signed tree heads of the audit log, the platform's certificates and how anyone
// can check that no recorded operation was later changed, removed or inserted.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { certInfo } from '../../crypto/pki';
import { env } from '~/env.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { listTreeHeads, treeSize } from '~/modules/transparency/log.server';
import type { Step } from '~/modules/transparency/verify';
import { formatDate, formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '审计透明 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const page = Number(new URL(request.url).searchParams.get('page')) || 1;
  const [pki, heads, size] = await Promise.all([getPlatformPki(), listTreeHeads({ page, pageSize: 15 }), treeSize()]);
  const certs = (
    [
      ['ca', '平台根CA证书', pki.ca.cert],
      ['tsa', '时间戳服务证书', pki.tsa.cert],
      ['signer', '电子记录签章证书', pki.signer.cert],
    ] as const
  ).map(([key, label, der]) => {
    const i = certInfo(der);
    return { key, label, subject: i.subject, serialHex: i.serialHex, notBefore: i.notBefore.toISOString(), notAfter: i.notAfter.toISOString(), sha256: i.sha256 };
  });
  return {
    base: env().PUBLIC_BASE_URL.replace(/\/$/, ''),
    certs,
    logSize: size,
    total: heads.total,
    page: heads.page,
    pageSize: heads.pageSize,
    heads: heads.rows.map((h) => ({ id: h.id, treeSize: h.treeSize, rootHash: h.rootHash, timestamp: h.timestamp.toISOString(), sth: h.sth })),
  };
}

function StepList({ steps }: { steps: Step[] }) {
  return (
    <ul className="check-steps">
      {steps.map((s) => (
        <li key={s.label} className={s.ok ? 'ok' : 'bad'}>
          <strong>{s.ok ? '✔' : '✘'} {s.label}</strong>
          <span>{s.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export default function Transparency() {
  const d = useLoaderData<typeof loader>();
  const [check, setCheck] = useState<{ ok: boolean; steps: Step[] } | null>(null);
  const [busy, setBusy] = useState(false);

  async function verifyLatest() {
    setBusy(true);
    setCheck(null);
    try {
      const [{ checkHeadsConsistency }, caPem] = await Promise.all([import('~/modules/transparency/verify'), fetch('/pki/ca.pem').then((r) => r.text())]);
      const latest = d.heads[0].sth;
      const earlier = d.heads.find((h) => h.treeSize > 0 && h.treeSize < latest.treeSize)?.sth ?? latest;
      const proof = earlier.treeSize > 0 && earlier.treeSize < latest.treeSize ? ((await (await fetch(`/transparency/proof/consistency?from=${earlier.treeSize}&to=${latest.treeSize}`)).json()) as { proof: string[] }).proof : [];
      setCheck(await checkHeadsConsistency({ sth1: earlier, sth2: latest, caPem, proof }));
    } catch (e) {
      setCheck({ ok: false, steps: [{ label: '核验', ok: false, detail: e instanceof Error ? e.message : String(e) }] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <section className="panel">
        <div className="panel-head">
          <h1>审计透明</h1>
          <span className="muted">当前日志共 {d.logSize} 条记录</span>
        </div>
        <p>
          平台的每一次操作（登录、投标、开标、合同签署、资金划转、证书签发与注销等）都记入只可追加的审计日志。日志条目是一棵 Merkle 树（RFC 9162）的叶子，平台定期用电子记录签章证书对树头签名并在此公开。
          任何人都可以用公开的证明核验：某条记录确实在日志中（包含证明），以及较新的日志只是在较早的日志之后追加，没有修改、删除或插入任何记录（一致性证明）。证明只含哈希值，不泄露记录内容。
        </p>
        {d.heads.length > 0 ? (
          <div className="verify-box">
            <button type="button" className="btn btn-primary" onClick={() => void verifyLatest()} disabled={busy}>
              {busy ? '正在核验…' : '在浏览器中核验最新树头'}
            </button>
            {check ? (
              <div className={`notice ${check.ok ? 'success' : 'danger'}`} role="status">
                <p>{check.ok ? '核验通过。' : '核验未通过！'}</p>
                <StepList steps={check.steps} />
              </div>
            ) : null}
          </div>
        ) : null}
      </section>

      <section className="panel">
        <h2>平台证书</h2>
        <div className="cert-cards">
          {d.certs.map((c) => (
            <div key={c.key} className="cert-card">
              <h3>{c.label}</h3>
              <dl>
                <dt>主题</dt>
                <dd>{c.subject}</dd>
                <dt>序列号</dt>
                <dd>
                  <code>{c.serialHex}</code>
                </dd>
                <dt>有效期</dt>
                <dd>
                  {formatDate(c.notBefore)} 至 {formatDate(c.notAfter)}
                </dd>
                <dt>SHA-256</dt>
                <dd>
                  <code className="fingerprint">{c.sha256}</code>
                </dd>
              </dl>
              <a className="btn btn-small" href={`/pki/${c.key}.pem`} download={`${c.key}.pem`}>
                下载 {c.key}.pem
              </a>
            </div>
          ))}
        </div>
        <p className="muted">
          证书吊销列表：<a href="/pki/crl.der">/pki/crl.der</a>　时间戳服务（RFC 3161）：<code>POST /tsa</code>
        </p>
      </section>

      <section className="panel">
        <h2>签名树头</h2>
        {d.heads.length === 0 ? (
          <p className="empty">尚无签名树头</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">签名时间</th>
                  <th scope="col">日志规模</th>
                  <th scope="col">根哈希</th>
                  <th scope="col">下载</th>
                </tr>
              </thead>
              <tbody>
                {d.heads.map((h) => (
                  <tr key={h.id}>
                    <td>{formatDateTime(h.timestamp)}</td>
                    <td className="num">{h.treeSize}</td>
                    <td>
                      <code title={h.rootHash}>{h.rootHash.slice(0, 24)}…</code>
                    </td>
                    <td>
                      <a href={`/transparency/sth.json?size=${h.treeSize}`} download={`sth-${h.treeSize}.json`}>
                        sth-{h.treeSize}.json
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
      </section>

      <section className="panel">
        <h2>如何离线核验</h2>
        <ol className="howto">
          <li>
            下载平台根证书和最新签名树头：
            <pre>{`curl -o ca.pem ${d.base}/pki/ca.pem
curl -o sth.json ${d.base}/transparency/sth.json`}</pre>
          </li>
          <li>
            取得某条记录的包含证明，或两个树头之间的一致性证明（只含哈希）：
            <pre>{`curl '${d.base}/transparency/proof/inclusion?seq=17'
curl '${d.base}/transparency/proof/consistency?from=120&to=180'`}</pre>
          </li>
          <li>
            开标记录、合同等证据包（含记录签名、时间戳、审计条目、包含证明、签名树头和证书）用平台开源的核验工具离线检查，任何一处被改动都会指出具体位置：
            <pre>{`npx tsx crypto/cli.ts record verify --in evidence.json --ca ca.pem`}</pre>
          </li>
          <li>
            树头签名也可以直接用 OpenSSL 核验（签名内容格式见 docs/decisions/020-signed-tree-heads.md）。监督人员可在 <Link to="/audit">审计日志</Link> 页面直接在浏览器中核验任一条记录。
          </li>
        </ol>
      </section>
    </>
  );
}
