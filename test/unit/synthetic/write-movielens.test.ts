import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { movieLensFiles } from '../../../src/core/data/write-movielens.ts';
import type { Dataset, Movie } from '../../../src/core/data/types.ts';
import { bytesOf, fileNamed, latin1, linesOf, parseCsv, utf8 } from './files.ts';

const ds = generateDataset({ ratings: 100_000, seed: 7 });
const movieById = new Map(ds.movies.map((m) => [m.movieId, m]));

/** A movie whose title has an "é", to check encodings. */
const accented = ds.movies.find((m) => m.title.includes('é')) as Movie;

/** Every rating as "userId movieId halfStars timestamp", sorted. */
function ratingKeys(d: Dataset, stars: (h: number) => number = (h) => h): string[] {
  const { user, movie, rating, timestamp } = d.ratings;
  return Array.from(movie, (m, r) =>
    [
      d.users[user[r] as number]?.userId,
      d.movies[m]?.movieId,
      stars(rating[r] as number),
      timestamp[r],
    ].join(' '),
  ).sort();
}

describe("movieLensFiles 'ml-latest'", () => {
  const files = movieLensFiles(ds, 'ml-latest');
  const text = (name: string) => utf8(bytesOf(fileNamed(files, name)));

  it('writes the four csv files and a README', () => {
    expect(files.map((f) => f.name)).toEqual([
      'README.txt',
      'movies.csv',
      'ratings.csv',
      'tags.csv',
      'links.csv',
    ]);
    expect(text('README.txt')).toContain('100000 ratings');
  });

  it('movies.csv: header, one row per movie by movieId, RFC 4180 quoting that round-trips', () => {
    const t = text('movies.csv');
    expect(t).not.toContain('\r');
    const rows = parseCsv(t);
    expect(rows[0]).toEqual(['movieId', 'title', 'genres']);
    expect(rows.length).toBe(ds.movies.length + 1);
    const body = rows.slice(1);
    expect(body.every((r) => r.length === 3)).toBe(true);
    const ids = body.map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const [id, title, genres] of body) {
      const m = movieById.get(Number(id)) as Movie;
      expect(title).toBe(m.title);
      expect(genres).toBe(m.genres.join('|'));
    }
    expect(t).toMatch(/\n\d+,"[^"\n]*, The \(\d{4}\)",/);
    expect(t).toMatch(/\n\d+,"""[^\n]*""[^\n]*\(\d{4}\)",/);
    expect(t).toContain(accented.title);
  });

  it('ratings.csv: every rating once, one decimal, sorted by userId then movieId', () => {
    const lines = linesOf(text('ratings.csv'));
    expect(lines[0]).toBe('userId,movieId,rating,timestamp');
    expect(lines.length).toBe(100_001);
    let prev = [0, 0];
    let unsorted = 0;
    let badFormat = 0;
    const keys: string[] = [];
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      if (f.length !== 4 || !/^[0-5]\.[05]$/.test(f[2] as string)) badFormat++;
      const u = Number(f[0]);
      const m = Number(f[1]);
      if (u < (prev[0] as number) || (u === prev[0] && m <= (prev[1] as number))) unsorted++;
      prev = [u, m];
      keys.push([u, m, Number(f[2]) * 2, f[3]].join(' '));
    }
    expect(badFormat).toBe(0);
    expect(unsorted).toBe(0);
    expect(keys.sort()).toEqual(ratingKeys(ds));
  });

  it('tags.csv and links.csv: headers, field counts, order, ids', () => {
    const tags = parseCsv(text('tags.csv'));
    expect(tags[0]).toEqual(['userId', 'movieId', 'tag', 'timestamp']);
    expect(tags.length).toBe(ds.tags.length + 1);
    expect(tags.slice(1).every((r) => r.length === 4)).toBe(true);
    expect(tags.slice(1).map((r) => r[2])).toContain('sad, but good');
    const order = tags.slice(1).map((r) => Number(r[0]) * 1e7 + Number(r[1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const links = parseCsv(text('links.csv'));
    expect(links[0]).toEqual(['movieId', 'imdbId', 'tmdbId']);
    expect(links.length).toBe(ds.movies.length + 1);
    for (const [id, imdb, tmdb] of links.slice(1)) {
      const m = movieById.get(Number(id)) as Movie;
      expect(imdb).toMatch(/^\d{7}$/);
      expect(imdb).toBe(m.imdbId);
      expect(tmdb).toBe(m.tmdbId === null ? '' : String(m.tmdbId));
    }
  });

  it('streams ~1 MB chunks, and each call to chunks() starts over', () => {
    const ratings = fileNamed(files, 'ratings.csv');
    const chunks = [...ratings.chunks()];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= (1 << 20) + 4096)).toBe(true);
    expect(chunks.slice(0, -1).every((c) => c.length >= 1 << 20)).toBe(true);
    expect(Buffer.from(bytesOf(ratings)).equals(Buffer.from(bytesOf(ratings)))).toBe(true);
  });

  it('writes whole-star datasets as "N.0"', () => {
    const whole = generateDataset({ ratings: 2_000, halfStars: false });
    const lines = linesOf(
      utf8(bytesOf(fileNamed(movieLensFiles(whole, 'ml-latest'), 'ratings.csv'))),
    );
    expect(lines.slice(1).every((l) => /,[1-5]\.0,\d+$/.test(l))).toBe(true);
  });
});

describe("movieLensFiles 'ml-1m'", () => {
  const files = movieLensFiles(ds, 'ml-1m');
  const raw = (name: string) => bytesOf(fileNamed(files, name));

  it('writes movies.dat, ratings.dat, users.dat and a README', () => {
    expect(files.map((f) => f.name)).toEqual(['README', 'movies.dat', 'ratings.dat', 'users.dat']);
  });

  it('movies.dat: latin-1, `::` fields, ml-1m genre names', () => {
    const bytes = raw('movies.dat');
    const at = latin1(bytes).indexOf(accented.title);
    expect(at).toBeGreaterThan(0);
    expect(bytes.includes(0xe9)).toBe(true);
    expect(Buffer.from(bytes).includes(Buffer.from('é', 'utf8'))).toBe(false);
    const lines = linesOf(latin1(bytes));
    expect(lines.length).toBe(ds.movies.length);
    const wrong: string[] = [];
    for (const line of lines) {
      const [id, title, genres, ...rest] = line.split('::');
      const m = movieById.get(Number(id)) as Movie;
      const expected = m.genres
        .filter((g) => g !== 'IMAX')
        .map((g) => (g === 'Children' ? "Children's" : g));
      const want = expected.length > 0 ? expected.join('|') : '(no genres listed)';
      if (rest.length > 0 || title !== m.title || genres !== want) wrong.push(line);
    }
    expect(wrong).toEqual([]);
  });

  it('ratings.dat: whole stars rounded up, users in order, each in time order', () => {
    const lines = linesOf(latin1(raw('ratings.dat')));
    expect(lines.length).toBe(100_000);
    const keys: string[] = [];
    let prev = [0, 0];
    let unsorted = 0;
    for (const line of lines) {
      const f = line.split('::').map(Number);
      if (f.length !== 4) unsorted++;
      const [u, m, stars, t] = f as [number, number, number, number];
      if (u < (prev[0] as number) || (u === prev[0] && t < (prev[1] as number))) unsorted++;
      prev = [u, t];
      keys.push([u, m, stars, t].join(' '));
    }
    expect(unsorted).toBe(0);
    expect(keys.sort()).toEqual(ratingKeys(ds, (h) => Math.ceil(h / 2)));
  });

  it('users.dat: gender, ml-1m age bucket, occupation code, zip', () => {
    const lines = linesOf(latin1(raw('users.dat')));
    expect(lines.length).toBe(ds.users.length);
    lines.forEach((line, i) => {
      const f = line.split('::');
      expect(f.length).toBe(5);
      expect(Number(f[0])).toBe(i + 1);
      expect(f[1]).toMatch(/^[MF]$/);
      expect([1, 18, 25, 35, 45, 50, 56]).toContain(Number(f[2]));
      expect(Number(f[3])).toBeGreaterThanOrEqual(0);
      expect(Number(f[3])).toBeLessThanOrEqual(20);
      expect(f[4]).toMatch(/^\d{5}$/);
    });
    // Ages become ml-1m's bucket codes; gender and zip are copied.
    const bucket = (a: number) =>
      a < 18 ? 1 : a < 25 ? 18 : a < 35 ? 25 : a < 45 ? 35 : a < 50 ? 45 : a < 56 ? 50 : 56;
    ds.users.forEach((u, i) => {
      const f = (lines[i] as string).split('::');
      expect([f[1], Number(f[2]), f[4]]).toEqual([u.gender, bucket(u.age as number), u.zip]);
    });
  });

  it('invents stable demographics for users that have none', () => {
    const bare = generateDataset({ ratings: 2_000, demographics: false });
    const a = latin1(bytesOf(fileNamed(movieLensFiles(bare, 'ml-1m'), 'users.dat')));
    const b = latin1(bytesOf(fileNamed(movieLensFiles(bare, 'ml-1m'), 'users.dat')));
    expect(a).toBe(b);
    expect(linesOf(a).every((l) => /^\d+::[MF]::\d+::\d+::\d{5}$/.test(l))).toBe(true);
  });
});

describe("movieLensFiles 'ml-100k'", () => {
  const files = movieLensFiles(ds, 'ml-100k');
  const raw = (name: string) => bytesOf(fileNamed(files, name));
  const genres100k = [
    'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime',
    'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance',
    'Sci-Fi', 'Thriller', 'War', 'Western',
  ]; // prettier-ignore

  it('writes the u.* files and a README', () => {
    expect(files.map((f) => f.name)).toEqual([
      'README',
      'u.data',
      'u.item',
      'u.user',
      'u.genre',
      'u.occupation',
      'u.info',
    ]);
    expect(latin1(raw('u.info'))).toBe(
      `${ds.users.length} users\n${ds.movies.length} items\n100000 ratings\n`,
    );
    expect(latin1(raw('u.genre'))).toBe(`${genres100k.map((g, i) => `${g}|${i}`).join('\n')}\n\n`);
  });

  it('u.data: tab-separated whole stars, every rating once, in shuffled order', () => {
    const lines = linesOf(latin1(raw('u.data')));
    expect(lines.length).toBe(100_000);
    const rows = lines.map((l) => l.split('\t'));
    expect(rows.every((r) => r.length === 4 && /^[1-5]$/.test(r[2] as string))).toBe(true);
    expect(rows.map((r) => r.join(' ')).sort()).toEqual(ratingKeys(ds, (h) => Math.ceil(h / 2)));
    // Shuffled: users do not come in runs as they do in the dataset.
    let sameAsPrevious = 0;
    for (let i = 1; i < rows.length; i++) if (rows[i]?.[0] === rows[i - 1]?.[0]) sameAsPrevious++;
    expect(sameAsPrevious).toBeLessThan(rows.length * 0.05);
  });

  it('u.item: 24 fields, latin-1 titles, genre flags in u.genre order', () => {
    const bytes = raw('u.item');
    expect(bytes.includes(0xe9)).toBe(true);
    const lines = linesOf(latin1(bytes));
    expect(lines.length).toBe(ds.movies.length);
    const wrong: string[] = [];
    for (const line of lines) {
      const f = line.split('|');
      const m = movieById.get(Number(f[0])) as Movie;
      const own = m.genres
        .filter((g) => g !== 'IMAX')
        .map((g) => (g === 'Children' ? "Children's" : g));
      const flags = genres100k.map((g, j) =>
        (j === 0 ? own.length === 0 : own.includes(g)) ? 1 : 0,
      );
      const ok =
        f.length === 24 &&
        f[1] === m.title &&
        f[2] === `01-Jan-${m.year}` &&
        f[3] === '' &&
        /^http:\/\/us\.imdb\.com\/M\/title-exact\?[A-Za-z0-9%(),.'!:&-]+$/.test(f[4] as string) &&
        f.slice(5).join('|') === flags.join('|');
      if (!ok) wrong.push(line);
    }
    expect(wrong).toEqual([]);
    const line = lines.find((l) => l.includes(accented.title)) as string;
    expect(line).toContain('%E9');
  });

  it('u.user: id|age|gender|occupation|zip', () => {
    const lines = linesOf(latin1(raw('u.user')));
    expect(lines.length).toBe(ds.users.length);
    lines.forEach((line, i) => {
      const u = ds.users[i];
      expect(line).toBe(`${u?.userId}|${u?.age}|${u?.gender}|${u?.occupation}|${u?.zip}`);
    });
    const occupations = linesOf(latin1(raw('u.occupation')));
    expect(occupations.length).toBe(21);
    expect(lines.every((l) => occupations.includes(l.split('|')[3] as string))).toBe(true);
  });
});

describe('written files are deterministic', () => {
  it('gives byte-identical files for the same options and different ones for another seed', () => {
    const files = (seed: number) =>
      movieLensFiles(generateDataset({ ratings: 5_000, seed }), 'ml-latest').map((f) =>
        Buffer.from(bytesOf(f)).toString('base64'),
      );
    const a = files(11);
    expect(files(11)).toEqual(a);
    const b = files(12);
    expect(b[2]).not.toEqual(a[2]);
  });
});
