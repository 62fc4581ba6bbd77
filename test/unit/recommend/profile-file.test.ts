import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import {
  MAX_PROFILE_BYTES,
  MAX_PROFILE_ENTRIES,
  parseProfileFile,
  readProfileFile,
  serializeProfile,
} from '../../../src/core/recommend/profile-file.ts';
import type { IdFamily, Profile, ProfileMark } from '../../../src/core/recommend/profile.ts';

const profile: Profile = {
  ratings: [
    { movieId: 1, title: 'Toy Story (1995)', ids: 'movielens', rating: 4.5, at: 1_700_000_000_000 },
    { movieId: 50, title: 'Star Wars (1977)', ids: 'ml-100k', rating: 0.5, at: 1_700_000_100_000 },
  ],
  notInterested: [{ movieId: 2, title: 'Jumanji (1995)', ids: 'movielens', at: 5 }],
  watchlist: [{ movieId: 9, title: 'Amélie "quoted" \\ (2001)', ids: 'movielens', at: 6 }],
};

/** The text of a file with `patch` applied to a valid one. */
function file(patch: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...JSON.parse(serializeProfile(profile, 0)), ...patch });
}

const rating = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  movieId: 1,
  title: 'Toy Story (1995)',
  ids: 'movielens',
  rating: 4,
  at: 10,
  ...over,
});

/** The WrenError `parseProfileFile(text)` throws. */
function errorOf(text: string): WrenError {
  try {
    parseProfileFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(WrenError);
    expect((e as WrenError).code).toBe('invalid-data');
    return e as WrenError;
  }
  throw new Error('parseProfileFile accepted the file');
}

describe('serializeProfile', () => {
  it('writes the format header, the export time and the three lists', () => {
    const text = serializeProfile(profile, Date.UTC(2024, 0, 2, 3, 4, 5));
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json.format).toBe('wren-profile');
    expect(json.version).toBe(1);
    expect(json.exportedAt).toBe('2024-01-02T03:04:05.000Z');
    expect(json.ratings).toEqual(profile.ratings);
    expect(json.notInterested).toEqual(profile.notInterested);
    expect(json.watchlist).toEqual(profile.watchlist);
    // Readable: one entry per line.
    expect(text.split('\n')).toContain(`    ${JSON.stringify(profile.ratings[0])},`);
  });

  it('writes only the profile fields of each entry', () => {
    const extra = { ...profile.notInterested[0]!, kind: 'not-interested', secret: 1 };
    const text = serializeProfile({ ratings: [], notInterested: [extra], watchlist: [] });
    expect(parseProfileFile(text).notInterested).toEqual(profile.notInterested);
    expect(text).not.toContain('secret');
  });

  it('writes empty lists as []', () => {
    const text = serializeProfile({ ratings: [], notInterested: [], watchlist: [] }, 0);
    expect(JSON.parse(text)).toEqual({
      format: 'wren-profile',
      version: 1,
      exportedAt: '1970-01-01T00:00:00.000Z',
      ratings: [],
      notInterested: [],
      watchlist: [],
    });
  });
});

describe('parseProfileFile', () => {
  it('reads back what serializeProfile wrote', () => {
    expect(parseProfileFile(serializeProfile(profile))).toEqual(profile);
  });

  it('keeps the later of duplicate entries, whatever their order in the file', () => {
    const text = file({
      ratings: [
        rating({ rating: 2, at: 300 }),
        rating({ movieId: 2, title: 'Jumanji (1995)', at: 100 }),
        rating({ rating: 5, at: 200 }),
        // Same movieId in another id family: another movie.
        rating({ ids: 'ml-100k', rating: 1, at: 50 }),
      ],
      watchlist: [
        { movieId: 3, title: 'Old name (1995)', ids: 'movielens', at: 1 },
        { movieId: 3, title: 'New name (1995)', ids: 'movielens', at: 2 },
      ],
    });
    const p = parseProfileFile(text);
    expect(p.ratings.map((r) => [r.ids, r.movieId, r.rating])).toEqual([
      ['movielens', 1, 2],
      ['movielens', 2, 4],
      ['ml-100k', 1, 1],
    ]);
    expect(p.watchlist.map((m) => m.title)).toEqual(['New name (1995)']);
  });

  it('lets the later in the file win a tie', () => {
    const p = parseProfileFile(file({ ratings: [rating({ rating: 1 }), rating({ rating: 3 })] }));
    expect(p.ratings.map((r) => r.rating)).toEqual([3]);
  });

  it('ignores fields it does not know', () => {
    const p = parseProfileFile(file({ app: 'wren 0.1', ratings: [rating({ note: 'hi' })] }));
    expect(p.ratings).toEqual([rating()]);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['an empty file', '', /not JSON/],
    ['a JSON list', '[]', /Not a Wren profile.*found a list/],
    ['a missing format', JSON.stringify({ version: 1 }), /Not a Wren profile.*"format" is missing/],
    ['a wrong format', file({ format: 'letterboxd' }), /Not a Wren profile.*"letterboxd"/],
    ['a newer version', file({ version: 2 }), /newer version of Wren.*file version 2/],
    ['a missing version', file({ version: undefined }), /"version" must be a whole number/],
    ['a text version', file({ version: '1' }), /"version" must be.*found the text "1"/],
    [
      'a list that is not a list',
      file({ ratings: {} }),
      /"ratings" must be a list, found an object/,
    ],
    ['a missing list', file({ watchlist: undefined }), /"watchlist" must be a list/],
    ['a numeric exportedAt', file({ exportedAt: 5 }), /"exportedAt" must be a date string/],
  ])('rejects %s', (_, text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });

  it.each([
    [{ rating: 7 }, 'ratings[3]: rating 7 is not 0.5–5 in half steps'],
    [{ rating: 3.25 }, 'ratings[3]: rating 3.25 is not 0.5–5 in half steps'],
    [{ rating: 0 }, 'ratings[3]: rating 0 is not 0.5–5 in half steps'],
    [{ rating: '4' }, 'ratings[3]: "rating" must be a number, found the text "4"'],
    [{ rating: undefined }, 'ratings[3]: "rating" must be a number, found nothing'],
    [{ title: undefined }, 'ratings[3]: "title" is missing'],
    [{ title: '  ' }, 'ratings[3]: "title" must be a non-empty string'],
    [{ title: 12 }, 'ratings[3]: "title" must be a non-empty string, found 12'],
    [{ movieId: undefined }, 'ratings[3]: "movieId" is missing'],
    [{ movieId: 1.5 }, 'ratings[3]: "movieId" must be a positive whole number, found 1.5'],
    [{ movieId: 0 }, 'ratings[3]: "movieId" must be a positive whole number'],
    [{ ids: 'imdb' }, 'ratings[3]: unknown id family: "ids" is the text "imdb"'],
    [{ ids: undefined }, 'ratings[3]: unknown id family: "ids" is missing'],
    [{ at: -1 }, 'ratings[3]: "at" must be a time in ms since 1970, found -1'],
    [{ at: null }, 'ratings[3]: "at" must be a time in ms since 1970, found null'],
  ])('names the entry and the problem: %o', (over, message) => {
    const ratings = [rating(), rating({ movieId: 2 }), rating({ movieId: 3 }), rating(over)];
    expect(errorOf(file({ ratings })).message).toContain(message);
  });

  it('checks marks too, naming their list', () => {
    const bad = { movieId: 4, title: 'x', ids: 'ml-10m', at: 1 };
    expect(errorOf(file({ watchlist: [bad] })).message).toContain(
      'watchlist[0]: unknown id family',
    );
    expect(errorOf(file({ notInterested: [1, 2] })).message).toContain(
      'notInterested[0] must be an object, found 1',
    );
  });

  it('rejects files over 10 MB and over 100,000 entries', () => {
    const big = file({ padding: 'x'.repeat(10 * 1024 * 1024) });
    expect(errorOf(big).message).toMatch(/10\.0 MB; a Wren profile is at most 10 MB/);
    const mark = { movieId: 1, title: 'T', ids: 'movielens', at: 1 };
    const many = file({ watchlist: new Array<unknown>(MAX_PROFILE_ENTRIES).fill(mark) });
    expect(errorOf(many).message).toMatch(/100,003 entries.*at most 100,000/);
    // At the limit it is accepted.
    const atLimit = file({ watchlist: new Array<unknown>(MAX_PROFILE_ENTRIES - 3).fill(mark) });
    expect(parseProfileFile(atLimit).watchlist).toEqual([mark]);
  });
});

describe('readProfileFile', () => {
  /** A File-like object of `size` bytes whose text() counts its calls, or throws. */
  function fakeFile(size: number, text: string | null) {
    const f = {
      size,
      reads: 0,
      text(): Promise<string> {
        f.reads++;
        if (text === null) throw new Error('read a file that should not have been read');
        return Promise.resolve(text);
      },
    };
    return f;
  }

  it('says a 700 MB file is too big without reading it', async () => {
    const huge = fakeFile(700 * 1024 * 1024, null);
    const err = await readProfileFile(huge).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WrenError);
    expect((err as WrenError).code).toBe('invalid-data');
    expect((err as WrenError).message).toBe(
      'The file is 700.0 MB; a Wren profile is at most 10 MB.',
    );
    expect(huge.reads).toBe(0);
  });

  it('refuses unread anything over the byte bound, and reads up to it', async () => {
    const over = fakeFile(MAX_PROFILE_BYTES + 1, null);
    await expect(readProfileFile(over)).rejects.toThrow(/a Wren profile is at most 10 MB/);
    expect(over.reads).toBe(0);
    // At the bound the file is read, and its text then measured in characters.
    const text = file();
    const atBound = fakeFile(MAX_PROFILE_BYTES, text);
    expect(await readProfileFile(atBound)).toEqual(parseProfileFile(text));
    expect(atBound.reads).toBe(1);
  });

  it('reads a real File and reports what parseProfileFile reports', async () => {
    const good = new File([file()], 'me.json', { type: 'application/json' });
    expect((await readProfileFile(good)).watchlist).toEqual(profile.watchlist);
    const bad = new File(['{"format": 1'], 'broken.json');
    await expect(readProfileFile(bad)).rejects.toThrow(/Not a Wren profile: the file is not JSON/);
  });
});

describe('round trip', () => {
  const family = fc.constantFrom<IdFamily>('movielens', 'ml-100k');
  const title = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .filter((t) => t.trim() !== '');
  const entry = fc.record({
    movieId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    title,
    ids: family,
    at: fc.oneof(fc.nat(), fc.double({ min: 0, max: 4e12, noNaN: true })),
  });
  /** Entries with distinct movies, as a profile holds them. */
  const list = <T extends ProfileMark>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
    fc.uniqueArray(arb, { selector: (x) => `${x.ids}:${x.movieId}`, maxLength: 30 });
  const profiles: fc.Arbitrary<Profile> = fc.record({
    ratings: list(
      fc
        .tuple(entry, fc.integer({ min: 1, max: 10 }))
        .map(([e, half]) => ({ ...e, rating: half / 2 })),
    ),
    notInterested: list(entry),
    watchlist: list(entry),
  });

  it('gives back any valid profile', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 0, max: 4e12 }), (p, now) => {
        expect(parseProfileFile(serializeProfile(p, now))).toEqual(p);
      }),
    );
  });
});
