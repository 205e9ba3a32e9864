// 围标串标 signals across the bidders of one tender (《招标投标法实施条例》第四十条: bids deemed
// collusive when, among others, they were prepared by the same person, their documents are
// abnormally identical, or they were submitted from the same place). Signals, not verdicts: a
// supervisor looks at the evidence and concludes.
//
// Two sources (docs/decisions/091, 097): what a submission looked like from outside (address,
// device, certificate, contact data; recorded by bidding), and what the server read from each
// bid's plaintext files at the opening (SHA-256, PDF/XMP/OFD identifiers, authoring metadata, ZIP
// entry sets; recorded by the opening through supervision's hook). Values that also occur in the
// tender's own documents (招标文件, templates the bidders fill in) are not evidence and are left out.
import { canonicalJson } from '../../../../crypto/auditlog';
import type { Tx } from '~/db/db.server';
import { fileSize, readBytes } from '~/modules/files/store.server';
import { readDocumentFacts, PDF_LIB_BUDGET_BYTES, type DocumentFacts } from '../documents.server';
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
  /** The server's reading of the plaintext files at the opening. */
  documents?: DocumentFacts[] | null;
}

export interface Signal {
  kind: SignalKind;
  value: string;
  bidders: string[];
  /** Which file of which bidder carries the value ("投标人：文件名"), for document signals. */
  files?: string[];
}

/** What the tender's own documents contain: never evidence between bidders. */
export interface TenderBaseline {
  hashes: Set<string>;
  /** `${kind}\0${key}` of every document value found in the tender's documents */
  values: Set<string>;
}

const AUTHOR_KEYS = ['author', 'company', 'lastModifiedBy'];
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Addresses that say nothing about the bidder: the platform's own proxy or a local test. */
function isLoopback(ip: string) {
  return /^(127\.|::1$|::ffff:127\.|localhost$)/i.test(ip);
}

/** Default names every office machine carries: equal values across bidders mean nothing. */
const GENERIC_NAMES = new Set(
  [
    'administrator', 'admin', 'user', 'users', 'owner', 'guest', 'test', 'pc', 'computer', 'mycomputer', 'unknown', 'author', 'china', 'microsoft',
    'microsoft corporation', 'microsoft office user', 'microsoft office 用户', 'windows user', 'windows 用户', '微软用户', '微软', '微软中国', '中国',
    '未知', '作者', '用户', '管理员', 'lenovo', '联想', 'dell', 'hp', 'asus', 'acer', 'thinkpad', 'huawei', 'xiaomi', 'wps', 'kingsoft', '金山',
    '雨林木风', '番茄花园', '深度', '深度技术', '系统之家', 'walkingman', 'sky123.org', 'www.deepbbs.org', 'ylmf', 'dreamsummit', 'apache poi', 'exceljs',
  ].map((s) => s.toLowerCase()),
);

const norm = (v: string | undefined | null) => (v ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();

function distinctiveName(v: string | undefined | null): string | null {
  const t = norm(v);
  if (t.length < 2 || GENERIC_NAMES.has(t.toLowerCase()) || /^[\p{N}\p{P}\p{S}\s_]+$/u.test(t)) return null;
  return t;
}

interface DocValue {
  kind: SignalKind;
  /** what makes two values the same */
  key: string;
  /** what the supervisor reads */
  shown: string;
}

/** The comparable values of one file (its hash aside). */
export function documentValues(d: DocumentFacts): DocValue[] {
  const out: DocValue[] = [];
  const id = (label: string, v: string | undefined) => {
    const t = norm(v);
    if (t.length >= 8 && !/^0+$/.test(t.replace(/[^0-9a-z]/gi, ''))) out.push({ kind: 'docId', key: t.toLowerCase().replace(/^(uuid:|xmp\.did:|xmp\.iid:|adobe:docid:[a-z]+:)/, ''), shown: `${label}=${t}` });
  };
  const p = d.pdf;
  if (p) {
    id('DocumentID', p.documentId);
    id('OriginalDocumentID', p.originalDocumentId);
    id('InstanceID', p.instanceId);
    id('文件标识(/ID)', p.trailerId);
    if (norm(p.author) && norm(p.creator) && norm(p.created)) {
      out.push({ kind: 'docOrigin', key: `${norm(p.author)}\u0000${norm(p.creator)}\u0000${norm(p.created)}`, shown: `作者=${norm(p.author)}；创建程序=${norm(p.creator)}；创建时间=${norm(p.created)}` });
    }
  }
  const o = d.office;
  if (o && norm(o.creator) && norm(o.created)) {
    out.push({ kind: 'docOrigin', key: `${norm(o.creator)}\u0000${norm(o.created)}`, shown: `创建者=${norm(o.creator)}；创建时间=${norm(o.created)}` });
  }
  const f = d.ofd;
  if (f) {
    id('OFD DocID', f.docId);
    if (norm(f.author) && norm(f.created)) out.push({ kind: 'docOrigin', key: `${norm(f.author)}\u0000${norm(f.created)}`, shown: `作者=${norm(f.author)}；创建时间=${norm(f.created)}` });
  }
  for (const [label, v] of authorValues(d)) {
    const n = distinctiveName(v);
    if (n) out.push({ kind: 'docAuthor', key: n.toLowerCase(), shown: `${label}=${n}` });
  }
  if (d.zip?.entriesSha256 && d.zip.entries >= 2) out.push({ kind: 'zipSet', key: d.zip.entriesSha256, shown: `${d.zip.entries}个文件，条目摘要 ${d.zip.entriesSha256.slice(0, 16)}` });
  return out;
}

/** The "who made it" fields of a file. */
function authorValues(d: DocumentFacts): [string, string | undefined][] {
  return [
    ['作者', d.pdf?.author],
    ['创建者', d.office?.creator],
    ['最后保存者', d.office?.lastModifiedBy],
    ['单位', d.office?.company],
    ['作者', d.ofd?.author],
  ];
}

/** Values shared by two or more different bidders, per signal kind. Pure; unit-tested. */
export function collusionSignals(subs: SubmissionView[], baseline?: TenderBaseline): Signal[] {
  const buckets = new Map<string, { kind: SignalKind; value: string; orgs: Map<string, string>; files: Set<string> }>();
  const add = (kind: SignalKind, key: string | null | undefined, s: SubmissionView, shown: string | null | undefined = key, file?: string) => {
    if (!key) return;
    if (baseline?.values.has(`${kind}\u0000${key}`)) return;
    const k = `${kind}\u0000${key}`;
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = { kind, value: shown ?? key, orgs: new Map(), files: new Set() }));
    b.orgs.set(s.bidderOrgId, s.bidderName);
    if (file) b.files.add(`${s.bidderName}：${file}`);
  };
  const tenderFile = (h: string) => h === EMPTY_SHA256 || baseline?.hashes.has(h);
  for (const s of subs) {
    if (s.ip && !isLoopback(s.ip)) add('ip', s.ip, s);
    add('device', s.deviceFingerprint, s, s.deviceFingerprint?.slice(0, 16));
    add('cert', s.certSha256, s, s.certSha256?.slice(0, 16));
    add('phone', s.contactPhone, s);
    add('email', s.contactEmail, s);
    const named = new Set<string>();
    for (const d of s.documents ?? []) {
      const h = d.sha256.toLowerCase();
      if (tenderFile(h)) continue;
      named.add(h);
      add('file', h, s, h.slice(0, 16), d.name);
      for (const v of documentValues(d)) add(v.kind, v.key, s, v.shown, d.name);
      // A file whose author, last editor or company is another bidder of this tender.
      for (const [label, v] of authorValues(d)) {
        const t = norm(v);
        if (!t) continue;
        for (const other of subs) {
          if (other.bidderOrgId === s.bidderOrgId || norm(other.bidderName).length < 4 || !t.includes(norm(other.bidderName))) continue;
          const key = `${s.bidderOrgId}>${other.bidderOrgId}\u0000${label}=${t}`;
          add('docForeign', key, s, `${s.bidderName}的文件${label}=${t}`, d.name);
          add('docForeign', key, other, `${s.bidderName}的文件${label}=${t}`);
        }
      }
    }
    for (const h of new Set(s.fileHashes ?? [])) if (!named.has(h) && !tenderFile(h)) add('file', h, s, h.slice(0, 16));
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
    .map((b) => ({ kind: b.kind, value: b.value, bidders: [...b.orgs.values()].sort(), ...(b.files.size ? { files: [...b.files].sort() } : {}) }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
}

/** The baseline from already-read facts of the tender's documents. */
export function baselineOf(hashes: string[], facts: DocumentFacts[]): TenderBaseline {
  const values = new Set<string>();
  for (const d of facts) for (const v of documentValues(d)) values.add(`${v.kind}\u0000${v.key}`);
  return { hashes: new Set([...hashes, ...facts.map((d) => d.sha256)].map((h) => h.toLowerCase())), values };
}

/**
 * The tender's own documents, read once (the first time the tender has opened bids to compare)
 * and kept in TenderDocumentFingerprint; read again only when the document list changed.
 */
async function tenderBaseline(db: Tx, tenderId: string, now: Date): Promise<TenderBaseline> {
  const docs = await db.tenderDocument.findMany({ where: { tenderId }, select: { sha256: true, name: true }, orderBy: { createdAt: 'asc' } });
  const hashes = docs.map((d) => d.sha256);
  const stored = await db.tenderDocumentFingerprint.findUnique({ where: { tenderId } });
  let facts = (stored?.documents as DocumentFacts[] | undefined) ?? null;
  if (!facts || facts.map((f) => f.sha256).join() !== hashes.join()) {
    facts = [];
    for (const d of docs) {
      const size = await fileSize(d.sha256);
      // Same bound as at the opening: a tender document is read only if pdf-lib may parse it whole.
      if (size === null || size > PDF_LIB_BUDGET_BYTES) {
        facts.push({ name: d.name, sha256: d.sha256, size: size ?? 0, kind: 'other' });
        continue;
      }
      const [f] = await readDocumentFacts([{ name: d.name, bytes: await readBytes(d.sha256), sha256: d.sha256 }]);
      facts.push(f);
    }
    const documents = JSON.parse(JSON.stringify(facts)) as object;
    await db.tenderDocumentFingerprint.upsert({ where: { tenderId }, create: { tenderId, documents, createdAt: now }, update: { documents } });
  }
  return baselineOf(hashes, facts);
}

export const collusionRule: WarningRule = {
  id: 'bidding.collusion',
  name: '围标串标迹象',
  level: 'red',
  category: 'collusion',
  description: '同一项目不同投标人存在相同IP、设备指纹、数字证书、联系方式，或开标解密后发现投标文件哈希相同、文档标识或作者等元数据相同',
  async evaluate(db, now) {
    // Only what had happened by `now` (the demo clock may look back).
    const rows = await db.submissionFingerprint.findMany({ where: { submittedAt: { lte: now } }, orderBy: { submittedAt: 'asc' } });
    const byTender = new Map<string, SubmissionView[]>();
    for (const r of rows) {
      const list = byTender.get(r.tenderId) ?? [];
      const opened = r.openedAt !== null && r.openedAt <= now;
      list.push({
        ...r,
        fileHashes: opened || !r.openedAt ? r.fileHashes : [],
        docMeta: (r.docMeta as Record<string, unknown> | null) ?? null,
        documents: opened ? ((r.documents as DocumentFacts[] | null) ?? null) : null,
      });
      byTender.set(r.tenderId, list);
    }
    if (byTender.size === 0) return [];
    const tenders = await db.tender.findMany({ where: { id: { in: [...byTender.keys()] } }, select: { id: true, code: true, name: true } });
    const tenderOf = new Map(tenders.map((t) => [t.id, t]));
    const findings: Finding[] = [];
    for (const [tenderId, subs] of byTender) {
      if (new Set(subs.map((s) => s.bidderOrgId)).size < 2) continue;
      const hasFiles = subs.some((s) => s.documents?.length || s.fileHashes?.length);
      const signals = collusionSignals(subs, hasFiles ? await tenderBaseline(db, tenderId, now) : undefined);
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
        detail: `${bidders.join('、')} 之间存在：${signals.map((s) => `${SIGNAL_LABELS[s.kind]}（${s.value}：${s.files?.length ? s.files.join('、') : s.bidders.join('、')}）`).join('；')}。`,
        facts: { signals },
        link: `/tenders/${tenderId}`,
        // Submission signals come first, the documents' at the opening: the same case grows.
        refresh: true,
      });
    }
    return findings;
  },
};
