// Shared with the browser: no server imports.
export const ANNOUNCEMENT_KINDS: Record<string, string> = {
  tender: '招标公告',
  amendment: '澄清/修改公告',
  cancellation: '终止公告',
  purchase: '中介服务采购公告',
  result: '结果公告',
  candidate: '中标候选人公示',
  award: '中标结果公告',
  opening: '开标记录',
  notice: '通知公告',
  inspection: '双随机抽查结果',
  complaint: '投诉处理决定',
};
