// Who sees what of an evaluation. The committee's names are sealed (评标委员会成员名单在中标结果
// 确定前应当保密, 招标投标法 第三十七条) from the tenderer, the bidders and the center's staff until
// every member has signed the report; only supervisors and the drawn experts see them before that.
// Bids are visible only to the accepted members of THIS evaluation and to supervisors; the
// tenderer (its agent) sees them once the evaluation has ended (docs/decisions/112).
import type { DrawRecord } from '../../../crypto/draw';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { SPECIALTY_LABELS } from '~/modules/experts/specialties';
import { criteriaOf, declarationFor, type EvalUser } from './evaluation.server';
import { resultsOf } from './award.server';
import { tallyChairElection, type ChairElection } from './chair';
import { decryptedFilesOf } from './opened-bids.server';
import { ENDED_STATES, type EvaluationState } from './types';

export type ViewerKind = 'supervisor' | 'admin' | 'tenderer' | 'expert' | 'bidder';

export async function viewerKindOf(user: EvalUser, ev: { id: string; tenderId: string; sectionId: string }): Promise<ViewerKind | null> {
  if (can(user.role, 'read:evaluation:any')) return 'supervisor';
  if (can(user.role, 'draw:experts')) return 'admin';
  const prisma = await getPrisma();
  if (user.role === 'expert') {
    const m = await prisma.evaluationMember.findFirst({ where: { evaluationId: ev.id, userId: user.id }, select: { id: true } });
    return m ? 'expert' : null;
  }
  if (!user.organizationId) return null;
  if (user.role === 'tenderer') {
    const t = await prisma.tender.findUnique({ where: { id: ev.tenderId }, select: { agentOrgId: true } });
    return t?.agentOrgId === user.organizationId ? 'tenderer' : null;
  }
  if (user.role === 'bidder') {
    const opening = await prisma.opening.findUnique({ where: { tenderId: ev.tenderId }, select: { id: true } });
    const bid = opening ? await prisma.openingBid.findFirst({ where: { openingId: opening.id, sectionId: ev.sectionId, bidderOrgId: user.organizationId }, select: { id: true } }) : null;
    return bid ? 'bidder' : null;
  }
  return null;
}

export function hasEnded(state: string) {
  return ENDED_STATES.includes(state as EvaluationState);
}

export type BidReader = 'member' | 'supervisor' | 'tenderer';

/**
 * Who may read the bids (the opened form and the decrypted files) of an evaluation: the accepted
 * members of this committee once every member has declared no conflict (signed) and the
 * evaluation started; supervisors (read-only); the tenderer's agent once the evaluation has ended.
 * Nobody else: not the bidders, not the centre's administrators, not other experts.
 */
export function bidReaderOf(kind: ViewerKind, state: string, member: { status: string } | null): BidReader | null {
  if (kind === 'supervisor') return 'supervisor';
  if (kind === 'expert' && member?.status === 'accepted' && state !== 'planned' && state !== 'drawn') return 'member';
  if (kind === 'tenderer' && hasEnded(state)) return 'tenderer';
  return null;
}

/** Throws a 404 Response when the user may not see this evaluation at all (no existence leak). */
export async function requireViewer(user: EvalUser, evaluationId: string) {
  const prisma = await getPrisma();
  const ev = await prisma.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  if (!ev) throw new Response('评标项目不存在', { status: 404 });
  const kind = await viewerKindOf(user, ev);
  if (!kind) throw new Response('评标项目不存在', { status: 404 });
  return { ev, kind };
}

export async function evaluationHeader(ev: { tenderId: string; sectionId: string }) {
  const prisma = await getPrisma();
  const section = await prisma.tenderSection.findUniqueOrThrow({ where: { id: ev.sectionId }, include: { tender: true } });
  const agent = await prisma.organization.findUnique({ where: { id: section.tender.agentOrgId }, select: { name: true } });
  return { tenderId: section.tender.id, tenderCode: section.tender.code, tenderName: section.tender.name, tendererName: section.tender.tendererName, agentName: agent?.name ?? '', sectionSeq: section.seq, sectionName: section.name, bidForm: (Array.isArray(section.tender.bidForm) ? section.tender.bidForm : []) as unknown as { key: string; label: string; type: string }[] };
}

/** Everything the evaluation page shows, cut to what this viewer may see. */
export async function loadEvaluationPage(user: EvalUser, evaluationId: string) {
  const { ev, kind } = await requireViewer(user, evaluationId);
  const prisma = await getPrisma();
  const header = await evaluationHeader(ev);
  const ended = hasEnded(ev.state);
  const members = await prisma.evaluationMember.findMany({ where: { evaluationId }, orderBy: { seq: 'asc' } });
  const me = kind === 'expert' ? members.find((m) => m.userId === user.id && m.status !== 'declined') ?? null : null;
  const namesVisible = kind === 'supervisor' || (kind === 'expert' && !!me) || ended;
  const experts = namesVisible ? await prisma.expert.findMany({ where: { id: { in: members.map((m) => m.expertId) } } }) : [];
  const expertOf = new Map(experts.map((e) => [e.id, e]));
  const record = ev.drawRecord as DrawRecord | null;
  const current = members.filter((m) => m.status !== 'declined');
  const accepted = members.filter((m) => m.status === 'accepted');

  const committee = namesVisible
    ? members
        // Experts see their colleagues, not who declined; supervisors see the whole history.
        .filter((m) => kind === 'supervisor' || m.status !== 'declined')
        .map((m) => {
          const e = expertOf.get(m.expertId)!;
          return {
            id: m.id,
            seq: m.seq,
            name: e.name,
            code: e.code,
            title: e.title,
            employerName: kind === 'supervisor' || ended ? e.employerName : null,
            status: m.status,
            declineReason: kind === 'supervisor' ? m.declineReason : null,
            replacesSeq: m.replacesMemberId ? members.find((x) => x.id === m.replacesMemberId)?.seq ?? null : null,
            isChair: m.isChair,
            acceptedAt: m.acceptedAt?.toISOString() ?? null,
            submittedAt: m.submittedAt?.toISOString() ?? null,
            reportSignedAt: m.reportSignedAt?.toISOString() ?? null,
            declarationCertSha256: kind === 'supervisor' ? m.declarationCertSha256 : null,
          };
        })
    : null;

  const seeBids = bidReaderOf(kind, ev.state, me) !== null;
  const bids = seeBids ? await prisma.evaluationBid.findMany({ where: { evaluationId }, orderBy: { position: 'asc' } }) : [];
  const bidFiles = await decryptedFilesOf(bids.map((b) => b.openingBidId));
  const clarifications =
    seeBids || kind === 'tenderer'
      ? (await prisma.clarification.findMany({ where: { evaluationId }, orderBy: { seq: 'asc' } })).map((c) => ({
          id: c.id,
          seq: c.seq,
          bidderName: bids.find((b) => b.id === c.evaluationBidId)?.bidderName ?? null,
          question: seeBids ? c.question : null,
          answer: seeBids ? c.answer : null,
          dueAt: c.dueAt.toISOString(),
          answeredAt: c.answeredAt?.toISOString() ?? null,
        }))
      : [];
  const myScores = me ? await prisma.evaluationScore.findMany({ where: { memberId: me.id } }) : [];
  const redraws = await prisma.expertRedraw.findMany({ where: { evaluationId }, orderBy: { round: 'asc' } });
  const recordVisible = kind === 'supervisor' || (ended && kind !== 'admin');
  // 组长推选: votes and tally for those who may know the names.
  const electionRow = ev.chairElection as ChairElection | null;
  const voters = accepted.map((m) => ({ id: m.id, seq: m.seq, voteFor: m.chairVoteMemberId }));
  const liveTally = electionRow ?? tallyChairElection(voters);
  const nameOfMember = (id: string) => {
    const m = members.find((x) => x.id === id);
    return m ? expertOf.get(m.expertId)?.name ?? null : null;
  };
  const election =
    ev.state === 'planned' || ev.state === 'drawn'
      ? null
      : {
          electedAt: ev.chairElectedAt?.toISOString() ?? null,
          rule: electionRow?.rule ?? null,
          members: accepted.length,
          cast: accepted.filter((m) => m.chairVotedAt).length,
          chairName: namesVisible && electionRow?.chairMemberId ? nameOfMember(electionRow.chairMemberId) : null,
          chairVotes: electionRow ? electionRow.tally.find((t) => t.memberId === electionRow.chairMemberId)?.votes ?? 0 : 0,
          myVoteMemberId: me?.chairVoteMemberId ?? null,
          tally: namesVisible && (electionRow || kind === 'supervisor') ? liveTally.tally.map((t) => ({ memberId: t.memberId, seq: t.seq, name: nameOfMember(t.memberId), votes: t.votes })) : null,
        };
  const resultsVisible = kind === 'supervisor' || (kind === 'expert' && !!me) || (ended && kind !== 'admin');

  return {
    kind,
    viewerId: user.id,
    id: ev.id,
    header,
    state: ev.state as EvaluationState,
    method: ev.method,
    specialty: ev.specialty,
    specialtyLabel: SPECIALTY_LABELS[ev.specialty] ?? ev.specialty,
    criteria: criteriaOf(ev),
    expertCount: ev.expertCount,
    scheduledAt: ev.scheduledAt.toISOString(),
    drawDue: ev.state === 'planned',
    draw: {
      commitment: ev.drawCommitment,
      purpose: ev.drawPurpose,
      committedAt: ev.committedAt.toISOString(),
      drawnAt: ev.drawnAt?.toISOString() ?? null,
      candidatesHash: record?.candidatesHash ?? null,
      pool: record?.candidates.length ?? null,
      eligible: record ? record.candidates.filter((c) => c.eligible).length : null,
      // The record (with each expert's eligibility and reason) is for supervisors until the end.
      recordAvailable: !!record && recordVisible,
      excluded: kind === 'supervisor' && record ? record.candidates.filter((c) => !c.eligible).map((c) => ({ code: c.label ?? c.id, reason: c.reason ?? '' })) : null,
      replacements: members.filter((m) => m.replacesMemberId).length,
      // 补抽 rounds: the commitment is public from the moment the reserves ran out.
      redraws: redraws.map((r) => {
        const rec = r.record as DrawRecord | null;
        return {
          round: r.round,
          commitment: r.commitment,
          purpose: r.purpose,
          committedAt: r.committedAt.toISOString(),
          drawnAt: r.drawnAt?.toISOString() ?? null,
          vacancies: r.vacancies,
          candidatesHash: rec?.candidatesHash ?? null,
          eligible: rec ? rec.candidates.filter((c) => c.eligible).length : null,
          recordAvailable: !!rec && recordVisible,
          excluded: kind === 'supervisor' && rec ? rec.candidates.filter((c) => !c.eligible).map((c) => ({ code: c.label ?? c.id, reason: c.reason ?? '' })) : null,
        };
      }),
    },
    canRedraw: (kind === 'admin' || kind === 'tenderer') && ev.state === 'drawn' && redraws.some((r) => !r.drawnAt),
    election,
    counts: { current: current.length, accepted: accepted.length, submitted: accepted.filter((m) => m.submittedAt).length, signed: accepted.filter((m) => m.reportSignedAt).length },
    committee,
    me: me
      ? {
          id: me.id,
          status: me.status,
          isChair: me.isChair,
          submittedAt: me.submittedAt?.toISOString() ?? null,
          reportSignedAt: me.reportSignedAt?.toISOString() ?? null,
          declaration: me.status === 'invited' ? await declarationFor(ev.id, user.id) : me.declaration,
        }
      : null,
    bids: bids.map((b) => ({
      id: b.id,
      position: b.position,
      bidderName: b.bidderName,
      priceFen: Number(b.priceFen),
      form: b.form as Record<string, unknown>,
      scored: myScores.some((s) => s.evaluationBidId === b.id),
      files: bidFiles.filter((f) => f.openingBidId === b.openingBidId).map((f) => ({ id: f.id, name: f.name, size: f.size, sha256: f.sha256 })),
    })),
    clarifications,
    results: resultsVisible ? resultsOf(ev) : null,
    report: ev.reportPdfSha256 && (kind === 'supervisor' || (kind === 'expert' && !!me) || (ended && kind === 'tenderer')) ? { sha256: ev.reportPdfSha256, at: ev.reportAt!.toISOString() } : null,
    endedAt: ev.endedAt?.toISOString() ?? null,
    now: now().toISOString(),
  };
}

export type EvaluationPage = Awaited<ReturnType<typeof loadEvaluationPage>>;

/** The evaluations a user works on, by role. */
export async function listEvaluationsFor(user: EvalUser) {
  const prisma = await getPrisma();
  let where = {};
  if (can(user.role, 'read:evaluation:any') || can(user.role, 'draw:experts')) where = {};
  else if (user.role === 'expert') {
    const mine = await prisma.evaluationMember.findMany({ where: { userId: user.id, status: { not: 'declined' } }, select: { evaluationId: true } });
    where = { id: { in: mine.map((m) => m.evaluationId) } };
  } else if (user.role === 'tenderer' && user.organizationId) {
    const tenders = await prisma.tender.findMany({ where: { agentOrgId: user.organizationId }, select: { id: true } });
    where = { tenderId: { in: tenders.map((t) => t.id) } };
  } else if (user.role === 'bidder' && user.organizationId) {
    const rows = await prisma.openingBid.findMany({ where: { bidderOrgId: user.organizationId }, select: { sectionId: true } });
    where = { sectionId: { in: [...new Set(rows.map((r) => r.sectionId))] } };
  } else return [];
  const evs = await prisma.tenderEvaluation.findMany({ where, orderBy: { scheduledAt: 'desc' }, take: 100 });
  const sections = await prisma.tenderSection.findMany({ where: { id: { in: evs.map((e) => e.sectionId) } }, include: { tender: true } });
  const bySection = new Map(sections.map((s) => [s.id, s]));
  return evs.map((e) => {
    const s = bySection.get(e.sectionId)!;
    return { id: e.id, tenderCode: s.tender.code, tenderName: s.tender.name, sectionSeq: s.seq, sectionName: s.name, state: e.state as EvaluationState, method: e.method, scheduledAt: e.scheduledAt.toISOString(), publicityEnd: e.publicityEnd?.toISOString() ?? null };
  });
}

/** The scoring sheet of one accepted member: every bid with this member's saved assessment. */
export async function loadScoreSheet(user: EvalUser, evaluationId: string) {
  const prisma = await getPrisma();
  const ev = await prisma.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  const me = ev ? await prisma.evaluationMember.findFirst({ where: { evaluationId, userId: user.id, status: 'accepted' } }) : null;
  // Not a member of this evaluation: the same answer as a missing one, so nothing leaks.
  if (!ev || !me || ev.state === 'drawn' || ev.state === 'planned') throw new Response('评标项目不存在', { status: 404 });
  const header = await evaluationHeader(ev);
  const bids = await prisma.evaluationBid.findMany({ where: { evaluationId }, orderBy: { position: 'asc' } });
  const scores = await prisma.evaluationScore.findMany({ where: { memberId: me.id } });
  const bidFiles = await decryptedFilesOf(bids.map((b) => b.openingBidId));
  const deposits = new Map(
    (await prisma.openingBid.findMany({ where: { id: { in: bids.map((b) => b.openingBidId) } }, select: { id: true, depositStatus: true } })).map((o) => [o.id, o.depositStatus]),
  );
  return {
    id: ev.id,
    viewerId: user.id,
    header,
    state: ev.state,
    method: ev.method,
    criteria: criteriaOf(ev),
    submittedAt: me.submittedAt?.toISOString() ?? null,
    editable: ev.state === 'evaluating' && !me.submittedAt,
    bids: bids.map((b) => {
      const s = scores.find((x) => x.evaluationBidId === b.id);
      return {
        id: b.id,
        position: b.position,
        bidderName: b.bidderName,
        priceFen: Number(b.priceFen),
        form: b.form as Record<string, unknown>,
        files: bidFiles.filter((f) => f.openingBidId === b.openingBidId).map((f) => ({ id: f.id, name: f.name, size: f.size })),
        deposit: deposits.get(b.openingBidId) ?? null,
        score: s ? { points: (s.points ?? {}) as Record<string, number>, reject: s.reject, rejectReason: s.rejectReason, comment: s.comment } : null,
      };
    }),
  };
}

/** A bidder's clarification requests (澄清): the question and deadline, never who asked. */
export async function clarificationsOfOrg(orgId: string) {
  const prisma = await getPrisma();
  const rows = await prisma.clarification.findMany({ where: { bidderOrgId: orgId }, orderBy: { createdAt: 'desc' }, take: 100, include: { evaluation: { select: { id: true, tenderId: true, sectionId: true, state: true } } } });
  const out = [];
  for (const c of rows) {
    const h = await evaluationHeader(c.evaluation);
    out.push({ id: c.id, seq: c.seq, tenderCode: h.tenderCode, tenderName: h.tenderName, sectionSeq: h.sectionSeq, question: c.question, dueAt: c.dueAt.toISOString(), answer: c.answer, answeredAt: c.answeredAt?.toISOString() ?? null, open: !c.answeredAt && c.evaluation.state === 'evaluating' });
  }
  return out;
}

/** The publicity / award / contract page, cut to the viewer. */
export async function loadAwardPage(user: EvalUser, evaluationId: string) {
  const { ev, kind } = await requireViewer(user, evaluationId);
  if (kind === 'expert' || kind === 'admin') throw new Response('评标项目不存在', { status: 404 });
  const prisma = await getPrisma();
  const header = await evaluationHeader(ev);
  const ended = hasEnded(ev.state);
  const results = ended ? resultsOf(ev) : [];
  const objections = await prisma.awardObjection.findMany({ where: { evaluationId, ...(kind === 'bidder' ? { orgId: user.organizationId ?? '' } : {}) }, orderBy: { seq: 'asc' } });
  // The mirrored supervision complaints (docs/decisions/112): number and statutory answer deadline.
  const complaintIds = objections.map((o) => o.complaintId).filter((x): x is string => !!x);
  const complaints = complaintIds.length ? await prisma.complaint.findMany({ where: { id: { in: complaintIds } }, select: { id: true, no: true, answerDueAt: true, status: true } }) : [];
  const notices = await prisma.awardNotice.findMany({
    where: { evaluationId, ...(kind === 'bidder' ? { bidderOrgId: user.organizationId ?? '', issuedAt: { not: null } } : {}) },
    orderBy: [{ kind: 'asc' }, { noticeNo: 'asc' }],
  });
  const contract = await prisma.contractFiling.findUnique({ where: { evaluationId } });
  // Deposits of this section (payments context, read-only): who paid, what was refunded.
  const showDeposits = kind === 'tenderer' || kind === 'supervisor';
  const orders = showDeposits ? await prisma.paymentOrder.findMany({ where: { purpose: 'bid_deposit', refType: 'tender_section', refId: ev.sectionId }, orderBy: { createdAt: 'asc' } }) : [];
  const refunds = orders.length ? await prisma.paymentRefund.findMany({ where: { orderId: { in: orders.map((o) => o.id) } }, orderBy: { createdAt: 'asc' } }) : [];
  const payerOrgs = orders.length ? await prisma.organization.findMany({ where: { id: { in: orders.map((o) => o.payerOrgId) } }, select: { id: true, name: true } }) : [];
  const at = now();
  return {
    kind,
    viewerId: user.id,
    orgId: user.organizationId,
    id: ev.id,
    header,
    state: ev.state as EvaluationState,
    method: ev.method,
    ended,
    results,
    candidates: results.filter((r) => r.rank !== null && r.rank <= 3),
    publicity: ev.publicityStart ? { start: ev.publicityStart.toISOString(), end: ev.publicityEnd!.toISOString(), days: ev.publicityDays, over: at >= ev.publicityEnd!, announcementId: ev.candidateAnnouncementId } : null,
    objections: objections.map((o) => {
      const c = complaints.find((x) => x.id === o.complaintId);
      return {
        id: o.id,
        seq: o.seq,
        orgName: o.orgName,
        text: o.text,
        answer: o.answer,
        answeredAt: o.answeredAt?.toISOString() ?? null,
        createdAt: o.createdAt.toISOString(),
        complaint: c ? { no: c.no, answerDueAt: c.answerDueAt.toISOString(), link: kind === 'supervisor' ? `/supervision/complaints/${c.id}` : kind === 'bidder' ? `/complaints/${c.id}` : null } : null,
      };
    }),
    award: ev.winnerOrgId
      ? {
          winnerName: ev.winnerName!,
          amountFen: Number(ev.awardAmountFen!),
          reason: ev.awardReason,
          awardedAt: ev.awardedAt?.toISOString() ?? null,
          manifest: kind === 'tenderer' && !ev.awardedAt ? ev.awardManifest : null,
          announcementId: ev.awardAnnouncementId,
        }
      : null,
    notices: notices.map((n) => ({ id: n.id, kind: n.kind, noticeNo: n.noticeNo, bidderName: n.bidderName, pdfSha256: n.pdfSha256, issuedAt: n.issuedAt?.toISOString() ?? null })),
    contract: contract
      ? {
          dueAt: contract.dueAt.toISOString(),
          status: contract.status,
          overdue: contract.status === 'open' && at > contract.dueAt,
          fileName: contract.fileName,
          fileSha256: kind === 'bidder' ? null : contract.fileSha256,
          amountFen: contract.amountFen === null ? null : Number(contract.amountFen),
          partyAName: contract.partyAName,
          partyBName: contract.partyBName,
          signedOn: contract.signedOn?.toISOString() ?? null,
          filedAt: contract.filedAt?.toISOString() ?? null,
          late: contract.late,
        }
      : null,
    deposits: orders.map((o) => {
      const r = refunds.filter((x) => x.orderId === o.id);
      return { orderId: o.id, payer: payerOrgs.find((p) => p.id === o.payerOrgId)?.name ?? '', amountFen: o.amountFen, status: o.status, refunds: r.map((x) => ({ status: x.status, amountFen: x.amountFen, dueAt: x.dueAt.toISOString(), doneAt: x.succeededAt?.toISOString() ?? null })) };
    }),
    now: at.toISOString(),
  };
}

export type AwardPage = Awaited<ReturnType<typeof loadAwardPage>>;
