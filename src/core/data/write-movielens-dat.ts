/**
 * The ml-100k layout, and the code mappings the ml-1m and ml-100k layouts
 * share (genres, age buckets, occupations), for write-movielens.ts.
 */
import { Random } from '../random.ts';
import { DemographicsSampler, OCCUPATIONS_100K, type Demographics } from './synthetic-names.ts';
import type { Dataset, Movie, User } from './types.ts';
import { ChunkWriter, rowsFile, textFile, type OutFile } from './write-chunks.ts';

/** u.genre's order; ml-1m uses the same names less "unknown". */
export const GENRES_100K = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary',
  'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi',
  'Thriller', 'War', 'Western',
] as const; // prettier-ignore

/** ml-1m occupation codes 0–20 (users.dat), as its README names them. */
export const OCCUPATIONS_1M = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student',
  'customer service', 'doctor/health care', 'executive/managerial', 'farmer', 'homemaker',
  'K-12 student', 'lawyer', 'programmer', 'retired', 'sales/marketing', 'scientist',
  'self-employed', 'technician/engineer', 'tradesman/craftsman', 'unemployed', 'writer',
] as const; // prettier-ignore

/** ml-100k occupation → nearest ml-1m code, in OCCUPATIONS_100K's order. */
const CODE_OF_100K = [3, 2, 6, 1, 17, 2, 7, 6, 9, 11, 1, 14, 19, 0, 12, 13, 14, 15, 4, 17, 20];
/** ml-1m code → nearest ml-100k occupation. */
const NAME_OF_1M = [
  'other', 'educator', 'artist', 'administrator', 'student', 'other', 'healthcare', 'executive',
  'other', 'homemaker', 'student', 'lawyer', 'programmer', 'retired', 'marketing', 'scientist',
  'other', 'engineer', 'other', 'none', 'writer',
] as const; // prettier-ignore

/** An occupation as an ml-1m code, from an ml-1m code, an ml-1m name or an ml-100k name. */
export function ml1mOccupation(occupation: string): number {
  if (/^\d+$/.test(occupation) && Number(occupation) <= 20) return Number(occupation);
  const i = OCCUPATIONS_100K.indexOf(occupation);
  if (i >= 0) return CODE_OF_100K[i] as number;
  const j = (OCCUPATIONS_1M as readonly string[]).indexOf(occupation);
  return j >= 0 ? j : 0;
}

/** An occupation as an ml-100k name (see ml1mOccupation). */
export function occupation100k(occupation: string): string {
  if (OCCUPATIONS_100K.includes(occupation)) return occupation;
  const code = ml1mOccupation(occupation);
  return NAME_OF_1M[code] ?? 'other';
}

/** An age in years as ml-1m's bucket code (1, 18, 25, 35, 45, 50, 56); codes map to themselves. */
export function ml1mAge(age: number): number {
  if (age < 18) return 1;
  if (age < 25) return 18;
  if (age < 35) return 25;
  if (age < 45) return 35;
  if (age < 50) return 45;
  if (age < 56) return 50;
  return 56;
}

/** A movie's genres in ml-1m / ml-100k names: "Children's", and no IMAX. */
export function datMovieGenres(m: Movie): string[] {
  const out: string[] = [];
  for (const g of m.genres) {
    const name = g === 'Children' ? "Children's" : g;
    if ((GENRES_100K as readonly string[]).includes(name) && name !== 'unknown') out.push(name);
  }
  return out;
}

/** Indexes 0..n-1 sorted by an integer key in [0, 2^29) (ties keep index order). */
export function orderBy(n: number, key: (i: number) => number): Int32Array {
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = key(i) * 2 ** 24 + i;
  keys.sort();
  return Int32Array.from(keys, (k) => k % 2 ** 24);
}

let sampler: DemographicsSampler | null = null;

/** A user's demographics, or plausible ones derived from the userId when the dataset has none. */
export function demographicsOf(user: User): Demographics {
  sampler ??= new DemographicsSampler();
  const d = sampler.sample(new Random(user.userId, 77));
  return {
    gender: user.gender ?? d.gender,
    age: user.age ?? d.age,
    occupation: user.occupation ?? d.occupation,
    zip: user.zip ?? d.zip,
  };
}

/** The IMDb URL u.item gives a title: latin-1 percent-encoding, as in the real file. */
function imdbUrl(title: string): string {
  let q = '';
  for (const ch of title) {
    const c = ch.charCodeAt(0);
    if (/[A-Za-z0-9(),.'!:&-]/.test(ch)) q += ch;
    else q += `%${(c <= 0xff ? c : 63).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `http://us.imdb.com/M/title-exact?${q}`;
}

/** u.data (shuffled), u.item, u.user, u.genre, u.occupation, u.info. */
export function hundredKFiles(ds: Dataset): OutFile[] {
  const movies = orderBy(ds.movies.length, (i) => (ds.movies[i] as Movie).movieId);
  const users = orderBy(ds.users.length, (i) => (ds.users[i] as User).userId);
  const n = ds.ratings.movie.length;
  const uData: OutFile = {
    name: 'u.data',
    *chunks() {
      const { user, movie, rating, timestamp } = ds.ratings;
      // "The data is randomly ordered": a fixed shuffle, so the bytes are reproducible.
      const order = new Random(100000, 1).shuffle(Int32Array.from({ length: n }, (_, i) => i));
      const w = new ChunkWriter();
      for (let i = 0; i < n; i++) {
        const r = order[i] as number;
        w.uint((ds.users[user[r] as number] as User).userId);
        w.byte(9);
        w.uint((ds.movies[movie[r] as number] as Movie).movieId);
        w.byte(9);
        w.uint(Math.ceil((rating[r] as number) / 2));
        w.byte(9);
        w.uint(timestamp[r] as number);
        w.byte(10);
        if (w.full) yield w.take();
      }
      yield w.take();
    },
  };
  const uItem = rowsFile(
    'u.item',
    movies.length,
    (i, w) => {
      const m = ds.movies[movies[i] as number] as Movie;
      const own = datMovieGenres(m);
      const flags = GENRES_100K.map((g, j) =>
        (j === 0 ? own.length === 0 : own.includes(g)) ? '1' : '0',
      );
      const day = m.year === null ? '' : `01-Jan-${m.year}`;
      w.text(`${m.movieId}|${m.title}|${day}||${imdbUrl(m.title)}|${flags.join('|')}\n`);
    },
    { latin1: true },
  );
  const uUser = rowsFile(
    'u.user',
    users.length,
    (i, w) => {
      const u = ds.users[users[i] as number] as User;
      const d = demographicsOf(u);
      w.text(`${u.userId}|${d.age}|${d.gender}|${occupation100k(d.occupation)}|${d.zip}\n`);
    },
    { latin1: true },
  );
  return [
    uData,
    uItem,
    uUser,
    textFile('u.genre', () => `${GENRES_100K.map((g, i) => `${g}|${i}\n`).join('')}\n`),
    textFile('u.occupation', () => OCCUPATIONS_100K.map((o) => `${o}\n`).join('')),
    textFile('u.info', () => `${ds.users.length} users\n${ds.movies.length} items\n${n} ratings\n`),
  ];
}
