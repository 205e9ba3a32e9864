// Timed work of the evaluation context: the expert draw when it falls due (DRAW_LEAD_MS before the
// committee convenes) and the overdue contract-filing warning. Idempotent: each reads the state.
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import type { Job } from '~/modules/clock/scheduler.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { runWarningRules } from '~/modules/supervision/warnings.server';
import { contractFilingOverdueRule } from './award.server';
import { dueDraws, EvaluationError, runExpertDraw } from './evaluation.server';

export const evaluationJobs: Job[] = [
  {
    name: 'evaluation.draw',
    everyMs: 30_000,
    async run() {
      let did = 0;
      for (const { id } of await dueDraws(now())) {
        try {
          await runExpertDraw(SYSTEM_ACTOR, id);
          did++;
        } catch (e) {
          // Not enough eligible experts: stays planned, admins are told on the evaluation page.
          if (e instanceof EvaluationError) log.warn('evaluation.draw.failed', { evaluationId: id, message: e.message });
          else throw e;
        }
      }
      return { did };
    },
  },
  {
    name: 'evaluation.contract-overdue',
    everyMs: 60_000,
    async run({ db }) {
      const r = await runWarningRules(db.prisma, [contractFilingOverdueRule], now());
      for (const e of r.errors) log.warn('evaluation.rule.failed', e);
      return { did: r.raised + r.escalated + r.cleared };
    },
  },
];
