// 入驻审核超时: the center's own approval of an agency registration is a committed time limit too
// (不见面审批、限时办结). Default 5 working days, configurable (Setting
// "supervision.registrationReviewDays").
import { formatDateTime } from '~/modules/documents/datetime';
import type { Finding, WarningRule } from '../warnings.server';

export const REGISTRATION_REVIEW_SETTING = 'supervision.registrationReviewDays';
export const DEFAULT_REGISTRATION_REVIEW_DAYS = 5;

export const registrationOvertimeRule: WarningRule = {
  id: 'market.registration.overtime',
  name: '入驻审核超时',
  level: 'red',
  category: 'overtime',
  description: '中介机构入驻申请未在承诺时限内审核（黄色：已用80%时限；红色：已超时）',
  async evaluate(db, now, { calendar }) {
    const setting = await db.setting.findUnique({ where: { key: REGISTRATION_REVIEW_SETTING } });
    const days = typeof setting?.value === 'number' && setting.value > 0 ? setting.value : DEFAULT_REGISTRATION_REVIEW_DAYS;
    const pending = await db.agencyProfile.findMany({ where: { status: 'submitted', submittedAt: { not: null } }, select: { id: true, name: true, submittedAt: true } });
    const findings: Finding[] = [];
    for (const a of pending) {
      const s = calendar.timeLimitStatus(a.submittedAt!, days, now);
      if (s.level === 'normal') continue;
      findings.push({
        subjectType: 'agency-registration',
        subjectId: a.id,
        subjectLabel: `入驻申请 · ${a.name}`,
        level: s.level,
        title: s.level === 'red' ? `${a.name} 的入驻申请审核已超时` : `${a.name} 的入驻申请审核即将超时`,
        detail: `入驻申请于 ${formatDateTime(a.submittedAt!)} 提交，应在 ${days} 个工作日内（${s.dueAt ? formatDateTime(s.dueAt) : ''} 前）审核完毕。`,
        facts: { submittedAt: a.submittedAt!.toISOString(), limitDays: days, dueAt: s.dueAt?.toISOString() ?? null },
        link: `/admin/registrations/${a.id}`,
      });
    }
    return findings;
  },
};
