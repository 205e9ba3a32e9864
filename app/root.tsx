import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useLoaderData, useRouteError, useRouteLoaderData } from '@remix-run/react';
import { publicEnv } from '~/env.server';
import { getSessionUser } from '~/modules/auth/session.server';
import { unreadCount } from '~/modules/notify/notify.server';
import { AppShell } from '~/ui/layout';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: '/styles/app.css' }, { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }];

export const meta: MetaFunction = () => [{ title: '江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  return {
    user: user && {
      id: user.id,
      displayName: user.displayName,
      username: user.username,
      role: user.role,
      organization: user.organization ? { name: user.organization.name, roles: user.organization.roles } : null,
    },
    unread: user ? await unreadCount(user.id) : 0,
    env: publicEnv(),
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

export function useOptionalUser() {
  return useRouteLoaderData<typeof loader>('root')?.user ?? null;
}

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  return (
    <AppShell user={data.user} unread={data.unread} demo={data.env.DEMO_MODE}>
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>('root');
  let title = '系统出错了';
  let detail = '请稍后重试。如问题持续，请联系交易中心（服务热线 12345）。';
  let status = 500;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    if (error.status === 404) {
      title = '页面不存在';
      detail = '您访问的页面不存在或已被移除。';
    } else if (error.status === 403) {
      title = '无权访问';
      detail = typeof error.data === 'string' && error.data ? error.data : '您没有权限访问此页面。';
    } else if (error.status === 413) {
      title = '提交内容过大';
      detail = '请求内容超过了允许的大小。';
    } else if (error.status === 400) {
      title = '请求有误';
      detail = typeof error.data === 'string' ? error.data : detail;
    }
  }
  return (
    <AppShell user={data?.user ?? null} unread={data?.unread ?? 0} demo={data?.env.DEMO_MODE ?? false}>
      <section className="error-page" role="alert">
        <p className="error-code">{status}</p>
        <h1>{title}</h1>
        <p>{detail}</p>
        <p>
          <a className="btn" href="/">
            返回首页
          </a>
        </p>
      </section>
    </AppShell>
  );
}
