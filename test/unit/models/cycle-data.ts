/**
 * Ratings whose next movie follows from order alone: users walk a fixed
 * cycle of movies, each from a random start for 8–20 steps, so the movie
 * after a user's latest is fixed, while the movie before their first one
 * co-occurs with their history just as often.
 */
import type { RatingColumns } from '../../../src/core/data/types.ts';
import { Random } from '../../../src/core/random.ts';

export function cycleRatings(users: number, items: number, seed: number): RatingColumns {
  const rng = new Random(seed);
  const movie: number[] = [];
  const user: number[] = [];
  const userOffsets = [0];
  for (let u = 0; u < users; u++) {
    const start = rng.int(items);
    const n = 8 + rng.int(13);
    for (let t = 0; t < n; t++) {
      movie.push((start + t) % items);
      user.push(u);
    }
    userOffsets.push(movie.length);
  }
  const n = movie.length;
  return {
    user: Int32Array.from(user),
    movie: Int32Array.from(movie),
    rating: new Uint8Array(n).fill(8),
    timestamp: Uint32Array.from({ length: n }, (_, i) => 1000 + i),
    userOffsets: Int32Array.from(userOffsets),
  };
}
