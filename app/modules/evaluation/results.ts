// The chair's aggregation (汇总), as a pure function so that anyone can recompute the ranking from
// the scores on the record. Points are integer centi-points; no floating point reaches a result.
import type { Criterion } from './types';

export interface BidForResults {
  id: string;
  bidderName: string;
  priceFen: number;
  position: number;
}

export interface ScoreForResults {
  memberId: string;
  bidId: string;
  /** criterionKey → centi-points (subjective criteria only) */
  points: Record<string, number>;
  reject: boolean;
  rejectReason: string | null;
}

export interface BidResult {
  bidId: string;
  bidderName: string;
  priceFen: number;
  rejected: boolean;
  rejectVotes: number;
  rejectReasons: string[];
  /** Price points (comprehensive), centi. */
  priceCenti: number | null;
  /** Mean of the members' subjective totals, centi (rounded half up). */
  subjectiveCenti: number | null;
  totalCenti: number | null;
  /** 1-based among bids not rejected; null when rejected. */
  rank: number | null;
}

/** Round half up of a non-negative rational n/d. */
function roundDiv(n: number, d: number) {
  return Math.floor((2 * n + d) / (2 * d));
}

/**
 * 否决投标 by majority: a bid is rejected when more than half of the members marked it (实施条例
 * 第五十一条 grounds; the committee decides by majority, 评标委员会成员意见不一致的少数服从多数).
 * 综合评分法: price points = weight × lowest valid price / price (基准价 = the lowest price among
 * bids not rejected); subjective points = the mean of the members' totals. Ties: lower price,
 * then the earlier bid (reading order). 经评审的最低投标价法: bids not rejected, by price.
 */
export function computeResults(method: string, criteria: Criterion[], bids: BidForResults[], scores: ScoreForResults[], memberIds: string[]): BidResult[] {
  const m = memberIds.length;
  const rows = bids.map((b) => {
    const mine = scores.filter((s) => s.bidId === b.id && memberIds.includes(s.memberId));
    const votes = mine.filter((s) => s.reject);
    return {
      bid: b,
      mine,
      rejectVotes: votes.length,
      rejectReasons: [...new Set(votes.map((s) => (s.rejectReason ?? '').trim()).filter(Boolean))],
      rejected: votes.length * 2 > m,
    };
  });
  const valid = rows.filter((r) => !r.rejected);
  const base = valid.length ? Math.min(...valid.map((r) => r.bid.priceFen)) : 0;
  const price = criteria.find((c) => c.kind === 'price');
  const subjective = criteria.filter((c) => c.kind === 'subjective');
  const results: BidResult[] = rows.map((r) => {
    let priceCenti: number | null = null;
    let subjectiveCenti: number | null = null;
    let totalCenti: number | null = null;
    if (method === 'comprehensive' && !r.rejected) {
      priceCenti = price && r.bid.priceFen > 0 ? roundDiv(price.weight * 100 * base, r.bid.priceFen) : 0;
      const totals = memberIds.map((id) => {
        const s = r.mine.find((x) => x.memberId === id);
        return subjective.reduce((sum, c) => sum + (s?.points[c.key] ?? 0), 0);
      });
      subjectiveCenti = m ? roundDiv(totals.reduce((a, b) => a + b, 0), m) : 0;
      totalCenti = priceCenti + subjectiveCenti;
    }
    return {
      bidId: r.bid.id,
      bidderName: r.bid.bidderName,
      priceFen: r.bid.priceFen,
      rejected: r.rejected,
      rejectVotes: r.rejectVotes,
      rejectReasons: r.rejectReasons,
      priceCenti,
      subjectiveCenti,
      totalCenti,
      rank: null,
    };
  });
  const pos = new Map(bids.map((b) => [b.id, b.position]));
  const ranked = results
    .filter((r) => !r.rejected)
    .sort((a, b) => (method === 'comprehensive' ? (b.totalCenti ?? 0) - (a.totalCenti ?? 0) : 0) || a.priceFen - b.priceFen || pos.get(a.bidId)! - pos.get(b.bidId)!);
  ranked.forEach((r, i) => (r.rank = i + 1));
  return results.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || pos.get(a.bidId)! - pos.get(b.bidId)!);
}

/** 中标候选人: the first three ranked (实施条例 第五十三条: 不超过3个，并标明排序). */
export function candidatesOf(results: BidResult[]): BidResult[] {
  return results.filter((r) => r.rank !== null && r.rank <= 3);
}
