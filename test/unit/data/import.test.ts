import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importMovieLens } from '../../../src/core/data/import.ts';
import { blobInput, bytesInput, filesInput } from '../../../src/core/data/sources.ts';
import type { Dataset, Progress } from '../../../src/core/data/types.ts';
import { blobOf, filesOf, latin1, utf8, wrenError, zipOf } from './helpers.ts';

const CSV = {
  'ml-tiny/movies.csv':
    'movieId,title,genres\r\n' +
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n' +
    '11,"American President, The (1995)",Comedy|Drama|Romance\r\n' +
    '5,"The ""Quoted"" One (2001)",(no genres listed)\r\n' +
    '40697,Babylon 5,Sci-Fi\r\n',
  'ml-tiny/ratings.csv':
    'userId,movieId,rating,timestamp\r\n' +
    '1,1,4.0,964982703\r\n' +
    '1,11,3.5,964981247\r\n' +
    '7,1,5.0,1000\r\n' +
    '7,5,0.5,999\r\n' +
    '3,11,2.0,1537799250\r\n' +
    '3,1,1.0,1537799250',
  'ml-tiny/tags.csv':
    'userId,movieId,tag,timestamp\r\n7,1,"funny, warm",1000\r\n99,11,politics,5\r\n',
  'ml-tiny/links.csv': 'movieId,imdbId,tmdbId\r\n1,0114709,862\r\n11,0112346,\r\n',
  'ml-tiny/README.txt': 'Summary\n=======\nA tiny dataset.\n',
};

/** The parts of a Dataset that tests compare. */
function summary(ds: Dataset) {
  return {
    name: ds.name,
    format: ds.format,
    movies: ds.movies,
    users: ds.users,
    tags: ds.tags,
    ratings: {
      user: Array.from(ds.ratings.user),
      movie: Array.from(ds.ratings.movie),
      rating: Array.from(ds.ratings.rating),
      timestamp: Array.from(ds.ratings.timestamp),
      userOffsets: Array.from(ds.ratings.userOffsets),
    },
    genres: ds.genres,
    minRating: ds.minRating,
    maxRating: ds.maxRating,
    skipped: ds.skipped,
  };
}

describe('importMovieLens: CSV (ml-latest layout)', () => {
  it('builds the dataset: indexes in id order, sorted ratings, statistics, tags and links', async () => {
    const ds = await importMovieLens(filesOf(CSV));
    expect(ds.name).toBe('ml-tiny');
    expect(ds.format).toBe('ml-csv');
    expect(ds.movies.map((m) => [m.index, m.movieId, m.title, m.year, m.genres])).toEqual([
      [0, 1, 'Toy Story (1995)', 1995, ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']],
      [1, 5, 'The "Quoted" One (2001)', 2001, []],
      [2, 11, 'American President, The (1995)', 1995, ['Comedy', 'Drama', 'Romance']],
      [3, 40697, 'Babylon 5', null, ['Sci-Fi']],
    ]);
    expect(ds.movies[0]).toMatchObject({
      imdbId: '0114709',
      tmdbId: 862,
      ratingCount: 3,
      ratingAvg: 10 / 3,
    });
    expect(ds.movies[0]!.histogram).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
    expect(ds.movies[2]).toMatchObject({
      imdbId: '0112346',
      tmdbId: null,
      ratingCount: 2,
      ratingAvg: 2.75,
    });
    expect(ds.movies[3]).toMatchObject({ imdbId: null, ratingCount: 0, ratingAvg: 0 });
    expect(ds.users.map((u) => [u.index, u.userId, u.ratingCount, u.ratingAvg, u.gender])).toEqual([
      [0, 1, 2, 3.75, null],
      [1, 3, 2, 1.5, null],
      [2, 7, 2, 2.75, null],
    ]);
    const s = summary(ds).ratings;
    // user 3 rated movies 11 and 1 at the same second: ties go by movie index.
    expect(s).toEqual({
      user: [0, 0, 1, 1, 2, 2],
      movie: [2, 0, 0, 2, 1, 0],
      rating: [7, 8, 2, 4, 1, 10],
      timestamp: [964981247, 964982703, 1537799250, 1537799250, 999, 1000],
      userOffsets: [0, 2, 4, 6],
    });
    expect(ds.genres).toEqual([
      'Adventure',
      'Animation',
      'Children',
      'Comedy',
      'Drama',
      'Fantasy',
      'Romance',
      'Sci-Fi',
    ]);
    expect([ds.minRating, ds.maxRating]).toEqual([1, 10]);
    expect(ds.tags).toEqual([
      { user: 2, userId: 7, movie: 0, tag: 'funny, warm', timestamp: 1000 },
      { user: -1, userId: 99, movie: 2, tag: 'politics', timestamp: 5 },
    ]);
    expect(ds.skipped).toEqual({ badRows: 0, unknownMovies: 0, duplicates: 0, samples: [] });
  });

  it('gives the same dataset from a folder in any order, a stored or deflated zip, and any chunking', async () => {
    const want = summary(await importMovieLens(filesOf(CSV)));
    const names = Object.keys(CSV) as (keyof typeof CSV)[];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(names, { minLength: names.length }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom<0 | 6>(0, 6),
        async (order, sizes, level) => {
          const entries = Object.fromEntries(order.map((n) => [n, CSV[n]]));
          expect(summary(await importMovieLens(filesOf(entries, sizes)))).toEqual(want);
          expect(
            summary(await importMovieLens(blobOf('ml-tiny.zip', zipOf(entries, level), sizes))),
          ).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads LF files without a final newline and with a byte order mark', async () => {
    const lf = Object.fromEntries(
      Object.entries(CSV).map(([k, v]) => [k, '\uFEFF' + v.replace(/\r\n/g, '\n').trimEnd()]),
    );
    expect(summary(await importMovieLens(filesOf(lf)))).toEqual(
      summary(await importMovieLens(filesOf(CSV))),
    );
  });

  it('opens a zip picked among files, and uses the first of two ratings files', async () => {
    const want = summary(await importMovieLens(filesOf(CSV)));
    const nested = await importMovieLens(filesOf({ 'downloads/ml-tiny.zip': zipOf(CSV) }), {
      name: 'ml-tiny',
    });
    expect(summary(nested)).toEqual(want);
    const second = 'userId,movieId,rating,timestamp\n1,1,1.0,1\n';
    const two = await importMovieLens(filesOf({ ...CSV, 'ml-tiny/copy/ratings.csv': second }));
    expect(summary(two)).toEqual(want);
  });

  it('names the dataset after the zip, or after the option', async () => {
    const zip = zipOf(CSV);
    expect((await importMovieLens(bytesInput('ml-latest-small.zip', zip))).name).toBe(
      'ml-latest-small',
    );
    expect((await importMovieLens(bytesInput('x.zip', zip), { name: 'Mine' })).name).toBe('Mine');
    const flat = Object.fromEntries(Object.entries(CSV).map(([k, v]) => [k.split('/')[1]!, v]));
    expect((await importMovieLens(filesOf(flat))).name).toBe('MovieLens');
  });
});

describe('importMovieLens: ml-1m/ml-10m layout', () => {
  const DAT = {
    'ml-1m/movies.dat': latin1(
      "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Misérables, Les (1995)::Drama\n3::Heat (1995)::Action\n",
    ),
    'ml-1m/users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n5::M::25::20::55455\n',
    'ml-1m/ratings.dat':
      '1::1::5::978300760\r\n2::2::3::978302109\r\n1::2::4::978300000\r\n6::3::1::978300001',
    'ml-1m/tags.dat': '2::3::heist::978300002\n',
    'ml-1m/README': 'SUMMARY\n=======\n',
  };

  it('reads latin-1 titles, demographics and users without ratings', async () => {
    const ds = await importMovieLens(filesOf(DAT, 9));
    expect(ds.format).toBe('ml-dat');
    expect(ds.movies.map((m) => [m.movieId, m.title, m.genres])).toEqual([
      [1, 'Toy Story (1995)', ['Animation', "Children's", 'Comedy']],
      [2, 'Misérables, Les (1995)', ['Drama']],
      [3, 'Heat (1995)', ['Action']],
    ]);
    expect(ds.genres).toEqual(['Action', 'Animation', "Children's", 'Comedy', 'Drama']);
    expect(
      ds.users.map((u) => [u.userId, u.gender, u.age, u.occupation, u.zip, u.ratingCount]),
    ).toEqual([
      [1, 'F', 1, 'K-12 student', '48067', 2],
      [2, 'M', 56, 'self-employed', '70072', 1],
      [5, 'M', 25, 'writer', '55455', 0],
      [6, null, null, null, null, 1],
    ]);
    expect([ds.minRating, ds.maxRating]).toEqual([2, 10]);
    expect(Array.from(ds.ratings.userOffsets)).toEqual([0, 2, 3, 3, 4]);
    expect(ds.tags).toEqual([{ user: 1, userId: 2, movie: 2, tag: 'heist', timestamp: 978300002 }]);
  });
});

describe('importMovieLens: ml-100k layout', () => {
  const flags = (on: number[]) =>
    Array.from({ length: 19 }, (_, i) => (on.includes(i) ? '1' : '0')).join('|');
  const K = {
    'ml-100k/README': 'SUMMARY & USAGE LICENSE\n',
    'ml-100k/u.data': '196\t2\t3\t881250949\n186\t1\t5\t891717742\n196\t1\t1\t881250950\n',
    'ml-100k/u.genre':
      "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n",
    'ml-100k/u.info': '943 users\n1682 items\n100000 ratings\n',
    'ml-100k/u.item': latin1(
      `1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${flags([3, 4, 5])}\n` +
        `2|Misérables, Les (1995)|01-Jan-1995||http://x|${flags([8])}\n` +
        `3|unknown||||${flags([0])}\n`,
    ),
    'ml-100k/u.occupation': 'administrator\nartist\n',
    'ml-100k/u.user': '186|39|F|executive|00000\n196|49|M|writer|55105\n200|20|M|student|11111\n',
    'ml-100k/u1.base': '1\t1\t5\t874965758\n',
  };

  it('reads u.data before u.item, genres from u.genre without "unknown", and ignores the splits', async () => {
    const ds = await importMovieLens(bytesInput('ml-100k.zip', zipOf(K)));
    expect(ds.format).toBe('ml-100k');
    expect(ds.name).toBe('ml-100k');
    expect(ds.movies.map((m) => [m.movieId, m.title, m.genres, m.imdbId])).toEqual([
      [1, 'Toy Story (1995)', ['Animation', "Children's", 'Comedy'], null],
      [2, 'Misérables, Les (1995)', ['Drama'], null],
      [3, 'unknown', [], null],
    ]);
    expect(ds.genres).toHaveLength(18);
    expect(ds.genres[0]).toBe('Action');
    expect(ds.users.map((u) => [u.userId, u.age, u.gender, u.occupation, u.ratingCount])).toEqual([
      [186, 39, 'F', 'executive', 1],
      [196, 49, 'M', 'writer', 2],
      [200, 20, 'M', 'student', 0],
    ]);
    expect(ds.ratings.user.length).toBe(3);
    expect([ds.minRating, ds.maxRating]).toEqual([2, 10]);
  });
});

describe('importMovieLens: bad input', () => {
  it('says a file that is neither a zip nor MovieLens data is not a zip, showing how it starts', async () => {
    const e = await wrenError(
      () => importMovieLens(bytesInput('paper.pdf', utf8('%PDF-1.7\n%binary'))),
      'not-a-zip',
    );
    expect(e.message).toBe(
      'paper.pdf is not a zip archive or a MovieLens file: it starts with "%PDF-1.7\\n%binary".',
    );
    const gz = await wrenError(
      () =>
        importMovieLens(bytesInput('ml.tar.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]))),
      'not-a-zip',
    );
    expect(gz.message).toContain('1f 8b 08 00');
    expect(gz.message).toContain('gzip');
  });

  it('says an empty upload is empty', async () => {
    await wrenError(() => importMovieLens(bytesInput('ml.zip', new Uint8Array(0))), 'empty-file');
  });

  it('lists what was found and what is missing', async () => {
    const e = await wrenError(
      () =>
        importMovieLens(
          bytesInput(
            'stuff.zip',
            zipOf({ 'stuff/README.txt': 'hello', 'stuff/movies.csv': CSV['ml-tiny/movies.csv'] }),
          ),
        ),
      'no-movielens-files',
    );
    expect(e.message).toBe(
      'stuff.zip holds no complete MovieLens dataset: found README.txt (not used), movies.csv (movies); missing ratings.csv (ratings).',
    );
    const none = await wrenError(
      () => importMovieLens(bytesInput('e.zip', zipOf({ 'a.txt': 'x' }))),
      'no-movielens-files',
    );
    expect(none.message).toContain('found a.txt (not used)');
    expect(none.message).toContain('movies.csv and ratings.csv');
    const single = await wrenError(
      () => importMovieLens(bytesInput('ratings.csv', utf8(CSV['ml-tiny/ratings.csv']))),
      'no-movielens-files',
    );
    expect(single.message).toContain('missing movies.csv (movies)');
  });

  it('says a ratings file with only its header is empty', async () => {
    const e = await wrenError(
      () =>
        importMovieLens(
          filesOf({ ...CSV, 'ml-tiny/ratings.csv': 'userId,movieId,rating,timestamp\r\n' }),
        ),
      'empty-file',
    );
    expect(e.file).toBe('ratings.csv');
  });

  it('names the file, the expected and the found header', async () => {
    const e = await wrenError(
      () =>
        importMovieLens(
          bytesInput(
            'x.zip',
            zipOf({ ...CSV, 'ml-tiny/ratings.csv': 'user,movie,rating,time\n1,1,4,5\n' }),
          ),
        ),
      'bad-header',
    );
    expect(e.message).toContain(
      'ratings.csv line 1: expected the header "userId,movieId,rating,timestamp", found "user,movie,rating,time"',
    );
  });

  it('stops at a bad row in a zip with the file and line', async () => {
    const ratings = CSV['ml-tiny/ratings.csv'].replace('7,5,0.5,999', '7,5,7,999');
    const e = await wrenError(
      () => importMovieLens(bytesInput('x.zip', zipOf({ ...CSV, 'ml-tiny/ratings.csv': ratings }))),
      'bad-row',
    );
    expect(e.message).toBe(
      'ratings.csv line 5: expected a rating from 0.5 to 5 in steps of 0.5, found "7"',
    );
    expect([e.file, e.line]).toEqual(['ratings.csv', 5]);
  });

  it('treats a rating of a movie missing from the movies file as a bad row', async () => {
    const ratings = CSV['ml-tiny/ratings.csv'] + '\r\n3,424242,4.0,1\r\n';
    const input = () => filesOf({ ...CSV, 'ml-tiny/ratings.csv': ratings });
    const e = await wrenError(() => importMovieLens(input()), 'bad-row');
    expect(e.message).toBe('ratings.csv line 8: movie 424242 is not in movies.csv');
    const ds = await importMovieLens(input(), { maxBadRows: 1 });
    expect(ds.skipped).toMatchObject({ badRows: 1, unknownMovies: 1, duplicates: 0 });
    expect(ds.skipped.samples).toEqual([
      { file: 'ratings.csv', line: 8, reason: 'movie 424242 is not in movies.csv' },
    ]);
    expect(ds.ratings.user.length).toBe(6);
  });

  it('skips bad rows up to maxBadRows and counts repeated ratings', async () => {
    const ratings =
      CSV['ml-tiny/ratings.csv'] +
      '\r\nbroken\r\n1,1,2.0,964982704\r\n1,1,3.0,5\r\n1,oops,3.0,5\r\n';
    const input = () => filesOf({ ...CSV, 'ml-tiny/ratings.csv': ratings });
    const ds = await importMovieLens(input(), { maxBadRows: 2 });
    expect(ds.skipped.badRows).toBe(2);
    expect(ds.skipped.duplicates).toBe(2);
    // Bad rows as read, then the two older repeats (lines 2 and 10).
    expect(ds.skipped.samples.slice(0, 2).map((s) => s.line)).toEqual([8, 11]);
    expect(
      ds.skipped.samples
        .slice(2)
        .map((s) => s.line)
        .sort((a, b) => a - b),
    ).toEqual([2, 10]);
    const first = ds.ratings.userOffsets[0]!;
    const user1 = Array.from(
      ds.ratings.movie.subarray(first, ds.ratings.userOffsets[1]!),
      (m, i) => [m, ds.ratings.rating[first + i]],
    );
    expect(user1).toEqual([
      [2, 7],
      [0, 4],
    ]);
    const e = await wrenError(
      () => importMovieLens(input(), { maxBadRows: 1 }),
      'too-many-bad-rows',
    );
    expect(e.message).toMatch(/^ratings\.csv line 11: /);
  });

  it('reports a cut zip as truncated, never as a smaller dataset', async () => {
    const zip = zipOf(CSV);
    for (let cut = 1; cut < zip.length; cut += 37) {
      const e = await wrenError(() =>
        importMovieLens(bytesInput('ml-tiny.zip', zip.subarray(0, cut), 50)),
      );
      expect(e.code).toBe('truncated');
    }
  });

  it('blames a damaged zip rather than the row the damage broke', async () => {
    const zip = zipOf(CSV, 0);
    const at = indexOf(zip, utf8('7,5,0.5,999'));
    const bad = zip.slice();
    bad[at + 4] = 0x39; // 0.5 → 9.5: a bad row, and a CRC mismatch
    const e = await wrenError(
      () => importMovieLens(bytesInput('ml-tiny.zip', bad, 64)),
      'corrupt-zip',
    );
    expect(e.message).toContain('ml-tiny/ratings.csv');
  });
});

describe('importMovieLens: progress and cancelling', () => {
  it('reports read then index progress that never goes back and ends complete', async () => {
    const lines = ['userId,movieId,rating,timestamp'];
    for (let i = 0; i < 60_000; i++)
      lines.push(`${1 + (i % 500)},${[1, 5, 11, 40697][i % 4]},3.5,${1000 + i}`);
    const files = { ...CSV, 'ml-tiny/ratings.csv': lines.join('\n') };
    const zip = zipOf(files, 0);
    const seen: Progress[] = [];
    await importMovieLens(bytesInput('big.zip', zip, 64 * 1024), {
      onProgress: (p) => seen.push(p),
      // These rows repeat 2,000 pairs: allowed here, where only the progress matters.
      limits: { maxDuplicateShare: 1 },
    });
    const read = seen.filter((p) => p.stage === 'read');
    const index = seen.filter((p) => p.stage === 'index');
    expect(seen.map((p) => p.stage)).toEqual([
      ...read.map(() => 'read'),
      ...index.map(() => 'index'),
    ]);
    expect(read.length).toBeGreaterThan(3);
    for (const list of [read, index])
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.done).toBeGreaterThanOrEqual(list[i - 1]!.done);
        expect(list[i]!.done).toBeLessThanOrEqual(list[i]!.total);
      }
    expect(read.at(-1)).toEqual({
      stage: 'read',
      done: zip.length,
      total: zip.length,
      rows: 60_000,
    });
    for (let i = 1; i < read.length; i++)
      expect(read[i]!.rows!).toBeGreaterThanOrEqual(read[i - 1]!.rows!);
    const last = seen.at(-1)!;
    expect(last.stage).toBe('index');
    expect(last.done).toBe(last.total);
  });

  it('counts the bytes of files it passes over', async () => {
    const seen: Progress[] = [];
    const input = filesOf(
      { ...CSV, 'ml-tiny/big-unused.bin': new Uint8Array(500_000).fill(7) },
      4096,
    );
    const total = input.kind === 'files' ? input.files.reduce((s, f) => s + f.size, 0) : 0;
    await importMovieLens(input, { onProgress: (p) => seen.push(p) });
    expect(seen.filter((p) => p.stage === 'read').at(-1)).toMatchObject({ done: total, total });
  });

  it('stops with "cancelled" when the signal is aborted, before or during the import', async () => {
    const ac = new AbortController();
    ac.abort();
    await wrenError(() => importMovieLens(filesOf(CSV), { signal: ac.signal }), 'cancelled');
    const mid = new AbortController();
    await wrenError(
      () =>
        importMovieLens(bytesInput('x.zip', zipOf(CSV), 16), {
          signal: mid.signal,
          onProgress: (p) => p.done > 100 && mid.abort(),
        }),
      'cancelled',
    );
  });
});

describe('blobInput / filesInput', () => {
  it('read a Blob or Files in pieces, with the folder path when the browser gives one', async () => {
    const zip = zipOf(CSV);
    const ds = await importMovieLens(blobInput(new Blob([zip as BlobPart]), 'ml-tiny.zip'));
    expect(ds.name).toBe('ml-tiny');
    const files = Object.entries(CSV).map(([n, c]) => {
      const f = new File([c], n.split('/')[1]!);
      Object.defineProperty(f, 'webkitRelativePath', { value: n });
      return f;
    });
    const input = filesInput(files);
    expect(input.kind === 'files' && input.files.map((f) => f.name)).toEqual(Object.keys(CSV));
    expect(summary(await importMovieLens(input))).toEqual(
      summary(await importMovieLens(filesOf(CSV))),
    );
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
