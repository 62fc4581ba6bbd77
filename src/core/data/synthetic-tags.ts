/**
 * Tag applications for the synthetic generator: a small share of users tag
 * movies they rated (mostly ones they liked) with words tied to the movie's
 * genres, a little after rating them.
 */
import { AliasTable, Random } from '../random.ts';
import { GENERIC_TAGS, TAGS_BY_GENRE } from './synthetic-names.ts';
import type { RatingColumns, Tag, User } from './types.ts';

/** Every tag word once, and per genre the ids of its words. */
function vocabulary(genres: readonly string[]) {
  const words: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (w: string) => {
    let id = ids.get(w);
    if (id === undefined) {
      id = words.length;
      ids.set(w, id);
      words.push(w);
    }
    return id;
  };
  const generic = GENERIC_TAGS.map(idOf);
  const byGenre = genres.map((g) => (TAGS_BY_GENRE[g] ?? []).map(idOf));
  return { words, generic, byGenre };
}

/**
 * About `count` tags (fewer only when a user runs out of new tag words),
 * sorted by user, then movie, then time. No (user, movie, tag) repeats.
 */
export function sampleTags(
  seed: number,
  count: number,
  ratings: RatingColumns,
  users: readonly User[],
  movieGenres: readonly (readonly number[])[],
  genres: readonly string[],
): Tag[] {
  if (count <= 0 || users.length === 0) return [];
  const rng = new Random(seed, 201);
  const { words, generic, byGenre } = vocabulary(genres);
  const offsets = ratings.userOffsets;
  // About one user in ten tags; active users are likelier to, and a few tag a lot.
  const nTaggers = Math.max(1, Math.round(users.length * 0.1));
  const activity = new AliasTable(
    Array.from({ length: users.length }, (_, u) =>
      Math.sqrt((offsets[u + 1] as number) - (offsets[u] as number)),
    ),
  );
  const taggers: number[] = [];
  const seen = new Set<number>();
  for (let tries = 0; taggers.length < nTaggers && tries < nTaggers * 20; tries++) {
    const u = activity.sample(rng);
    if (!seen.has(u)) {
      seen.add(u);
      taggers.push(u);
    }
  }
  taggers.sort((x, y) => x - y);
  // A few taggers tag a lot: shares from a log-normal, rounded, the rest handed out at random.
  const zeal = taggers.map(() => Math.exp(1.5 * rng.normal()));
  const zealSum = zeal.reduce((a, z) => a + z, 0);
  const quota = zeal.map((z) => Math.floor((count * z) / zealSum));
  for (let left = count - quota.reduce((a, q) => a + q, 0); left > 0; left--) {
    const t = rng.int(taggers.length);
    quota[t] = (quota[t] as number) + 1;
  }
  const tags: Tag[] = [];
  const used = new Set<number>();
  for (let t = 0; t < taggers.length; t++) {
    const u = taggers[t] as number;
    const userId = (users[u] as User).userId;
    const from = offsets[u] as number;
    const n = (offsets[u + 1] as number) - from;
    const mine: Tag[] = [];
    used.clear();
    for (let q = quota[t] as number; q > 0; q--) {
      for (let attempt = 0; attempt < 5; attempt++) {
        let r = from + rng.int(n);
        if ((ratings.rating[r] as number) < 7 && rng.chance(0.7)) r = from + rng.int(n);
        const m = ratings.movie[r] as number;
        const own = movieGenres[m] ?? [];
        let pool = generic;
        if (own.length > 0 && !rng.chance(0.2))
          pool = byGenre[own[rng.int(own.length)] as number] ?? [];
        if (pool.length === 0) pool = generic;
        const word = pool[rng.int(pool.length)] as number;
        const key = m * words.length + word;
        if (used.has(key)) continue;
        used.add(key);
        const timestamp = (ratings.timestamp[r] as number) + rng.int(600);
        mine.push({ user: u, userId, movie: m, tag: words[word] as string, timestamp });
        break;
      }
    }
    mine.sort((x, y) => x.movie - y.movie || x.timestamp - y.timestamp);
    for (const tag of mine) tags.push(tag);
  }
  return tags;
}
