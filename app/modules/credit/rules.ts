// 信用评价规则: the published rules, their defaults and the score arithmetic. Shared with the
// browser so the public rules page explains exactly what the server computes.
import { z } from 'zod';
import { GRADES, type Grade } from '~/modules/market/constants';

export const rulesSchema = z.object({
  /** Score of an agency with no history. */
  base: z.number().min(0).max(100),
  /** Minimum score per grade, highest first; C is everything below B. */
  gradeMin: z.object({ AAA: z.number(), AA: z.number(), A: z.number(), B: z.number() }),
  /** Points per star above (or below) 3 in the weighted evaluation average. */
  evaluationFactor: z.number().min(0).max(50),
  /** Evaluations lose half their weight after this many days (recent ones weigh more). */
  evaluationHalfLifeDays: z.number().int().min(1).max(3650),
  /** Confidence n / (n + k): a few evaluations move the score less than many. */
  evaluationConfidenceK: z.number().min(0).max(100),
  overtimePoints: z.number().min(0).max(100),
  complaintPoints: z.number().min(0).max(100),
  commendationCap: z.number().min(0).max(100),
  /** Below this score the agency is blacklisted automatically: excluded from draws, listings suspended. */
  blacklistBelow: z.number().min(0).max(100),
  /** 清退: this many upheld complaints within the window clears the agency out. */
  clearOutComplaints: z.number().int().min(1).max(100),
  clearOutWindowDays: z.number().int().min(1).max(3650),
  /** Agencies below this grade are excluded from random draws. */
  minDrawGrade: z.enum(GRADES),
  /** Market parameters that the same rule set publishes. */
  directMaxFen: z.number().int().min(0),
  objectionWorkdays: z.number().int().min(0).max(30),
  yellowFraction: z.number().min(0.1).max(0.99),
  redFraction: z.number().min(0.5).max(2),
  qualificationReminderDays: z.number().int().min(1).max(365),
  rotationWindowDays: z.number().int().min(1).max(3650),
});

export type CreditRules = z.infer<typeof rulesSchema>;

export const DEFAULT_RULES: CreditRules = {
  base: 75,
  gradeMin: { AAA: 90, AA: 80, A: 70, B: 60 },
  evaluationFactor: 10,
  evaluationHalfLifeDays: 180,
  evaluationConfidenceK: 2,
  overtimePoints: 3,
  complaintPoints: 5,
  commendationCap: 10,
  blacklistBelow: 45,
  clearOutComplaints: 3,
  clearOutWindowDays: 365,
  minDrawGrade: 'B',
  directMaxFen: 10_000_000, // ¥100,000
  objectionWorkdays: 3,
  yellowFraction: 0.8,
  redFraction: 1,
  qualificationReminderDays: 30,
  rotationWindowDays: 90,
};

export const RULE_LABELS: Record<keyof CreditRules, string> = {
  base: '基础分',
  gradeMin: '等级分数线',
  evaluationFactor: '评价系数（每高于或低于3星的分值）',
  evaluationHalfLifeDays: '评价时间衰减半衰期（天）',
  evaluationConfidenceK: '评价置信常数 k',
  overtimePoints: '每次超时扣分',
  complaintPoints: '每起投诉成立扣分',
  commendationCap: '表彰加分上限',
  blacklistBelow: '列入黑名单分数线（低于）',
  clearOutComplaints: '清退：投诉成立次数',
  clearOutWindowDays: '清退：统计周期（天）',
  minDrawGrade: '参与随机抽取的最低等级',
  directMaxFen: '直接选取金额上限（分）',
  objectionWorkdays: '质疑期（工作日）',
  yellowFraction: '黄色预警时限比例',
  redFraction: '红色预警时限比例',
  qualificationReminderDays: '资质到期提前提醒（天）',
  rotationWindowDays: '轮换统计周期（天）',
};

export interface ScoreInput {
  evaluations: { avg: number; at: Date }[];
  events: { kind: string; points: number; at: Date }[];
  now: Date;
}

export interface ScoreResult {
  score: number;
  grade: Grade;
  parts: { evaluation: number; overtime: number; complaints: number; penalties: number; commendations: number };
  weightedAverage: number | null;
  upheldComplaintsInWindow: number;
}

const DAY_MS = 86_400_000;

export function gradeFor(rules: CreditRules, score: number): Grade {
  if (score >= rules.gradeMin.AAA) return 'AAA';
  if (score >= rules.gradeMin.AA) return 'AA';
  if (score >= rules.gradeMin.A) return 'A';
  if (score >= rules.gradeMin.B) return 'B';
  return 'C';
}

/**
 * score = base + (weighted average − 3) × factor × n/(n+k) − overtime − complaints − penalties
 *         + min(commendations, cap), clamped to 0…100, where each evaluation weighs 0.5^(age/half-life).
 */
export function computeScore(rules: CreditRules, input: ScoreInput): ScoreResult {
  let wsum = 0;
  let wtot = 0;
  for (const e of input.evaluations) {
    const age = Math.max(0, (input.now.getTime() - e.at.getTime()) / DAY_MS);
    const w = Math.pow(0.5, age / rules.evaluationHalfLifeDays);
    wsum += w * e.avg;
    wtot += w;
  }
  const n = input.evaluations.length;
  const weightedAverage = wtot > 0 ? wsum / wtot : null;
  const evaluation = weightedAverage === null ? 0 : (weightedAverage - 3) * rules.evaluationFactor * (n / (n + rules.evaluationConfidenceK));
  let overtime = 0;
  let complaints = 0;
  let penalties = 0;
  let commendations = 0;
  let upheldComplaintsInWindow = 0;
  for (const ev of input.events) {
    if (ev.kind === 'overtime') overtime += rules.overtimePoints;
    else if (ev.kind === 'complaint') {
      complaints += rules.complaintPoints;
      if (input.now.getTime() - ev.at.getTime() <= rules.clearOutWindowDays * DAY_MS) upheldComplaintsInWindow++;
    } else if (ev.kind === 'penalty') penalties += Math.abs(ev.points);
    else if (ev.kind === 'commendation') commendations += Math.abs(ev.points);
  }
  commendations = Math.min(commendations, rules.commendationCap);
  const raw = rules.base + evaluation - overtime - complaints - penalties + commendations;
  const score = Math.round(Math.min(100, Math.max(0, raw)) * 100) / 100;
  return {
    score,
    grade: gradeFor(rules, score),
    parts: { evaluation, overtime, complaints, penalties, commendations },
    weightedAverage,
    upheldComplaintsInWindow,
  };
}

export const CREDIT_EVENT_LABELS: Record<string, string> = {
  overtime: '超时办结',
  complaint: '投诉成立',
  penalty: '行政处罚/通报批评',
  commendation: '表彰奖励',
  blacklist: '列入黑名单',
  unblacklist: '移出黑名单',
  clearout: '清退',
  evaluation: '服务评价',
};
