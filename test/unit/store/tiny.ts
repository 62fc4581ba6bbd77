/** A small hand-made dataset for store tests (independent of parsers and generator). */
import type { Dataset, Movie } from '../../../src/core/data/types.ts';

function movie(index: number, movieId: number, title: string, genres: string[]): Movie {
  return {
    index,
    movieId,
    title,
    year: 1995,
    genres,
    imdbId: String(100000 + movieId).padStart(7, '0'),
    tmdbId: movieId * 10,
    ratingCount: 0,
    ratingAvg: 0,
    histogram: new Array<number>(10).fill(0),
  };
}

/** 3 users × 4 movies; `ratings` rows are (user, movie, halfStars, ts), sorted by user then ts. */
export function tinyDataset(name = 'tiny', ratingsPerUser = 3): Dataset {
  const movies = [
    movie(0, 1, 'Toy Story (1995)', ['Animation', 'Comedy']),
    movie(1, 2, 'American President, The (1995)', ['Comedy', 'Drama', 'Romance']),
    movie(2, 5, 'Heat (1995)', ['Action', 'Crime']),
    movie(3, 9, 'Sabrina (1995)', ['Comedy', 'Romance']),
  ];
  const rows: [number, number, number, number][] = [];
  for (let u = 0; u < 3; u++)
    for (let k = 0; k < ratingsPerUser; k++)
      rows.push([u, (u + k) % 4, 2 + ((u * 3 + k) % 9), 1000 + k]);
  const n = rows.length;
  const ratings = {
    user: Int32Array.from(rows, (r) => r[0]),
    movie: Int32Array.from(rows, (r) => r[1]),
    rating: Uint8Array.from(rows, (r) => r[2]),
    timestamp: Uint32Array.from(rows, (r) => r[3]),
    userOffsets: Int32Array.from([0, 1, 2, 3], (u) => u * ratingsPerUser),
  };
  for (const [, m, r] of rows) {
    const mv = movies[m]!;
    mv.ratingAvg = (mv.ratingAvg * mv.ratingCount + r / 2) / (mv.ratingCount + 1);
    mv.ratingCount++;
    mv.histogram[r - 1]!++;
  }
  return {
    name,
    format: 'ml-csv',
    movies,
    users: [0, 1, 2].map((u) => ({
      index: u,
      userId: u + 1,
      gender: null,
      age: null,
      occupation: null,
      zip: null,
      ratingCount: ratingsPerUser,
      ratingAvg: 3,
    })),
    tags: [
      { user: 0, userId: 1, movie: 1, tag: 'politics', timestamp: 5 },
      { user: 1, userId: 2, movie: 1, tag: 'politics', timestamp: 6 },
      { user: 1, userId: 2, movie: 1, tag: 'romance', timestamp: 7 },
    ],
    ratings: { ...ratings, user: ratings.user.subarray(0, n) },
    genres: ['Action', 'Animation', 'Comedy', 'Crime', 'Drama', 'Romance'],
    minRating: 1,
    maxRating: 10,
    skipped: { badRows: 0, unknownMovies: 0, duplicates: 0, samples: [] },
  };
}
