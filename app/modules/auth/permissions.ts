// Typed permissions `${action}:${entity}` per role. Checked on the server in every loader and
// action (requirePermission) and used by the UI to hide what a role cannot do. Shared code: no
// server imports here.

export const ROLES = ['agency', 'owner', 'tenderer', 'bidder', 'supervisor', 'admin', 'expert'] as const;
export type Role = (typeof ROLES)[number];

/** 组织可持有的市场角色 */
export const ORG_ROLES = ['agency', 'owner', 'tenderer', 'bidder'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  agency: '中介机构',
  owner: '项目业主',
  tenderer: '招标人/代理机构',
  bidder: '投标人',
  supervisor: '监督人员',
  admin: '交易中心管理员',
  expert: '评标专家',
};

const PERMISSIONS = {
  agency: [
    'read:inbox:own', 'update:account:own', 'manage:certificate:own',
    'read:market', 'create:listing', 'update:listing:own', 'create:signup', 'create:quote',
    'read:purchase', 'read:contract:own', 'sign:contract:own', 'update:delivery:own', 'create:complaint', 'create:rating',
    'pay:order:own', 'read:order:own', 'update:registration:own',
  ],
  owner: [
    'read:inbox:own', 'update:account:own', 'manage:certificate:own',
    'read:market', 'create:purchase', 'update:purchase:own', 'select:agency', 'read:contract:own',
    'sign:contract:own', 'accept:delivery:own', 'create:rating', 'create:complaint', 'pay:order:own', 'read:order:own',
  ],
  tenderer: [
    'read:inbox:own', 'update:account:own', 'manage:certificate:own',
    'create:tender', 'update:tender:own', 'publish:tender:own', 'open:tender:own', 'read:tender:own', 'download:tender-document',
    'hold:opening-key', 'attend:opening', 'answer:objection:own', 'award:tender:own', 'read:order:own', 'create:complaint', 'create:rating',
    'plan:evaluation:own', 'read:evaluation', 'file:contract:own',
  ],
  bidder: [
    'read:inbox:own', 'update:account:own',
    'read:tender', 'download:tender-document', 'submit:bid', 'read:bid-receipt:own', 'attend:opening',
    'decrypt:bid:own', 'create:objection', 'pay:order:own', 'read:order:own', 'create:complaint', 'create:rating', 'manage:certificate:own',
    'read:evaluation', 'answer:clarification:own',
  ],
  supervisor: [
    'read:inbox:own', 'update:account:own', 'manage:certificate:own',
    'read:audit', 'verify:audit', 'read:supervision', 'read:tender', 'read:tender:any', 'read:market',
    'read:bidders:any', 'download:tender-document', 'hold:opening-key', 'attend:opening', 'pause:opening', 'handle:complaint',
    'handle:warning', 'approve:forfeit', 'read:order:any', 'read:statistics', 'run:inspection',
    'read:evaluation', 'read:evaluation:any',
    'read:finance',
  ],
  admin: [
    'read:inbox:own', 'update:account:own', 'manage:certificate:own',
    'manage:users', 'manage:catalog', 'review:registration', 'manage:calendar', 'manage:experts',
    'manage:keys', 'read:audit', 'read:statistics', 'read:order:any', 'manage:credit-rules', 'read:market', 'mark:order-paid:demo',
    'advance:clock:demo',
    'read:evaluation', 'draw:experts',
    'read:finance', 'manage:finance',
  ],
  expert: ['read:inbox:own', 'update:account:own', 'manage:certificate:own', 'evaluate:tender:assigned', 'read:evaluation'],
} as const satisfies Record<Role, readonly string[]>;

export type Permission = (typeof PERMISSIONS)[Role][number];

export function permissionsOf(role: string): readonly Permission[] {
  return (PERMISSIONS as Record<string, readonly Permission[]>)[role] ?? [];
}

export function can(role: string | null | undefined, permission: Permission): boolean {
  return !!role && permissionsOf(role).includes(permission);
}

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}
