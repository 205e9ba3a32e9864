// Shared with the browser: labels and codes of the warning workflow (预警纠错). No server imports.

export const WARNING_LEVELS = { yellow: '黄色预警', red: '红色预警' } as const;
export type WarningLevel = keyof typeof WARNING_LEVELS;

export const WARNING_STATUS = { pending: '待处理', handling: '处理中', closed: '已办结' } as const;
export type WarningStatus = keyof typeof WARNING_STATUS;

/** 办结结论 */
export const WARNING_CONCLUSIONS = {
  confirmed: '情况属实，已督促纠正',
  explained: '经核实情况说明合理',
  false_alarm: '经核实为误报',
} as const;
export type WarningConclusion = keyof typeof WARNING_CONCLUSIONS;

export const WARNING_EVENT_LABELS: Record<string, string> = {
  raised: '触发预警',
  escalated: '升级为红色预警',
  cleared: '预警条件已消除',
  reappeared: '预警条件再次出现',
  updated: '发现新的情况',
  assigned: '指派承办人',
  handling: '开始处理',
  note: '处理记录',
  closed: '办结',
};

export const RULE_CATEGORIES = {
  overtime: '超时预警',
  fee: '收费异常',
  procedure: '程序违规',
  collusion: '围标串标',
} as const;
export type RuleCategory = keyof typeof RULE_CATEGORIES;

/** 围标串标 signal kinds (rules/collusion.server.ts). */
export const SIGNAL_LABELS = {
  ip: '相同IP地址提交',
  device: '相同设备指纹',
  cert: '使用同一数字证书',
  phone: '联系电话相同',
  email: '联系邮箱相同',
  file: '投标文件哈希相同',
  docAuthor: '文档作者/单位信息相同',
  docMeta: '文档元数据完全一致',
  docId: '文档唯一标识相同',
  docOrigin: '文档作者、创建程序与创建时间相同',
  docForeign: '文档属性显示由其他投标人编制',
  zipSet: '压缩包内文件完全相同',
} as const;
