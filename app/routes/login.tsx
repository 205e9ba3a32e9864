import { getFormProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useNavigation, useSearchParams } from '@remix-run/react';
import { useState } from 'react';
import { fromBase64 } from '../../crypto/hash';
import { AccountError, authenticate } from '~/modules/auth/accounts.server';
import { loginSchema } from '~/modules/auth/schemas';
import { actorOf, createSession, getSessionUser } from '~/modules/auth/session.server';
import { loginWithCertificate } from '~/modules/pki/cert-login.server';
import { overLimit } from '~/modules/pki/http.server';
import { loginChallengeMessage, TrustError } from '~/modules/pki/protocol';
import { Field, FormErrors } from '~/ui/form';
import { KeyPicker } from '~/ui/sign-button';

export const meta: MetaFunction = () => [{ title: '登录 - 江城市公共资源交易平台' }];

/** Only same-site paths: an open redirect after login would be a phishing aid. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/') {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback;
  return to;
}

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSessionUser(request)) throw redirect('/');
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData();
  if (formData.get('intent') === 'certificate') return certificateLogin(request, formData);
  const submission = parseWithZod(formData, { schema: loginSchema });
  if (submission.status !== 'success') return Response.json(submission.reply({ hideFields: ['password'] }), { status: 400 });
  try {
    const user = await authenticate(actorOf(request, null), submission.value.username, submission.value.password);
    const cookie = await createSession(request, user.id);
    return redirect(safeRedirect(submission.value.redirectTo), { headers: { 'Set-Cookie': cookie } });
  } catch (e) {
    if (e instanceof AccountError) {
      return Response.json(submission.reply({ formErrors: [e.message], hideFields: ['password'] }), { status: e.status });
    }
    throw e;
  }
}

/** 数字证书登录: a signature over a one-time challenge by a registered, valid, unrevoked certificate. */
async function certificateLogin(request: Request, formData: FormData) {
  if (await overLimit(request, 'cert-login', 20)) return Response.json({ certError: '登录尝试过于频繁，请稍后再试' }, { status: 429 });
  const challengeId = String(formData.get('challengeId') ?? '');
  let signedData: Uint8Array;
  try {
    signedData = fromBase64(String(formData.get('signature') ?? ''));
  } catch {
    return Response.json({ certError: '签名数据格式不正确' }, { status: 400 });
  }
  if (!challengeId || signedData.length === 0 || signedData.length > 64 * 1024) return Response.json({ certError: '签名数据不完整' }, { status: 400 });
  try {
    const user = await loginWithCertificate(actorOf(request, null), { challengeId, signedData });
    const cookie = await createSession(request, user.id);
    return redirect(safeRedirect(formData.get('redirectTo')), { headers: { 'Set-Cookie': cookie } });
  } catch (e) {
    if (e instanceof TrustError) return Response.json({ certError: e.message }, { status: e.status });
    throw e;
  }
}

function CertificateLogin({ redirectTo }: { redirectTo: string }) {
  const fetcher = useFetcher<{ certError?: string }>();
  const [cert, setCert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signIn() {
    if (!cert) return setError('请选择或导入数字证书');
    setBusy(true);
    setError(null);
    try {
      const ks = await import('~/ui/keystore.client');
      const challenge = await ks.fetchChallenge('login');
      const sig = await ks.signCms(loginChallengeMessage(challenge.nonce), cert);
      fetcher.submit({ intent: 'certificate', challengeId: challenge.id, signature: ks.toBase64(sig), redirectTo }, { method: 'post', action: '/login' });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  const serverError = fetcher.state === 'idle' ? fetcher.data?.certError : undefined;
  const working = busy || fetcher.state !== 'idle';
  return (
    <div className="cert-login">
      <p className="muted">使用本机浏览器中保存的数字证书登录，无需输入密码。首次在本机使用请先导入证书备份文件（.p12）。</p>
      <KeyPicker value={cert} onChange={setCert} />
      {error || serverError ? (
        <p className="form-errors" role="alert">
          {error ?? serverError}
        </p>
      ) : null}
      <button type="button" className="btn btn-primary btn-block" disabled={working || !cert} onClick={() => void signIn()}>
        {working ? '正在验证证书…' : '使用数字证书登录'}
      </button>
    </div>
  );
}

export default function Login() {
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(loginSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
    shouldRevalidate: 'onInput',
  });
  const [mode, setMode] = useState<'password' | 'certificate'>('password');
  const redirectTo = params.get('redirectTo') ?? '/';
  return (
    <section className="auth-card">
      <h1>用户登录</h1>
      <div className="login-tabs" role="tablist" aria-label="登录方式">
        <button type="button" role="tab" aria-selected={mode === 'password'} className={mode === 'password' ? 'active' : ''} onClick={() => setMode('password')}>
          账号密码登录
        </button>
        <button type="button" role="tab" aria-selected={mode === 'certificate'} className={mode === 'certificate' ? 'active' : ''} onClick={() => setMode('certificate')}>
          数字证书登录
        </button>
      </div>
      {mode === 'certificate' ? <CertificateLogin redirectTo={redirectTo} /> : null}
      <Form method="post" {...getFormProps(form)} hidden={mode !== 'password'}>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        <FormErrors errors={form.errors} />
        <Field meta={fields.username} label="用户名" autoComplete="username" />
        <Field meta={fields.password} label="密码" type="password" autoComplete="current-password" />
        <button type="submit" className="btn btn-primary btn-block" disabled={navigation.state === 'submitting'}>
          {navigation.state === 'submitting' ? '正在登录…' : '登录'}
        </button>
      </Form>
      <p className="muted">
        还没有账号？<Link to="/register">单位注册</Link>
      </p>
    </section>
  );
}
