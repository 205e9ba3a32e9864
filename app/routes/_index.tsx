import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { listAnnouncements } from '~/modules/publish/announcements.server';
import { ANNOUNCEMENT_KINDS } from '~/modules/publish/kinds';
import { getSessionUser } from '~/modules/auth/session.server';
import { can, ROLE_LABELS, type Permission, type Role } from '~/modules/auth/permissions';
import { formatDate } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const { items } = await listAnnouncements({ pageSize: 10 });
  return {
    role: user?.role ?? null,
    name: user?.displayName ?? null,
    welcome: new URL(request.url).searchParams.get('welcome') === '1',
    announcements: items.map((a) => ({ id: a.id, kind: a.kind, title: a.title, publishedAt: a.publishedAt.toISOString() })),
  };
}

interface Tile {
  to: string;
  title: string;
  text: string;
  permission: Permission;
}

// Workbench tiles per role; each shows only when the role holds the permission its page checks.
const TILES: Tile[] = [
  { to: '/market/registration', title: '机构入驻', text: '填报资质与执业人员，一地入驻、全域通行', permission: 'update:registration:own' },
  { to: '/market/listings', title: '挂牌服务', text: '按统一收费标准和承诺时限挂牌中介服务', permission: 'create:listing' },
  { to: '/market/purchases?mine=1', title: '中介服务采购', text: '报名、报价、查看中选结果', permission: 'create:signup' },
  { to: '/market/purchases/new', title: '发布中介服务采购', text: '随机抽取、竞价、比选或直接选取中介机构', permission: 'create:purchase' },
  { to: '/market/orders', title: '中介服务订单', text: '合同签订、限时办结、验收与评价', permission: 'read:market' },
  { to: '/admin/registrations', title: '入驻审核', text: '审核中介机构入驻申请，一次性告知补正材料', permission: 'review:registration' },
  { to: '/admin/catalog', title: '服务事项目录', text: '维护中介服务事项、统一收费标准和承诺时限', permission: 'manage:catalog' },
  { to: '/admin/credit', title: '信用管理', text: '信用评价规则、奖惩、黑名单与清退', permission: 'manage:credit-rules' },
  { to: '/admin/calendar', title: '工作日历', text: '法定节假日与调休上班日', permission: 'manage:calendar' },
  { to: '/tenders?mine=1', title: '招标项目办理', text: '新建招标项目、上传招标文件、生成开标密钥并发布公告、澄清与修改', permission: 'create:tender' },
  { to: '/tenders', title: '投标', text: '获取招标文件，在浏览器中签名加密并递交投标文件，下载投标回执', permission: 'submit:bid' },
  { to: '/bids', title: '我的投标', text: '已递交的投标文件、修改与撤回记录及回执', permission: 'read:bid-receipt:own' },
  { to: '/openings', title: '不见面开标大厅', text: '在线签到、开标密钥恢复、远程解密、唱标、异议与开标记录签署', permission: 'attend:opening' },
  { to: '/evaluation', title: '评标与定标', text: '专家抽取、在线评标、评标报告签署、中标候选人公示、中标通知书与合同备案', permission: 'read:evaluation' },
  { to: '/admin/experts', title: '评标专家库', text: '专家入库、专业与回避关系、暂停与恢复抽取', permission: 'manage:experts' },
  { to: '/audit', title: '审计日志', text: '浏览、筛选并核验防篡改审计日志', permission: 'read:audit' },
  { to: '/supervision', title: '电子监察台', text: '实时监察交易项目、开标、预警和投诉', permission: 'read:supervision' },
  { to: '/warnings', title: '预警纠错', text: '红黄预警的认领、处理和办结', permission: 'handle:warning' },
  { to: '/stats', title: '统计分析', text: '交易量、成交金额、节约率、办结时间、超时率和信用等级图表，CSV/Excel 导出与月度报告', permission: 'read:statistics' },
  { to: '/inspections', title: '双随机抽查', text: '随机抽取检查对象和检查人员，公开承诺值、可复核抽取、公开检查结果', permission: 'run:inspection' },
  { to: '/satisfaction', title: '满意度评价', text: '一事一评结果：按中介机构、部门和窗口的平均分与分布', permission: 'read:statistics' },
  { to: '/complaints', title: '投诉与异议', text: '提出投诉、异议或质疑，查看办理进度', permission: 'create:complaint' },
  { to: '/admin/users', title: '用户管理', text: '开设监督人员、管理员和专家账号，启用或停用账号', permission: 'manage:users' },
  { to: '/payments/orders', title: '我的订单', text: '文件费、投标保证金、服务费的在线支付与退款', permission: 'pay:order:own' },
  { to: '/finance', title: '资金监管', text: '保证金台账、对账结果、退款与没收审批', permission: 'read:finance' },
  { to: '/inbox', title: '站内消息', text: '查看通知、预警和办理提醒', permission: 'read:inbox:own' },
  { to: '/account/password', title: '账号安全', text: '修改登录密码', permission: 'update:account:own' },
];

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const tiles = TILES.filter((t) => can(data.role, t.permission));
  return (
    <div className="home">
      {data.role ? (
        <section className="workbench" aria-labelledby="wb-title">
          {data.welcome ? <p className="notice success">注册成功，欢迎使用江城市公共资源交易平台。</p> : null}
          <h1 id="wb-title">
            {data.name}，您好 <small className="role-tag">{ROLE_LABELS[data.role as Role]}</small>
          </h1>
          <ul className="tiles">
            {tiles.map((t) => (
              <li key={t.to}>
                <Link to={t.to}>
                  <strong>{t.title}</strong>
                  <span>{t.text}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <section className="hero">
          <h1>阳光交易 · 全程网办 · 不见面开标</h1>
          <p>工程建设招投标、网上中介超市、电子监察，一个平台办理。投标文件在您的浏览器中签名、加密，截止前任何人无法解密。</p>
          <p>
            <Link className="btn btn-primary" to="/login">
              登录办理
            </Link>{' '}
            <Link className="btn" to="/register">
              单位注册
            </Link>
          </p>
        </section>
      )}
      <section aria-labelledby="ann-title" className="panel">
        <div className="panel-head">
          <h2 id="ann-title">交易公告</h2>
          <Link to="/announcements">更多</Link>
        </div>
        {data.announcements.length === 0 ? (
          <p className="empty">暂无公告</p>
        ) : (
          <ul className="ann-list">
            {data.announcements.map((a) => (
              <li key={a.id}>
                <span className="tag">{ANNOUNCEMENT_KINDS[a.kind] ?? a.kind}</span>
                <Link to={`/announcements/${a.id}`}>{a.title}</Link>
                <time dateTime={a.publishedAt}>{formatDate(a.publishedAt)}</time>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
