// The demo seed puts the supermarket in every state the issue asks for, through the real module
// functions: check each state and that the published draw record verifies.
import { describe, expect, it } from 'vitest';
import { verifyDraw } from '../../crypto/draw';
import { seedDemo } from '../../prisma/seed/seed';
import { useTestDatabase } from '../setup/db';

const ref = useTestDatabase();

describe('market demo seed', () => {
  it('has a catalog, agencies and purchases in every method and state', async () => {
    await seedDemo(ref.db);
    const prisma = ref.db.prisma;
    expect(await prisma.serviceItem.count()).toBeGreaterThanOrEqual(30);
    expect(await prisma.serviceCategory.count()).toBeGreaterThanOrEqual(8);
    const purchases = await prisma.purchase.findMany({ include: { signups: true } });
    const methods = new Set(purchases.map((p) => p.method));
    expect([...methods].sort()).toEqual(['compare', 'direct', 'draw', 'price']);
    const states = purchases.map((p) => `${p.method}:${p.status}`);
    expect(states).toEqual(expect.arrayContaining(['draw:published', 'draw:closed', 'draw:announced', 'draw:awarded', 'price:awarded', 'compare:scoring', 'direct:announced', 'draw:failed', 'price:published']));
    const drawn = purchases.find((p) => p.method === 'draw' && p.status === 'announced')!;
    const check = verifyDraw(drawn.drawRecord, { commitment: drawn.drawCommitment!, candidatesHash: drawn.candidatesHash! });
    expect(check.ok).toBe(true);
    const orders = await prisma.serviceOrder.findMany({ include: { evaluation: true } });
    expect(orders.some((o) => o.status === 'in_progress' && o.warnedLevel === 'yellow')).toBe(true);
    expect(orders.some((o) => o.status === 'accepted' && o.evaluation)).toBe(true);
    const grades = new Set((await prisma.agencyProfile.findMany()).map((a) => a.creditGrade));
    expect(grades.size).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
