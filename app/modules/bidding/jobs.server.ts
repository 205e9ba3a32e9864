// Timed transitions of bidding: at the bid deadline close the tender and refuse unfinished uploads;
// expire abandoned uploads and delete partial chunk files (also after a crash).
import type { Job } from '~/modules/clock/scheduler.server';
import { closeDueTenders } from './uploads.server';

export const biddingJobs: Job[] = [
  {
    name: 'bidding.close-deadlines',
    everyMs: 15_000,
    run: () => closeDueTenders(),
  },
];
