/**
 * A seeded generator of MovieLens-like datasets, from 1,000 to 25,000,000
 * ratings, for tests and benchmarks where the real archives are missing or
 * too small.
 *
 * The data come from a latent factor model, so models have something to
 * learn: each genre is a cluster centre in factor space; a movie's vector
 * sits near its genres' centres, and it has a heavy-tailed popularity and a
 * release year. Users have a vector near one or two favourite genres, a
 * bias, and a heavy-tailed activity. A user picks movies by popularity and
 * affinity (u·v), only movies already released, never the same one twice,
 * in visits spread over days to years between 1996 and 2018; the rating is
 * bias + affinity + noise, rounded to half (or whole) stars.
 *
 * The rating count is exact. Same options → identical dataset.
 */
import { AliasTable, Random } from '../random.ts';
import { DemographicsSampler, makeTitle } from './synthetic-names.ts';
import { allocateCounts, sampleRatings, type LatentModel } from './synthetic-ratings.ts';
import { sampleTags } from './synthetic-tags.ts';
import { throwIfAborted } from '../errors.ts';
import type { Dataset, Movie, ProgressFn, RatingColumns, User } from './types.ts';

export interface SyntheticOptions {
  /** Number of ratings, exactly: 1,000 … 33,000,000 (tested to 25,000,000). */
  ratings: number;
  /** Default: ratings / 160, as in ml-latest-small, ml-1m and ml-25m. */
  users?: number;
  /** Default: 9,742 × (ratings / 100,836)^0.337 (ml-latest-small → ml-25m), at most ratings / 8. */
  movies?: number;
  /** Default 1. */
  seed?: number;
  /** Latent dimensions, 1 … 64. Default 8. */
  factors?: number;
  /** Half stars 0.5 … 5 (default, like ml-latest) or whole stars 1 … 5 (like ml-1m). */
  halfStars?: boolean;
  /** Tag applications, about: default 3% of the ratings (ml-latest-small has 3.7%). */
  tags?: number;
  /** Give users gender, age, occupation and zip (default true), or nulls as in ml-latest. */
  demographics?: boolean;
  /** Dataset name. Default `synthetic-<ratings>-s<seed>`. */
  name?: string;
  /** Told the ratings drawn so far (stage 'generate'), a hundred or so times, ending at the total. */
  onProgress?: ProgressFn;
  /** Checked as the ratings are drawn; aborting throws WrenError 'cancelled'. */
  signal?: AbortSignal;
}

/** The ml-latest genres, in ml-latest's (alphabetical) order. */
export const SYNTHETIC_GENRES = [
  'Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Documentary', 'Drama',
  'Fantasy', 'Film-Noir', 'Horror', 'IMAX', 'Musical', 'Mystery', 'Romance', 'Sci-Fi',
  'Thriller', 'War', 'Western',
] as const; // prettier-ignore

/** How often each genre is a movie's main genre, and how often an extra one (ml-latest-small counts). */
const GENRE_COUNTS = [
  1828, 1263, 611, 664, 3756, 1199, 440, 4361, 779, 87, 978, 158, 334, 573, 1596, 980, 1894, 382,
  167,
];
const MAIN_GENRE_WEIGHTS = GENRE_COUNTS.map((c, g) => (SYNTHETIC_GENRES[g] === 'IMAX' ? 0 : c));

/** The model behind a synthetic dataset, for tests that check it can be learned. */
export interface SyntheticTruth extends LatentModel {
  /** genres × factors: each genre's centre. */
  genreCentres: Float32Array;
  /** Each movie's genre indexes into SYNTHETIC_GENRES, main genre first. */
  movieGenres: number[][];
}

export interface SyntheticResult {
  dataset: Dataset;
  truth: SyntheticTruth;
}

/** The users and movies a rating count gets by default (see SyntheticOptions). */
export function defaultSize(ratings: number): { users: number; movies: number } {
  const users = Math.max(1, Math.round(ratings / 160));
  const scaled = Math.round(9742 * Math.pow(ratings / 100836, 0.337));
  const movies = Math.max(1, Math.min(scaled, Math.max(50, Math.round(ratings / 8))));
  return { users, movies };
}

function check(ok: boolean, what: string, value: unknown) {
  if (!ok) throw new RangeError(`synthetic: ${what}, got ${String(value)}`);
}

/** Generates a dataset and the latent model behind it. */
export function generateSynthetic(opts: SyntheticOptions): SyntheticResult {
  const R = opts.ratings;
  check(Number.isInteger(R) && R >= 1000 && R <= 33e6, 'ratings must be 1,000 … 33,000,000', R);
  const size = defaultSize(R);
  const U = opts.users ?? size.users;
  const M = opts.movies ?? size.movies;
  const K = opts.factors ?? 8;
  const seed = opts.seed ?? 1;
  const halfStars = opts.halfStars ?? true;
  check(Number.isInteger(U) && U >= 1, 'users must be a positive integer', U);
  check(Number.isInteger(M) && M >= 1 && M <= 2_000_000, 'movies must be 1 … 2,000,000', M);
  check(Number.isInteger(K) && K >= 1 && K <= 64, 'factors must be 1 … 64', K);
  check(Number.isFinite(seed), 'seed must be a finite number', seed);

  const { onProgress, signal } = opts;
  const progress = (done: number) => {
    throwIfAborted(signal);
    onProgress?.({ stage: 'generate', done, total: R, rows: done });
  };
  progress(0);
  const model = latentModel(seed, U, M, K);
  const counts = allocateCounts(new Random(seed, 3), U, M, R);
  const ratings = sampleRatings(model, counts, seed, halfStars, progress);
  const movies = makeMovies(seed, model, ratings);
  const users = makeUsers(seed, U, ratings, opts.demographics ?? true);
  const tagCount = opts.tags ?? Math.round(R * 0.03);
  const tags = sampleTags(seed, tagCount, ratings, users, model.movieGenres, SYNTHETIC_GENRES);
  const dataset: Dataset = {
    name: opts.name ?? `synthetic-${R}-s${seed}`,
    format: 'synthetic',
    movies,
    users,
    tags,
    ratings,
    genres: [...SYNTHETIC_GENRES],
    minRating: halfStars ? 1 : 2,
    maxRating: 10,
    skipped: { badRows: 0, unknownMovies: 0, duplicates: 0, samples: [] },
  };
  progress(R);
  return { dataset, truth: model };
}

/** Generates a synthetic MovieLens dataset (see SyntheticOptions). */
export function generateDataset(opts: SyntheticOptions): Dataset {
  return generateSynthetic(opts).dataset;
}

/** Genre centres, movie and user vectors, biases, popularity, years. */
function latentModel(seed: number, U: number, M: number, K: number): SyntheticTruth {
  const G = SYNTHETIC_GENRES.length;
  const rng = new Random(seed, 1);
  const norm = 1 / Math.sqrt(K);
  const genreCentres = new Float32Array(G * K);
  for (let i = 0; i < G * K; i++) genreCentres[i] = rng.normal() * norm;
  const mainGenre = new AliasTable(MAIN_GENRE_WEIGHTS);
  const anyGenre = new AliasTable(GENRE_COUNTS);

  const movieVec = new Float32Array(M * K);
  const movieBias = new Float32Array(M);
  const popularity = new Float64Array(M);
  const cluster = new Uint8Array(M);
  const release = new Float64Array(M);
  const movieGenres: number[][] = [];
  const rank = rng.shuffle(Int32Array.from({ length: M }, (_, i) => i));
  for (let m = 0; m < M; m++) {
    const main = mainGenre.sample(rng);
    const own = [main];
    const n = rng.chance(0.35) ? 1 : rng.chance(0.6) ? 2 : 3;
    for (let tries = 0; own.length < n && tries < 20; tries++) {
      const g = anyGenre.sample(rng);
      if (!own.includes(g)) own.push(g);
    }
    cluster[m] = main;
    movieGenres.push(own);
    for (let f = 0; f < K; f++) {
      let v = 0.5 * norm * rng.normal();
      for (let j = 0; j < own.length; j++)
        v += (j === 0 ? 1 : 0.5) * (genreCentres[(own[j] as number) * K + f] as number);
      movieVec[m * K + f] = v;
    }
    // Zipf–Mandelbrot popularity with a little noise; better movies are a little more popular.
    const z = rng.normal();
    popularity[m] = Math.exp(0.3 * z) / ((rank[m] as number) + 40);
    movieBias[m] =
      0.3 * rng.normal() + 0.05 * z - 0.1 * Math.log10(((rank[m] as number) + 40) / 40);
    let year = 2018 - Math.floor(rng.exponential() * 20);
    if (year < 1902) year = 1902 + rng.int(50);
    release[m] = Date.UTC(year, 0, 1) / 1000;
  }

  const userVec = new Float32Array(U * K);
  const userBias = new Float32Array(U);
  for (let u = 0; u < U; u++) {
    const a = mainGenre.sample(rng);
    const b = rng.chance(0.5) ? mainGenre.sample(rng) : a;
    for (let f = 0; f < K; f++) {
      const centre =
        ((genreCentres[a * K + f] as number) + (genreCentres[b * K + f] as number)) / 2;
      userVec[u * K + f] = 0.9 * centre + 0.6 * norm * rng.normal();
    }
    userBias[u] = 0.45 * rng.normal();
  }

  // Scale user vectors so that u·v over random pairs has sd 1; remember its mean.
  const calib = new Random(seed, 2);
  let s1 = 0;
  let s2 = 0;
  const pairs = 20000;
  for (let p = 0; p < pairs; p++) {
    const u = calib.int(U);
    const m = calib.int(M);
    let dot = 0;
    for (let f = 0; f < K; f++)
      dot += (userVec[u * K + f] as number) * (movieVec[m * K + f] as number);
    s1 += dot;
    s2 += dot * dot;
  }
  const mean = s1 / pairs;
  const sd = Math.sqrt(Math.max(s2 / pairs - mean * mean, 1e-12));
  for (let i = 0; i < U * K; i++) userVec[i] = (userVec[i] as number) / sd;

  return {
    factors: K,
    users: U,
    movies: M,
    userVec,
    userBias,
    movieVec,
    movieBias,
    popularity,
    cluster,
    clusters: G,
    release,
    affinityOffset: mean / sd,
    genreCentres,
    movieGenres,
  };
}

/** Movie rows: sparse increasing ids, unique titles with the year, links, rating statistics. */
function makeMovies(seed: number, model: SyntheticTruth, ratings: RatingColumns): Movie[] {
  const rng = new Random(seed, 4);
  const M = model.movies;
  const count = new Int32Array(M);
  const sum = new Float64Array(M);
  const hist = new Int32Array(M * 10);
  for (let r = 0; r < ratings.movie.length; r++) {
    const m = ratings.movie[r] as number;
    const h = ratings.rating[r] as number;
    count[m] = (count[m] as number) + 1;
    sum[m] = (sum[m] as number) + h;
    hist[m * 10 + h - 1] = (hist[m * 10 + h - 1] as number) + 1;
  }
  const titles = new Set<string>();
  const imdbIds = new Set<number>();
  const tmdbIds = new Set<number>();
  const movies: Movie[] = [];
  let movieId = 0;
  for (let m = 0; m < M; m++) {
    movieId += 1 + (rng.chance(0.3) ? Math.floor(rng.exponential() * 8) : 0);
    const year = new Date((model.release[m] as number) * 1000).getUTCFullYear();
    const genres = [...(model.movieGenres[m] as number[])]
      .sort((a, b) => a - b)
      .map((g) => SYNTHETIC_GENRES[g] as string);
    let imdb = 10000 + rng.int(9989999);
    while (imdbIds.has(imdb)) imdb = 10000 + rng.int(9989999);
    imdbIds.add(imdb);
    let tmdb: number | null = 2 + rng.int(600000);
    while (tmdbIds.has(tmdb)) tmdb = 2 + rng.int(600000);
    tmdbIds.add(tmdb);
    if (rng.chance(0.001)) tmdb = null;
    const n = count[m] as number;
    movies.push({
      index: m,
      movieId,
      title: makeTitle(rng, year, titles),
      year,
      genres,
      imdbId: String(imdb).padStart(7, '0'),
      tmdbId: tmdb,
      ratingCount: n,
      ratingAvg: n > 0 ? (sum[m] as number) / n / 2 : 0,
      histogram: Array.from(hist.subarray(m * 10, m * 10 + 10)),
    });
  }
  return movies;
}

/** User rows: ids 1..U, optional demographics, rating statistics. */
function makeUsers(seed: number, U: number, ratings: RatingColumns, demographics: boolean) {
  const rng = new Random(seed, 5);
  const sampler = new DemographicsSampler();
  const users: User[] = [];
  for (let u = 0; u < U; u++) {
    const from = ratings.userOffsets[u] as number;
    const to = ratings.userOffsets[u + 1] as number;
    let sum = 0;
    for (let r = from; r < to; r++) sum += ratings.rating[r] as number;
    const d = demographics ? sampler.sample(rng) : null;
    users.push({
      index: u,
      userId: u + 1,
      gender: d?.gender ?? null,
      age: d?.age ?? null,
      occupation: d?.occupation ?? null,
      zip: d?.zip ?? null,
      ratingCount: to - from,
      ratingAvg: to > from ? sum / (to - from) / 2 : 0,
    });
  }
  return users;
}
