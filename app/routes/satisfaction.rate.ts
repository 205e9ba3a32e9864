// 一事一评 resource route behind <RateService>: GET tells the widget whether this user may rate
// the subject (or shows their rating), POST records the rating. Participation is decided on the
// server (ratings.server.ts), never taken from the client.
import { parseWithZod } from '@conform-to/zod';
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { rateSchema, RATING_SUBJECTS, type RatingState, type RatingSubjectType } from '~/modules/supervision/ratings-types';
import { rateService, ratingState, RatingError } from '~/modules/supervision/ratings.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'create:rating');
  const u = new URL(request.url).searchParams;
  const subjectType = u.get('subjectType') ?? '';
  const subjectId = (u.get('subjectId') ?? '').slice(0, 60);
  if (!(subjectType in RATING_SUBJECTS) || !subjectId) return Response.json({ canRate: false, existing: null, reason: '评价对象无效' } satisfies RatingState);
  return Response.json(await ratingState(await getPrisma(), user, subjectType as RatingSubjectType, subjectId));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:rating');
  const submission = parseWithZod(await request.formData(), { schema: rateSchema });
  if (submission.status !== 'success') return Response.json({ ok: false, fieldErrors: submission.reply().error ?? {} }, { status: 400 });
  try {
    const r = await rateService(await getPrisma(), actorOf(request, user), user, submission.value);
    return Response.json({ ok: true, rating: { score: r.score, comment: r.comment, createdAt: r.createdAt.toISOString() } });
  } catch (e) {
    if (e instanceof RatingError) return Response.json({ ok: false, error: e.message }, { status: e.status });
    throw e;
  }
}
