// Builders for the evaluation tests: an opened tender section (as the opening leaves it), an expert
// library with certificates, paid deposits, and signatures made the way a browser makes them.
import { signData } from '../../crypto/cms';
import { toBase64, utf8 } from '../../crypto/hash';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { withCheckChar } from '~/modules/auth/credit-code';
import { now } from '~/modules/clock/clock.server';
import { createExpert } from '~/modules/experts/experts.server';
import { enrollLocally, type LocalEnrolment } from '~/modules/pki/local-enroll.server';
import { createOrder, settlePayment } from '~/modules/payments/orders.server';
import { createUser } from '../setup/fixtures';

let n = 0;
export const ADMIN: Actor = { ...SYSTEM_ACTOR, role: 'admin', name: '测试管理员' };

export function actorFor(u: { id: string; displayName: string; organizationId: string | null; role: string }): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '10.0.0.9', userAgent: 'vitest' };
}

export type TestUser = Awaited<ReturnType<typeof createUser>>;

export interface OpenedSection {
  agent: TestUser;
  bidders: TestUser[];
  tenderId: string;
  sectionId: string;
  tenderCode: string;
  tendererName: string;
  /** valid bids' prices in fen, by bidder index */
  prices: number[];
}

/**
 * A tender whose opening has closed: `valid` valid bids and one deemed revoked, each bidder with a
 * paid deposit for the section.
 */
export async function openedSection(opts: { valid?: number; depositFen?: number; tendererName?: string } = {}): Promise<OpenedSection> {
  const prisma = await getPrisma();
  const k = ++n;
  const agent = await createUser('tenderer', { orgName: `测试招标代理有限公司${k}` });
  const tendererName = opts.tendererName ?? `江城市测试建设投资有限公司${k}`;
  const valid = opts.valid ?? 3;
  const bidders: TestUser[] = [];
  for (let i = 0; i <= valid; i++) bidders.push(await createUser('bidder', { orgName: `测试建设工程有限公司${k}-${i + 1}` }));
  const at = now();
  const code = `JC-2026-PB-${String(k).padStart(4, '0')}`;
  const tender = await prisma.tender.create({
    data: {
      code,
      name: `江城市测试道路改造工程${k}`,
      agentOrgId: agent.organizationId!,
      createdById: agent.id,
      tendererName,
      method: 'open',
      summary: '测试项目概况，用于评标集成测试。',
      bidDeadline: new Date(at.getTime() - 3600_000),
      depositFen: opts.depositFen ?? 2_000_000,
      bidForm: [
        { key: 'price', label: '投标报价', type: 'money', required: true },
        { key: 'durationDays', label: '工期（日历天）', type: 'days', required: true },
        { key: 'projectManager', label: '项目经理', type: 'text', required: true },
      ],
      status: 'opened',
      createdAt: at,
      updatedAt: at,
      sections: { create: [{ seq: 1, name: '施工', budgetFen: 600_000_000 }] },
    },
    include: { sections: true },
  });
  const section = tender.sections[0];
  const opening = await prisma.opening.create({
    data: { tenderId: tender.id, state: 'closed', hostUserId: agent.id, hostOrgId: agent.organizationId!, closedAt: at, recordSha256: 'ab'.repeat(32), createdAt: at, updatedAt: at },
  });
  const prices = [512_345_600, 498_000_000, 530_000_000, 505_000_000, 520_000_000, 501_000_000].slice(0, valid);
  for (const [i, b] of bidders.entries()) {
    const isValid = i < valid;
    await prisma.openingBid.create({
      data: {
        openingId: opening.id,
        bidId: `bid-${k}-${i}`,
        sectionId: section.id,
        sectionSeq: 1,
        bidderOrgId: b.organizationId!,
        bidderName: b.organization!.name,
        position: i + 1,
        envelopeSha256: 'cd'.repeat(32),
        result: isValid ? 'valid' : 'revoked',
        cause: isValid ? null : 'bidder',
        reason: isValid ? null : '投标人未在规定时间内解密',
        form: isValid ? { price: prices[i], durationDays: 365 - i * 10, projectManager: `项目经理${i + 1}` } : undefined,
        processedAt: at,
      },
    });
    if (opts.depositFen !== 0) {
      await prisma.$transaction(async (tx) => {
        const o = await createOrder(tx, { purpose: 'bid_deposit', refType: 'tender_section', refId: section.id, payerOrgId: b.organizationId!, payerUserId: b.id, amountFen: opts.depositFen ?? 2_000_000, subject: `投标保证金 ${code}` });
        const row = await tx.paymentOrder.findUniqueOrThrow({ where: { id: o.id } });
        await settlePayment(tx, row.outTradeNo, { tradeNo: `T${k}${i}${Date.now()}`, amountFen: row.amountFen, paidAt: at, via: 'notify' });
      });
    }
  }
  return { agent, bidders, tenderId: tender.id, sectionId: section.id, tenderCode: code, tendererName, prices };
}

let expertSeq = 0;
export interface TestExpert {
  expertId: string;
  userId: string;
  code: string;
  user: { id: string; displayName: string; organizationId: string | null; role: string };
}

export async function createTestExpert(opts: { specialty?: string; employerCreditCode?: string; employerName?: string } = {}): Promise<TestExpert> {
  const i = ++expertSeq;
  const e = await createExpert(ADMIN, {
    username: `expert_t${i}`,
    name: `专家${i}`,
    title: '高级工程师',
    specialties: [(opts.specialty ?? 'A02') as 'A02'],
    region: '江城市',
    employerName: opts.employerName ?? `江城市测试设计研究院${i}`,
    employerCreditCode: opts.employerCreditCode ?? withCheckChar(`91420100MA4X${String(i).padStart(5, '0')}`),
    password: 'Expert2026pass',
  });
  const prisma = await getPrisma();
  const user = await prisma.user.findUniqueOrThrow({ where: { id: e.userId } });
  return { expertId: e.id, userId: e.userId, code: e.code, user };
}

const enrolments = new Map<string, LocalEnrolment>();
export async function enrolmentOf(user: { id: string; displayName: string; organizationId: string | null; role: string }) {
  let e = enrolments.get(user.id);
  if (!e) {
    e = await enrollLocally(actorFor(user), user.id, { rsaBits: 2048 });
    enrolments.set(user.id, e);
  }
  return e;
}

/** CMS SignedData (detached) over the text, as SignButton makes it in the browser. */
export async function signText(user: { id: string; displayName: string; organizationId: string | null; role: string }, text: string) {
  const e = await enrolmentOf(user);
  const sig = await signData({ content: utf8(text), signerCert: e.cert, signerKey: e.signKey, detached: true });
  return toBase64(sig);
}

/** 组长推选 as the members do it on the evaluation page: every accepted member votes for the `choice`-th (draw order) until elected. */
export async function electChair(evaluationId: string, choice = 0) {
  const { voteChair } = await import('~/modules/evaluation/evaluation.server');
  const prisma = await getPrisma();
  const members = await prisma.evaluationMember.findMany({ where: { evaluationId, status: 'accepted' }, orderBy: { seq: 'asc' } });
  const users = await prisma.user.findMany({ where: { id: { in: members.map((m) => m.userId) } } });
  for (const m of members) {
    const u = users.find((x) => x.id === m.userId)!;
    const r = await voteChair(actorFor(u), u, evaluationId, members[choice].id);
    if (r.chairMemberId) break;
  }
  return prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId, isChair: true } });
}
