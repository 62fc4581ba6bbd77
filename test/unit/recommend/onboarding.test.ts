/**
 * Onboarding sets on a hand-made catalogue of 1,000 movies in six genres
 * (lower indexes are more rated): the first set spreads across genres, the
 * next leans to what was liked and away from what was passed over or rated
 * low, nothing comes back, picks stay well known, a model's hook is heard,
 * and the same signals always give the same sets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog, genresOf, type CatalogMovie } from '../../../src/core/recommend/catalog.ts';
import {
  genrePreference,
  onboardingPicks,
  POOL,
  type OnboardingSignals,
} from '../../../src/core/recommend/onboarding.ts';

const GENRES = ['Drama', 'Comedy', 'Action', 'Horror', 'Romance', 'Sci-Fi'];
const N = 1000;
/** Movie i: genre i % 6, and every third one also genre (i + 2) % 6; rating counts fall with i. */
const movies: CatalogMovie[] = Array.from({ length: N }, (_, i) => ({
  index: i,
  movieId: 1 + i,
  title: `Movie ${i} (2000)`,
  year: 2000,
  genres: [GENRES[i % 6]!, ...(i % 3 === 0 ? [GENRES[(i + 2) % 6]!] : [])],
  ratingCount: 5000 - 5 * i,
  ratingAvg: 3 + ((i * 7) % 20) / 10,
}));
const catalog = buildCatalog(movies);
const HORROR = catalog.genres.indexOf('Horror');
const COMEDY = catalog.genres.indexOf('Comedy');

const has = (m: number, g: number): boolean => genresOf(catalog, m).includes(g);
const count = (set: number[], g: number): number => set.filter((m) => has(m, g)).length;
const none: OnboardingSignals = { liked: [], low: [], passed: [], shown: [] };

describe('onboarding sets', () => {
  it('starts with well-known movies across genres, and no signal to follow', () => {
    const first = onboardingPicks(catalog, none, 12);
    expect(first).toHaveLength(12);
    expect(new Set(first).size).toBe(12);
    const genres = new Set(first.flatMap((m) => [...genresOf(catalog, m)]));
    expect(genres.size).toBe(GENRES.length);
    // The most rated movie leads; nothing from beyond the pool.
    expect(first[0]).toBe(0);
    for (const m of first) expect(m).toBeLessThan(POOL);
    for (let g = 0; g < GENRES.length; g++) expect(count(first, g)).toBeLessThanOrEqual(6);
    expect([...genrePreference(catalog, none)].every((p) => p === 0)).toBe(true);
  });

  it('after liking three horror movies, holds more horror than the first set', () => {
    const first = onboardingPicks(catalog, none, 12);
    const horror = catalog.popular.filter((m) => has(m, HORROR)).slice(0, 3);
    const shown = [...first, ...horror];
    const liked = [...horror];
    const passed = first.filter((m) => !liked.includes(m));
    const next = onboardingPicks(catalog, { liked, low: [], passed, shown }, 12);
    expect(count(next, HORROR)).toBeGreaterThan(count(first, HORROR));
    expect(count(next, HORROR)).toBeGreaterThanOrEqual(6);
    // ... and still not only horror: the set keeps some variety.
    expect(count(next, HORROR)).toBeLessThan(12);
    const pref = genrePreference(catalog, { liked, low: [], passed });
    expect(pref[HORROR]).toBeGreaterThan(0);
    for (let g = 0; g < GENRES.length; g++)
      if (g !== HORROR) expect(pref[g]).toBeLessThan(pref[HORROR]!);
  });

  it('ranks the genres of movies rated low or passed over lower', () => {
    const first = onboardingPicks(catalog, none, 12);
    const comedies = catalog.popular.filter((m) => has(m, COMEDY)).slice(0, 3);
    const low = onboardingPicks(catalog, { ...none, low: [...comedies], shown: [...comedies] }, 12);
    expect(count(low, COMEDY)).toBeLessThan(count(first, COMEDY));
    const passed = onboardingPicks(
      catalog,
      { ...none, passed: [...comedies], shown: [...comedies] },
      12,
    );
    expect(count(passed, COMEDY)).toBeLessThanOrEqual(count(first, COMEDY));
    const pref = genrePreference(catalog, { liked: [], low: [...comedies], passed: [] });
    const prefPassed = genrePreference(catalog, { liked: [], low: [], passed: [...comedies] });
    // Rating low says more than passing over.
    expect(pref[COMEDY]).toBeLessThan(prefPassed[COMEDY]!);
    expect(prefPassed[COMEDY]).toBeLessThan(0);
  });

  it('never offers a movie twice, a passed-over one again or a rated one, whatever the person does', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.constantFrom('like', 'low', 'pass', 'meh'), { minLength: 8, maxLength: 8 }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.integer({ min: 1, max: 40 }),
        (rounds, n) => {
          const s = {
            liked: [] as number[],
            low: [] as number[],
            passed: [] as number[],
            shown: [] as number[],
          };
          const meh = new Set<number>();
          for (const actions of rounds) {
            const set = onboardingPicks(catalog, { ...s, exclude: (m) => meh.has(m) }, n);
            expect(set.length).toBe(n);
            expect(new Set(set).size).toBe(set.length);
            for (const m of set) {
              expect(s.shown).not.toContain(m);
              expect(meh.has(m)).toBe(false);
            }
            s.shown.push(...set);
            set.forEach((m, i) => {
              const a = actions[i % actions.length]!;
              if (a === 'like') s.liked.push(m);
              else if (a === 'low') s.low.push(m);
              else if (a === 'pass') s.passed.push(m);
              else meh.add(m);
            });
          }
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  it('never offers a movie that is rated, liked, rated low or passed over, even when never shown', () => {
    const liked = [0, 6, 12];
    const low = [1, 7];
    const passed = [2, 8];
    const rated = new Set([3, 9, 15]);
    const set = onboardingPicks(
      catalog,
      { liked, low, passed, shown: [], exclude: (m) => rated.has(m) },
      40,
    );
    for (const m of [...liked, ...low, ...passed, ...rated]) expect(set).not.toContain(m);
  });

  it('keeps picks well known: never a movie beyond twice the pool in the most rated list', () => {
    const shown: number[] = [];
    const liked: number[] = [];
    for (let round = 0; round < 10; round++) {
      const set = onboardingPicks(catalog, { liked, low: [], passed: [], shown }, 12);
      for (const m of set) expect(m).toBeLessThanOrEqual(2 * POOL);
      shown.push(...set);
      liked.push(...set.filter((m) => has(m, HORROR)));
    }
  });

  it('prefers the top movies of the score hook, which it calls with the liked movies only', () => {
    const liked = [0, 6];
    const shown = [...liked];
    // A model that likes the least rated comedies of the pool.
    const favourites = Array.from({ length: 300 }, (_, i) => 299 - i)
      .filter((m) => has(m, COMEDY) && !has(m, HORROR))
      .slice(0, 6);
    const calls: number[][] = [];
    const score = (l: number[]): Float32Array => {
      calls.push(l);
      const out = new Float32Array(N).fill(-Infinity);
      favourites.forEach((m, i) => (out[m] = 10 - i));
      return out;
    };
    const without = onboardingPicks(catalog, { liked, low: [], passed: [], shown }, 12);
    const withHook = onboardingPicks(catalog, { liked, low: [], passed: [], shown, score }, 12);
    const hits = (set: number[]): number => set.filter((m) => favourites.includes(m)).length;
    expect(hits(without)).toBe(0);
    expect(hits(withHook)).toBeGreaterThanOrEqual(4);
    expect(withHook.slice(0, 3)).toContain(favourites[0]);
    expect(calls).toEqual([liked]);
    // Nothing liked: the hook is not asked.
    onboardingPicks(catalog, { ...none, score }, 12);
    expect(calls).toHaveLength(1);
    // A hook with no opinion changes nothing.
    expect(
      onboardingPicks(catalog, { liked, low: [], passed: [], shown, score: () => null }, 12),
    ).toEqual(without);
  });

  it('is deterministic: the same signals, in any order, give the same set', () => {
    const s: OnboardingSignals = {
      liked: [3, 9, 21, 27],
      low: [4, 10],
      passed: [0, 1, 2, 5, 6, 7, 8],
      shown: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 21, 27],
    };
    const a = onboardingPicks(catalog, s, 12);
    expect(onboardingPicks(catalog, s, 12)).toEqual(a);
    const reversed = {
      liked: [...s.liked].reverse(),
      low: [...s.low].reverse(),
      passed: [...s.passed].reverse(),
      shown: [...s.shown].reverse(),
    };
    expect(onboardingPicks(catalog, reversed, 12)).toEqual(a);
    expect(onboardingPicks(catalog, s, 0)).toEqual([]);
  });

  it('runs out gracefully when every movie has been shown', () => {
    const small = buildCatalog(movies.slice(0, 20));
    const first = onboardingPicks(small, none, 12);
    const rest = onboardingPicks(small, { ...none, shown: first }, 12);
    expect(rest).toHaveLength(8);
    expect(onboardingPicks(small, { ...none, shown: [...first, ...rest] }, 12)).toEqual([]);
  });
});
