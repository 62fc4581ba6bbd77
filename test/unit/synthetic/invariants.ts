import type { Dataset } from '../../../src/core/data/types.ts';

/**
 * Every invariant types.ts documents for a Dataset, as a list of violations
 * (empty when the dataset is sound). Kept as data so a failing test says
 * which rule broke and where.
 */
export function datasetViolations(ds: Dataset): string[] {
  const out: string[] = [];
  const { user, movie, rating, timestamp, userOffsets } = ds.ratings;
  const n = movie.length;
  const U = ds.users.length;
  const M = ds.movies.length;
  if (user.length !== n || rating.length !== n || timestamp.length !== n)
    out.push('rating columns differ in length');
  if (userOffsets.length !== U + 1) out.push(`userOffsets has ${userOffsets.length}, not ${U + 1}`);
  if (userOffsets[0] !== 0 || userOffsets[U] !== n) out.push('userOffsets do not span the rows');
  for (let u = 0; u < U; u++) {
    const from = userOffsets[u] as number;
    const to = userOffsets[u + 1] as number;
    if (to < from) out.push(`userOffsets decrease at ${u}`);
    for (let r = from; r < to; r++) if (user[r] !== u) out.push(`row ${r} is not user ${u}'s`);
  }
  const seen = new Set<number>();
  for (let r = 0; r < n && out.length < 20; r++) {
    const m = movie[r] as number;
    const h = rating[r] as number;
    if (m < 0 || m >= M) out.push(`row ${r}: movie ${m} out of range`);
    if (h < ds.minRating || h > ds.maxRating) out.push(`row ${r}: rating ${h} out of range`);
    const key = (user[r] as number) * M + m;
    if (seen.has(key)) out.push(`row ${r}: repeated (user, movie)`);
    seen.add(key);
    if (r > 0 && user[r - 1] === user[r]) {
      const t0 = timestamp[r - 1] as number;
      const t1 = timestamp[r] as number;
      if (t1 < t0 || (t1 === t0 && (movie[r - 1] as number) >= m))
        out.push(`row ${r}: not sorted by timestamp, then movie`);
    }
  }
  const count = new Int32Array(M);
  const sum = new Float64Array(M);
  const hist = new Int32Array(M * 10);
  for (let r = 0; r < n; r++) {
    const m = movie[r] as number;
    const h = rating[r] as number;
    count[m] = (count[m] as number) + 1;
    sum[m] = (sum[m] as number) + h / 2;
    hist[m * 10 + h - 1] = (hist[m * 10 + h - 1] as number) + 1;
  }
  ds.movies.forEach((mv, m) => {
    if (mv.index !== m) out.push(`movie ${m} has index ${mv.index}`);
    const c = count[m] as number;
    if (mv.ratingCount !== c) out.push(`movie ${m}: ratingCount ${mv.ratingCount}, rows ${c}`);
    const avg = c > 0 ? (sum[m] as number) / c : 0;
    if (Math.abs(mv.ratingAvg - avg) > 1e-9)
      out.push(`movie ${m}: ratingAvg ${mv.ratingAvg} ≠ ${avg}`);
    const h = Array.from(hist.subarray(m * 10, m * 10 + 10));
    if (mv.histogram.join() !== h.join()) out.push(`movie ${m}: histogram differs`);
  });
  ds.users.forEach((us, u) => {
    if (us.index !== u) out.push(`user ${u} has index ${us.index}`);
    const from = userOffsets[u] as number;
    const to = userOffsets[u + 1] as number;
    if (us.ratingCount !== to - from) out.push(`user ${u}: ratingCount ${us.ratingCount}`);
    let s = 0;
    for (let r = from; r < to; r++) s += (rating[r] as number) / 2;
    const avg = to > from ? s / (to - from) : 0;
    if (Math.abs(us.ratingAvg - avg) > 1e-9)
      out.push(`user ${u}: ratingAvg ${us.ratingAvg} ≠ ${avg}`);
  });
  if (new Set(ds.movies.map((m) => m.movieId)).size !== M) out.push('movieIds repeat');
  if (new Set(ds.users.map((u) => u.userId)).size !== U) out.push('userIds repeat');
  for (const t of ds.tags) {
    if (t.movie < 0 || t.movie >= M) out.push(`tag on movie ${t.movie} out of range`);
    if (t.user >= U || (t.user >= 0 && ds.users[t.user]?.userId !== t.userId))
      out.push(`tag user ${t.user} does not match userId ${t.userId}`);
  }
  return out.slice(0, 20);
}
