// Timed work of the supermarket. Each job is idempotent (reads state and the clock, does what is due).
import type { Job } from '~/modules/clock/scheduler.server';
import { syncUpheldComplaints } from '~/modules/credit/credit.server';
import { checkDeliveryWarnings } from './orders.server';
import { runDuePurchaseSteps } from './purchases.server';
import { checkQualificationExpiry } from './registration.server';

export const marketJobs: Job[] = [
  { name: 'market.purchases', everyMs: 15_000, run: async () => ({ did: await runDuePurchaseSteps() }) },
  { name: 'market.delivery-warnings', everyMs: 60_000, run: async () => ({ did: await checkDeliveryWarnings() }) },
  { name: 'credit.upheld-complaints', everyMs: 60_000, run: async () => ({ did: await syncUpheldComplaints() }) },
  { name: 'market.qualification-expiry', everyMs: 10 * 60_000, run: async () => ({ did: await checkQualificationExpiry() }) },
];
