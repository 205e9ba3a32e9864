// The room's live stream (Server-Sent Events): backlog after Last-Event-ID, then every step as it
// commits, on whichever app instance the browser is connected to (LISTEN/NOTIFY fan-out).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getSessionUser } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { getOpening, seatOf } from '~/modules/opening/room.server';
import { eventsSince, topicOf } from '~/modules/opening/steps.server';
import { OpeningError } from '~/modules/opening/types';
import { eventStreamResponse } from '~/modules/realtime/hub.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  let opening;
  try {
    opening = await getOpening(params.id ?? '');
  } catch (e) {
    if (e instanceof OpeningError) return new Response(e.message, { status: e.status });
    throw e;
  }
  const seat = await seatOf(user, opening);
  if (!seat) return new Response('您不能进入该开标室', { status: user ? 403 : 401 });
  return eventStreamResponse({
    topic: topicOf(opening.id),
    request,
    load: (after) => eventsSince(opening.id, after),
    hello: () => ({ serverNow: now().toISOString(), seat }),
  });
}
