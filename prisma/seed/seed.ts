// Demo data: every capability adds what it needs here so that `npm start` shows it in a realistic
// state. Runs only on an empty database.
import type { Database } from '~/db/db.server';
import { seedEvaluation } from './evaluation';
import { appendAuditEntry, SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { hashPassword } from '~/modules/auth/password.server';
import { now } from '~/modules/clock/clock.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { DEMO_ORGS, DEMO_PASSWORD, DEMO_STAFF, demoCreditCode } from './accounts';
import { seedMarket } from './market';
import { seedDepositsToAward, seedPayments } from './payments';
import { seedSupervision } from './supervision';
import { seedSupervisionStats } from './supervision-stats';
import { seedOpening } from './opening';
import { seedBidding } from './bidding';
import { seedTrust } from './trust';

/** What every context seeder gets: the demo people by key, and the database. */
export interface SeedContext {
  db: Database;
  orgs: Map<string, { id: string; name: string; creditCode: string }>;
  users: Map<string, { id: string; username: string; role: string; organizationId: string | null; displayName: string }>;
}

/**
 * Context seeders run in this order after the accounts exist. Each capability adds its own
 * (prisma/seed/<context>.ts) so that `npm start` shows it in a realistic state.
 */
// trust first: later seeders (sealed bids, signed contracts) need the demo users' certificates.
const SEEDERS: { name: string; seed: (ctx: SeedContext) => Promise<void> }[] = [{ name: 'trust', seed: seedTrust }, { name: 'market', seed: seedMarket }, { name: 'payments', seed: seedPayments }];

// bidding after trust (bidders seal with their demo keys), before payments (which pays deposits on the demo tenders).
SEEDERS.splice(SEEDERS.findIndex((s) => s.name === 'trust') + 1, 0, { name: 'bidding', seed: seedBidding });

// opening after bidding and payments: it opens the closed demo tender (deposit statuses included).
SEEDERS.splice(SEEDERS.findIndex((x) => x.name === 'payments') + 1, 0, { name: 'opening', seed: seedOpening });

// evaluation after the opening (it evaluates opened tenders and awards one), before supervision.
SEEDERS.push({ name: 'evaluation', seed: seedEvaluation });

// deposits from payment to refund (JC-2026-SZ-0019): after the evaluation seed (expert library and keys).
SEEDERS.push({ name: 'payments-award', seed: seedDepositsToAward });

// supervision runs last: it reads the market's orders and the other contexts' data.
SEEDERS.push({ name: 'supervision', seed: seedSupervision });

// statistics history, ratings and a published double-random inspection: after every other context.
SEEDERS.push({ name: 'supervision-stats', seed: seedSupervisionStats });

export interface SeedResult {
  accounts: { username: string; role: string; organization?: string }[];
  password: string;
}

export async function isEmpty(db: Database) {
  return (await db.prisma.user.count()) === 0;
}

export async function seedDemo(db: Database): Promise<SeedResult> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const accounts: SeedResult['accounts'] = [];
  const ctx: SeedContext = { db, orgs: new Map(), users: new Map() };
  await db.prisma.$transaction(
    async (tx) => {
      for (const s of DEMO_STAFF) {
        const u = await tx.user.create({ data: { ...s, passwordHash, email: `${s.username}@ggzy.example.cn`, createdAt: now() } });
        ctx.users.set(u.username, u);
        accounts.push({ username: u.username, role: u.role });
      }
      for (const o of DEMO_ORGS) {
        const org = await tx.organization.create({
          data: { name: o.name, creditCode: demoCreditCode(o), roles: o.roles, region: o.region, contactName: o.contactName, phone: `1387100${String(DEMO_ORGS.indexOf(o) + 1).padStart(4, '0')}`, createdAt: now() },
        });
        ctx.orgs.set(o.key, org);
        for (const u of o.users) {
          const created = await tx.user.create({
            data: { username: u.username, displayName: u.displayName, role: u.role, passwordHash, organizationId: org.id, email: `${u.username}@example.cn`, createdAt: now() },
          });
          ctx.users.set(created.username, created);
          accounts.push({ username: u.username, role: u.role, organization: org.name });
        }
      }
      await publishAnnouncement(tx, {
        kind: 'notice',
        title: '关于全面推行“不见面开标”的通知',
        body: '自即日起，本中心进场交易的工程建设项目全面推行远程不见面开标。投标人无需到场，通过本平台在线签到、在线解密、在线确认开标结果。投标文件须使用数字证书签名并加密，投标截止时间前任何人（包括平台工作人员）均无法解密。',
      });
      await publishAnnouncement(tx, {
        kind: 'notice',
        title: '网上中介超市入驻须知（一次性告知）',
        body: '中介机构入驻须提交：营业执照、资质证书（类别、等级、编号、有效期及扫描件）、执业人员及其证书。材料不全的，中心将一次性告知需补正的全部内容。一地入驻、全域通行。',
      });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'system.seed', payload: { accounts: accounts.length } });
    },
    { timeout: 120_000 },
  );
  for (const s of SEEDERS) await s.seed(ctx);
  return { accounts, password: DEMO_PASSWORD };
}
