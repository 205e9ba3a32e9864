// Scheduled supervision work: evaluate the warning rules every minute (and right after the demo
// clock moves, through runDueJobs).
import type { Job } from '~/modules/clock/scheduler.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { WARNING_RULES } from './rules/index.server';
import { runWarningRules } from './warnings.server';

export const warningRulesJob: Job = {
  name: 'supervision.warnings',
  everyMs: 60_000,
  async run({ db }) {
    const r = await runWarningRules(db.prisma, WARNING_RULES, now());
    for (const e of r.errors) log.warn('supervision.rule.failed', e);
    return { did: r.raised + r.escalated + r.cleared };
  },
};
