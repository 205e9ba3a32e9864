// Every route file must be listed here with who may reach it. A new route without an entry fails
// this test, so nobody ships a page whose loader or action forgot its permission check.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Permission } from '~/modules/auth/permissions';
import { can } from '~/modules/auth/permissions';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';

useTestDatabase();

type Rule =
  | { access: 'public'; path: string; params?: Record<string, string> }
  | { access: 'protected'; path: string; params?: Record<string, string>; permission: Permission; allowed: string; denied: string[]; /** e.g. [404] for a detail page probed with an id that does not exist */ allowedStatuses?: number[] };

const everyoneBut = (...roles: string[]) => ['agency', 'owner', 'tenderer', 'bidder', 'supervisor', 'admin', 'expert'].filter((r) => !roles.includes(r));

export const ROUTE_TABLE: Record<string, Rule> = {
  // evaluation and award (expert library, draw, scoring, publicity, award, contract filing)
  'admin.experts._index.tsx': { access: 'protected', path: '/admin/experts', permission: 'manage:experts', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.experts.$id.tsx': { access: 'protected', path: '/admin/experts/x', params: { id: 'x' }, permission: 'manage:experts', allowed: 'admin', denied: everyoneBut('admin'), allowedStatuses: [404] },
  'evaluation._index.tsx': { access: 'protected', path: '/evaluation', permission: 'read:evaluation', allowed: 'expert', denied: ['agency', 'owner'] },
  'evaluation.new.tsx': { access: 'protected', path: '/evaluation/new', permission: 'plan:evaluation:own', allowed: 'tenderer', denied: everyoneBut('tenderer') },
  'evaluation.clarifications.tsx': { access: 'protected', path: '/evaluation/clarifications', permission: 'answer:clarification:own', allowed: 'bidder', denied: everyoneBut('bidder') },
  'evaluation.$id.tsx': { access: 'protected', path: '/evaluation/x', params: { id: 'x' }, permission: 'read:evaluation', allowed: 'supervisor', denied: ['agency', 'owner'], allowedStatuses: [404] },
  'evaluation.$id_.score.tsx': { access: 'protected', path: '/evaluation/x/score', params: { id: 'x' }, permission: 'evaluate:tender:assigned', allowed: 'expert', denied: everyoneBut('expert'), allowedStatuses: [404] },
  'evaluation.$id.draw[.]json.ts': { access: 'protected', path: '/evaluation/x/draw.json', params: { id: 'x' }, permission: 'read:evaluation', allowed: 'supervisor', denied: ['agency', 'owner'], allowedStatuses: [404] },
  'evaluation.$id.bids.$fileId.ts': { access: 'protected', path: '/evaluation/x/bids/y', params: { id: 'x', fileId: 'y' }, permission: 'read:evaluation', allowed: 'supervisor', denied: ['agency', 'owner'], allowedStatuses: [404] },
  'evaluation.$id.report[.]pdf.ts': { access: 'protected', path: '/evaluation/x/report.pdf', params: { id: 'x' }, permission: 'read:evaluation', allowed: 'supervisor', denied: ['agency', 'owner'], allowedStatuses: [404] },
  'award.$id.tsx': { access: 'protected', path: '/award/x', params: { id: 'x' }, permission: 'read:evaluation', allowed: 'tenderer', denied: ['agency', 'owner'], allowedStatuses: [404] },
  'award.$id.notice.$noticeId[.]pdf.ts': { access: 'protected', path: '/award/x/notice/y.pdf', params: { id: 'x', noticeId: 'y' }, permission: 'read:evaluation', allowed: 'bidder', denied: ['agency', 'owner'], allowedStatuses: [404] },
  '$.tsx': { access: 'public', path: '/no/such/page' },
  '_index.tsx': { access: 'public', path: '/' },
  'login.tsx': { access: 'public', path: '/login' },
  'logout.tsx': { access: 'public', path: '/logout' },
  'register.tsx': { access: 'public', path: '/register' },
  'healthz.ts': { access: 'public', path: '/healthz' },
  'announcements._index.tsx': { access: 'public', path: '/announcements' },
  'announcements.$id.tsx': { access: 'public', path: '/announcements/x', params: { id: 'x' } },
  'inbox.tsx': { access: 'protected', path: '/inbox', permission: 'read:inbox:own', allowed: 'bidder', denied: [] },
  'account.password.tsx': { access: 'protected', path: '/account/password', permission: 'update:account:own', allowed: 'owner', denied: [] },
  'audit.tsx': { access: 'protected', path: '/audit', permission: 'read:audit', allowed: 'supervisor', denied: everyoneBut('supervisor', 'admin') },
  'admin.clock.tsx': { access: 'protected', path: '/admin/clock', permission: 'advance:clock:demo', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.users.tsx': { access: 'protected', path: '/admin/users', permission: 'manage:users', allowed: 'admin', denied: everyoneBut('admin') },
  // supervision part 2: statistics, double-random inspections, satisfaction (一事一评)
  'stats._index.tsx': { access: 'protected', path: '/stats', permission: 'read:statistics', allowed: 'supervisor', denied: everyoneBut('supervisor', 'admin') },
  'stats.export.ts': { access: 'protected', path: '/stats/export?table=monthly&format=csv', permission: 'read:statistics', allowed: 'admin', denied: everyoneBut('supervisor', 'admin') },
  'stats.report[.]pdf.ts': { access: 'protected', path: '/stats/report.pdf?month=bad', permission: 'read:statistics', allowed: 'supervisor', denied: everyoneBut('supervisor', 'admin'), allowedStatuses: [400] },
  'inspections._index.tsx': { access: 'public', path: '/inspections' },
  'inspections.new.tsx': { access: 'protected', path: '/inspections/new', permission: 'run:inspection', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'inspections.$id.tsx': { access: 'public', path: '/inspections/x', params: { id: 'x' } },
  'inspections.$id.record[.]json.ts': { access: 'public', path: '/inspections/x/record.json', params: { id: 'x' } },
  'satisfaction._index.tsx': { access: 'protected', path: '/satisfaction', permission: 'read:statistics', allowed: 'admin', denied: everyoneBut('supervisor', 'admin') },
  'satisfaction.rate.ts': { access: 'protected', path: '/satisfaction/rate', permission: 'create:rating', allowed: 'owner', denied: ['supervisor', 'admin', 'expert'] },
  // supervision
  'ocds.releases[.]json.ts': { access: 'public', path: '/ocds/releases.json' },
  'ocds.tenders.$id.ts': { access: 'public', path: '/ocds/tenders/x.json', params: { id: 'x.json' } },
  'supervision._index.tsx': { access: 'protected', path: '/supervision', permission: 'read:supervision', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'supervision.live.ts': { access: 'protected', path: '/supervision/live', permission: 'read:supervision', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'supervision.complaints._index.tsx': { access: 'protected', path: '/supervision/complaints', permission: 'handle:complaint', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'supervision.complaints.$id.tsx': { access: 'protected', path: '/supervision/complaints/x', params: { id: 'x' }, permission: 'handle:complaint', allowed: 'supervisor', denied: everyoneBut('supervisor'), allowedStatuses: [404] },
  'warnings._index.tsx': { access: 'protected', path: '/warnings', permission: 'handle:warning', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'warnings.$id.tsx': { access: 'protected', path: '/warnings/x', params: { id: 'x' }, permission: 'handle:warning', allowed: 'supervisor', denied: everyoneBut('supervisor'), allowedStatuses: [404] },
  'complaints._index.tsx': { access: 'protected', path: '/complaints', permission: 'create:complaint', allowed: 'bidder', denied: ['supervisor', 'admin', 'expert'] },
  'complaints.new.tsx': { access: 'protected', path: '/complaints/new', permission: 'create:complaint', allowed: 'agency', denied: ['supervisor', 'admin', 'expert'] },
  'complaints.$id.tsx': { access: 'protected', path: '/complaints/x', params: { id: 'x' }, permission: 'create:complaint', allowed: 'owner', denied: ['supervisor', 'admin', 'expert'], allowedStatuses: [404] },
  'api.alipay.notify.ts': { access: 'public', path: '/api/alipay/notify' },
  'payments.orders._index.tsx': { access: 'protected', path: '/payments/orders', permission: 'read:order:own', allowed: 'bidder', denied: ['supervisor', 'admin', 'expert'] },
  // also supervisors and admins (read:order:any), who reach it from /finance: tested in payments.order-page.test.ts
  'payments.orders.$id.tsx': { access: 'protected', path: '/payments/orders/x', params: { id: 'x' }, permission: 'read:order:own', allowed: 'bidder', denied: ['expert'], allowedStatuses: [404] },
  'payments.return.tsx': { access: 'protected', path: '/payments/return', permission: 'read:order:own', allowed: 'bidder', denied: ['supervisor', 'admin', 'expert'] },
  'payments.forfeitures.tsx': { access: 'protected', path: '/payments/forfeitures', permission: 'approve:forfeit', allowed: 'supervisor', denied: everyoneBut('supervisor') },
  'finance._index.tsx': { access: 'protected', path: '/finance', permission: 'read:finance', allowed: 'admin', denied: everyoneBut('supervisor', 'admin') },
  'finance.statement.ts': { access: 'protected', path: '/finance/statement', permission: 'read:finance', allowed: 'supervisor', denied: everyoneBut('supervisor', 'admin') },
  // bidding (routes keyed by an id answer the probe id 'x' with 404 once past the permission check)
  'tenders._index.tsx': { access: 'public', path: '/tenders' },
  // remote opening (不见面开标): rooms are seat-checked inside (host, agent, bidder, supervisor, public watcher)
  'openings._index.tsx': { access: 'public', path: '/openings' },
  'opening.$id.tsx': { access: 'public', path: '/opening/x', params: { id: 'x' } },
  'opening.$id.record.tsx': { access: 'public', path: '/opening/x/record', params: { id: 'x' } },
  'api.opening.$id.events.ts': { access: 'public', path: '/api/opening/x/events', params: { id: 'x' } },
  'api.opening.$id.video.ts': { access: 'public', path: '/api/opening/x/video', params: { id: 'x' } },
  'api.opening.$id.ts': { access: 'protected', path: '/api/opening/x', params: { id: 'x' }, permission: 'attend:opening', allowed: 'bidder', denied: ['agency', 'owner', 'admin', 'expert'], allowedStatuses: [404] },
  'api.opening.$id.record.ts': { access: 'protected', path: '/api/opening/x/record', params: { id: 'x' }, permission: 'attend:opening', allowed: 'supervisor', denied: ['agency', 'owner', 'admin', 'expert'], allowedStatuses: [404] },
  'tenders.new.tsx': { access: 'protected', path: '/tenders/new', permission: 'create:tender', allowed: 'tenderer', denied: everyoneBut('tenderer') },
  'tenders.$id._index.tsx': { access: 'public', path: '/tenders/x', params: { id: 'x' } },
  'tenders.$id.manage.tsx': { access: 'protected', path: '/tenders/x/manage', params: { id: 'x' }, permission: 'update:tender:own', allowed: 'tenderer', denied: everyoneBut('tenderer'), allowedStatuses: [404] },
  'tenders.$id.ceremony.ts': { access: 'protected', path: '/tenders/x/ceremony', params: { id: 'x' }, permission: 'publish:tender:own', allowed: 'tenderer', denied: everyoneBut('tenderer'), allowedStatuses: [405] },
  'tenders.$id.bid.tsx': { access: 'protected', path: '/tenders/x/bid', params: { id: 'x' }, permission: 'submit:bid', allowed: 'bidder', denied: everyoneBut('bidder'), allowedStatuses: [404] },
  'tenders.$id.supervise.tsx': { access: 'protected', path: '/tenders/x/supervise', params: { id: 'x' }, permission: 'read:bidders:any', allowed: 'supervisor', denied: everyoneBut('supervisor'), allowedStatuses: [404] },
  'tenders.$id.documents.$docId.ts': { access: 'protected', path: '/tenders/x/documents/y', params: { id: 'x', docId: 'y' }, permission: 'download:tender-document', allowed: 'bidder', denied: ['agency', 'owner', 'admin', 'expert'], allowedStatuses: [404] },
  'tenders.$id.opening-cert.ts': { access: 'public', path: '/tenders/x/opening-cert', params: { id: 'x' } },
  'bids._index.tsx': { access: 'protected', path: '/bids', permission: 'read:bid-receipt:own', allowed: 'bidder', denied: everyoneBut('bidder') },
  'bids.receipts.$id.ts': { access: 'protected', path: '/bids/receipts/x', params: { id: 'x' }, permission: 'read:bid-receipt:own', allowed: 'bidder', denied: everyoneBut('bidder'), allowedStatuses: [404] },
  'api.uploads.bids.ts': { access: 'protected', path: '/api/uploads/bids', permission: 'submit:bid', allowed: 'bidder', denied: everyoneBut('bidder'), allowedStatuses: [405] },
  'api.uploads.bids.$id.ts': { access: 'protected', path: '/api/uploads/bids/x', params: { id: 'x' }, permission: 'submit:bid', allowed: 'bidder', denied: everyoneBut('bidder'), allowedStatuses: [404] },
  'api.uploads.tender-docs.$id.ts': { access: 'protected', path: '/api/uploads/tender-docs/x', params: { id: 'x' }, permission: 'update:tender:own', allowed: 'tenderer', denied: everyoneBut('tenderer'), allowedStatuses: [405] },
  // trust services (pki, transparency)
  'tsa.ts': { access: 'public', path: '/tsa' },
  'pki.ca[.]pem.ts': { access: 'public', path: '/pki/ca.pem' },
  'pki.tsa[.]pem.ts': { access: 'public', path: '/pki/tsa.pem' },
  'pki.signer[.]pem.ts': { access: 'public', path: '/pki/signer.pem' },
  'pki.crl[.]der.ts': { access: 'public', path: '/pki/crl.der' },
  'account.certificate.tsx': { access: 'protected', path: '/account/certificate', permission: 'manage:certificate:own', allowed: 'bidder', denied: [] },
  'admin.certificates.tsx': { access: 'protected', path: '/admin/certificates', permission: 'manage:keys', allowed: 'admin', denied: everyoneBut('admin') },
  'api.pki.challenge.ts': { access: 'protected', path: '/api/pki/challenge', permission: 'manage:certificate:own', allowed: 'bidder', denied: [] },
  'api.pki.enroll.ts': { access: 'protected', path: '/api/pki/enroll', permission: 'manage:certificate:own', allowed: 'tenderer', denied: [] },
  'transparency._index.tsx': { access: 'public', path: '/transparency' },
  'transparency.sth[.]json.ts': { access: 'public', path: '/transparency/sth.json' },
  'transparency.proof.inclusion.ts': { access: 'public', path: '/transparency/proof/inclusion' },
  'transparency.proof.consistency.ts': { access: 'public', path: '/transparency/proof/consistency' },
  'audit.entry[.]json.ts': { access: 'protected', path: '/audit/entry.json', permission: 'read:audit', allowed: 'supervisor', denied: everyoneBut('supervisor', 'admin') },
  // market (中介超市): detail routes probed with id 'x' answer 404 once past the permission check
  'market._index.tsx': { access: 'public', path: '/market' },
  'market.catalog.tsx': { access: 'public', path: '/market/catalog' },
  'market.credit-rules.tsx': { access: 'public', path: '/market/credit-rules' },
  'market.agencies.$id.tsx': { access: 'public', path: '/market/agencies/x', params: { id: 'x' } },
  'market.agencies.$id_.credit.tsx': { access: 'public', path: '/market/agencies/x/credit', params: { id: 'x' } },
  'market.purchases._index.tsx': { access: 'public', path: '/market/purchases' },
  'market.purchases.$id.tsx': { access: 'public', path: '/market/purchases/x', params: { id: 'x' } },
  'market.purchases.$id_.draw.tsx': { access: 'public', path: '/market/purchases/x/draw', params: { id: 'x' } },
  'market.purchases.$id.record[.]json.ts': { access: 'public', path: '/market/purchases/x/record.json', params: { id: 'x' } },
  'market.purchases.new.tsx': { access: 'protected', path: '/market/purchases/new', permission: 'create:purchase', allowed: 'owner', denied: everyoneBut('owner') },
  'market.registration.tsx': { access: 'protected', path: '/market/registration', permission: 'update:registration:own', allowed: 'agency', denied: everyoneBut('agency') },
  'market.listings.tsx': { access: 'protected', path: '/market/listings', permission: 'create:listing', allowed: 'agency', denied: everyoneBut('agency') },
  'market.orders._index.tsx': { access: 'protected', path: '/market/orders', permission: 'read:market', allowed: 'owner', denied: ['tenderer', 'bidder', 'expert'] },
  'market.orders.$id.tsx': { access: 'protected', path: '/market/orders/x', params: { id: 'x' }, permission: 'read:market', allowed: 'agency', denied: ['tenderer', 'bidder', 'expert'], allowedStatuses: [404] },
  'market.orders.$id.contract[.]pdf.ts': { access: 'protected', path: '/market/orders/x/contract.pdf', params: { id: 'x' }, permission: 'read:market', allowed: 'owner', denied: ['tenderer', 'bidder', 'expert'], allowedStatuses: [404] },
  'market.files.$id.ts': { access: 'protected', path: '/market/files/x', params: { id: 'x' }, permission: 'read:market', allowed: 'agency', denied: ['tenderer', 'bidder', 'expert'], allowedStatuses: [404] },
  'admin.catalog.tsx': { access: 'protected', path: '/admin/catalog', permission: 'manage:catalog', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.catalog[.]csv.ts': { access: 'protected', path: '/admin/catalog.csv', permission: 'manage:catalog', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.registrations._index.tsx': { access: 'protected', path: '/admin/registrations', permission: 'review:registration', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.registrations.$id.tsx': { access: 'protected', path: '/admin/registrations/x', params: { id: 'x' }, permission: 'review:registration', allowed: 'admin', denied: everyoneBut('admin'), allowedStatuses: [404] },
  'admin.calendar.tsx': { access: 'protected', path: '/admin/calendar', permission: 'manage:calendar', allowed: 'admin', denied: everyoneBut('admin') },
  'admin.credit.tsx': { access: 'protected', path: '/admin/credit', permission: 'manage:credit-rules', allowed: 'admin', denied: everyoneBut('admin') },
};

const routesDir = path.resolve('app/routes');
const routeFiles = fs
  .readdirSync(routesDir)
  .filter((f) => /\.(tsx?|jsx?)$/.test(f) && !/\.test\.(tsx?)$/.test(f));

type RouteModule = {
  loader?: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
  action?: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
};

async function call(fn: RouteModule['loader'], request: Request, params: Record<string, string> = {}) {
  try {
    return await fn!({ request, params, context: {} });
  } catch (e) {
    return e;
  }
}

function statusOf(r: unknown) {
  return r instanceof Response ? r.status : 200;
}

describe('route permission table', () => {
  it('lists every route file', () => {
    const missing = routeFiles.filter((f) => !(f in ROUTE_TABLE));
    expect(missing, `add these routes to ROUTE_TABLE: ${missing.join(', ')}`).toEqual([]);
    const stale = Object.keys(ROUTE_TABLE).filter((f) => !routeFiles.includes(f));
    expect(stale, `remove deleted routes from ROUTE_TABLE: ${stale.join(', ')}`).toEqual([]);
  });

  for (const [file, rule] of Object.entries(ROUTE_TABLE)) {
    if (rule.access !== 'protected') continue;
    describe(file, () => {
      it('sends anonymous visitors to the login page', async () => {
        const mod = (await import(path.join(routesDir, file))) as RouteModule;
        for (const [method, fn] of [['GET', mod.loader], ['POST', mod.action]] as const) {
          if (!fn) continue;
          const body = method === 'POST' ? new URLSearchParams({ probe: '1' }) : undefined;
          const r = await call(fn, makeRequest(rule.path, { method, body }), rule.params);
          expect(r, `${method} ${rule.path}`).toBeInstanceOf(Response);
          expect((r as Response).status, `${method} ${rule.path}`).toBe(302);
          expect((r as Response).headers.get('Location')).toMatch(/^\/login\?redirectTo=/);
        }
      });

      it('refuses roles without the permission with 403', async () => {
        const mod = (await import(path.join(routesDir, file))) as RouteModule;
        for (const role of rule.denied) {
          expect(can(role, rule.permission), `${role} should not hold ${rule.permission}`).toBe(false);
          const u = await createUser(role);
          const cookie = await sessionCookieFor(u.id);
          for (const [method, fn] of [['GET', mod.loader], ['POST', mod.action]] as const) {
            if (!fn) continue;
            const body = method === 'POST' ? new URLSearchParams({ probe: '1' }) : undefined;
            const r = await call(fn, makeRequest(rule.path, { method, body, cookie }), rule.params);
            expect(statusOf(r), `${role} ${method} ${rule.path}`).toBe(403);
          }
        }
      });

      it('lets the allowed role in', async () => {
        const mod = (await import(path.join(routesDir, file))) as RouteModule;
        expect(can(rule.allowed, rule.permission)).toBe(true);
        const u = await createUser(rule.allowed);
        const r = await call(mod.loader, makeRequest(rule.path, { cookie: await sessionCookieFor(u.id) }), rule.params);
        expect(rule.allowedStatuses ?? [200, 204]).toContain(statusOf(r));
      });
    });
  }
});
