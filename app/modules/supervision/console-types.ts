// Shared with the browser: the supervisor console's snapshot shape and state labels.
export const TENDER_STATUS: Record<string, string> = {
  draft: '草稿',
  published: '招标中',
  closed: '已截标',
  opening: '开标中',
  opened: '已开标',
  evaluating: '评标中',
  awarded: '已定标',
  cancelled: '已终止',
};

export const PURCHASE_STATUS: Record<string, string> = {
  published: '报名中',
  closed: '报名截止',
  scoring: '比选评审',
  announced: '结果公示',
  awarded: '已成交',
  failed: '采购失败',
  cancelled: '已取消',
};

export const ORDER_STATUS: Record<string, string> = {
  contracting: '签约中',
  in_progress: '服务中',
  submitted: '待验收',
  accepted: '已验收',
  cancelled: '已取消',
};

export const OPENING_STATE: Record<string, string> = {
  waiting: '待开标',
  checkin: '签到',
  ceremony: '密钥重建',
  decrypting: '解密',
  reading: '唱标',
  signing: '确认签名',
  closed: '已结束',
};

export interface ConsoleSnapshot {
  at: string;
  counts: {
    redWarnings: number;
    yellowWarnings: number;
    openComplaints: number;
    overdueComplaints: number;
    activeTenders: number;
    activePurchases: number;
    ordersInProgress: number;
    openingsLive: number;
  };
  tenders: { id: string; code: string; name: string; status: string; bidDeadline: string; bids: number | null; link: string }[];
  purchases: { id: string; code: string; name: string; status: string; method: string; budgetFen: number; signupEnd: string; link: string }[];
  openings: { id: string; tenderId: string; code: string; name: string; state: string; paused: boolean; link: string }[];
  warnings: { id: string; level: string; title: string; status: string; raisedAt: string }[];
  complaints: { id: string; no: string; kind: string; title: string; status: string; dueAt: string }[];
}
