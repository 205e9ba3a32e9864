// Demo organizations and accounts: one or more for every role. Credit codes are generated with a
// valid GB 32100 check character.
import { withCheckChar } from '~/modules/auth/credit-code';
import type { OrgRole } from '~/modules/auth/permissions';

export const DEMO_PASSWORD = 'Demo2026!';

export interface DemoOrg {
  key: string;
  name: string;
  body17: string; // first 17 characters of the credit code
  roles: OrgRole[];
  region: string;
  contactName: string;
  users: { username: string; displayName: string; role: OrgRole }[];
}

export const DEMO_ORGS: DemoOrg[] = [
  // 中介机构
  { key: 'agency1', name: '江城华信工程咨询有限公司', body17: '91420100MA4K0A001', roles: ['agency'], region: '江城市江北区', contactName: '周建华', users: [{ username: 'agency1', displayName: '周建华', role: 'agency' }] },
  { key: 'agency2', name: '江城市勘测规划设计研究院有限公司', body17: '91420100MA4K0A002', roles: ['agency'], region: '江城市江南区', contactName: '吴敏', users: [{ username: 'agency2', displayName: '吴敏', role: 'agency' }] },
  { key: 'agency3', name: '长荣工程造价咨询事务所有限公司', body17: '91420100MA4K0A003', roles: ['agency'], region: '江城市高新区', contactName: '郑晓东', users: [{ username: 'agency3', displayName: '郑晓东', role: 'agency' }] },
  { key: 'agency4', name: '绿源环境评价技术有限公司', body17: '91420100MA4K0A004', roles: ['agency'], region: '江城市江北区', contactName: '孙丽', users: [{ username: 'agency4', displayName: '孙丽', role: 'agency' }] },
  { key: 'agency5', name: '中正建设工程监理有限公司', body17: '91420100MA4K0A005', roles: ['agency', 'tenderer'], region: '江城市临江区', contactName: '冯刚', users: [{ username: 'agency5', displayName: '冯刚', role: 'agency' }] },
  // 项目业主
  { key: 'owner1', name: '江城市城市建设投资集团有限公司', body17: '91420100MA4K0B001', roles: ['owner', 'tenderer'], region: '江城市', contactName: '李明', users: [{ username: 'owner1', displayName: '李明', role: 'owner' }] },
  { key: 'owner2', name: '江城市第一人民医院', body17: '12420100MB0B00020', roles: ['owner'], region: '江城市江南区', contactName: '王芳', users: [{ username: 'owner2', displayName: '王芳', role: 'owner' }] },
  { key: 'owner3', name: '江城市交通运输局', body17: '11420100MB0B00030', roles: ['owner'], region: '江城市', contactName: '赵强', users: [{ username: 'owner3', displayName: '赵强', role: 'owner' }] },
  // 招标人/代理机构
  { key: 'tenderer1', name: '江城公共资源招标代理有限公司', body17: '91420100MA4K0C001', roles: ['tenderer'], region: '江城市', contactName: '陈静', users: [{ username: 'tenderer1', displayName: '陈静', role: 'tenderer' }] },
  { key: 'tenderer2', name: '华中国际招标有限责任公司', body17: '91420100MA4K0C002', roles: ['tenderer'], region: '江城市高新区', contactName: '刘洋', users: [{ username: 'tenderer2', displayName: '刘洋', role: 'tenderer' }] },
  // 投标人
  { key: 'bidder1', name: '江城建工集团有限公司', body17: '91420100MA4K0D001', roles: ['bidder'], region: '江城市', contactName: '黄伟', users: [{ username: 'bidder1', displayName: '黄伟', role: 'bidder' }] },
  { key: 'bidder2', name: '楚天路桥建设有限公司', body17: '91420100MA4K0D002', roles: ['bidder'], region: '江城市临江区', contactName: '何俊', users: [{ username: 'bidder2', displayName: '何俊', role: 'bidder' }] },
  { key: 'bidder3', name: '鸿达市政工程有限公司', body17: '91420100MA4K0D003', roles: ['bidder'], region: '江城市江北区', contactName: '罗娟', users: [{ username: 'bidder3', displayName: '罗娟', role: 'bidder' }] },
  { key: 'bidder4', name: '安泰智能科技股份有限公司', body17: '91420100MA4K0D004', roles: ['bidder'], region: '江城市高新区', contactName: '谢峰', users: [{ username: 'bidder4', displayName: '谢峰', role: 'bidder' }] },
  { key: 'bidder5', name: '江汉水利水电工程有限公司', body17: '91420100MA4K0D005', roles: ['bidder'], region: '江城市江南区', contactName: '唐莉', users: [{ username: 'bidder5', displayName: '唐莉', role: 'bidder' }] },
  { key: 'bidder6', name: '众诚园林绿化有限公司', body17: '91420100MA4K0D006', roles: ['bidder'], region: '江城市', contactName: '韩磊', users: [{ username: 'bidder6', displayName: '韩磊', role: 'bidder' }] },
];

export const DEMO_STAFF = [
  { username: 'admin', displayName: '交易中心管理员', role: 'admin' as const },
  { username: 'supervisor1', displayName: '监督员 张诚', role: 'supervisor' as const },
  { username: 'supervisor2', displayName: '监督员 林岚', role: 'supervisor' as const },
];

export function demoCreditCode(org: DemoOrg) {
  return withCheckChar(org.body17);
}
