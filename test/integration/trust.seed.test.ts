import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPkcs12 } from '../../crypto/pki';
import { getPrisma } from '~/db/index.server';
import { activeCertificatesOf } from '~/modules/pki/user-certs.server';
import { latestTreeHead } from '~/modules/transparency/log.server';
import { DEMO_PASSWORD } from '../../prisma/seed/accounts';
import { demoKeysDir, seedTrust } from '../../prisma/seed/trust';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';

const ref = useTestDatabase();

describe('trust seed', () => {
  it('gives demo bidders, tenderers and supervisors certificates with .p12 files, and signs tree heads', async () => {
    const bidder = await createUser('bidder', { username: 'bidder6' });
    const supervisor = await createUser('supervisor', { username: 'supervisor1' });
    const owner = await createUser('owner', { username: 'owner1' });
    const users = new Map([bidder, supervisor, owner].map((u) => [u.username, u]));
    await seedTrust({ db: ref.db, orgs: new Map(), users });
    const p12 = fs.readFileSync(path.join(demoKeysDir(), 'bidder6.p12'));
    expect(fs.statSync(path.join(demoKeysDir(), 'bidder6.p12')).mode & 0o777).toBe(0o600);
    const parsed = await importPkcs12(new Uint8Array(p12), DEMO_PASSWORD);
    const active = await activeCertificatesOf(bidder.id);
    expect(active).toHaveLength(1);
    expect(active[0].cert).toEqual(parsed.cert);
    expect(fs.existsSync(path.join(demoKeysDir(), 'owner1.p12'))).toBe(false);
    const prisma = await getPrisma();
    expect(await prisma.certificate.count({ where: { userId: bidder.id, revokedAt: { not: null } } })).toBe(1);
    expect((await latestTreeHead())!.treeSize).toBe(await prisma.auditEntry.count());
  });
});
