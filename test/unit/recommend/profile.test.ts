import { describe, expect, it } from 'vitest';
import {
  MovieMatcher,
  idFamily,
  resolveProfile,
  titleKey,
  validRating,
  type CatalogIds,
  type IdFamily,
  type ProfileMark,
  type ProfileRating,
} from '../../../src/core/recommend/profile.ts';

const catalog: CatalogIds = {
  ids: 'movielens',
  movieIds: Int32Array.from([1, 2, 5, 9, 12]),
  titles: [
    'Toy Story (1995)',
    'American President, The (1995)',
    'Heat (1995)',
    'Heat (1995)', // a duplicate title: the first movie with it is the match
    'Amélie (Fabuleux destin d’Amélie Poulain, Le) (2001)',
  ],
};

const mark = (
  movieId: number,
  title: string,
  at: number,
  ids: IdFamily = 'movielens',
): ProfileMark => ({
  movieId,
  title,
  ids,
  at,
});
const rated = (
  movieId: number,
  title: string,
  rating: number,
  at: number,
  ids: IdFamily = 'movielens',
): ProfileRating => ({ ...mark(movieId, title, at, ids), rating });

describe('titleKey', () => {
  it('matches a trailing article with a leading one', () => {
    expect(titleKey('Matrix, The (1999)')).toBe(titleKey('The Matrix (1999)'));
    expect(titleKey('American President, The (1995)')).toBe(
      titleKey('The American President (1995)'),
    );
  });

  it('ignores diacritics, case, apostrophes and punctuation', () => {
    expect(titleKey('Léon: The Professional (1994)')).toBe(
      titleKey('leon the professional (1994)'),
    );
    expect(titleKey('Amélie (2001)')).toBe(titleKey('AMELIE (2001)'));
    expect(titleKey("Schindler's List (1993)")).toBe(titleKey('Schindlers List (1993)'));
  });

  it('keeps the year apart: a remake is another movie', () => {
    expect(titleKey('Heat (1995)')).not.toBe(titleKey('Heat (1986)'));
    expect(titleKey('Heat (1995)')).not.toBe(titleKey('Heat'));
    expect(titleKey('Heat (1995)')).not.toBe(titleKey('Heated (1995)'));
  });
});

describe('MovieMatcher', () => {
  const matcher = new MovieMatcher(catalog);

  it('matches the same id family by id, whatever the title says', () => {
    expect(matcher.find({ movieId: 5, title: 'Renamed (2000)', ids: 'movielens' })).toBe(2);
    expect(matcher.find({ movieId: 12, title: '', ids: 'movielens' })).toBe(4);
  });

  it('falls back to the title across id families (ml-100k ↔ movielens)', () => {
    // ml-100k's id 1 is not MovieLens id 1: the title decides.
    expect(matcher.find({ movieId: 1, title: 'Heat (1995)', ids: 'ml-100k' })).toBe(2);
    expect(
      matcher.find({ movieId: 300, title: 'The American President (1995)', ids: 'ml-100k' }),
    ).toBe(1);
    const ml100k = new MovieMatcher({
      ids: 'ml-100k',
      movieIds: Int32Array.from([1, 2]),
      titles: ['Toy Story (1995)', 'GoldenEye (1995)'],
    });
    expect(ml100k.find({ movieId: 10, title: 'GoldenEye (1995)', ids: 'movielens' })).toBe(1);
    expect(ml100k.find({ movieId: 2, title: 'Toy Story (1995)', ids: 'movielens' })).toBe(0);
  });

  it('falls back to the title when the id is not in the dataset', () => {
    expect(matcher.find({ movieId: 999, title: 'Toy Story (1995)', ids: 'movielens' })).toBe(0);
  });

  it('gives -1 for a movie the dataset does not have', () => {
    expect(matcher.find({ movieId: 999, title: 'Nope (2022)', ids: 'movielens' })).toBe(-1);
    expect(matcher.find({ movieId: 5, title: 'Toy Story (1996)', ids: 'ml-100k' })).toBe(-1);
  });

  it('names a movie index as the profile does', () => {
    expect(matcher.name(2)).toEqual({ movieId: 5, title: 'Heat (1995)', ids: 'movielens' });
    expect(matcher.find(matcher.name(4))).toBe(4);
  });
});

describe('idFamily', () => {
  it('gives ml-100k its own numbering and every other format the MovieLens ids', () => {
    expect(idFamily('ml-100k')).toBe('ml-100k');
    expect(idFamily('ml-csv')).toBe('movielens');
    expect(idFamily('ml-dat')).toBe('movielens');
  });
});

describe('resolveProfile', () => {
  const matcher = new MovieMatcher(catalog);

  it('maps ratings to history oldest first, counting the unmatched', () => {
    const r = resolveProfile(
      {
        ratings: [
          rated(1, 'Toy Story (1995)', 4, 300),
          rated(99, 'Unknown (1990)', 5, 50),
          rated(2, 'American President, The (1995)', 2.5, 100),
          rated(7, 'Nope (2001)', 1, 150, 'ml-100k'),
        ],
        notInterested: [],
        watchlist: [],
      },
      matcher,
    );
    expect(r.history).toEqual([
      { movie: 1, rating: 2.5, at: 100 },
      { movie: 0, rating: 4, at: 300 },
    ]);
    expect(r.unmatched).toBe(2);
  });

  it('keeps the later of two entries that land on one movie, in either order', () => {
    const a = rated(5, 'Heat (1995)', 2, 100);
    const b = rated(40, 'Heat (1995)', 5, 200, 'ml-100k');
    for (const ratings of [
      [a, b],
      [b, a],
    ]) {
      const r = resolveProfile({ ratings, notInterested: [], watchlist: [] }, matcher);
      expect(r.history).toEqual([{ movie: 2, rating: 5, at: 200 }]);
      expect(r.unmatched).toBe(0);
    }
  });

  it('orders ratings given at the same time by movie index', () => {
    const r = resolveProfile(
      {
        ratings: [rated(5, 'Heat (1995)', 3, 10), rated(1, 'Toy Story (1995)', 4, 10)],
        notInterested: [],
        watchlist: [],
      },
      matcher,
    );
    expect(r.history.map((h) => h.movie)).toEqual([0, 2]);
  });

  it('maps marks to movie indexes and counts the ones it cannot place', () => {
    const r = resolveProfile(
      {
        ratings: [],
        notInterested: [mark(2, 'x', 1), mark(3, 'Heat (1995)', 2, 'ml-100k')],
        watchlist: [mark(12, 'y', 3), mark(77, 'Gone (1950)', 4)],
      },
      matcher,
    );
    expect([...r.notInterested].sort()).toEqual([1, 2]);
    expect([...r.watchlist]).toEqual([4]);
    expect(r.history).toEqual([]);
    expect(r.unmatched).toBe(1);
  });
});

describe('validRating', () => {
  it('accepts 0.5 … 5 in half steps only', () => {
    for (const x of [0.5, 1, 1.5, 3, 4.5, 5]) expect(validRating(x), String(x)).toBe(true);
    for (const x of [0, -0.5, 0.25, 4.49, 5.5, 6, 10, NaN, Infinity, -Infinity])
      expect(validRating(x), String(x)).toBe(false);
  });
});
