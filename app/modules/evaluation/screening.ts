// Who may be drawn (专家抽取的资格审查), decided before the draw and bound into its record: the pool
// is every library expert of the required specialty; each is eligible, or excluded with the first
// reason that applies. Pure (no I/O), so the property test can run it over many random libraries.
import { screenCandidates, type DrawCandidateInput, type EligibilityRule } from '../../../crypto/draw';
import { RELATION_KINDS } from '../experts/specialties';

export interface ExpertForScreening {
  id: string;
  code: string;
  status: string;
  active: boolean;
  specialties: string[];
  employerName: string;
  employerCreditCode: string;
  relations: { kind: string; orgName: string; orgCreditCode: string; endedOn: Date | null }[];
}

/** A party whose experts must recuse: a bidder of the section or the tenderer (and its agent). */
export interface ConflictParty {
  role: 'bidder' | 'tenderer';
  name: string;
  /** Known credit codes: its own and affiliates' (parent, subsidiaries). */
  creditCodes: string[];
}

export interface ScreeningInput {
  specialty: string;
  parties: ConflictParty[];
  at: Date;
  lookbackDays: number;
  /** Experts who may not be drawn again for this evaluation (already drawn, declined), with why. */
  excluded?: Map<string, string>;
}

const ROLE_LABEL = { bidder: '投标人', tenderer: '招标人' } as const;

function normName(s: string) {
  return s.replace(/[\s（）()]/g, '');
}

/** The reason this expert must recuse from the parties, or null. */
export function conflictOf(e: ExpertForScreening, parties: ConflictParty[], at: Date, lookbackDays: number): string | null {
  const since = at.getTime() - lookbackDays * 24 * 3600_000;
  for (const p of parties) {
    const codes = new Set(p.creditCodes.map((c) => c.toUpperCase()));
    if (codes.has(e.employerCreditCode.toUpperCase()) || (p.name && normName(p.name) === normName(e.employerName))) {
      return `工作单位与${ROLE_LABEL[p.role]}“${p.name}”相同`;
    }
  }
  for (const r of e.relations) {
    if (r.endedOn && r.endedOn.getTime() < since) continue;
    for (const p of parties) {
      const codes = new Set(p.creditCodes.map((c) => c.toUpperCase()));
      if (codes.has(r.orgCreditCode.toUpperCase()) || (p.name && normName(p.name) === normName(r.orgName))) {
        return `与${ROLE_LABEL[p.role]}“${p.name}”存在回避关系（${RELATION_KINDS[r.kind] ?? r.kind}）`;
      }
    }
  }
  return null;
}

export function screenExperts(experts: ExpertForScreening[], input: ScreeningInput): DrawCandidateInput[] {
  const pool = experts.filter((e) => e.specialties.includes(input.specialty));
  const rules: EligibilityRule<ExpertForScreening>[] = [
    (e) => input.excluded?.get(e.id),
    (e) => (!e.active ? '账号已停用' : null),
    (e) => (e.status !== 'available' ? '暂停抽取' : null),
    (e) => conflictOf(e, input.parties, input.at, input.lookbackDays),
  ];
  // The record shows the expert's library code, never the name: names stay sealed until the end.
  return screenCandidates(pool, (e) => ({ id: e.id, label: e.code }), rules);
}
