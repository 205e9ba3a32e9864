// Shared by server and browser (the /audit and /transparency pages verify proofs client-side).

/** The log identity inside every signed tree head (crypto/sth.ts line 1). Never change it: old heads would stop matching. */
export const AUDIT_LOG_ID = 'ggzy.jiangcheng/audit-log/v1';

/** How often the job considers signing a new tree head. */
export const TREE_HEAD_INTERVAL_MS = 5 * 60_000;
