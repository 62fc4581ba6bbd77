import { describe, expect, it } from 'vitest';
import {
  defaultSize,
  generateDataset,
  SYNTHETIC_GENRES,
} from '../../../src/core/data/synthetic.ts';
import { FIRST_TIME, LAST_TIME } from '../../../src/core/data/synthetic-ratings.ts';
import {
  GENERIC_TAGS,
  OCCUPATIONS_100K,
  TAGS_BY_GENRE,
} from '../../../src/core/data/synthetic-names.ts';
import { datasetViolations } from './invariants.ts';

const main = generateDataset({ ratings: 100_000 });
const whole = generateDataset({
  ratings: 50_000,
  users: 300,
  movies: 2_000,
  seed: 3,
  factors: 4,
  halfStars: false,
  demographics: false,
});

describe('generateDataset: shape and invariants', () => {
  it('produces exactly the requested number of ratings, with the default sizes', () => {
    expect(main.ratings.movie.length).toBe(100_000);
    expect(main.users.length).toBe(defaultSize(100_000).users);
    expect(main.movies.length).toBe(defaultSize(100_000).movies);
    expect(main.format).toBe('synthetic');
    expect(main.name).toBe('synthetic-100000-s1');
    expect(whole.ratings.movie.length).toBe(50_000);
    expect(whole.users.length).toBe(300);
    expect(whole.movies.length).toBe(2_000);
  });

  it('default sizes look like ml-latest-small, ml-1m and ml-25m', () => {
    const small = defaultSize(100_836);
    expect(small.users).toBeGreaterThan(550);
    expect(small.users).toBeLessThan(700);
    expect(Math.abs(small.movies - 9742)).toBeLessThan(50);
    const big = defaultSize(25_000_095);
    expect(Math.abs(big.users - 162_541) / 162_541).toBeLessThan(0.05);
    expect(Math.abs(big.movies - 62_423) / 62_423).toBeLessThan(0.01);
    const tiny = defaultSize(1_000);
    expect(tiny.users * 20).toBeLessThanOrEqual(1_000);
    expect(tiny.movies).toBeLessThanOrEqual(125);
  });

  it('keeps every invariant of types.ts', () => {
    expect(datasetViolations(main)).toEqual([]);
    expect(datasetViolations(whole)).toEqual([]);
  });

  it('gives every user at least 20 ratings, or an equal share when that is impossible', () => {
    expect(Math.min(...main.users.map((u) => u.ratingCount))).toBe(20);
    const few = generateDataset({ ratings: 1_000, users: 100, movies: 40 });
    expect(datasetViolations(few)).toEqual([]);
    expect(Math.min(...few.users.map((u) => u.ratingCount))).toBe(10);
  });

  it('fills a tiny catalogue completely without repeating a pair', () => {
    const full = generateDataset({ ratings: 1_000, users: 10, movies: 100 });
    expect(datasetViolations(full)).toEqual([]);
    expect(full.users.every((u) => u.ratingCount === 100)).toBe(true);
  });

  it('has heavy tails: a few movies and users account for much of the data', () => {
    const counts = main.movies.map((m) => m.ratingCount).sort((a, b) => b - a);
    const top1 = counts.slice(0, Math.ceil(counts.length / 100)).reduce((a, b) => a + b, 0);
    expect(top1 / 100_000).toBeGreaterThan(0.08);
    const users = main.users.map((u) => u.ratingCount).sort((a, b) => a - b);
    const median = users[users.length >> 1] as number;
    expect((users[users.length - 1] as number) / median).toBeGreaterThan(10);
  });

  it('uses half stars 0.5–5 by default and whole stars 1–5 when asked', () => {
    expect(main.minRating).toBe(1);
    expect(main.maxRating).toBe(10);
    const halves = main.ratings.rating.filter((h) => h % 2 === 1).length / 100_000;
    expect(halves).toBeGreaterThan(0.15);
    expect(halves).toBeLessThan(0.45);
    let mean = 0;
    for (const h of main.ratings.rating) mean += h / 2 / 100_000;
    expect(mean).toBeGreaterThan(3.2);
    expect(mean).toBeLessThan(3.8);
    expect(whole.minRating).toBe(2);
    expect(whole.ratings.rating.every((h) => h % 2 === 0 && h >= 2 && h <= 10)).toBe(true);
    expect(new Set(whole.ratings.rating).size).toBe(5);
  });
});

describe('generateDataset: times, movies, users, tags', () => {
  it('rates between 1996 and 2018, never before the release year, over days to years', () => {
    const { timestamp, movie, userOffsets } = main.ratings;
    let early = 0;
    let outside = 0;
    for (let r = 0; r < timestamp.length; r++) {
      const t = timestamp[r] as number;
      if (t < FIRST_TIME || t > LAST_TIME) outside++;
      const year = main.movies[movie[r] as number]?.year ?? 0;
      if (t < Date.UTC(year, 0, 1) / 1000) early++;
    }
    expect(outside).toBe(0);
    expect(early).toBe(0);
    const spans = main.users.map(
      (_, u) =>
        (timestamp[(userOffsets[u + 1] as number) - 1] as number) -
        (timestamp[userOffsets[u] as number] as number),
    );
    expect(spans.some((s) => s < 86_400)).toBe(true);
    expect(spans.some((s) => s > 365 * 86_400)).toBe(true);
  });

  it('gives movies 1–3 known genres in the dataset order, and sparse increasing ids', () => {
    expect(main.genres).toEqual([...SYNTHETIC_GENRES]);
    for (const m of main.movies) {
      expect(m.genres.length).toBeGreaterThanOrEqual(1);
      expect(m.genres.length).toBeLessThanOrEqual(3);
      const idx = m.genres.map((g) => main.genres.indexOf(g));
      expect(idx.every((i, j) => i >= 0 && (j === 0 || i > (idx[j - 1] as number)))).toBe(true);
    }
    const ids = main.movies.map((m) => m.movieId);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as number))).toBe(true);
    expect(ids[ids.length - 1]).toBeGreaterThan(ids.length * 1.2);
  });

  it('writes MovieLens-looking titles: unique, year suffix, articles, commas, accents', () => {
    const titles = main.movies.map((m) => m.title);
    expect(new Set(titles).size).toBe(titles.length);
    for (const m of main.movies) {
      const match = /\((\d{4})\)\s*$/.exec(m.title);
      expect(match?.[1]).toBe(String(m.year));
      expect([...m.title].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
      expect(m.title).not.toMatch(/::|\||\t|\n/);
    }
    const share = (re: RegExp) => titles.filter((t) => re.test(t)).length / titles.length;
    expect(share(/,/)).toBeGreaterThan(0.1);
    expect(share(/, The \(\d{4}\)$/)).toBeGreaterThan(0.05);
    expect(share(/[À-ÿ]/)).toBeGreaterThan(0.01);
    expect(share(/"/)).toBeGreaterThan(0.001);
  });

  it('links every movie: 7-digit imdbIds and unique tmdbIds', () => {
    expect(main.movies.every((m) => /^\d{7}$/.test(m.imdbId ?? ''))).toBe(true);
    expect(new Set(main.movies.map((m) => m.imdbId)).size).toBe(main.movies.length);
    const tmdb = main.movies.flatMap((m) => (m.tmdbId === null ? [] : [m.tmdbId]));
    expect(new Set(tmdb).size).toBe(tmdb.length);
    expect(tmdb.length).toBeGreaterThan(main.movies.length * 0.99);
  });

  it('gives users ml-100k style demographics, or nulls when asked', () => {
    for (const u of main.users) {
      expect(u.gender === 'M' || u.gender === 'F').toBe(true);
      expect(u.age).toBeGreaterThanOrEqual(10);
      expect(u.age).toBeLessThanOrEqual(73);
      expect(OCCUPATIONS_100K).toContain(u.occupation);
      expect(u.zip).toMatch(/^\d{5}$/);
    }
    expect(main.users.map((u, i) => u.userId - i)).toEqual(main.users.map(() => 1));
    expect(whole.users.every((u) => u.gender === null && u.age === null && u.zip === null)).toBe(
      true,
    );
  });

  it('tags about 3% of ratings, on movies the user rated, with words tied to genres', () => {
    expect(main.tags.length).toBeGreaterThan(2_500);
    expect(main.tags.length).toBeLessThanOrEqual(3_000);
    const { movie, userOffsets } = main.ratings;
    const triples = new Set<string>();
    main.tags.forEach((t, i) => {
      const prev = main.tags[i - 1];
      if (prev)
        expect(prev.user < t.user || (prev.user === t.user && prev.movie <= t.movie)).toBe(true);
      const rated = movie.subarray(userOffsets[t.user], userOffsets[t.user + 1]);
      expect(rated.includes(t.movie)).toBe(true);
      const genres = main.movies[t.movie]?.genres ?? [];
      const fits =
        GENERIC_TAGS.includes(t.tag) || genres.some((g) => TAGS_BY_GENRE[g]?.includes(t.tag));
      expect(fits).toBe(true);
      triples.add(`${t.user}/${t.movie}/${t.tag}`);
    });
    expect(triples.size).toBe(main.tags.length);
    expect(new Set(main.tags.map((t) => t.user)).size).toBeLessThan(main.users.length * 0.2);
    expect(generateDataset({ ratings: 5_000, tags: 0 }).tags).toEqual([]);
  });
});

describe('generateDataset: determinism and options', () => {
  it('gives an identical dataset for the same options', () => {
    const again = generateDataset({
      ratings: 50_000,
      users: 300,
      movies: 2_000,
      seed: 3,
      factors: 4,
      halfStars: false,
      demographics: false,
    });
    expect(again).toEqual(whole);
  });

  it('gives a different dataset for another seed', () => {
    const a = generateDataset({ ratings: 5_000, seed: 1 });
    const b = generateDataset({ ratings: 5_000, seed: 2 });
    expect(b.ratings.movie).not.toEqual(a.ratings.movie);
    expect(b.movies.map((m) => m.title)).not.toEqual(a.movies.map((m) => m.title));
    expect(b.name).toBe('synthetic-5000-s2');
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateDataset({ ratings: 999 })).toThrow(RangeError);
    expect(() => generateDataset({ ratings: 1_000.5 })).toThrow(RangeError);
    expect(() => generateDataset({ ratings: 5_000, factors: 0 })).toThrow(RangeError);
    expect(() => generateDataset({ ratings: 5_000, users: 0 })).toThrow(RangeError);
    expect(() => generateDataset({ ratings: 5_000, users: 10, movies: 100 })).toThrow(/do not fit/);
    expect(() => generateDataset({ ratings: 5_000, seed: Number.NaN })).toThrow(RangeError);
  });
});

describe('generateDataset: progress and cancelling', () => {
  it('reports rows drawn, never going backwards, ending at the total', () => {
    const seen: number[] = [];
    generateDataset({
      ratings: 200_000,
      onProgress: (p) => {
        expect(p.stage).toBe('generate');
        expect(p.total).toBe(200_000);
        seen.push(p.done);
      },
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(200_000);
    expect(seen.every((d, i) => i === 0 || d >= (seen[i - 1] as number))).toBe(true);
  });

  it('stops with a cancelled WrenError when the signal is aborted', () => {
    const controller = new AbortController();
    let calls = 0;
    const run = () =>
      generateDataset({
        ratings: 200_000,
        signal: controller.signal,
        onProgress: () => {
          if (++calls === 2) controller.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ name: 'WrenError', code: 'cancelled' }));
    expect(calls).toBe(2);
  });
});
