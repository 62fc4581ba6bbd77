import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { WrenDb, allMovies, type DatasetRow, type MovieRow } from '../../../src/store/index.ts';
import {
  colourMap,
  firstGenreIndex,
  loadFirstGenres,
  NO_GENRE,
} from '../../../src/ui/lib/map-genres.ts';
import { GENRE_PALETTE, OTHER_COLOUR } from '../../../src/ui/lib/movie-map.ts';

const GENRES = ['Action', 'Comedy', 'Drama', NO_GENRE];

describe('map colouring by first genre', () => {
  it('takes each movie’s first genre, -1 for none, unknown or missing movies', () => {
    const first = firstGenreIndex(
      [
        { index: 0, genres: ['Drama', 'Action'] },
        { index: 1, genres: [] },
        { index: 3, genres: ['Western'] },
        { index: 9, genres: ['Action'] },
      ],
      5,
      GENRES,
    );
    expect([...first]).toEqual([2, -1, -1, -1, -1]);
  });

  it('groups the map rows, most common first, with no-genre rows last in grey', () => {
    // Movies 0..5: Drama, Comedy, Drama, none, Comedy, Drama.
    const first = new Int16Array([2, 1, 2, -1, 1, 2]);
    // Rows of the map: movies 5, 3, 1, 0, 2 (movie 4 has no vector).
    const items = new Int32Array([5, 3, 1, 0, 2]);
    const m = colourMap(items, first, GENRES);
    expect(m.groups).toEqual([
      { genre: 'Drama', colour: GENRE_PALETTE[0], count: 3 },
      { genre: 'Comedy', colour: GENRE_PALETTE[1], count: 1 },
      { genre: NO_GENRE, colour: OTHER_COLOUR, count: 1 },
    ]);
    expect([...m.codes]).toEqual([0, 2, 1, 0, 0]);
  });

  it('counts a listed "(no genres listed)" genre and unknown movies in the same grey group', () => {
    const first = new Int16Array([3, 0]);
    const m = colourMap(new Int32Array([0, 1, 7]), first, GENRES);
    expect(m.groups.map((g) => [g.genre, g.count])).toEqual([
      ['Action', 1],
      [NO_GENRE, 2],
    ]);
    expect([...m.codes]).toEqual([1, 0, 1]);
  });
});

function movieRow(datasetId: string, index: number, genres: string[]): MovieRow {
  return {
    datasetId,
    index,
    movieId: index + 1,
    title: `Movie ${index} (2000)`,
    year: 2000,
    genres,
    genreKeys: genres.map((g) => `${datasetId}\u0001${g}`),
    imdbId: null,
    tmdbId: null,
    ratingCount: 0,
    ratingAvg: 0,
    histogram: [],
  };
}

describe('reading the movies of the map', () => {
  it('reads one dataset’s movie rows in index order by one range read, then their first genres', async () => {
    const db = new WrenDb('map-genres-test');
    try {
      // Keys sort numerically: 10 must come after 9 and 2.
      await db.movies.bulkPut([
        movieRow('a', 10, ['Drama']),
        movieRow('b', 0, ['Action']),
        movieRow('a', 2, ['Comedy', 'Drama']),
        movieRow('a', 9, []),
        movieRow('aa', 1, ['Action']),
      ]);
      const rows = await allMovies(db, 'a');
      expect(rows.map((r) => r.index)).toEqual([2, 9, 10]);
      const ds = { id: 'a', genres: GENRES, counts: { movies: 11 } } as unknown as DatasetRow;
      const first = await loadFirstGenres(db, ds);
      expect(first[2]).toBe(1);
      expect(first[10]).toBe(2);
      expect(first[9]).toBe(-1);
      expect(first[0]).toBe(-1);
      // Cached per dataset: the same promise comes back.
      expect(loadFirstGenres(db, ds)).toBe(loadFirstGenres(db, ds));
    } finally {
      await db.delete();
    }
  });
});
