/** How long a model takes to score every movie for one user: the serving cost. */
import type { Recommender } from './types.ts';

/**
 * The median milliseconds of `model.score(user, null, …)` over `users`
 * (each scored `reps` times, after one warm-up call).
 */
export function scoreAllMs(
  model: Recommender,
  itemCount: number,
  users: ArrayLike<number>,
  reps = 3,
): number {
  const out = new Float32Array(itemCount);
  if (users.length === 0) return NaN;
  model.score(users[0]!, null, out);
  const times: number[] = [];
  for (let i = 0; i < users.length; i++) {
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      model.score(users[i]!, null, out);
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
