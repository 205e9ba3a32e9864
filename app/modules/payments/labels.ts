// Shared with the browser: names of purposes and states for the payment pages.
export const ORDER_PURPOSES = ['document_fee', 'bid_deposit', 'service_fee', 'platform_fee'] as const;
export type OrderPurpose = (typeof ORDER_PURPOSES)[number];

export const PURPOSE_LABELS: Record<OrderPurpose, string> = {
  document_fee: '招标文件费',
  bid_deposit: '投标保证金',
  service_fee: '中介服务费',
  platform_fee: '平台交易服务费',
};

export const ORDER_STATUSES = ['created', 'paying', 'paid', 'refunding', 'partially_refunded', 'refunded', 'closed', 'forfeited'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const STATUS_LABELS: Record<OrderStatus, string> = {
  created: '待支付',
  paying: '支付中',
  paid: '已支付',
  refunding: '退款中',
  partially_refunded: '部分退款',
  refunded: '已退款',
  closed: '已关闭',
  forfeited: '已没收',
};

export const STATUS_TONES: Record<OrderStatus, 'info' | 'success' | 'warning' | 'danger' | 'muted'> = {
  created: 'warning',
  paying: 'warning',
  paid: 'success',
  refunding: 'info',
  partially_refunded: 'info',
  refunded: 'muted',
  closed: 'muted',
  forfeited: 'danger',
};

export const REFUND_KIND_LABELS = { deposit_return: '退还保证金', fee_refund: '费用退款' } as const;
export const REFUND_STATUS_LABELS: Record<string, string> = { pending: '待退款', succeeded: '已退款', failed: '退款失败' };

export const ISSUE_KIND_LABELS: Record<string, string> = {
  missing_in_ledger: '账单有、台账无',
  missing_in_bill: '台账有、账单无',
  amount_mismatch: '金额不符',
  notify_amount_mismatch: '支付通知金额与订单不符',
  notify_wrong_seller: '支付通知收款方不符',
  refund_failed: '退款被支付宝拒绝',
  bill_unavailable: '对账单无法获取',
};

/** Payable statuses: the cashier can still be opened. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['created', 'paying'];
