// 澄清修改未顺延: a clarification or modification that may affect bid preparation must reach
// bidders at least 15 days before the bid deadline, otherwise the deadline must be extended
// (《招标投标法》第二十三条, 《招标投标法实施条例》第二十一条). Fires when an amendment was issued
// with fewer than 15 days left to the (new) deadline.
import { formatDateTime } from '~/modules/documents/datetime';
import type { Finding, WarningRule } from '../warnings.server';

export const AMENDMENT_MIN_DAYS = 15;

export const amendmentLateRule: WarningRule = {
  id: 'bidding.amendment.late',
  name: '澄清修改不足15日未顺延截止时间',
  level: 'red',
  category: 'procedure',
  description: '招标文件澄清或修改距投标截止不足15日且未相应顺延投标截止时间',
  async evaluate(db) {
    const rows = await db.tenderAmendment.findMany({ where: { kind: 'modification' }, include: { tender: { select: { id: true, code: true, name: true, agentOrgId: true, status: true } } } });
    const findings: Finding[] = [];
    for (const a of rows) {
      if (a.tender.status === 'cancelled') continue;
      const leftMs = a.newDeadline.getTime() - a.createdAt.getTime();
      if (leftMs >= AMENDMENT_MIN_DAYS * 86_400_000) continue;
      findings.push({
        subjectType: 'tender-amendment',
        subjectId: a.id,
        subjectLabel: `招标项目 ${a.tender.code} ${a.tender.name}`,
        title: `${a.tender.code} 第${a.seq}次澄清修改距截止不足${AMENDMENT_MIN_DAYS}日且未顺延`,
        detail: `澄清修改发布于 ${formatDateTime(a.createdAt)}，投标截止时间 ${formatDateTime(a.newDeadline)}${a.newDeadline.getTime() === a.oldDeadline.getTime() ? '（未调整）' : ''}，间隔 ${(leftMs / 86_400_000).toFixed(1)} 日。`,
        facts: { seq: a.seq, issuedAt: a.createdAt.toISOString(), oldDeadline: a.oldDeadline.toISOString(), newDeadline: a.newDeadline.toISOString() },
        link: `/tenders/${a.tenderId}`,
        responsibleOrgIds: [a.tender.agentOrgId],
      });
    }
    return findings;
  },
};
