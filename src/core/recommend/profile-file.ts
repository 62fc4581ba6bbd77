/**
 * The profile export file: how your ratings and marks leave the browser and
 * come back (a backup, another device). Everything in an imported file is
 * checked before any of it is used, and a problem is reported by the entry
 * it is in, so a hand-edited file can be fixed.
 */
import { WrenError } from '../errors.ts';
import {
  validRating,
  type IdFamily,
  type Profile,
  type ProfileMark,
  type ProfileRating,
} from './profile.ts';

export const PROFILE_FORMAT = 'wren-profile';
export const PROFILE_VERSION = 1;
/** Far above any real profile (a heavy MovieLens rater has a few thousand ratings). */
export const MAX_PROFILE_CHARS = 10 * 1024 * 1024;
export const MAX_PROFILE_ENTRIES = 100_000;

const ID_FAMILIES: readonly IdFamily[] = ['movielens', 'ml-100k'];
const LISTS = ['ratings', 'notInterested', 'watchlist'] as const;

/** The profile as the text of a file. */
export function serializeProfile(profile: Profile, now = Date.now()): string {
  const mark = (x: ProfileMark): ProfileMark => ({
    movieId: x.movieId,
    title: x.title,
    ids: x.ids,
    at: x.at,
  });
  const rating = (x: ProfileRating): ProfileRating => ({
    movieId: x.movieId,
    title: x.title,
    ids: x.ids,
    rating: x.rating,
    at: x.at,
  });
  // One entry per line rather than JSON.stringify(…, 2): a third smaller, so
  // 100,000 entries with typical titles stay under the 10 MB import limit.
  const list = (xs: object[]): string =>
    xs.length === 0 ? '[]' : `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
  return [
    '{',
    `  "format": ${JSON.stringify(PROFILE_FORMAT)},`,
    `  "version": ${PROFILE_VERSION},`,
    `  "exportedAt": ${JSON.stringify(new Date(now).toISOString())},`,
    `  "ratings": ${list(profile.ratings.map(rating))},`,
    `  "notInterested": ${list(profile.notInterested.map(mark))},`,
    `  "watchlist": ${list(profile.watchlist.map(mark))}`,
    '}',
    '',
  ].join('\n');
}

/**
 * The most bytes a file of MAX_PROFILE_CHARS characters can take: UTF-8 needs
 * at most 3 bytes per UTF-16 code unit. A bigger file is refused before it is
 * read; one at most this big is read and its text measured.
 */
export const MAX_PROFILE_BYTES = 3 * MAX_PROFILE_CHARS;

/** What readProfileFile needs of a File. */
export interface ProfileFileLike {
  readonly size: number;
  text(): Promise<string>;
}

/**
 * Reads a profile from a file, checking its size first, so a huge file is
 * reported as too big without being read into memory.
 */
export async function readProfileFile(file: ProfileFileLike): Promise<Profile> {
  if (file.size > MAX_PROFILE_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(1);
    fail(`The file is ${mb} MB; a Wren profile is at most 10 MB.`);
  }
  return parseProfileFile(await file.text());
}

/** Reads a profile file; throws a WrenError ('invalid-data') naming the first problem. */
export function parseProfileFile(text: string): Profile {
  if (text.length > MAX_PROFILE_CHARS) {
    const mb = (text.length / 1024 / 1024).toFixed(1);
    fail(`The file is ${mb} MB; a Wren profile is at most 10 MB.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(`Not a Wren profile: the file is not JSON (${(e as Error).message}).`);
  }
  if (!isObject(data)) fail(`Not a Wren profile: expected a JSON object, found ${describe(data)}.`);
  if (data.format !== PROFILE_FORMAT) {
    const found = data.format === undefined ? 'missing' : describe(data.format);
    fail(`Not a Wren profile: "format" is ${found}, expected "${PROFILE_FORMAT}".`);
  }
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    fail(`"version" must be a whole number from 1, found ${describe(version)}.`);
  if (version > PROFILE_VERSION) {
    fail(
      `This profile comes from a newer version of Wren (file version ${version}; ` +
        `this app reads version ${PROFILE_VERSION}). Update Wren and try again.`,
    );
  }
  if (data.exportedAt !== undefined && typeof data.exportedAt !== 'string')
    fail(`"exportedAt" must be a date string, found ${describe(data.exportedAt)}.`);
  const lists: Record<(typeof LISTS)[number], unknown[]> = {
    ratings: [],
    notInterested: [],
    watchlist: [],
  };
  for (const key of LISTS) {
    // Required, not defaulted to []: a file cut short must not replace a profile with nothing.
    const xs = data[key];
    if (!Array.isArray(xs)) fail(`"${key}" must be a list, found ${describe(xs)}.`);
    lists[key] = xs;
  }
  const total = LISTS.reduce((n, key) => n + lists[key].length, 0);
  if (total > MAX_PROFILE_ENTRIES) {
    fail(
      `The file has ${total.toLocaleString('en-US')} entries; ` +
        `a Wren profile holds at most ${MAX_PROFILE_ENTRIES.toLocaleString('en-US')}.`,
    );
  }
  const marks = (key: 'notInterested' | 'watchlist'): ProfileMark[] =>
    latestPerMovie(lists[key].map((x, i) => markEntry(x, `${key}[${i}]`)));
  return {
    ratings: latestPerMovie(lists.ratings.map((x, i) => ratingEntry(x, `ratings[${i}]`))),
    notInterested: marks('notInterested'),
    watchlist: marks('watchlist'),
  };
}

/**
 * One entry per movie: of several with the same id family and movieId the
 * one with the later `at` wins (on a tie, the later in the list). Winners
 * keep their order.
 */
export function latestPerMovie<T extends ProfileMark>(xs: readonly T[]): T[] {
  const winner = new Map<string, number>();
  xs.forEach((x, i) => {
    const key = `${x.ids}\u0001${x.movieId}`;
    const w = winner.get(key);
    if (w === undefined || x.at >= xs[w]!.at) winner.set(key, i);
  });
  return xs.filter((x, i) => winner.get(`${x.ids}\u0001${x.movieId}`) === i);
}

function markEntry(x: unknown, where: string): ProfileMark {
  if (!isObject(x)) fail(`${where} must be an object, found ${describe(x)}.`);
  const { movieId, title, ids, at } = x;
  if (movieId === undefined) fail(`${where}: "movieId" is missing.`);
  if (typeof movieId !== 'number' || !Number.isSafeInteger(movieId) || movieId < 1)
    fail(`${where}: "movieId" must be a positive whole number, found ${describe(movieId)}.`);
  if (title === undefined) fail(`${where}: "title" is missing.`);
  if (typeof title !== 'string' || title.trim() === '')
    fail(`${where}: "title" must be a non-empty string, found ${describe(title)}.`);
  if (!ID_FAMILIES.includes(ids as IdFamily)) {
    const expected = ID_FAMILIES.map((f) => `"${f}"`).join(' or ');
    const found = ids === undefined ? 'missing' : describe(ids);
    fail(`${where}: unknown id family: "ids" is ${found}, expected ${expected}.`);
  }
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
    fail(`${where}: "at" must be a time in ms since 1970, found ${describe(at)}.`);
  return { movieId, title, ids: ids as IdFamily, at };
}

function ratingEntry(x: unknown, where: string): ProfileRating {
  const mark = markEntry(x, where);
  const rating = (x as Record<string, unknown>).rating;
  if (typeof rating !== 'number')
    fail(`${where}: "rating" must be a number, found ${describe(rating)}.`);
  if (!validRating(rating)) fail(`${where}: rating ${rating} is not 0.5–5 in half steps.`);
  return { ...mark, rating };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A found value for a message: short values as JSON, others by kind. */
function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'object') return 'an object';
  const json = JSON.stringify(x);
  const shown = json.length > 40 ? `${json.slice(0, 37)}…` : json;
  return typeof x === 'string' ? `the text ${shown}` : shown;
}

function fail(message: string): never {
  throw new WrenError('invalid-data', message);
}
