/**
 * The rating stage of the synthetic MovieLens generator: how many ratings
 * each user gives, when, which movies, and how many stars. Everything works
 * on typed arrays; nothing is allocated per rating.
 */
import { AliasTable, Random } from '../random.ts';
import type { RatingColumns } from './types.ts';

/** 1996-03-29 and 2018-09-24, the first and last rating times of ml-latest-small. */
export const FIRST_TIME = 828124615;
export const LAST_TIME = 1537799250;

/** The latent model the ratings are drawn from (see synthetic.ts). */
export interface LatentModel {
  factors: number;
  users: number;
  movies: number;
  /** users × factors, scaled so that affinity = u·v − affinityOffset has sd 1. */
  userVec: Float32Array;
  userBias: Float32Array;
  /** movies × factors. */
  movieVec: Float32Array;
  movieBias: Float32Array;
  /** Selection weight (heavy tailed). */
  popularity: Float64Array;
  /** The movie's cluster = its first (main) genre, 0..clusters-1. */
  cluster: Uint8Array;
  clusters: number;
  /** Unix time of 1 January of the release year: nobody rates a movie before it. */
  release: Float64Array;
  affinityOffset: number;
}

/** How strongly affinity steers which cluster, and which movie in it, a user picks. */
const CLUSTER_BETA = 2;
const MOVIE_BETA = 1.5;
/** Chance that the next rating stays in the previous rating's cluster (sessions drift slowly). */
const STICKINESS = 0.5;
/** Rating = MEAN + user bias + movie bias + AFFINITY × affinity + NOISE × N(0, 1). */
const MEAN = 3.25;
const AFFINITY = 0.55;
const NOISE = 0.75;

/**
 * Splits `total` ratings among `users`: heavy tailed (log-normal above a
 * floor), every user at least min(20, total / users), at most 60% of the
 * movies (all of them when the total needs it), summing to exactly `total`.
 */
export function allocateCounts(rng: Random, users: number, movies: number, total: number) {
  const floor = Math.min(20, Math.floor(total / users), movies);
  if (total > users * movies)
    throw new RangeError(
      `synthetic: ${total} ratings do not fit ${users} users × ${movies} movies`,
    );
  // The busiest ml-1m user rated 62% of the movies; allow more only when needed to fit.
  let cap = Math.max(floor, Math.floor(movies * 0.6));
  if (total > users * cap) cap = movies;
  const extra = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) {
    const e = Math.exp(3.9 + 1.46 * rng.normal());
    extra[u] = e;
    sum += e;
  }
  const counts = new Int32Array(users);
  let remaining = total - floor * users;
  // Scale the extras to the remaining total; users pushed over the cap are
  // clamped and the scale is recomputed for the others. Each round clamps
  // someone or ends, and what remains never goes negative.
  const clamped = new Uint8Array(users);
  for (;;) {
    const scale = remaining / sum;
    let over = false;
    for (let u = 0; u < users; u++) {
      if (clamped[u]) continue;
      if (floor + (extra[u] as number) * scale > cap) {
        clamped[u] = 1;
        counts[u] = cap;
        remaining -= cap - floor;
        sum -= extra[u] as number;
        over = true;
      }
    }
    if (!over) break;
  }
  let assigned = 0;
  const scale = sum > 0 ? remaining / sum : 0;
  for (let u = 0; u < users; u++) {
    if (!clamped[u]) counts[u] = floor + Math.floor((extra[u] as number) * scale);
    assigned += counts[u] as number;
  }
  // Hand out what rounding left over, one rating at a time, to users with room.
  let left = total - assigned;
  while (left > 0) {
    const u = rng.int(users);
    if ((counts[u] as number) < cap) {
      counts[u] = (counts[u] as number) + 1;
      left--;
    }
  }
  return counts;
}

/**
 * Fills `ts[start..start+n)` with one user's non-decreasing rating times: a
 * few visits spread over a span of days to years, ratings seconds apart
 * within a visit (sometimes in the same second).
 */
function sessionTimes(rng: Random, ts: Uint32Array, start: number, n: number, gaps: Float64Array) {
  const oneVisit = rng.chance(0.3);
  const pVisit = oneVisit ? 0 : Math.min(0.25, 3 / Math.sqrt(n));
  let small = 0;
  let bigWeight = 0;
  for (let i = 1; i < n; i++) {
    if (rng.next() < pVisit) {
      const w = rng.exponential() + 1e-9;
      gaps[i] = -w;
      bigWeight += w;
    } else {
      const g = rng.chance(0.08) ? 0 : 1 + Math.floor(rng.exponential() * 25);
      gaps[i] = g;
      small += g;
    }
  }
  const maxSpan = LAST_TIME - FIRST_TIME;
  let span = small;
  if (bigWeight > 0) span = Math.exp(rng.uniform(Math.log(86400), Math.log(86400 * 365 * 6)));
  span = Math.min(Math.max(span, small), maxSpan);
  const bigScale = bigWeight > 0 ? (span - small) / bigWeight : 0;
  const t0 = FIRST_TIME + Math.floor(rng.next() * (maxSpan - span));
  let pos = 0;
  ts[start] = t0;
  for (let i = 1; i < n; i++) {
    const g = gaps[i] as number;
    pos += g < 0 ? -g * bigScale : g;
    ts[start + i] = Math.min(LAST_TIME, t0 + Math.floor(pos));
  }
}

/** Release eras: 0 = before 1996, e = the year 1995 + e (1996 … 2018). */
const ERAS = 24;
const ERA_START = Float64Array.from({ length: ERAS + 1 }, (_, e) =>
  e === 0 ? -Infinity : e === ERAS ? Infinity : Date.UTC(1995 + e, 0, 1) / 1000,
);

/**
 * Movies bucketed by (cluster, release era), each bucket an alias table over
 * popularity, so that "a movie of cluster c released by time t, by
 * popularity" is drawn exactly, without rejections. The alias slots of all
 * buckets sit in one Int32Array as (threshold, movie, alias movie) triples:
 * one cache line per draw, 12 bytes a movie.
 *
 * The sampler works on popularity ranks, not movie indexes: the popular
 * movies, drawn most often, then share a few cache lines (vectors, marks).
 */
class MovieSampler {
  readonly centroid: Float64Array;
  readonly mass: Float64Array;
  /** rank → movie index. */
  readonly byRank: Int32Array;
  /** Release era by rank. */
  readonly era: Uint8Array;
  /** Movie vectors by rank. */
  readonly vec: Float32Array;
  private readonly cum: Float64Array;
  private readonly offset: Int32Array;
  private readonly slots: Int32Array;

  constructor(m: LatentModel) {
    const { clusters, factors: k } = m;
    const pop = m.popularity;
    this.byRank = Int32Array.from(
      Array.from({ length: m.movies }, (_, i) => i).sort(
        (a, b) => (pop[b] as number) - (pop[a] as number) || a - b,
      ),
    );
    const buckets: number[][] = Array.from({ length: clusters * ERAS }, () => []);
    this.era = new Uint8Array(m.movies);
    this.vec = new Float32Array(m.movies * k);
    this.mass = new Float64Array(clusters);
    this.centroid = new Float64Array(clusters * k);
    for (let j = 0; j < m.movies; j++) {
      const i = this.byRank[j] as number;
      let e = 0;
      while ((ERA_START[e + 1] as number) <= (m.release[i] as number)) e++;
      this.era[j] = e;
      this.vec.set(m.movieVec.subarray(i * k, i * k + k), j * k);
      const c = m.cluster[i] as number;
      (buckets[c * ERAS + e] as number[]).push(j);
      const p = pop[i] as number;
      this.mass[c] = (this.mass[c] as number) + p;
      for (let f = 0; f < k; f++)
        this.centroid[c * k + f] =
          (this.centroid[c * k + f] as number) + p * (m.movieVec[i * k + f] as number);
    }
    for (let c = 0; c < clusters; c++)
      for (let f = 0; f < k; f++)
        this.centroid[c * k + f] =
          (this.centroid[c * k + f] as number) / ((this.mass[c] as number) || 1);
    this.cum = new Float64Array(clusters * ERAS);
    this.offset = new Int32Array(clusters * ERAS + 1);
    this.slots = new Int32Array(m.movies * 3);
    for (let b = 0; b < clusters * ERAS; b++) {
      const list = buckets[b] as number[];
      const o = this.offset[b] as number;
      this.offset[b + 1] = o + list.length;
      let total = 0;
      if (list.length > 0) {
        const w = list.map((j) => pop[this.byRank[j] as number] as number);
        total = w.reduce((a, x) => a + x, 0);
        const table = new AliasTable(w);
        for (let j = 0; j < list.length; j++) {
          // Keep slot j when a uint32 draw is below prob × 2^32 (stored as int32 bits).
          this.slots[3 * (o + j)] = Math.min(
            4294967295,
            Math.floor((table.prob[j] as number) * 4294967296),
          );
          this.slots[3 * (o + j) + 1] = list[j] as number;
          this.slots[3 * (o + j) + 2] = list[table.alias[j] as number] as number;
        }
      }
      this.cum[b] = total + (b % ERAS === 0 ? 0 : (this.cum[b - 1] as number));
    }
  }

  /** A movie rank of cluster c from eras 0..limit by popularity, or -1 when there is none. */
  draw(rng: Random, c: number, limit: number): number {
    const base = c * ERAS;
    const total = this.cum[base + limit] as number;
    if (!(total > 0)) return -1;
    const x = rng.next() * total;
    let b = base;
    while ((this.cum[b] as number) <= x && b < base + limit) b++;
    const from = this.offset[b] as number;
    const size = (this.offset[b + 1] as number) - from;
    if (size === 0) return -1;
    const s = 3 * (from + rng.int(size));
    return rng.uint32() < (this.slots[s] as number) >>> 0
      ? (this.slots[s + 1] as number)
      : (this.slots[s + 2] as number);
  }
}

/**
 * Draws every rating: for each user in turn, its times, then one movie per
 * time (cluster by affinity, movie by popularity and affinity, released by
 * then, not rated before), then the stars. Rows come out sorted by user,
 * timestamp, movie.
 */
export function sampleRatings(
  m: LatentModel,
  counts: Int32Array,
  seed: number,
  halfStars: boolean,
  /** Called with the rows drawn so far every 1,024 users (and may throw to stop). */
  progress: (rows: number) => void = () => {},
): RatingColumns {
  const { users, movies, factors: k, clusters } = m;
  const userOffsets = new Int32Array(users + 1);
  for (let u = 0; u < users; u++)
    userOffsets[u + 1] = (userOffsets[u] as number) + (counts[u] as number);
  const total = userOffsets[users] as number;
  const user = new Int32Array(total);
  const movie = new Int32Array(total);
  const rating = new Uint8Array(total);
  const timestamp = new Uint32Array(total);
  let maxCount = 1;
  for (let u = 0; u < users; u++) maxCount = Math.max(maxCount, counts[u] as number);
  const gaps = new Float64Array(maxCount);
  const aff = new Float64Array(maxCount);
  const sampler = new MovieSampler(m);
  const { centroid, mass, era, vec, byRank } = sampler;
  const clusterCum = new Float64Array(clusters);
  const centroidAff = new Float64Array(clusters);
  const stamp = new Int32Array(movies); // by rank: u + 1 once user u has rated the movie
  const timeRng = new Random(seed, 101);
  const pickRng = new Random(seed, 102);
  const starRng = new Random(seed, 103);
  const { userVec } = m;

  for (let u = 0; u < users; u++) {
    const start = userOffsets[u] as number;
    const n = counts[u] as number;
    if (u % 1024 === 1023) progress(start);
    user.fill(u, start, start + n);
    sessionTimes(timeRng, timestamp, start, n, gaps);
    const uo = u * k;
    let cum = 0;
    for (let c = 0; c < clusters; c++) {
      let dot = 0;
      for (let f = 0; f < k; f++)
        dot += (userVec[uo + f] as number) * (centroid[c * k + f] as number);
      centroidAff[c] = dot;
      cum += (mass[c] as number) * Math.exp(CLUSTER_BETA * (dot - m.affinityOffset));
      clusterCum[c] = cum;
    }
    let relaxed = false;
    let c = pickCluster(pickRng, clusterCum);
    let limit = 0;
    for (let j = 0; j < n; j++) {
      const t = timestamp[start + j] as number;
      while ((ERA_START[limit + 1] as number) <= t) limit++;
      const lim = relaxed ? ERAS - 1 : limit;
      let chosen = -1;
      let dot = 0;
      for (let attempt = 0; attempt < 40 && chosen < 0; attempt++) {
        if (attempt > 0 || !pickRng.chance(STICKINESS)) c = pickCluster(pickRng, clusterCum);
        const rank = sampler.draw(pickRng, c, lim);
        if (rank < 0 || stamp[rank] === u + 1) continue;
        dot = 0;
        const mo = rank * k;
        for (let f = 0; f < k; f++) dot += (userVec[uo + f] as number) * (vec[mo + f] as number);
        const z = MOVIE_BETA * (dot - (centroidAff[c] as number)) + 1;
        if (pickRng.next() * (1 + Math.exp(-z)) < 1) chosen = rank;
      }
      if (chosen < 0) {
        // Rare: this user has used up the likely movies. Scan for any movie left.
        chosen = scanForMovie(pickRng, stamp, era, u + 1, lim);
        if (chosen < 0) {
          relaxed = true;
          chosen = scanForMovie(pickRng, stamp, era, u + 1, ERAS - 1);
        }
        dot = 0;
        for (let f = 0; f < k; f++)
          dot += (userVec[uo + f] as number) * (vec[chosen * k + f] as number);
      }
      stamp[chosen] = u + 1;
      movie[start + j] = byRank[chosen] as number;
      aff[j] = dot;
    }
    sortTies(timestamp, movie, aff, start, n);
    rateUser(m, u, movie, aff, rating, start, n, starRng, halfStars);
  }
  return { user, movie, rating, timestamp, userOffsets };
}

/** Draws a cluster from cumulative weights. */
function pickCluster(rng: Random, cum: Float64Array): number {
  const x = rng.next() * (cum[cum.length - 1] as number);
  let c = 0;
  while ((cum[c] as number) <= x && c < cum.length - 1) c++;
  return c;
}

/** The first movie rank, cyclically from a random start, not stamped and of era ≤ limit; -1 if none. */
function scanForMovie(
  rng: Random,
  stamp: Int32Array,
  era: Uint8Array,
  mark: number,
  limit: number,
): number {
  const n = stamp.length;
  const from = rng.int(n);
  for (let j = 0; j < n; j++) {
    const i = from + j < n ? from + j : from + j - n;
    if (stamp[i] !== mark && (era[i] as number) <= limit) return i;
  }
  return -1;
}

/** Insertion sort of a user's rows with equal timestamps by movie index (ties are short runs). */
function sortTies(ts: Uint32Array, movie: Int32Array, aff: Float64Array, start: number, n: number) {
  for (let i = 1; i < n; i++) {
    const t = ts[start + i] as number;
    const mv = movie[start + i] as number;
    const a = aff[i] as number;
    let j = i - 1;
    while (j >= 0 && ts[start + j] === t && (movie[start + j] as number) > mv) {
      movie[start + j + 1] = movie[start + j] as number;
      aff[j + 1] = aff[j] as number;
      j--;
    }
    movie[start + j + 1] = mv;
    aff[j + 1] = a;
  }
}

/** Stars for one user's rows: bias + affinity + noise, rounded to half or whole stars. */
function rateUser(
  m: LatentModel,
  u: number,
  movie: Int32Array,
  aff: Float64Array,
  rating: Uint8Array,
  start: number,
  n: number,
  rng: Random,
  halfStars: boolean,
) {
  // Many MovieLens users never use half stars; the others use them most of the time.
  const pHalf = halfStars && rng.chance(0.75) ? rng.uniform(0.6, 1) : 0;
  const base = MEAN + (m.userBias[u] as number) - AFFINITY * m.affinityOffset;
  const lo = halfStars ? 1 : 2;
  for (let j = 0; j < n; j++) {
    const i = movie[start + j] as number;
    const stars =
      base + (m.movieBias[i] as number) + AFFINITY * (aff[j] as number) + NOISE * rng.normal();
    let h = rng.next() < pHalf ? Math.round(2 * stars) : 2 * Math.round(stars);
    if (h < lo) h = lo;
    else if (h > 10) h = 10;
    rating[start + j] = h;
  }
}
