import { describe, expect, it } from 'vitest';
import { detect } from '../../../src/core/data/detect.ts';
import { WrenError } from '../../../src/core/errors.ts';

function err(fn: () => unknown): WrenError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WrenError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('detect', () => {
  it.each([
    ['ml-25m/ratings.csv', 'userId,movieId,rating,timestamp', 'ml-csv', 'ratings', true],
    ['movies.csv', 'movieId,title,genres', 'ml-csv', 'movies', true],
    ['tags.csv', 'userId,movieId,tag,timestamp', 'ml-csv', 'tags', true],
    ['links.csv', 'movieId,imdbId,tmdbId', 'ml-csv', 'links', true],
    ['my ratings export.txt', 'userId,movieId,rating,timestamp', 'ml-csv', 'ratings', true],
    ['ml-1m/ratings.dat', '1::1193::5::978300760', 'ml-dat', 'ratings', false],
    ['ml-10M100K/ratings.dat', '1::122::5::838985046', 'ml-dat', 'ratings', false],
    [
      'ml-1m/movies.dat',
      "1::Toy Story (1995)::Animation|Children's|Comedy",
      'ml-dat',
      'movies',
      false,
    ],
    ['ml-1m/users.dat', '1::F::1::10::48067', 'ml-dat', 'users', false],
    ['ml-10M100K/tags.dat', '15::4973::excellent!::1215184630', 'ml-dat', 'tags', false],
    ['tags.dat', '15::4973::5::1215184630', 'ml-dat', 'tags', false],
    ['whatever.dat', '15::4973::excellent!::1215184630', 'ml-dat', 'tags', false],
    ['ml-100k/u.data', '196\t242\t3\t881250949', 'ml-100k', 'ratings', false],
    [
      'ml-100k/u.item',
      '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0',
      'ml-100k',
      'movies',
      false,
    ],
    ['ml-100k/u.user', '1|24|M|technician|85711', 'ml-100k', 'users', false],
    ['ml-100k/u.genre', 'unknown|0', 'ml-100k', 'genres', false],
    ['movies.csv', 'userId,movieId,rating,timestamp', 'ml-csv', 'ratings', true],
  ])('%s starting %j is %s %s', (name, first, family, role, header) => {
    expect(detect(name, first)).toEqual({ family, role, header });
  });

  it.each([
    ['ml-100k/README', 'SUMMARY & USAGE LICENSE'],
    ['ml-100k/u1.base', '1\t1\t5\t874965758'],
    ['ml-100k/ua.test', '1\t20\t4\t887431883'],
    ['ml-100k/u.info', '943 users'],
    ['ml-100k/u.occupation', 'administrator'],
    ['ml-25m/genome-scores.csv', 'movieId,tagId,relevance'],
    ['ml-25m/genome-tags.csv', 'tagId,tag'],
    ['notes.txt', null],
    ['links.csv', null],
  ])('ignores %s', (name, first) => {
    expect(detect(name, first)).toBeNull();
  });

  it('names the file, the expected and the found header for a CSV with a wrong header', () => {
    const e = err(() => detect('ml-latest/ratings.csv', 'user,item,rating,ts'));
    expect(e.code).toBe('bad-header');
    expect(e.message).toBe(
      'ratings.csv line 1: expected the header "userId,movieId,rating,timestamp", found "user,item,rating,ts".',
    );
    expect(e.file).toBe('ratings.csv');
    expect(err(() => detect('movies.csv', '1,Toy Story (1995),Comedy')).code).toBe('bad-header');
  });

  it('says what layout a known headerless file should have', () => {
    const e = err(() => detect('ml-1m/ratings.dat', '1,1193,5,978300760'));
    expect(e.code).toBe('bad-header');
    expect(e.message).toContain(
      'ratings.dat line 1: expected lines like "UserID::MovieID::Rating::Timestamp"',
    );
  });

  it('calls an empty ratings or movies file empty', () => {
    const e = err(() => detect('ml-25m/ratings.csv', null));
    expect(e.code).toBe('empty-file');
    expect(e.message).toBe('ratings.csv is empty.');
    expect(err(() => detect('u.item', null)).code).toBe('empty-file');
  });
});
