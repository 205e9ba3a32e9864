// 投诉/异议/质疑 not answered in time: the acceptance decision (投诉) and the answer are each
// watched against the deadline computed at filing/acceptance. The market's purchase 质疑, answered
// by the owner in the market module, is watched too (7 working days, 《政府采购法》第五十三条).
import { formatDateTime } from '~/modules/documents/datetime';
import { COMPLAINT_KINDS, type ComplaintKind } from '../complaint-types';
import type { Finding, WarningRule } from '../warnings.server';
import { periodLevel } from './time-limit';

export const PURCHASE_OBJECTION_ANSWER_WORKDAYS = 7;

export const complaintOvertimeRule: WarningRule = {
  id: 'complaint.answer.overtime',
  name: '投诉/异议答复超时',
  level: 'red',
  category: 'overtime',
  description: '投诉受理、答复或处理决定临近或超过法定期限（黄色：已用80%期限；红色：已超期）',
  async evaluate(db, now, { calendar }) {
    const findings: Finding[] = [];
    const open = await db.complaint.findMany({ where: { status: { in: ['submitted', 'accepted'] } } });
    for (const c of open) {
      const kind = COMPLAINT_KINDS[c.kind as ComplaintKind] ?? c.kind;
      const accepting = c.kind === 'complaint' && c.status === 'submitted' && c.acceptDueAt;
      const start = accepting ? c.filedAt : (c.acceptedAt ?? c.filedAt);
      const due = accepting ? c.acceptDueAt! : c.answerDueAt;
      const level = periodLevel(start, due, now);
      if (!level) continue;
      const step = accepting ? '受理' : c.kind === 'complaint' ? '处理决定' : '答复';
      findings.push({
        subjectType: 'complaint',
        subjectId: c.id,
        subjectLabel: `${kind} ${c.no}`,
        level,
        title: level === 'red' ? `${kind} ${c.no} ${step}已超期` : `${kind} ${c.no} ${step}即将到期`,
        detail: `${c.complainantName}提出的${kind}“${c.title}”，${step}期限 ${formatDateTime(due)}${level === 'red' ? '，已超期未办结' : '，已用去80%以上期限'}。`,
        facts: { no: c.no, step, dueAt: due.toISOString(), status: c.status },
        link: `/supervision/complaints/${c.id}`,
      });
    }
    const objections = await db.purchaseObjection.findMany({ where: { status: 'open' }, include: { purchase: { select: { code: true, projectName: true, ownerOrgId: true } } } });
    for (const o of objections) {
      const due = calendar.addWorkdays(o.at, PURCHASE_OBJECTION_ANSWER_WORKDAYS);
      const level = periodLevel(o.at, due, now);
      if (!level) continue;
      findings.push({
        subjectType: 'purchase-objection',
        subjectId: o.id,
        subjectLabel: `采购 ${o.purchase.code} 质疑`,
        level,
        title: level === 'red' ? `采购项目 ${o.purchase.code} 的质疑答复已超期` : `采购项目 ${o.purchase.code} 的质疑答复即将到期`,
        detail: `“${o.purchase.projectName}”收到的质疑须在 ${formatDateTime(due)} 前答复（${PURCHASE_OBJECTION_ANSWER_WORKDAYS}个工作日）。`,
        facts: { purchaseCode: o.purchase.code, dueAt: due.toISOString() },
        link: `/market/purchases/${o.purchaseId}`,
        responsibleOrgIds: [o.purchase.ownerOrgId],
      });
    }
    return findings;
  },
};
