// Every scheduled job of the platform, registered once at start-up. A module that needs timed
// transitions exports a Job and adds it here.
import { registerJob, type Job } from '~/modules/clock/scheduler.server';
import { evaluationJobs } from '~/modules/evaluation/jobs.server';
import { warningRulesJob } from '~/modules/supervision/jobs.server';
import { treeHeadJob } from '~/modules/transparency/log.server';
import { PAYMENT_JOBS } from '~/modules/payments/jobs.server';
import { marketJobs } from '~/modules/market/jobs.server';
import { biddingJobs } from '~/modules/bidding/jobs.server';
import { openingTickJob } from '~/modules/opening/jobs.server';

const JOBS: Job[] = [treeHeadJob, ...PAYMENT_JOBS, ...marketJobs];

// bidding: close tenders at their deadline, sweep unfinished uploads
JOBS.push(...biddingJobs);

// opening: decryption windows that ran out, processing interrupted by a restart
JOBS.push(openingTickJob);

// evaluation: expert draws when due, overdue contract filing warnings
JOBS.push(...evaluationJobs);

// supervision: warning rules every minute
JOBS.push(warningRulesJob);

let registered = false;
export function registerAllJobs() {
  if (registered) return;
  registered = true;
  for (const j of JOBS) registerJob(j);
}
