// 开标记录: closing the opening, the record derived from the audit log (crypto/opening-record.ts),
// the platform's and the parties' signatures, the PDF, the public announcement, and the evidence
// package that `npx tsx crypto/cli.ts record verify --in PACKAGE` checks offline.
// See docs/decisions/105-opening-record-and-evidence.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { canonicalJson } from '../../../crypto/auditlog';
import { fromBase64, sha256, toBase64, toHex } from '../../../crypto/hash';
import {
  deriveOpeningRecord,
  OPENING_EVIDENCE_KIND,
  openingEntries,
  receiptLabel,
  recordBytes,
  videoFileName,
  type OpeningAuditEntry,
  type OpeningEvidenceRecord,
  type OpeningRecord,
} from '../../../crypto/opening-record';
import type { EvidencePackage } from '../../../crypto/record';
import { getPrisma } from '~/db/index.server';
import { env } from '~/env.server';
import { toAuditFields, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { formatDateTime, formatDateTimeMs } from '~/modules/documents/datetime';
import { renderPdf, type Block, type PdfDoc } from '~/modules/documents/pdf.server';
import { pathOf, putBytes, readBytes } from '~/modules/files/store.server';
import { signAsPlatform, timestampDigest } from '~/modules/pki/platform.server';
import { verifyUserSignature } from '~/modules/pki/user-certs.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { buildEvidencePackage, digestFile } from '~/modules/transparency/evidence.server';
import { signTreeHeadNow, type TreeHeadRow } from '~/modules/transparency/log.server';
import { getOpening, requireSeat, type RoomUser } from './room.server';
import { tarStream, type TarEntry } from './tar.server';
import { NoOp, runStep } from './steps.server';
import { CAUSE_LABELS, DEPOSIT_LABELS, formatFormValue, KIND_LABELS, OpeningError, RESULT_LABELS, type BidResult } from './types';

// ---------------------------------------------------------------------------------------------
// closing

/** SHA-256 of the whole recording = its chunks joined in order, streamed from the file store. */
async function recordingDigest(openingId: string) {
  const prisma = await getPrisma();
  const chunks = await prisma.openingVideoChunk.findMany({ where: { openingId }, orderBy: { seq: 'asc' } });
  const h = crypto.createHash('sha256');
  let bytes = 0;
  for (const c of chunks) {
    for await (const part of fs.createReadStream(pathOf(c.sha256))) {
      h.update(part as Buffer);
      bytes += (part as Buffer).length;
    }
  }
  return { chunks: chunks.length, bytes, recordingSha256: chunks.length ? h.digest('hex') : null };
}

export async function closeOpening(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['host']);
  // The camera may still be uploading its last chunks: hash again if one arrived meanwhile.
  for (let attempt = 1; ; attempt++) {
    try {
      await closeWith(actor, openingId, await recordingDigest(openingId));
      break;
    } catch (e) {
      if (!(e instanceof OpeningError && e.code === 'VIDEO_BUSY') || attempt >= 5) throw e;
    }
  }
  return freezeRecord(openingId);
}

async function closeWith(actor: Actor, openingId: string, video: Awaited<ReturnType<typeof recordingDigest>>) {
  await runStep(openingId, actor, async (tx, o) => {
    if (o.state !== 'reading') throw new OpeningError('当前环节不能结束开标', 409, 'WRONG_STATE');
    if (o.paused) throw new OpeningError('开标已被监督人员暂停，请等待恢复', 409, 'PAUSED');
    const unread = await tx.openingBid.count({ where: { openingId, result: 'valid', readAt: null } });
    if (unread > 0) throw new OpeningError(`还有 ${unread} 份有效投标未唱标`, 409, 'UNREAD');
    const open = await tx.openingObjection.count({ where: { openingId, answeredAt: null } });
    if (open > 0) throw new OpeningError(`还有 ${open} 条异议未答复`, 409, 'OPEN_OBJECTIONS');
    const chunks = await tx.openingVideoChunk.count({ where: { openingId } });
    if (chunks !== video.chunks) throw new OpeningError('录像仍在上传，请稍后再试', 409, 'VIDEO_BUSY');
    return { action: 'opening.close', payload: { video }, update: { state: 'signing', closedAt: now() } };
  });
}

async function openingAuditEntries(openingId: string): Promise<OpeningAuditEntry[]> {
  const prisma = await getPrisma();
  const rows = await prisma.auditEntry.findMany({ where: { objectType: 'opening', objectId: openingId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => toAuditFields(r) as OpeningAuditEntry);
}

const freezing = new Map<string, ReturnType<typeof freezeOnce>>();

/** Derives, stores, signs and time-stamps the record once the close step is in. Idempotent. */
export function freezeRecord(openingId: string) {
  // Concurrent callers in one process share the work; across instances the guarded update below
  // keeps the first record.
  let p = freezing.get(openingId);
  if (!p) {
    p = freezeOnce(openingId).finally(() => freezing.delete(openingId));
    freezing.set(openingId, p);
  }
  return p;
}

async function freezeOnce(openingId: string) {
  const prisma = await getPrisma();
  const o = await getOpening(openingId);
  if (o.recordSha256 || !['signing', 'closed'].includes(o.state)) return o;
  const { upToClose } = openingEntries(await openingAuditEntries(openingId), openingId);
  const record = deriveOpeningRecord(upToClose);
  const bytes = recordBytes(record);
  const digest = await sha256(bytes);
  const [signature, ts, head] = await Promise.all([signAsPlatform(bytes, { detached: true }), timestampDigest(digest), signTreeHeadNow()]);
  await prisma.opening.updateMany({
    where: { id: openingId, recordSha256: null },
    data: {
      recordJson: canonicalJson(record),
      recordSha256: toHex(digest),
      platformSignature: toBase64(signature),
      recordTsToken: toBase64(ts.token),
      closeTreeHead: head.sth as unknown as object,
    },
  });
  return getOpening(openingId);
}

export function recordOf(o: { recordJson: string | null }): OpeningRecord | null {
  return o.recordJson ? (JSON.parse(o.recordJson) as OpeningRecord) : null;
}

// ---------------------------------------------------------------------------------------------
// signatures of the agent and the supervisors (SignButton in their browsers)

export async function recordBytesFor(openingId: string): Promise<Uint8Array> {
  const o = await freezeRecord(openingId);
  if (!o.recordJson) throw new OpeningError('开标记录尚未生成', 409, 'NO_RECORD');
  return new TextEncoder().encode(o.recordJson);
}

export async function signRecord(actor: Actor, user: RoomUser, openingId: string, signatureB64: string) {
  const { seat } = await requireSeat(user, openingId, ['host', 'supervisor']);
  const bytes = await recordBytesFor(openingId);
  const o = await getOpening(openingId);
  let verified;
  try {
    verified = await verifyUserSignature({ userId: user.id, signedData: fromBase64(signatureB64), content: bytes });
  } catch (e) {
    throw new OpeningError(`签名验证失败：${e instanceof Error ? e.message : String(e)}`, 400, 'SIGNATURE_INVALID');
  }
  const prisma = await getPrisma();
  const cert = await prisma.certificate.findUniqueOrThrow({ where: { id: verified.certificateId }, select: { sha256: true } });
  const role = seat === 'host' ? 'agent' : 'supervisor';
  return runStep(openingId, actor, async (tx, cur) => {
    if (cur.state !== 'signing') throw new OpeningError('当前不在开标记录签署环节', 409, 'WRONG_STATE');
    const prior = await tx.openingSignature.findUnique({ where: { openingId_userId: { openingId, userId: user.id } } });
    if (prior) throw new NoOp();
    await tx.openingSignature.create({ data: { openingId, userId: user.id, role, name: user.displayName, certSha256: cert.sha256, signature: signatureB64, signedAt: now() } });
    return { action: 'opening.sign', payload: { userId: user.id, role, name: user.displayName, certSha256: cert.sha256, recordSha256: o.recordSha256 } };
  });
}

/** The host publishes the record once the host and at least one supervisor have signed it. */
export async function finalizeRecord(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['host']);
  const o = await freezeRecord(openingId);
  if (o.state !== 'signing') throw new OpeningError('当前不在开标记录签署环节', 409, 'WRONG_STATE');
  const prisma = await getPrisma();
  const sigs = await prisma.openingSignature.findMany({ where: { openingId }, orderBy: { signedAt: 'asc' } });
  if (!sigs.some((s) => s.role === 'agent')) throw new OpeningError('主持人尚未签署开标记录', 409, 'UNSIGNED');
  if (!sigs.some((s) => s.role === 'supervisor')) throw new OpeningError('至少需要一名监督人员签署开标记录', 409, 'UNSIGNED');
  const record = recordOf(o)!;
  const finalizedAt = now();
  const pdf = await renderPdf(openingRecordDoc(record, { recordSha256: o.recordSha256!, closeTreeHead: o.closeTreeHead as TreeHeadRow['sth'] | null, signers: sigs, finalizedAt, openingId }));
  const [{ sha256: pdfSha256 }, pdfSignature] = await Promise.all([putBytes(pdf), signAsPlatform(pdf, { detached: true })]);
  await runStep(openingId, actor, async (tx, cur) => {
    if (cur.state !== 'signing') throw new NoOp();
    await tx.opening.update({ where: { id: openingId }, data: { recordPdfSha256: pdfSha256, recordPdfSignature: toBase64(pdfSignature) } });
    const ann = await publishAnnouncement(tx, {
      kind: 'opening',
      title: `${record.tender.name}开标记录`,
      body: publicSummary(record),
      sourceType: 'opening',
      sourceId: openingId,
      publisherId: user.id,
    });
    await tx.opening.update({ where: { id: openingId }, data: { announcementId: ann.id } });
    await tx.tender.update({ where: { id: cur.tenderId }, data: { status: 'opened', updatedAt: now() } });
    return { action: 'opening.finalize', payload: { recordSha256: o.recordSha256, pdfSha256 }, update: { state: 'closed' } };
  });
  const head = await signTreeHeadNow();
  await prisma.opening.update({ where: { id: openingId }, data: { treeHead: head.sth as unknown as object } });
  return getOpening(openingId);
}

// ---------------------------------------------------------------------------------------------
// the PDF

const ACTION_LABELS: Record<string, string> = {
  'opening.create': '开标室设立',
  'opening.checkin': '签到',
  'opening.start': '开标（投标截止，固定投标文件清单）',
  'opening.share.submit': '提交开标密钥份额',
  'opening.share.refuse': '密钥份额被拒绝',
  'opening.key.rebuilt': '开标密钥恢复成功',
  'opening.bid.decrypt.fail': '投标人解密失败（可重试）',
  'opening.bid.fallback': '非投标人原因，启用开标密钥解密',
  'opening.bid.result': '投标文件解密核验结果',
  'opening.decrypt.end': '解密环节结束',
  'opening.decrypt.finish': '解密核验完成',
  'opening.bid.read': '唱标',
  'opening.objection': '提出异议',
  'opening.answer': '答复异议',
  'opening.confirm': '确认开标结果',
  'opening.pause': '监督暂停',
  'opening.resume': '恢复开标',
  'opening.host.replace': '更换主持人',
  'opening.close': '开标结束',
};

export function actionLabel(a: string) {
  return ACTION_LABELS[a] ?? a;
}

function t(iso: string | null) {
  return iso ? formatDateTime(new Date(iso)) : '—';
}

export function openingRecordDoc(
  r: OpeningRecord,
  x: { recordSha256: string; closeTreeHead: { treeSize: number; rootHash: string; timestamp: string } | null; signers: { role: string; name: string; certSha256: string; signedAt: Date }[]; finalizedAt: Date; openingId: string },
): PdfDoc {
  const fields = r.tender.bidForm;
  const valid = r.bids.filter((b) => b.result === 'valid');
  const blocks: Block[] = [
    {
      type: 'kv',
      rows: [
        ['项目编号', r.tender.code],
        ['项目名称', r.tender.name],
        ['招标人', r.tender.tendererName],
        ['开标时间', `${t(r.tender.bidDeadline)}（北京时间，即投标截止时间）`],
        ['开标方式', '不见面开标（远程在线开标、投标人远程解密）'],
        ['主持人', `${r.host.name}${r.host.orgName ? `（${r.host.orgName}）` : ''}`],
        ['开标开始', t(r.startedAt)],
        ['开标结束', t(r.closedAt)],
      ],
    },
    { type: 'heading', text: '一、出席情况' },
    {
      type: 'table',
      columns: [{ title: '类别', width: 0.18 }, { title: '单位' }, { title: '姓名', width: 0.14 }, { title: '签到时间', width: 0.22 }],
      rows: r.attendance.map((a) => [KIND_LABELS[a.kind] ?? a.kind, a.orgName ?? '江城市公共资源交易中心', a.name, t(a.checkedInAt)]),
      caption: '签到均以本人数字证书对平台随机挑战签名完成。',
    },
    { type: 'heading', text: '二、开标密钥恢复' },
    {
      type: 'table',
      columns: [{ title: '份额', width: 0.1, align: 'center' }, { title: '持有人' }, { title: '提交时间', width: 0.24 }, { title: '份额摘要（SHA-256）', width: 0.4 }],
      rows: r.ceremony.shares.map((s) => [String(s.shareIndex), s.name, t(s.at), s.shareSha256.slice(0, 32)]),
      caption: `门限 ${r.tender.threshold}/${r.holders.length}；恢复时间 ${t(r.ceremony.rebuiltAt)}；投标人解密时限至 ${t(r.ceremony.decryptUntil)}。`,
    },
    { type: 'heading', text: '三、投标文件解密及核验' },
    {
      type: 'table',
      columns: [{ title: '序号', width: 0.06, align: 'center' }, { title: '标段', width: 0.06, align: 'center' }, { title: '投标人', width: 0.22 }, { title: '递交时间', width: 0.2 }, { title: '解密', width: 0.11 }, { title: '结果' }],
      rows: r.bids.map((b) => [
        String(b.position),
        String(b.sectionSeq),
        b.bidderName,
        t(b.tsGenTime),
        b.decryptedBy === 'bidder' ? '投标人解密' : b.decryptedBy === 'opening-key' ? '开标密钥' : '未解密',
        b.result === 'valid' ? '有效' : `${RESULT_LABELS[b.result as BidResult] ?? '—'}（${CAUSE_LABELS[b.cause ?? ''] ?? ''}）：${b.reason ?? ''}`,
      ]),
    },
    { type: 'heading', text: '四、开标一览表（唱标）' },
    {
      type: 'table',
      // amounts and day counts never wrap: they get fixed widths, the free-text fields share the rest
      columns: [
        { title: '序号', width: 0.06, align: 'center' },
        { title: '投标人', width: 0.2 },
        ...fields.map((f) => ({ title: f.label, align: (f.type === 'money' ? 'right' : 'left') as 'right' | 'left', ...(f.type === 'money' ? { width: 0.19 } : f.type === 'days' ? { width: 0.1 } : {}) })),
        { title: '保证金', width: 0.09 },
      ],
      rows: valid.map((b) => [String(b.position), b.bidderName, ...fields.map((f) => formatFormValue(f.type, b.form?.[f.key])), DEPOSIT_LABELS[b.depositStatus ?? ''] ?? '—']),
    },
    { type: 'heading', text: '五、异议及答复' },
    r.objections.length
      ? {
          type: 'table',
          columns: [{ title: '序号', width: 0.07, align: 'center' }, { title: '提出人', width: 0.2 }, { title: '异议内容' }, { title: '答复' }],
          rows: r.objections.map((o) => [String(o.seq), `${o.orgName}\n${t(o.at)}`, o.text, `${o.answer ?? '（未答复）'}\n${o.answeredBy ?? ''} ${t(o.answeredAt)}`]),
        }
      : { type: 'paragraph', text: '开标过程中无投标人提出异议。' },
    { type: 'heading', text: '六、投标人确认' },
    { type: 'paragraph', text: r.confirmations.length ? r.confirmations.map((c) => `${c.orgName}（${c.name}，${t(c.at)}）`).join('；') + '。' : '无投标人在线确认。' },
  ];
  if (r.pauses.length || r.hostChanges.length) {
    blocks.push({ type: 'heading', text: '七、暂停及主持人变更' });
    blocks.push({
      type: 'table',
      columns: [{ title: '时间', width: 0.24 }, { title: '事项' }],
      rows: [
        ...r.pauses.map((p) => [t(p.at), `监督暂停（${p.by}）：${p.reason}；恢复时间 ${t(p.resumedAt)}`]),
        ...r.hostChanges.map((h) => [t(h.at), `主持人由 ${h.from} 变更为 ${h.to}：${h.reason}`]),
      ],
    });
  }
  blocks.push(
    { type: 'heading', text: '八、开标过程' },
    {
      type: 'table',
      columns: [{ title: '日志号', width: 0.1, align: 'right' }, { title: '时间', width: 0.26 }, { title: '事项' }, { title: '操作人', width: 0.2 }],
      rows: r.timeline.map((e) => [e.seq, formatDateTimeMs(new Date(e.at)), actionLabel(e.action), e.actor ?? '系统']),
    },
    { type: 'heading', text: '九、录像与完整性' },
    {
      type: 'kv',
      rows: [
        ['开标录像', r.video.chunks.length ? `${r.video.chunks.length} 个片段，${r.video.bytes} 字节` : '无'],
        ['录像 SHA-256', r.video.recordingSha256 ?? '—'],
        ['开标记录 SHA-256', x.recordSha256],
        ['审计日志树规模', x.closeTreeHead ? String(x.closeTreeHead.treeSize) : '—'],
        ['Merkle 根（SHA-256）', x.closeTreeHead ? toHex(fromBase64(x.closeTreeHead.rootHash)) : '—'],
        ['签名树头时间', x.closeTreeHead ? formatDateTimeMs(new Date(x.closeTreeHead.timestamp)) : '—'],
      ],
    },
    {
      type: 'signatures',
      signers: [
        ...x.signers.map((s) => ({ role: s.role === 'agent' ? '主持人（代理机构）' : '监督人员', name: s.name, time: formatDateTime(s.signedAt), fingerprint: s.certSha256 })),
        { role: '平台电子签章', name: '江城市公共资源交易中心', time: formatDateTime(x.finalizedAt) },
      ],
    },
    {
      type: 'note',
      text: '本记录由平台依据开标过程审计日志自动生成。证据包（记录数据、日志条目及其 Merkle 包含性证明、签名树头、证书、时间戳令牌、录像片段摘要）可离线核验：npx tsx crypto/cli.ts record verify --in 证据包。',
    },
    { type: 'verification', url: `${env().PUBLIC_BASE_URL}/opening/${x.openingId}/record`, code: x.recordSha256.slice(0, 16), text: '扫码或访问上述地址查看公开的开标记录。' },
  );
  return {
    title: '开标记录',
    subtitle: `${r.tender.code}  ${r.tender.name}`,
    header: '江城市公共资源交易平台 · 不见面开标大厅',
    meta: { createdAt: x.finalizedAt, documentId: `KB-${r.tender.code}`, subject: '开标记录', creator: '江城市公共资源交易平台', author: '江城市公共资源交易中心' },
    blocks,
  };
}

/** The announcement text: no personal names, no certificate fingerprints, no signer subjects. */
export function publicSummary(r: OpeningRecord): string {
  const fields = r.tender.bidForm;
  const lines = [
    `项目编号：${r.tender.code}`,
    `项目名称：${r.tender.name}`,
    `招标人：${r.tender.tendererName}`,
    `开标时间：${t(r.tender.bidDeadline)}（不见面开标）`,
    `递交投标文件 ${r.bids.length} 份，有效 ${r.bids.filter((b) => b.result === 'valid').length} 份。`,
    '',
    '开标一览表：',
    ...r.bids
      .filter((b) => b.result === 'valid')
      .map((b) => `${b.position}. ${b.bidderName}（第${b.sectionSeq}标段）：${fields.map((f) => `${f.label} ${formatFormValue(f.type, b.form?.[f.key])}`).join('，')}`),
  ];
  const others = r.bids.filter((b) => b.result && b.result !== 'valid');
  if (others.length) {
    lines.push('', '未进入唱标的投标文件：');
    for (const b of others) lines.push(`${b.position}. ${b.bidderName}：${RESULT_LABELS[b.result as BidResult]}（${CAUSE_LABELS[b.cause ?? ''] ?? ''}）`);
  }
  if (r.objections.length) lines.push('', `开标过程中投标人提出异议 ${r.objections.length} 条，均已当场答复。`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// the evidence package (crypto/record.ts format, kind "opening-record")

export const PDF_FILE = 'record.pdf';

/** Builds the package: the record with its signatures, every audit entry of the opening with inclusion proofs, the time-stamps and the file list (PDF, video chunks). */
export async function buildOpeningEvidence(openingId: string): Promise<{ evidence: EvidencePackage; files: { name: string; sha256: string }[] }> {
  const prisma = await getPrisma();
  const o = await getOpening(openingId);
  if (o.state !== 'closed' || !o.recordSha256) throw new OpeningError('开标记录尚未签署发布', 409, 'NOT_CLOSED');
  const [sigs, chunks, bids, entries] = await Promise.all([
    prisma.openingSignature.findMany({ where: { openingId }, orderBy: { signedAt: 'asc' } }),
    prisma.openingVideoChunk.findMany({ where: { openingId }, orderBy: { seq: 'asc' } }),
    prisma.openingBid.findMany({ where: { openingId }, orderBy: { position: 'asc' } }),
    prisma.auditEntry.findMany({ where: { objectType: 'opening', objectId: openingId }, select: { seq: true }, orderBy: { seq: 'asc' } }),
  ]);
  const receipts = await prisma.bidReceipt.findMany({ where: { bidId: { in: bids.map((b) => b.bidId) }, kind: { in: ['submit', 'replace'] } }, orderBy: { tsGenTime: 'desc' } });
  const files = [
    ...(o.recordPdfSha256 ? [{ name: PDF_FILE, sha256: o.recordPdfSha256 }] : []),
    ...chunks.map((c) => ({ name: videoFileName(c.seq), sha256: c.sha256 })),
  ];
  const record: OpeningEvidenceRecord = {
    opening: recordOf(o)!,
    recordSha256: o.recordSha256,
    platformSignature: o.platformSignature!,
    partySignatures: sigs.map((x) => ({ role: x.role, name: x.name, certSha256: x.certSha256, signature: x.signature })),
    pdfSha256: o.recordPdfSha256,
  };
  const evidence = await buildEvidencePackage({
    kind: OPENING_EVIDENCE_KIND,
    record,
    auditEntrySeqs: entries.map((e) => e.seq),
    files: await Promise.all(files.map((f) => digestFile(pathOf(f.sha256), f.name))),
    timestampTokens: [
      { label: 'opening-record', digestHex: o.recordSha256, token: o.recordTsToken! },
      ...bids.flatMap((b) => {
        const r = receipts.find((x) => x.bidId === b.bidId);
        return r ? [{ label: receiptLabel(b.bidId), digestHex: b.envelopeSha256, token: r.tsToken }] : [];
      }),
    ],
  });
  return { evidence, files };
}

/** The package as one tar archive (evidence.json, record.pdf, video-NNNNNN.webm), streamed. */
export async function evidenceArchive(openingId: string) {
  const { evidence, files } = await buildOpeningEvidence(openingId);
  const json = new TextEncoder().encode(JSON.stringify(evidence, null, 1));
  const entries: TarEntry[] = [{ name: 'evidence.json', size: json.length, bytes: json }];
  for (const f of files) entries.push({ name: f.name, size: fs.statSync(pathOf(f.sha256)).size, path: pathOf(f.sha256) });
  const o = await getOpening(openingId);
  // the close time (never in the future of the real clock: the demo clock may run ahead)
  return tarStream(entries, Math.min((o.closedAt ?? o.updatedAt).getTime(), Date.now()));
}

/** Writes the package as a directory: evidence.json, record.pdf, video-NNNNNN.webm. */
export async function writeEvidenceDir(openingId: string, dir: string) {
  const { evidence, files } = await buildOpeningEvidence(openingId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/evidence.json`, JSON.stringify(evidence, null, 1));
  for (const f of files) fs.writeFileSync(`${dir}/${f.name}`, await readBytes(f.sha256));
  return dir;
}
