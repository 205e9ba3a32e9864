// 一事一评 widget: <RateService subjectType="market-order" subjectId={order.id} /> on any page
// where a service or transaction finished. It asks the server whether the current user took part
// (and has not rated yet); it renders nothing for anyone else.
import { useFetcher } from '@remix-run/react';
import { useEffect, useId, useState } from 'react';
import { useOptionalUser } from '~/root';
import { can } from '~/modules/auth/permissions';
import { SCORE_LABELS, type RatingState, type RatingSubjectType } from '~/modules/supervision/ratings-types';

type PostResult = { ok: true; rating: { score: number; comment: string | null; createdAt: string } } | { ok: false; error?: string; fieldErrors?: Record<string, string[] | null> };

function Stars({ score }: { score: number }) {
  return (
    <span className="rate-stars static" aria-label={`${score}星（${SCORE_LABELS[score]}）`}>
      {[1, 2, 3, 4, 5].map((i) => (
        <span key={i} aria-hidden className={i <= score ? 'on' : undefined}>
          ★
        </span>
      ))}
    </span>
  );
}

export function RateService({ subjectType, subjectId, title = '服务评价' }: { subjectType: RatingSubjectType; subjectId: string; title?: string }) {
  const user = useOptionalUser();
  const allowed = can(user?.role, 'create:rating');
  const state = useFetcher<RatingState>();
  const post = useFetcher<PostResult>();
  const [score, setScore] = useState(0);
  const [hover, setHover] = useState(0);
  const id = useId();
  const url = `/satisfaction/rate?subjectType=${encodeURIComponent(subjectType)}&subjectId=${encodeURIComponent(subjectId)}`;
  useEffect(() => {
    if (allowed && state.state === 'idle' && !state.data) state.load(url);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [allowed, url]);
  if (!allowed || !state.data) return null;
  const posted = post.data?.ok ? post.data.rating : null;
  const existing = posted ?? state.data.existing;
  if (existing) {
    return (
      <section className="panel rate-service" aria-label={title}>
        <h2>{title}</h2>
        <p role="status">
          {posted ? '感谢您的评价！' : '您已评价：'} <Stars score={existing.score} /> {SCORE_LABELS[existing.score]}
        </p>
        {existing.comment ? <p className="muted prewrap">{existing.comment}</p> : null}
      </section>
    );
  }
  if (!state.data.canRate) return null;
  const errs = post.data && !post.data.ok ? post.data : null;
  const shown = hover || score;
  return (
    <section className="panel rate-service" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <p className="muted">请对本次服务进行评价（一事一评），每个事项只能评价一次。</p>
      <post.Form method="post" action="/satisfaction/rate" className="stack-form">
        <input type="hidden" name="subjectType" value={subjectType} />
        <input type="hidden" name="subjectId" value={subjectId} />
        <fieldset className="rate-stars" onMouseLeave={() => setHover(0)}>
          <legend>满意度</legend>
          {[1, 2, 3, 4, 5].map((i) => (
            <label key={i} className={i <= shown ? 'on' : undefined} onMouseEnter={() => setHover(i)} title={SCORE_LABELS[i]}>
              <input type="radio" name="score" value={i} checked={score === i} onChange={() => setScore(i)} className="visually-hidden" />
              <span aria-hidden>★</span>
              <span className="visually-hidden">{`${i}星 ${SCORE_LABELS[i]}`}</span>
            </label>
          ))}
          <span className="rate-label" aria-live="polite">
            {shown ? SCORE_LABELS[shown] : '请选择'}
          </span>
        </fieldset>
        {errs?.fieldErrors?.score ? <span className="field-errors">{errs.fieldErrors.score.join('；')}</span> : null}
        <label>
          评价内容（选填）
          <textarea name="comment" rows={2} maxLength={500} placeholder="您的意见和建议" />
        </label>
        {errs?.fieldErrors?.comment ? <span className="field-errors">{errs.fieldErrors.comment.join('；')}</span> : null}
        {errs?.error ? (
          <p className="notice danger" role="alert">
            {errs.error}
          </p>
        ) : null}
        <button className="btn btn-primary" type="submit" disabled={post.state !== 'idle' || score === 0}>
          {post.state !== 'idle' ? '正在提交…' : '提交评价'}
        </button>
      </post.Form>
    </section>
  );
}
