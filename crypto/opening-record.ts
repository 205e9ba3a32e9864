// The opening record (开标记录) as a function of the audit log, and its offline verifier.
//
// Every step of an opening appends an audit entry whose payload holds what the record needs
// (objectType "opening", objectId = the opening id, payload.n = 1, 2, 3, … without gaps). The
// record is *derived* from those entries by `deriveOpeningRecord`, the same function on the
// server and in the verifier. So an auditor holding the evidence package re-derives the record
// from entries that are proven (Merkle inclusion under a signed tree head) and compares it field
// by field: a changed record field, audit row, video chunk or time-stamp is named, not just
// detected. See docs/decisions/105-opening-record-and-evidence.md.
//
// Isomorphic (WebCrypto only); imports nothing from app/.
import { canonicalJson, type AuditEntryFields } from './auditlog.js';
import { verifySignedData } from './cms.js';
import { CryptoVerifyError, errorText } from './errors.js';
import { fromBase64, fromHex, sha256, toHex, utf8 } from './hash.js';
import { verifyTimeStamp } from './tsp.js';

export type OpeningAuditEntry = AuditEntryFields & { entryHash: string; leafHash: string; payload: unknown };

type P = Record<string, unknown>;

export interface OpeningRecordBid {
  position: number;
  bidId: string;
  sectionSeq: number;
  sectionName: string;
  bidderName: string;
  envelopeSha256: string;
  receiptNo: string | null;
  tsGenTime: string | null;
  bidderDecryptedAt: string | null;
  fallbackReason: string | null;
  decryptedBy: string | null;
  result: string | null;
  cause: string | null;
  reasonCode: string | null;
  reason: string | null;
  signerSubject: string | null;
  signerCertSha256: string | null;
  depositStatus: string | null;
  formSha256: string | null;
  form: Record<string, unknown> | null;
  readAt: string | null;
}

export interface OpeningRecord {
  type: 'ggzy-opening-record';
  v: 1;
  openingId: string;
  tender: {
    id: string;
    code: string;
    name: string;
    tendererName: string;
    bidDeadline: string;
    threshold: number;
    openingCertSha256: string | null;
    sections: { id: string; seq: number; name: string }[];
    bidForm: { key: string; label: string; type: string }[];
  };
  host: { userId: string; name: string; orgName: string | null };
  hostChanges: { at: string; from: string; to: string; reason: string }[];
  holders: { shareIndex: number; name: string; kind: string }[];
  decryptWindowMinutes: number;
  startedAt: string | null;
  attendance: { name: string; orgName: string | null; kind: string; checkedInAt: string; certSha256: string | null }[];
  ceremony: {
    shares: { shareIndex: number; name: string; at: string; shareSha256: string }[];
    refused: { shareIndex: number; name: string; at: string; reason: string }[];
    rebuiltAt: string | null;
    sharesUsed: number[];
    decryptUntil: string | null;
  };
  bids: OpeningRecordBid[];
  objections: { seq: number; orgName: string; bidPosition: number | null; text: string; at: string; answer: string | null; answeredBy: string | null; answeredAt: string | null }[];
  confirmations: { orgName: string; name: string; at: string }[];
  pauses: { at: string; by: string; reason: string; resumedAt: string | null }[];
  video: { chunks: { seq: number; sha256: string; size: number }[]; bytes: number; recordingSha256: string | null };
  timeline: { seq: string; at: string; action: string; actor: string | null }[];
  closedAt: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** Entries of one opening up to and including its close entry, checked for gaps in payload.n. */
export function openingEntries(entries: OpeningAuditEntry[], openingId: string): { upToClose: OpeningAuditEntry[]; all: OpeningAuditEntry[]; problems: string[] } {
  const problems: string[] = [];
  const all = entries
    .filter((e) => e.objectType === 'opening' && e.objectId === openingId)
    .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  all.forEach((e, i) => {
    const n = (e.payload as P | null)?.n;
    if (n !== i + 1) problems.push(`audit entry #${e.seq} (${e.action}) carries step number ${String(n)}, expected ${i + 1}: an entry of the opening is missing or out of order`);
  });
  const closeAt = all.findIndex((e) => e.action === 'opening.close');
  return { upToClose: closeAt >= 0 ? all.slice(0, closeAt + 1) : all, all, problems };
}

/** Builds the record from the opening's audit entries (ordered by seq, ending with opening.close). */
export function deriveOpeningRecord(entries: OpeningAuditEntry[]): OpeningRecord {
  const create = entries.find((e) => e.action === 'opening.create');
  if (!create) throw new CryptoVerifyError('MALFORMED', 'the opening log has no opening.create entry');
  const c = create.payload as P;
  const tender = c.tender as P;
  const sections = ((tender.sections as P[]) ?? []).map((s) => ({ id: str(s.id), seq: num(s.seq), name: str(s.name) }));
  const host = c.host as P;
  const rec: OpeningRecord = {
    type: 'ggzy-opening-record',
    v: 1,
    openingId: str(create.objectId),
    tender: {
      id: str(tender.id),
      code: str(tender.code),
      name: str(tender.name),
      tendererName: str(tender.tendererName),
      bidDeadline: str(tender.bidDeadline),
      threshold: num(tender.threshold),
      openingCertSha256: strOrNull(tender.openingCertSha256),
      sections,
      bidForm: ((tender.bidForm as P[]) ?? []).map((f) => ({ key: str(f.key), label: str(f.label), type: str(f.type) })),
    },
    host: { userId: str(host.userId), name: str(host.name), orgName: strOrNull(host.orgName) },
    hostChanges: [],
    holders: ((c.holders as P[]) ?? []).map((h) => ({ shareIndex: num(h.shareIndex), name: str(h.name), kind: str(h.kind) })),
    decryptWindowMinutes: num(c.decryptWindowMinutes),
    startedAt: null,
    attendance: [],
    ceremony: { shares: [], refused: [], rebuiltAt: null, sharesUsed: [], decryptUntil: null },
    bids: [],
    objections: [],
    confirmations: [],
    pauses: [],
    video: { chunks: [], bytes: 0, recordingSha256: null },
    timeline: [],
    closedAt: null,
  };
  const bidById = new Map<string, OpeningRecordBid>();
  const sectionName = new Map(sections.map((s) => [s.seq, s.name]));
  for (const e of entries) {
    const p = (e.payload ?? {}) as P;
    if (e.action !== 'opening.video.chunk') rec.timeline.push({ seq: e.seq, at: e.at, action: e.action, actor: e.actorName });
    switch (e.action) {
      case 'opening.checkin':
        rec.attendance.push({ name: str(p.name), orgName: strOrNull(p.orgName), kind: str(p.kind), checkedInAt: e.at, certSha256: strOrNull(p.certSha256) });
        break;
      case 'opening.start':
        rec.startedAt = e.at;
        for (const b of (p.bids as P[]) ?? []) {
          const row: OpeningRecordBid = {
            position: num(b.position),
            bidId: str(b.bidId),
            sectionSeq: num(b.sectionSeq),
            sectionName: sectionName.get(num(b.sectionSeq)) ?? '',
            bidderName: str(b.bidderName),
            envelopeSha256: str(b.envelopeSha256),
            receiptNo: strOrNull(b.receiptNo),
            tsGenTime: strOrNull(b.tsGenTime),
            bidderDecryptedAt: null,
            fallbackReason: null,
            decryptedBy: null,
            result: null,
            cause: null,
            reasonCode: null,
            reason: null,
            signerSubject: null,
            signerCertSha256: null,
            depositStatus: null,
            formSha256: null,
            form: null,
            readAt: null,
          };
          rec.bids.push(row);
          bidById.set(row.bidId, row);
        }
        break;
      case 'opening.share.submit':
        rec.ceremony.shares.push({ shareIndex: num(p.shareIndex), name: str(p.name), at: e.at, shareSha256: str(p.shareSha256) });
        break;
      case 'opening.share.refuse':
        rec.ceremony.refused.push({ shareIndex: num(p.shareIndex), name: str(p.name), at: e.at, reason: str(p.reason) });
        break;
      case 'opening.key.rebuilt':
        rec.ceremony.rebuiltAt = e.at;
        rec.ceremony.sharesUsed = ((p.sharesUsed as number[]) ?? []).map(num);
        rec.ceremony.decryptUntil = strOrNull(p.decryptUntil);
        break;
      case 'opening.bid.decrypt': {
        const b = bidById.get(str(p.bidId));
        if (b) b.bidderDecryptedAt = e.at;
        break;
      }
      case 'opening.bid.fallback': {
        const b = bidById.get(str(p.bidId));
        if (b) b.fallbackReason = str(p.reason);
        break;
      }
      case 'opening.bid.result': {
        const b = bidById.get(str(p.bidId));
        if (b) {
          b.result = strOrNull(p.result);
          b.cause = strOrNull(p.cause);
          b.reasonCode = strOrNull(p.reasonCode);
          b.reason = strOrNull(p.reason);
          b.decryptedBy = strOrNull(p.decryptedBy);
          b.signerSubject = strOrNull(p.signerSubject);
          b.signerCertSha256 = strOrNull(p.signerCertSha256);
          b.depositStatus = strOrNull(p.depositStatus);
          b.formSha256 = strOrNull(p.formSha256);
        }
        break;
      }
      case 'opening.bid.read': {
        const b = bidById.get(str(p.bidId));
        if (b) {
          b.form = (p.form as Record<string, unknown>) ?? null;
          b.readAt = e.at;
        }
        break;
      }
      case 'opening.objection':
        rec.objections.push({
          seq: num(p.objectionSeq),
          orgName: str(p.orgName),
          bidPosition: p.bidPosition === null || p.bidPosition === undefined ? null : num(p.bidPosition),
          text: str(p.text),
          at: e.at,
          answer: null,
          answeredBy: null,
          answeredAt: null,
        });
        break;
      case 'opening.answer': {
        const o = rec.objections.find((x) => x.seq === num(p.objectionSeq));
        if (o) {
          o.answer = str(p.answer);
          o.answeredBy = e.actorName;
          o.answeredAt = e.at;
        }
        break;
      }
      case 'opening.confirm':
        rec.confirmations.push({ orgName: str(p.orgName), name: str(p.name), at: e.at });
        break;
      case 'opening.pause':
        rec.pauses.push({ at: e.at, by: str(e.actorName), reason: str(p.reason), resumedAt: null });
        break;
      case 'opening.resume': {
        const open = [...rec.pauses].reverse().find((x) => x.resumedAt === null);
        if (open) open.resumedAt = e.at;
        break;
      }
      case 'opening.host.replace':
        rec.hostChanges.push({ at: e.at, from: str(p.fromName), to: str(p.toName), reason: str(p.reason) });
        rec.host = { userId: str(p.toUserId), name: str(p.toName), orgName: rec.host.orgName };
        break;
      case 'opening.video.chunk':
        rec.video.chunks.push({ seq: num(p.seq), sha256: str(p.sha256), size: num(p.size) });
        rec.video.bytes += num(p.size);
        break;
      case 'opening.close':
        rec.closedAt = e.at;
        rec.video.recordingSha256 = strOrNull((p.video as P | undefined)?.recordingSha256);
        break;
      default:
        break;
    }
  }
  return rec;
}

export function recordBytes(record: OpeningRecord): Uint8Array {
  return utf8(canonicalJson(record));
}

/** Every path where two JSON values differ, e.g. `bids[1].form.price`. */
export function diffPaths(a: unknown, b: unknown, path = 'record', out: string[] = []): string[] {
  if (out.length > 50) return out;
  if (a === b) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path} (length ${b.length} in the log, ${a.length} in the record)`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diffPaths(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as P), ...Object.keys(b as P)]);
    for (const k of [...keys].sort()) diffPaths((a as P)[k], (b as P)[k], `${path}.${k}`, out);
    return out;
  }
  out.push(`${path}: the record says ${JSON.stringify(a)?.slice(0, 80)}, the audit log says ${JSON.stringify(b)?.slice(0, 80)}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// opening-specific checks of an evidence package (crypto/record.ts, kind "opening-record")

export const OPENING_EVIDENCE_KIND = 'opening.record';

/** The `record` of an opening evidence package. */
export interface OpeningEvidenceRecord {
  opening: OpeningRecord;
  /** SHA-256 of the canonical bytes of `opening`: what the platform, the agent and the supervisors signed */
  recordSha256: string;
  /** CMS SignedData (detached, base64) by the platform record signer over those bytes */
  platformSignature: string;
  partySignatures: { role: string; name: string; certSha256: string; signature: string }[];
  pdfSha256: string | null;
}

export const receiptLabel = (bidId: string) => `receipt:${bidId}`;
export const videoFileName = (seq: number) => `video-${String(seq).padStart(6, '0')}.webm`;

/**
 * What the generic evidence checks cannot know about an opening: the record must equal the record
 * re-derived from the (proven) audit entries, with no entry missing; the agent's and supervisors'
 * signatures must be over this record and logged; every bid's receipt token must stamp the listed
 * envelope before the deadline; the video files and the PDF must be the ones the log recorded.
 */
export async function openingChecks(
  pkg: { record: unknown; auditEntries: unknown[]; timestampTokens: { label: string; digestHex: string; token: string }[]; files: { name: string; sha256: string }[] },
  anchors: Uint8Array[],
): Promise<{ checks: string[]; problems: string[] }> {
  const checks: string[] = [];
  const problems: string[] = [];
  const r = pkg.record as OpeningEvidenceRecord;
  if (!r || typeof r !== 'object' || !r.opening || typeof r.opening !== 'object') return { checks, problems: ['opening record: the package record has no "opening" part'] };
  const rec = r.opening;
  const { upToClose, all, problems: gaps } = openingEntries(pkg.auditEntries as OpeningAuditEntry[], rec.openingId);
  problems.push(...gaps.map((g) => `audit log completeness: ${g}`));
  try {
    if (!upToClose.some((e) => e.action === 'opening.close')) throw new Error('the log has no opening.close entry');
    const diffs = diffPaths(rec, deriveOpeningRecord(upToClose), 'opening');
    for (const d of diffs) problems.push(`opening record field ${d}`);
    if (diffs.length === 0) checks.push(`opening record: equals the record re-derived from ${upToClose.length} audit entries`);
  } catch (e) {
    problems.push(`opening record: ${errorText(e)}`);
  }
  const bytes = recordBytes(rec);
  const digest = toHex(await sha256(bytes));
  if (digest !== r.recordSha256) problems.push(`opening record hash: the record hashes to ${digest}, the package states ${r.recordSha256}`);
  const finalize = all.find((e) => e.action === 'opening.finalize');
  const fin = (finalize?.payload ?? {}) as P;
  if (!finalize) problems.push('opening record: the log has no opening.finalize entry');
  else if (fin.recordSha256 !== digest) problems.push(`opening record hash: the log finalized ${String(fin.recordSha256)}, the package record hashes to ${digest}`);
  try {
    const c = await verifySignedData({ signedData: fromBase64(r.platformSignature), content: bytes, trustAnchors: anchors });
    checks.push(`opening record: platform signature by ${c.signer.subject}`);
  } catch (e) {
    problems.push(`opening record platform signature: ${errorText(e)}`);
  }
  const signEntries = all.filter((e) => e.action === 'opening.sign');
  for (const s of r.partySignatures ?? []) {
    try {
      const c = await verifySignedData({ signedData: fromBase64(s.signature), content: bytes, trustAnchors: anchors });
      if (c.signer.sha256 !== s.certSha256) throw new Error('made with another certificate than stated');
      if (!signEntries.some((e) => (e.payload as P).certSha256 === s.certSha256 && (e.payload as P).recordSha256 === digest)) throw new Error('the audit log does not record this signature over this record');
      checks.push(`opening record signed by ${s.role === 'agent' ? 'the agent' : 'supervisor'} ${s.name} (${c.signer.subject})`);
    } catch (e) {
      problems.push(`signature of ${s.name}: ${errorText(e)}`);
    }
  }
  for (const e of signEntries) {
    if (!(r.partySignatures ?? []).some((s) => s.certSha256 === (e.payload as P).certSha256)) problems.push(`signature of ${str((e.payload as P).name)} (audit ${e.seq}) is missing from the package`);
  }
  const deadline = new Date(rec.tender?.bidDeadline ?? '');
  let stampsOk = 0;
  for (const b of rec.bids ?? []) {
    const what = `time-stamp of bid ${b.position} (${b.bidderName})`;
    const t = pkg.timestampTokens.find((x) => x.label === receiptLabel(b.bidId));
    if (!t) {
      problems.push(`${what}: missing from the package`);
      continue;
    }
    try {
      if (t.digestHex !== b.envelopeSha256) throw new Error('stamps another envelope than the record lists');
      const ts = await verifyTimeStamp({ token: fromBase64(t.token), digest: fromHex(t.digestHex), trustAnchors: anchors });
      if (b.tsGenTime !== ts.genTime.toISOString()) throw new Error(`the record says received ${b.tsGenTime}, the token says ${ts.genTime.toISOString()}`);
      if (!(ts.genTime.getTime() < deadline.getTime())) throw new Error(`received ${ts.genTime.toISOString()}, not before the deadline ${rec.tender.bidDeadline}`);
      stampsOk++;
    } catch (e) {
      problems.push(`${what}: ${errorText(e)}`);
    }
  }
  if (stampsOk === (rec.bids ?? []).length) checks.push(`${stampsOk} receipt time-stamps: each stamps its envelope, before the deadline`);
  const files = new Map(pkg.files.map((f) => [f.name, f.sha256]));
  let videoOk = true;
  for (const c of rec.video?.chunks ?? []) {
    const listed = files.get(videoFileName(c.seq));
    if (listed === undefined) {
      problems.push(`video chunk ${c.seq}: ${videoFileName(c.seq)} is not in the package`);
      videoOk = false;
    } else if (listed !== c.sha256) {
      problems.push(`video chunk ${c.seq}: ${videoFileName(c.seq)} is listed with SHA-256 ${listed}, the audit log recorded ${c.sha256}`);
      videoOk = false;
    }
  }
  if (videoOk && rec.video?.chunks?.length) checks.push(`video: ${rec.video.chunks.length} chunks listed exactly as the audit log recorded them`);
  if (finalize && r.pdfSha256 !== fin.pdfSha256) problems.push(`record PDF: the package names ${r.pdfSha256}, the log finalized ${String(fin.pdfSha256)}`);
  if (r.pdfSha256 && files.get('record.pdf') !== r.pdfSha256) problems.push('record PDF: record.pdf is not listed with the finalized SHA-256');
  return { checks, problems };
}
