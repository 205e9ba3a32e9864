// <SignButton>: signs bytes with the user's certificate key held in this browser (CMS SignedData,
// detached), asking to import a .p12 backup when the browser holds none. Used for contract
// signing, check-in, expert signatures, certificate login.
//
//   <SignButton content={bytes} userId={user.id} onSigned={(sigB64, certSha256) => ...} label="签名确认" />
//
// The server must verify what comes back with verifyUserSignature (app/modules/pki/user-certs.server.ts).
import { useEffect, useId, useRef, useState } from 'react';
import type { LocalKeyInfo } from './keystore.client';

type Content = Uint8Array | (() => Promise<Uint8Array> | Uint8Array);

function shortDate(iso: string) {
  return iso.slice(0, 10);
}

async function keystore() {
  return import('./keystore.client');
}

/** Picks one of the local keys (or imports a .p12). Renders nothing until keys are known. */
export function KeyPicker({
  userId,
  value,
  onChange,
  allowImport = true,
}: {
  userId?: string | null;
  value: string | null;
  onChange: (certSha256: string | null) => void;
  allowImport?: boolean;
}) {
  const [keys, setKeys] = useState<LocalKeyInfo[] | null>(null);
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function refresh(select?: string) {
    try {
      const ks = await keystore();
      const list = (await ks.listLocalKeys()).filter((k) => !userId || !k.userId || k.userId === userId);
      const valid = list.filter((k) => new Date(k.notAfter) > new Date());
      setKeys(valid);
      const pick = select ?? (value && valid.some((k) => k.certSha256 === value) ? value : valid[0]?.certSha256 ?? null);
      onChange(pick);
      if (valid.length === 0) setImporting(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setKeys([]);
    }
  }

  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [userId]);

  if (keys === null) return <p className="muted">正在读取本机证书…</p>;
  return (
    <div className="key-picker">
      {keys.length > 0 ? (
        <div className="field">
          <label htmlFor={`${id}-key`}>使用证书</label>
          <select id={`${id}-key`} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
            {keys.map((k) => (
              <option key={k.certSha256} value={k.certSha256}>
                {k.commonName}
                {k.organization ? `（${k.organization}）` : ''} · 序列号 {k.serialHex.slice(0, 8)}… · 有效期至 {shortDate(k.notAfter)}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className="notice">本机浏览器中没有可用的数字证书。请导入证书备份文件（.p12），或登录后在“我的数字证书”中申请。</p>
      )}
      {allowImport && !importing && keys.length > 0 ? (
        <button type="button" className="link-button" onClick={() => setImporting(true)}>
          导入其他证书（.p12）
        </button>
      ) : null}
      {allowImport && importing ? (
        <ImportP12
          userId={userId}
          onImported={async (sha) => {
            setImporting(false);
            await refresh(sha);
          }}
        />
      ) : null}
      {error ? (
        <p className="form-errors" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** File + password fields that import a .p12 into the local store. No <form>: callers often sit inside one. */
export function ImportP12({ userId, onImported }: { userId?: string | null; onImported: (certSha256: string) => void | Promise<void> }) {
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const pwRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: 'file' | 'password'; message: string } | null>(null);
  const [ok, setOk] = useState<string | null>(null);

  async function onImport() {
    const file = fileRef.current?.files?.[0];
    const password = pwRef.current?.value ?? '';
    if (!file) return setError({ field: 'file', message: '请选择证书备份文件（.p12 或 .pfx）' });
    if (!password) return setError({ field: 'password', message: '请输入证书备份密码' });
    setBusy(true);
    setError(null);
    setOk(null);
    try {
      const ks = await keystore();
      const k = await ks.importP12(file, password, userId ?? null);
      if (pwRef.current) pwRef.current.value = '';
      setOk(`已导入证书：${k.commonName}${k.organization ? `（${k.organization}）` : ''}`);
      await onImported(k.certSha256);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      setError({ field: /密码/.test(message) ? 'password' : 'file', message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="p12-import" role="group" aria-label="导入证书备份">
      <div className={`field${error?.field === 'file' ? ' has-error' : ''}`}>
        <label htmlFor={`${id}-p12`}>证书备份文件</label>
        <input ref={fileRef} id={`${id}-p12`} type="file" accept=".p12,.pfx,application/x-pkcs12" />
        {error?.field === 'file' ? <p className="field-errors">{error.message}</p> : null}
      </div>
      <div className={`field${error?.field === 'password' ? ' has-error' : ''}`}>
        <label htmlFor={`${id}-pw`}>备份密码</label>
        <input
          ref={pwRef}
          id={`${id}-pw`}
          type="password"
          autoComplete="off"
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void onImport();
            }
          }}
        />
        {error?.field === 'password' ? <p className="field-errors">{error.message}</p> : null}
      </div>
      {ok ? (
        <p className="notice success" role="status">
          {ok}
        </p>
      ) : null}
      <button type="button" className="btn" disabled={busy} onClick={() => void onImport()}>
        {busy ? '正在导入…' : '导入证书'}
      </button>
    </div>
  );
}

export function SignButton({
  content,
  onSigned,
  label = '签名确认',
  userId,
  disabled,
  className = 'btn btn-primary',
}: {
  content: Content;
  onSigned: (signatureB64: string, certSha256: string) => void | Promise<void>;
  label?: string;
  userId?: string | null;
  disabled?: boolean;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const [cert, setCert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function sign() {
    if (!cert) return setError('请选择或导入数字证书');
    setBusy(true);
    setError(null);
    try {
      const ks = await keystore();
      const bytes = typeof content === 'function' ? await content() : content;
      const sig = await ks.signCms(bytes, cert);
      await onSigned(ks.toBase64(sig), cert);
      setOpen(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" className={className} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="sign-panel" role="group" aria-label="数字证书签名">
      <KeyPicker userId={userId} value={cert} onChange={setCert} />
      {error ? (
        <p className="form-errors" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className={className} disabled={busy || !cert} onClick={() => void sign()}>
          {busy ? '正在签名…' : label}
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          取消
        </button>
      </div>
    </div>
  );
}
