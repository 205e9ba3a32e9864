// Reading the decrypted bid files (投标文件明文) during and after the evaluation
// (docs/decisions/112). The opening stored them in the file store at decryption time; who may read
// them is bidReaderOf (access.server.ts). Every read — inline view or download, by a member, a
// supervisor or the tenderer — is appended to the audit log with the file's SHA-256 (never its
// contents), so the record shows who looked at which bid and when.
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { hasFile, openStream } from '~/modules/files/store.server';
import { log } from '~/modules/log.server';
import { bidReaderOf, requireViewer } from './access.server';
import type { EvalUser } from './evaluation.server';
import { decryptedFile } from './opened-bids.server';

export function mimeOfBidFile(name: string): string {
  return /\.pdf$/i.test(name) ? 'application/pdf' : 'application/octet-stream';
}

/**
 * Checks the reader, logs the read and returns a stream of the file. Throws a 404 Response when the
 * viewer has no relation to the evaluation or the file is not one of its bids (nothing leaks), a
 * 403 Response when the viewer is related but may not read bids (bidders, administrators, experts
 * before the evaluation started).
 */
export async function openBidFile(actor: Actor, user: EvalUser, evaluationId: string, fileId: string, opts: { download: boolean }) {
  const { ev, kind } = await requireViewer(user, evaluationId);
  const prisma = await getPrisma();
  const member = kind === 'expert' ? await prisma.evaluationMember.findFirst({ where: { evaluationId, userId: user.id, status: { not: 'declined' } } }) : null;
  const reader = bidReaderOf(kind, ev.state, member);
  if (!reader) throw new Response('无权查看投标文件', { status: 403 });
  const file = await decryptedFile(fileId);
  const bid = file ? await prisma.evaluationBid.findFirst({ where: { evaluationId, openingBidId: file.openingBidId } }) : null;
  if (!file || !bid) throw new Response('投标文件不存在', { status: 404 });
  if (!(await hasFile(file.sha256))) {
    log.error('evaluation.bid_file_missing', { evaluationId, fileId, sha256: file.sha256 });
    throw new Response('投标文件在存储中缺失，请联系交易中心', { status: 404 });
  }
  const mime = mimeOfBidFile(file.name);
  const inline = !opts.download && mime === 'application/pdf';
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actor, {
      action: 'evaluation.bid-file.read',
      objectType: 'evaluation',
      objectId: evaluationId,
      payload: { evaluationBidId: bid.id, bidderOrgId: bid.bidderOrgId, fileId: file.id, name: file.name, sha256: file.sha256, size: file.size, reader, disposition: inline ? 'inline' : 'attachment' },
    }),
  );
  return { file, mime, inline, stream: openStream(file.sha256) };
}
