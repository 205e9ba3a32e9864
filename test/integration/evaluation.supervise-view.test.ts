// Supervisors read an evaluation page with bidders, scores and the committee's names: read-only, and
// each such view is written to the audit log (evaluation.supervise.view), as tender.supervise.view is.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { createEvaluationPlan } from '~/modules/evaluation/evaluation.server';
import { loader as evaluationLoader } from '~/routes/evaluation.$id';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { actorFor, openedSection } from './evaluation.fixtures';

useTestDatabase();

describe('evaluation page views by supervisors', () => {
  it('appends evaluation.supervise.view for each supervisor view, none for the agent', async () => {
    const s = await openedSection({ valid: 2 });
    const ev = await createEvaluationPlan(actorFor(s.agent), s.agent, {
      sectionId: s.sectionId, method: 'lowest_price', specialty: 'A02', expertCount: 5,
      scheduledAt: new Date(now().getTime() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 16), priceWeight: 40, criteriaText: '',
    });
    const supervisor = await createUser('supervisor');
    const prisma = await getPrisma();
    const view = async (userId: string) => evaluationLoader({ request: makeRequest(`/evaluation/${ev.id}`, { cookie: await sessionCookieFor(userId) }), params: { id: ev.id }, context: {} });
    expect((await view(supervisor.id)).kind).toBe('supervisor');
    await view(supervisor.id);
    await view(s.agent.id);
    const entries = await prisma.auditEntry.findMany({ where: { action: 'evaluation.supervise.view' } });
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.actorUserId === supervisor.id && e.objectType === 'evaluation' && e.objectId === ev.id)).toBe(true);
  });
});
