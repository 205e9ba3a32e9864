// Timed steps of openings: a decryption window that has run out ends by itself, and an opening
// whose processing was interrupted (a restart) resumes where the log says it stopped.
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import type { Job } from '~/modules/clock/scheduler.server';
import { endDecryption, processRemaining } from './decrypt.server';

export const openingTickJob: Job = {
  name: 'opening.tick',
  everyMs: 5_000,
  async run() {
    const prisma = await getPrisma();
    let did = 0;
    const due = await prisma.opening.findMany({ where: { state: 'decrypting', paused: false, decryptUntil: { lte: now() } }, select: { id: true } });
    for (const o of due) {
      await endDecryption(SYSTEM_ACTOR, null, o.id);
      did++;
    }
    const stuck = await prisma.opening.findMany({ where: { state: 'processing' }, select: { id: true } });
    for (const o of stuck) {
      await processRemaining(o.id);
      did++;
    }
    return { did };
  },
};
