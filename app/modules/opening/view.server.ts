// What a seat sees of the room (the page's loader data). Bid forms appear only once read out
// (唱标); certificate fingerprints and people only for participants, never for the public.
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { eventsSince } from './steps.server';
import { holderShareFor, type RoomUser, type Seat } from './room.server';
import type { BidResult, RoomBidRow } from './types';

export async function roomSnapshot(openingId: string, user: RoomUser | null, seat: Seat) {
  const prisma = await getPrisma();
  const o = await prisma.opening.findUniqueOrThrow({ where: { id: openingId } });
  const tender = await prisma.tender.findUniqueOrThrow({ where: { id: o.tenderId }, include: { sections: { orderBy: { seq: 'asc' } }, holders: { orderBy: { shareIndex: 'asc' } } } });
  const participant = seat !== 'public';
  const [attendance, shares, bids, objections, host, holderUsers, sigs, chunks, events] = await Promise.all([
    prisma.openingAttendance.findMany({ where: { openingId }, orderBy: { checkedInAt: 'asc' } }),
    prisma.openingShare.findMany({ where: { openingId }, select: { userId: true, shareIndex: true, submittedAt: true } }),
    prisma.openingBid.findMany({ where: { openingId }, orderBy: { position: 'asc' } }),
    prisma.openingObjection.findMany({ where: { openingId }, orderBy: { seq: 'asc' } }),
    prisma.user.findUnique({ where: { id: o.hostUserId }, select: { displayName: true } }),
    prisma.user.findMany({ where: { id: { in: tender.holders.map((h) => h.userId) } }, select: { id: true, displayName: true } }),
    prisma.openingSignature.findMany({ where: { openingId }, orderBy: { signedAt: 'asc' } }),
    prisma.openingVideoChunk.findMany({ where: { openingId }, orderBy: { seq: 'asc' }, select: { seq: true, mime: true, sha256: true } }),
    eventsSince(openingId, 0),
  ]);
  const bidRows: RoomBidRow[] = bids.map((b) => ({
    id: b.bidId,
    position: b.position,
    sectionSeq: b.sectionSeq,
    bidderName: b.bidderName,
    result: (b.result as BidResult | null) ?? null,
    cause: b.cause,
    reason: b.reason,
    decryptedBy: b.decryptedBy,
    bidderDecrypted: b.decryptedBy === 'bidder',
    fallbackReason: b.fallbackReason,
    read: !!b.readAt,
    form: b.readAt ? ((b.form as Record<string, unknown>) ?? null) : null,
    depositStatus: b.readAt ? b.depositStatus : null,
  }));
  const myShare = user && participant ? await holderShareFor(user, openingId) : null;
  return {
    id: o.id,
    seat,
    me: user ? { id: user.id, name: user.displayName, orgId: user.organizationId } : null,
    serverNow: now().toISOString(),
    state: o.state,
    paused: o.paused,
    pauseReason: o.pauseReason,
    host: host?.displayName ?? '',
    decryptUntil: o.decryptUntil?.toISOString() ?? null,
    keyRebuiltAt: o.keyRebuiltAt?.toISOString() ?? null,
    recordSha256: o.recordSha256,
    hasPdf: !!o.recordPdfSha256,
    tender: {
      id: tender.id,
      code: tender.code,
      name: tender.name,
      tendererName: tender.tendererName,
      bidDeadline: tender.bidDeadline.toISOString(),
      threshold: tender.threshold,
      sections: tender.sections.map((s) => ({ seq: s.seq, name: s.name })),
      bidForm: (Array.isArray(tender.bidForm) ? tender.bidForm : []) as { key: string; label: string; type: string }[],
    },
    attendance: attendance
      .filter((a) => a.checkedInAt)
      .map((a) => ({ kind: a.kind, orgName: a.orgName, name: participant ? a.name : null, at: a.checkedInAt!.toISOString(), confirmed: !!a.confirmedAt, mine: !!user && a.userId === user.id })),
    holders: tender.holders.map((h) => ({
      shareIndex: h.shareIndex,
      kind: h.kind,
      name: holderUsers.find((u) => u.id === h.userId)?.displayName ?? '',
      submitted: shares.some((s) => s.shareIndex === h.shareIndex),
    })),
    bids: bidRows,
    objections: objections.map((x) => ({ seq: x.seq, orgName: x.orgName, text: x.text, answer: x.answer, at: x.createdAt.toISOString(), answeredAt: x.answeredAt?.toISOString() ?? null })),
    signatures: sigs.map((s) => ({ role: s.role, name: s.name, at: s.signedAt.toISOString(), mine: s.userId === user?.id })),
    myShare: myShare ? { shareIndex: myShare.shareIndex, holderCertSha256: myShare.holderCertSha256, submitted: myShare.submitted } : null,
    myBids: seat === 'bidder' ? bidRows.filter((b) => bids.find((x) => x.bidId === b.id)?.bidderOrgId === user?.organizationId).map((b) => b.id) : [],
    videoChunks: chunks,
    lastSeq: o.lastSeq,
    // The initial timeline; the page appends live events after it (SSE resumes from lastSeq).
    events: events.map((e) => ({ seq: e.seq, type: e.type, at: e.at, actor: (e.data as { actor?: string | null })?.actor ?? null })),
  };
}

export type RoomSnapshot = Awaited<ReturnType<typeof roomSnapshot>>;

export async function listOpenings() {
  const prisma = await getPrisma();
  const tenders = await prisma.tender.findMany({
    where: { status: { in: ['published', 'closed', 'opening', 'opened'] }, openingCertPem: { not: null } },
    orderBy: { bidDeadline: 'desc' },
    take: 50,
    select: { id: true, code: true, name: true, bidDeadline: true, status: true, method: true },
  });
  const rooms = await prisma.opening.findMany({ where: { tenderId: { in: tenders.map((t) => t.id) } }, select: { id: true, tenderId: true, state: true, paused: true } });
  return tenders.map((t) => {
    const r = rooms.find((x) => x.tenderId === t.id);
    return { tenderId: t.id, code: t.code, name: t.name, bidDeadline: t.bidDeadline.toISOString(), openingId: r?.id ?? null, state: r?.state ?? null, paused: r?.paused ?? false };
  });
}
