// DEMO_MODE only: the demo clock offset lives in the database so that every app instance, and a
// restarted one, agrees on "now" after a demo operator (or an e2e test) moves time forward.
import { getPrisma } from '~/db/index.server';
import { advanceClock, clockOffsetMs, now } from './clock.server';

const KEY = 'clock.offsetMs';

export async function loadClockOffset() {
  const prisma = await getPrisma();
  const row = await prisma.setting.findUnique({ where: { key: KEY } });
  const target = typeof row?.value === 'number' ? row.value : 0;
  const delta = target - clockOffsetMs();
  if (delta !== 0) advanceClock(delta);
}

export async function persistClockAdvance(ms: number) {
  const prisma = await getPrisma();
  advanceClock(ms);
  await prisma.setting.upsert({
    where: { key: KEY },
    create: { key: KEY, value: clockOffsetMs(), updatedAt: new Date() },
    update: { value: clockOffsetMs(), updatedAt: new Date() },
  });
  return now();
}
