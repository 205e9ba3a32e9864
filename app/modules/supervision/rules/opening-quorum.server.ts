// 投标人少于3个仍开标: with fewer than three bidders the tenderer must not open and must re-tender
// (《招标投标法》第二十八条, 《招标投标法实施条例》第四十四条). Fires for a tender opening or opened
// with a section that has fewer than three bidders with an active bid.
import type { Finding, WarningRule } from '../warnings.server';

export const OPENING_QUORUM = 3;

export const openingQuorumRule: WarningRule = {
  id: 'bidding.opening.quorum',
  name: '投标人不足3家开标',
  level: 'red',
  category: 'procedure',
  description: '开标时某标段有效投标人少于3家仍继续开标',
  async evaluate(db) {
    const tenders = await db.tender.findMany({
      where: { status: { in: ['opening', 'opened'] } },
      select: { id: true, code: true, name: true, agentOrgId: true, sections: { select: { id: true, seq: true, name: true } } },
    });
    if (tenders.length === 0) return [];
    const counts = await db.bid.groupBy({ by: ['sectionId', 'bidderOrgId'], where: { tenderId: { in: tenders.map((t) => t.id) }, status: 'active' } });
    const perSection = new Map<string, number>();
    for (const c of counts) perSection.set(c.sectionId, (perSection.get(c.sectionId) ?? 0) + 1);
    const findings: Finding[] = [];
    for (const t of tenders) {
      const short = t.sections.filter((s) => (perSection.get(s.id) ?? 0) < OPENING_QUORUM);
      if (short.length === 0) continue;
      findings.push({
        subjectType: 'tender',
        subjectId: t.id,
        subjectLabel: `招标项目 ${t.code} ${t.name}`,
        title: `${t.code} 有标段投标人不足${OPENING_QUORUM}家仍开标`,
        detail: short.map((s) => `第${s.seq}标段“${s.name}”有效投标人 ${perSection.get(s.id) ?? 0} 家`).join('；') + `，依法应重新招标。`,
        facts: { sections: short.map((s) => ({ seq: s.seq, bidders: perSection.get(s.id) ?? 0 })) },
        link: `/tenders/${t.id}`,
        responsibleOrgIds: [t.agentOrgId],
      });
    }
    return findings;
  },
};
