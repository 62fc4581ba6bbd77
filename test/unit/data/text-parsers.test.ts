import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenres } from '../../../src/core/data/genres-parser.ts';
import { Issues } from '../../../src/core/data/issues.ts';
import { parseLinks } from '../../../src/core/data/links-parser.ts';
import { parseMovies, splitGenres, yearFromTitle } from '../../../src/core/data/movies-parser.ts';
import { parseTags } from '../../../src/core/data/tags-parser.ts';
import { parseUsers } from '../../../src/core/data/users-parser.ts';
import { DATASETS, has, latin1, pieces, utf8, wrenError } from './helpers.ts';

const opts = (header: boolean, maxBadRows = 0) => ({ issues: new Issues(maxBadRows), header });
const src = (s: string | Uint8Array, size = 7) => pieces(typeof s === 'string' ? utf8(s) : s, size);

describe('yearFromTitle', () => {
  it.each([
    ['Toy Story (1995)', 1995],
    ['From Dusk Till Dawn 2: Texas Blood Money (1999) ', 1999],
    ['Death Note: Desu nôto (2006–2007)', 2006],
    ['Babylon 5 (1994-1998)', 1994],
    ['Land Before Time III: The Time of the Great Giving (1995) (V)', 1995],
    ['(500) Days of Summer (2009)', 2009],
    ['1984 (1984)', 1984],
    ['Babylon 5', null],
    ['unknown', null],
  ])('%s → %s', (title, year) => expect(yearFromTitle(title)).toBe(year));
});

describe('splitGenres', () => {
  it('splits on | and turns "(no genres listed)" into none', () => {
    expect(splitGenres('Comedy|Drama|Romance')).toEqual(['Comedy', 'Drama', 'Romance']);
    expect(splitGenres('(no genres listed)')).toEqual([]);
    expect(splitGenres("Animation|Children's|Comedy")).toEqual([
      'Animation',
      "Children's",
      'Comedy',
    ]);
    expect(splitGenres('')).toEqual([]);
  });
});

describe('parseMovies', () => {
  it('reads movies.csv with quoted titles, doubled quotes, CRLF and no final newline', async () => {
    const text =
      'movieId,title,genres\r\n' +
      '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n' +
      '11,"American President, The (1995)",Comedy|Drama|Romance\r\n' +
      '99,"The ""Great"" Escape, Part 2 (2001)",(no genres listed)\r\n' +
      '40697,Babylon 5,Sci-Fi';
    for (const size of [1, 5, 1000]) {
      const movies = await parseMovies('movies.csv', 'ml-csv', src(text, size), opts(true));
      expect(movies.map((m) => [m.movieId, m.title, m.year, m.genres, m.line])).toEqual([
        [
          1,
          'Toy Story (1995)',
          1995,
          ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
          2,
        ],
        [11, 'American President, The (1995)', 1995, ['Comedy', 'Drama', 'Romance'], 3],
        [99, 'The "Great" Escape, Part 2 (2001)', 2001, [], 4],
        [40697, 'Babylon 5', null, ['Sci-Fi'], 5],
      ]);
    }
  });

  it('reads latin-1 movies.dat (ml-1m)', async () => {
    const bytes = latin1(
      "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Misérables, Les (1995)::Drama\n",
    );
    const movies = await parseMovies('movies.dat', 'ml-dat', src(bytes, 3), opts(false));
    expect(movies.map((m) => [m.movieId, m.title, m.genres])).toEqual([
      [1, 'Toy Story (1995)', ['Animation', "Children's", 'Comedy']],
      [2, 'Misérables, Les (1995)', ['Drama']],
    ]);
  });

  it('reads latin-1 u.item (ml-100k) with genre flags and the year from the release date when the title has none', async () => {
    const flags = (on: number[]) =>
      Array.from({ length: 19 }, (_, i) => (on.includes(i) ? '1' : '0')).join('|');
    const bytes = latin1(
      `1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${flags([3, 4, 5])}\n` +
        `2|Misérables, Les (1995)|01-Jan-1995||http://x|${flags([8])}\n` +
        `267|unknown||||${flags([0])}\n` +
        `300|No Year|05-May-1997||http://x|${flags([])}\n`,
    );
    const movies = await parseMovies('u.item', 'ml-100k', src(bytes, 11), opts(false));
    expect(movies.map((m) => [m.movieId, m.title, m.year, m.genreFlags])).toEqual([
      [1, 'Toy Story (1995)', 1995, 0b111000],
      [2, 'Misérables, Les (1995)', 1995, 1 << 8],
      [267, 'unknown', null, 1],
      [300, 'No Year', 1997, 0],
    ]);
  });

  const badMovies: [string, string, string][] = [
    ['1,"Broken, title (1995),Drama', 'not closed', 'movies.csv'],
    ['1,,Drama', 'movie 1 has an empty title', 'movies.csv'],
    ['x,Title,Drama', 'expected a positive whole number as the movie id, found "x"', 'movies.csv'],
    ['2,Title,Drama,Extra', 'expected 3 fields', 'movies.csv'],
    ['1,Again (2000),Drama', 'movie 1 is listed twice (first on line 2)', 'movies.csv'],
  ];
  for (const [line, reason] of badMovies)
    it(`rejects ${JSON.stringify(line)} naming the file and line`, async () => {
      const text = `movieId,title,genres\n1,Toy Story (1995),Comedy\n${line}\n`;
      const e = await wrenError(
        () => parseMovies('movies.csv', 'ml-csv', src(text), opts(true)),
        'bad-row',
      );
      expect(e.message.startsWith('movies.csv line 3: ')).toBe(true);
      expect(e.message).toContain(reason);
      expect(e.line).toBe(3);
    });

  it('skips bad movie rows when allowed', async () => {
    const o = opts(true, 5);
    const movies = await parseMovies(
      'movies.csv',
      'ml-csv',
      src('movieId,title,genres\n1,,x\n2,Ok (2000),Drama\n'),
      o,
    );
    expect(movies.map((m) => m.movieId)).toEqual([2]);
    expect(o.issues.samples).toEqual([
      { file: 'movies.csv', line: 2, reason: 'movie 1 has an empty title' },
    ]);
  });
});

describe('parseUsers', () => {
  it('reads users.dat codes, naming the ml-1m occupation', async () => {
    const users = await parseUsers(
      'users.dat',
      'ml-dat',
      src('1::F::1::10::48067\n2::M::56::16::70072\n'),
      opts(false),
    );
    expect(users).toEqual([
      { userId: 1, gender: 'F', age: 1, occupation: 'K-12 student', zip: '48067', line: 1 },
      { userId: 2, gender: 'M', age: 56, occupation: 'self-employed', zip: '70072', line: 2 },
    ]);
  });

  it('reads u.user (ml-100k)', async () => {
    const users = await parseUsers(
      'u.user',
      'ml-100k',
      src('1|24|M|technician|85711\n2|53|F|other|94043'),
      opts(false),
    );
    expect(users.map((u) => [u.userId, u.age, u.gender, u.occupation, u.zip])).toEqual([
      [1, 24, 'M', 'technician', '85711'],
      [2, 53, 'F', 'other', '94043'],
    ]);
  });

  it.each([
    ['3::X::25::15::55117', 'expected the gender M or F, found "X"'],
    ['3::M::25::21::55117', 'expected an occupation code from 0 to 20, found "21"'],
    ['3::M::25::15', 'expected 5 fields'],
    ['1::M::25::15::55117', 'user 1 is listed twice (first on line 1)'],
  ])('rejects %s', async (line, reason) => {
    const e = await wrenError(
      () => parseUsers('users.dat', 'ml-dat', src(`1::F::1::10::48067\n${line}\n`), opts(false)),
      'bad-row',
    );
    expect(e.message.startsWith('users.dat line 2: ')).toBe(true);
    expect(e.message).toContain(reason);
  });
});

describe('parseTags', () => {
  it('reads tags.csv with quoted tags and tags.dat', async () => {
    const csv =
      'userId,movieId,tag,timestamp\r\n2,60756,funny,1445714994\r\n567,4552,"""artsy""",1525285878\r\n3,1,"dark, gritty",1\r\n';
    expect(
      (await parseTags('tags.csv', 'ml-csv', src(csv), opts(true))).map((t) => [
        t.userId,
        t.movieId,
        t.tag,
        t.timestamp,
        t.line,
      ]),
    ).toEqual([
      [2, 60756, 'funny', 1445714994, 2],
      [567, 4552, '"artsy"', 1525285878, 3],
      [3, 1, 'dark, gritty', 1, 4],
    ]);
    const dat = '15::4973::excellent!::1215184630\n20::1747::politics::1188263867\n';
    expect(
      (await parseTags('tags.dat', 'ml-dat', src(dat), opts(false))).map((t) => t.tag),
    ).toEqual(['excellent!', 'politics']);
  });

  it('rejects a bad timestamp with the line', async () => {
    const e = await wrenError(
      () =>
        parseTags(
          'tags.csv',
          'ml-csv',
          src('userId,movieId,tag,timestamp\n1,2,x,soon\n'),
          opts(true),
        ),
      'bad-row',
    );
    expect(e.message).toBe(
      'tags.csv line 2: expected a timestamp in whole seconds since 1970, found "soon"',
    );
  });
});

describe('parseLinks', () => {
  it('keeps the IMDb id as text with its zeros, and an empty TMDB id as null', async () => {
    const links = await parseLinks(
      'links.csv',
      src('movieId,imdbId,tmdbId\r\n1,0114709,862\r\n791,0113610,\r\n'),
      opts(true),
    );
    expect(links.get(1)).toEqual({ imdbId: '0114709', tmdbId: 862 });
    expect(links.get(791)).toEqual({ imdbId: '0113610', tmdbId: null });
  });

  it('rejects a non-numeric IMDb id', async () => {
    const e = await wrenError(
      () => parseLinks('links.csv', src('movieId,imdbId,tmdbId\n1,tt0114709,862\n'), opts(true)),
      'bad-row',
    );
    expect(e.message).toMatch(/^links\.csv line 2: expected digits as the IMDb id/);
  });
});

describe('parseGenres', () => {
  it('orders u.genre by index and ignores the trailing blank line', async () => {
    expect(
      await parseGenres('u.genre', src('unknown|0\nAction|1\nWestern|2\n\n'), opts(false)),
    ).toEqual(['unknown', 'Action', 'Western']);
  });
});

describe('ml-1m-partial (real files)', () => {
  const dir = path.join(DATASETS, 'ml-1m-partial');
  it.skipIf(!has('ml-1m-partial/movies.dat'))(
    'parses movies.dat: 3,883 movies, latin-1 titles',
    async () => {
      const movies = await parseMovies(
        'movies.dat',
        'ml-dat',
        pieces(readFileSync(path.join(dir, 'movies.dat')), 65536),
        opts(false),
      );
      expect(movies).toHaveLength(3883);
      expect(movies[0]).toMatchObject({
        movieId: 1,
        title: 'Toy Story (1995)',
        year: 1995,
        genres: ['Animation', "Children's", 'Comedy'],
      });
      expect(movies.at(-1)!.movieId).toBe(3952);
      expect(movies.some((m) => m.title === 'Misérables, Les (1995)')).toBe(true);
      expect(movies.every((m) => !m.title.includes('\uFFFD'))).toBe(true);
    },
  );

  it.skipIf(!has('ml-1m-partial/users.dat'))(
    'parses users.dat: 6,040 users, 4,331 M and 1,709 F',
    async () => {
      const users = await parseUsers(
        'users.dat',
        'ml-dat',
        pieces(readFileSync(path.join(dir, 'users.dat')), 65536),
        opts(false),
      );
      expect(users).toHaveLength(6040);
      expect(users.filter((u) => u.gender === 'M')).toHaveLength(4331);
      expect(new Set(users.map((u) => u.age))).toEqual(new Set([1, 18, 25, 35, 45, 50, 56]));
      expect(users[0]).toMatchObject({
        userId: 1,
        gender: 'F',
        age: 1,
        occupation: 'K-12 student',
        zip: '48067',
      });
    },
  );
});
