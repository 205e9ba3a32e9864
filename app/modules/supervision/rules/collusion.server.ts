// 围标串标 signals across the bidders of one tender (《招标投标法实施条例》第四十条: bids deemed
// collusive when, among others, they were prepared by the same person, their documents are
// abnormally identical, or they were submitted from the same place). Signals, not verdicts: a
// supervisor looks at the evidence and concludes.
import { canonicalJson } from '../../../../crypto/auditlog';
import { SIGNAL_LABELS } from '../warning-types';
import type { Finding, WarningRule } from '../warnings.server';

export { SIGNAL_LABELS };
export type SignalKind = keyof typeof SIGNAL_LABELS;

export interface SubmissionView {
  bidderOrgId: string;
  bidderName: string;
  ip?: string | null;
  deviceFingerprint?: string | null;
  certSha256?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  fileHashes?: string[];
  docMeta?: Record<string, unknown> | null;
}

export interface Signal {
  kind: SignalKind;
  value: string;
  bidders: string[];
}

const AUTHOR_KEYS = ['author', 'company', 'lastModifiedBy'];

/** Values shared by two or more different bidders, per signal kind. Pure; unit-tested. */
export function collusionSignals(subs: SubmissionView[]): Signal[] {
  const buckets = new Map<string, { kind: SignalKind; value: string; orgs: Map<string, string> }>();
  const add = (kind: SignalKind, value: string | null | undefined, s: SubmissionView, shown = value) => {
    if (!value) return;
    const key = `${kind}\u0000${value}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { kind, value: shown ?? value, orgs: new Map() }));
    b.orgs.set(s.bidderOrgId, s.bidderName);
  };
  for (const s of subs) {
    add('ip', s.ip, s);
    add('device', s.deviceFingerprint, s, s.deviceFingerprint?.slice(0, 16));
    add('cert', s.certSha256, s, s.certSha256?.slice(0, 16));
    add('phone', s.contactPhone, s);
    add('email', s.contactEmail, s);
    for (const h of new Set(s.fileHashes ?? [])) add('file', h, s, h.slice(0, 16));
    const meta = s.docMeta ?? null;
    if (meta) {
      for (const k of AUTHOR_KEYS) {
        const v = typeof meta[k] === 'string' ? (meta[k] as string).trim() : '';
        if (v) add('docAuthor', `${k}=${v}`, s);
      }
      if (Object.values(meta).filter((v) => v != null && v !== '').length >= 2) add('docMeta', canonicalJson(meta), s, Object.entries(meta).map(([k, v]) => `${k}=${v}`).join('; '));
    }
  }
  return [...buckets.values()]
    .filter((b) => b.orgs.size >= 2)
    .map((b) => ({ kind: b.kind, value: b.value, bidders: [...b.orgs.values()].sort() }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
}

export const collusionRule: WarningRule = {
  id: 'bidding.collusion',
  name: '围标串标迹象',
  level: 'red',
  category: 'collusion',
  description: '同一项目不同投标人存在相同IP、设备指纹、数字证书、联系方式、文件哈希或文档元数据',
  async evaluate(db) {
    const rows = await db.submissionFingerprint.findMany({ orderBy: { submittedAt: 'asc' } });
    const byTender = new Map<string, SubmissionView[]>();
    for (const r of rows) {
      const list = byTender.get(r.tenderId) ?? [];
      list.push({ ...r, docMeta: (r.docMeta as Record<string, unknown> | null) ?? null });
      byTender.set(r.tenderId, list);
    }
    if (byTender.size === 0) return [];
    const tenders = await db.tender.findMany({ where: { id: { in: [...byTender.keys()] } }, select: { id: true, code: true, name: true } });
    const tenderOf = new Map(tenders.map((t) => [t.id, t]));
    const findings: Finding[] = [];
    for (const [tenderId, subs] of byTender) {
      const signals = collusionSignals(subs);
      if (signals.length === 0) continue;
      const t = tenderOf.get(tenderId);
      const label = t ? `${t.code} ${t.name}` : tenderId;
      const kinds = [...new Set(signals.map((s) => SIGNAL_LABELS[s.kind]))];
      const bidders = [...new Set(signals.flatMap((s) => s.bidders))];
      findings.push({
        subjectType: 'tender',
        subjectId: tenderId,
        subjectLabel: `招标项目 ${label}`,
        title: `招标项目 ${t?.code ?? ''} 发现围标串标迹象：${kinds.join('、')}`,
        detail: `${bidders.join('、')} 之间存在：${signals.map((s) => `${SIGNAL_LABELS[s.kind]}（${s.value}：${s.bidders.join('、')}）`).join('；')}。`,
        facts: { signals },
        link: `/tenders/${tenderId}`,
      });
    }
    return findings;
  },
};
