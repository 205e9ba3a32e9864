import { Form, NavLink, Link } from '@remix-run/react';
import { can, ROLE_LABELS, type Permission, type Role } from '~/modules/auth/permissions';

interface ShellUser {
  displayName: string;
  role: string;
  organization: { name: string } | null;
}

interface NavItem {
  to: string;
  label: string;
  permission?: Permission;
  roles?: Role[];
}

// Role-aware navigation: an item shows only where the server would also allow it.
const NAV: NavItem[] = [
  { to: '/', label: '首页' },
  { to: '/announcements', label: '交易公告' },
  { to: '/tenders', label: '招标项目' },
  { to: '/openings', label: '开标大厅' },
  { to: '/market', label: '中介超市' },
  { to: '/bids', label: '我的投标', permission: 'read:bid-receipt:own' },
  { to: '/evaluation', label: '评标定标', permission: 'read:evaluation' },
  { to: '/admin/experts', label: '专家库', permission: 'manage:experts' },
  { to: '/audit', label: '审计日志', permission: 'read:audit' },
  { to: '/transparency', label: '审计透明' },
  { to: '/admin/certificates', label: '证书管理', permission: 'manage:keys' },
  { to: '/supervision', label: '电子监察', permission: 'read:supervision' },
  { to: '/inspections', label: '双随机抽查', permission: 'run:inspection' },
  { to: '/stats', label: '统计分析', permission: 'read:statistics' },
  { to: '/complaints', label: '投诉异议', permission: 'create:complaint' },
  { to: '/admin/users', label: '用户管理', permission: 'manage:users' },
  { to: '/payments/orders', label: '我的订单', permission: 'pay:order:own' },
  { to: '/finance', label: '资金监管', permission: 'read:finance' },
  { to: '/admin/clock', label: '演示时钟', permission: 'advance:clock:demo' },
];

export function AppShell({ user, unread, demo, children }: { user: ShellUser | null; unread: number; demo: boolean; children: React.ReactNode }) {
  const items = NAV.filter((n) => (!n.permission || can(user?.role, n.permission)) && (!n.roles || (user && n.roles.includes(user.role as Role))));
  return (
    <>
      <a className="skip-link" href="#main">
        跳到主要内容
      </a>
      <header className="site-header">
        <div className="bar">
          <Link to="/" className="brand" aria-label="江城市公共资源交易平台 首页">
            <span className="brand-mark" aria-hidden>
              江
            </span>
            <span>
              <strong>江城市公共资源交易平台</strong>
              <small>公共资源交易中心 · 政务服务中心</small>
            </span>
          </Link>
          <div className="account">
            {user ? (
              <>
                <Link to="/inbox" className="inbox-link" aria-label={`站内消息，${unread} 条未读`}>
                  站内消息{unread > 0 ? <span className="badge">{unread > 99 ? '99+' : unread}</span> : null}
                </Link>
                <span className="who">
                  {user.displayName}
                  <small>
                    {ROLE_LABELS[user.role as Role] ?? user.role}
                    {user.organization ? ` · ${user.organization.name}` : ''}
                  </small>
                </span>
                <Link to="/account/certificate">数字证书</Link>
                <Link to="/account/password">修改密码</Link>
                <Form method="post" action="/logout">
                  <button type="submit" className="link-button">
                    退出登录
                  </button>
                </Form>
              </>
            ) : (
              <>
                <Link to="/login">登录</Link>
                <Link to="/register" className="btn btn-small">
                  注册
                </Link>
              </>
            )}
          </div>
        </div>
        <nav aria-label="主导航" className="main-nav">
          <ul>
            {items.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to} end={n.to === '/'}>
                  {n.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {demo ? <div className="demo-banner">演示环境：数据为虚构示例，支付通过本地模拟网关完成。</div> : null}
      <main id="main" className="container">
        {children}
      </main>
      <footer className="site-footer">
        <p>江城市公共资源交易中心 主办 · 服务热线 12345 · 全程网办、不见面审批、最多跑一次</p>
      </footer>
    </>
  );
}
