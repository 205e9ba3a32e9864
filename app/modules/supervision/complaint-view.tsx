// The complaint record as both the complainant and the supervisor read it (browser-safe).
import { COMPLAINT_KINDS, COMPLAINT_OUTCOMES, COMPLAINT_SUBJECTS, LINKED_COMPLAINT_SUBJECTS, type ComplaintKind, type ComplaintOutcome, type ComplaintSubject } from './complaint-types';
import { ComplaintStatusTag, DueIn } from './ui';
import { formatDateTime } from '~/ui/format';

export interface ComplaintViewData {
  no: string;
  kind: string;
  status: string;
  subjectType: string;
  subjectLabel: string;
  respondentName: string | null;
  complainantName: string;
  title: string;
  facts: string;
  demands: string;
  outcome: string | null;
  decisionReason: string | null;
  acceptNote: string | null;
  handlerName: string | null;
  filedAt: string;
  acceptDueAt: string | null;
  answerDueAt: string;
  acceptedAt: string | null;
  decidedAt: string | null;
  announcementId: string | null;
  events: { id: string; at: string; kind: string; actorName: string | null; note: string | null }[];
}

export function toComplaintView(c: {
  no: string; kind: string; status: string; subjectType: string; subjectLabel: string; respondentName: string | null; complainantName: string; title: string; facts: string; demands: string;
  outcome: string | null; decisionReason: string | null; acceptNote: string | null; handlerName: string | null; filedAt: Date; acceptDueAt: Date | null; answerDueAt: Date; acceptedAt: Date | null;
  decidedAt: Date | null; announcementId: string | null; events: { id: string; at: Date; kind: string; actorName: string | null; note: string | null }[];
}): ComplaintViewData {
  return {
    ...c,
    filedAt: c.filedAt.toISOString(),
    acceptDueAt: c.acceptDueAt?.toISOString() ?? null,
    answerDueAt: c.answerDueAt.toISOString(),
    acceptedAt: c.acceptedAt?.toISOString() ?? null,
    decidedAt: c.decidedAt?.toISOString() ?? null,
    events: c.events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, actorName: e.actorName, note: e.note })),
  };
}

const EVENT_LABELS: Record<string, string> = { filed: '提交', accepted: '受理', rejected: '不予受理', decided: '作出处理决定', withdrawn: '撤回', note: '记录' };

export function ComplaintView({ c, now }: { c: ComplaintViewData; now: string }) {
  const open = c.status === 'submitted' || c.status === 'accepted';
  const accepting = c.kind === 'complaint' && c.status === 'submitted' && c.acceptDueAt;
  return (
    <>
      <dl className="sup-kv">
        <dt>编号</dt>
        <dd>
          {c.no} <ComplaintStatusTag status={c.status} />
        </dd>
        <dt>类型</dt>
        <dd>{COMPLAINT_KINDS[c.kind as ComplaintKind] ?? c.kind}</dd>
        <dt>所涉事项</dt>
        <dd>
          {COMPLAINT_SUBJECTS[c.subjectType as ComplaintSubject] ?? LINKED_COMPLAINT_SUBJECTS[c.subjectType] ?? c.subjectType}：{c.subjectLabel}
        </dd>
        {c.respondentName ? (
          <>
            <dt>被投诉（异议）人</dt>
            <dd>{c.respondentName}</dd>
          </>
        ) : null}
        <dt>提出人</dt>
        <dd>{c.complainantName}</dd>
        <dt>提交时间</dt>
        <dd>{formatDateTime(c.filedAt)}</dd>
        {accepting ? (
          <>
            <dt>受理期限</dt>
            <dd>
              {formatDateTime(c.acceptDueAt)} <DueIn due={c.acceptDueAt!} now={now} />
            </dd>
          </>
        ) : null}
        <dt>{c.kind === 'complaint' ? '处理期限' : '答复期限'}</dt>
        <dd>
          {formatDateTime(c.answerDueAt)}
          {accepting ? <span className="muted">（受理后重新计算）</span> : null} {open ? <DueIn due={c.answerDueAt} now={now} /> : null}
        </dd>
      </dl>
      <h2>{c.title}</h2>
      <h3>事实和理由</h3>
      <p className="prewrap">{c.facts}</p>
      <h3>请求事项</h3>
      <p className="prewrap">{c.demands}</p>
      {c.outcome || c.decisionReason ? (
        <div className={`notice ${c.status === 'decided' ? 'success' : 'info'}`}>
          <h3>处理结果</h3>
          {c.outcome ? <p>结论：{COMPLAINT_OUTCOMES[c.outcome as ComplaintOutcome] ?? c.outcome}</p> : null}
          {c.decisionReason ? <p className="prewrap">{c.decisionReason}</p> : null}
          <p className="muted">
            {c.handlerName ? `承办人：${c.handlerName}` : ''} {c.decidedAt ? `· ${formatDateTime(c.decidedAt)}` : ''}
            {c.announcementId ? (
              <>
                {' '}
                · <a href={`/announcements/${c.announcementId}`}>已公告</a>
              </>
            ) : null}
          </p>
        </div>
      ) : null}
      <h3>办理记录</h3>
      <ol className="sup-timeline">
        {c.events.map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
            <strong>{EVENT_LABELS[e.kind] ?? e.kind}</strong>
            <span className="muted">{e.actorName ?? ''}</span>
            {e.note ? <p>{e.note}</p> : null}
          </li>
        ))}
      </ol>
    </>
  );
}
