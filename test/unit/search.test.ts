import { DATASETS, genuine } from '../genuine.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSearchIndex,
  displayTitle,
  normalize,
  prefixWithinOneEdit,
  search,
  splitTitle,
  tokenize,
} from '../../src/core/search.ts';

const datasets = DATASETS;
const smallDir = path.join(datasets, 'ml-latest-small');
const haveSmall = genuine('ml-latest-small/movies.csv');

describe('splitTitle / displayTitle', () => {
  it('moves a trailing article to the front and separates the year', () => {
    expect(splitTitle('American President, The (1995)')).toEqual({
      name: 'The American President',
      year: 1995,
    });
    expect(splitTitle('Matrix, The (1999)')).toEqual({ name: 'The Matrix', year: 1999 });
    expect(displayTitle('Pallbearer, A (1996)')).toBe('A Pallbearer');
  });

  it('fixes articles inside alternate titles and keeps other commas', () => {
    expect(splitTitle('City of Lost Children, The (Cité des enfants perdus, La) (1995)')).toEqual({
      name: 'The City of Lost Children (La Cité des enfants perdus)',
      year: 1995,
    });
    expect(displayTitle("Avventura, L' (Adventure, The) (1960)")).toBe(
      "L'Avventura (The Adventure)",
    );
    expect(displayTitle('Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)')).toBe(
      'Crouching Tiger, Hidden Dragon (Wo hu cang long)',
    );
    expect(displayTitle('Sex, Lies, and Videotape (1989)')).toBe('Sex, Lies, and Videotape');
  });

  it('handles titles without a year and year ranges', () => {
    expect(splitTitle('Babylon 5')).toEqual({ name: 'Babylon 5', year: null });
    expect(splitTitle('Seven (a.k.a. Se7en) (1995)')).toEqual({
      name: 'Seven (a.k.a. Se7en)',
      year: 1995,
    });
    expect(splitTitle('Fawlty Towers (1975-1979)')).toEqual({ name: 'Fawlty Towers', year: 1975 });
  });
});

describe('normalize / tokenize', () => {
  it('drops case, diacritics and apostrophes', () => {
    expect(normalize('Amélie')).toBe('amelie');
    expect(normalize("Schindler's")).toBe('schindlers');
    expect(tokenize('  Léon: The  Professional! ')).toEqual(['leon', 'the', 'professional']);
    expect(tokenize('Spider-Man')).toEqual(['spider', 'man']);
  });
});

describe('prefixWithinOneEdit', () => {
  it('accepts one substitution, insertion, deletion or swap before the end of the query', () => {
    expect(prefixWithinOneEdit('matrix', 'matrix')).toBe(true);
    expect(prefixWithinOneEdit('matr', 'matrix')).toBe(true);
    expect(prefixWithinOneEdit('matrux', 'matrix')).toBe(true); // substitution
    expect(prefixWithinOneEdit('matrrix', 'matrix')).toBe(true); // extra letter
    expect(prefixWithinOneEdit('matix', 'matrix')).toBe(true); // missing letter
    expect(prefixWithinOneEdit('mtarix', 'matrix')).toBe(true); // swap
    expect(prefixWithinOneEdit('godfahter', 'godfather')).toBe(true);
    expect(prefixWithinOneEdit('godfathre', 'godfather')).toBe(true);
  });

  it('rejects two edits', () => {
    expect(prefixWithinOneEdit('mtrux', 'matrix')).toBe(false);
    expect(prefixWithinOneEdit('xatrux', 'matrix')).toBe(false);
    expect(prefixWithinOneEdit('matrixes', 'matrix')).toBe(false);
  });
});

const TITLES = [
  'Matrix, The (1999)', // 0
  'Matrix Reloaded, The (2003)', // 1
  'Animatrix, The (2003)', // 2
  "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", // 3
  'Spider-Man (2002)', // 4
  "Schindler's List (1993)", // 5
  'Godfather, The (1972)', // 6
  'Godfather: Part II, The (1974)', // 7
  "Avventura, L' (Adventure, The) (1960)", // 8
  'American President, The (1995)', // 9
  'Star Wars: Episode IV - A New Hope (1977)', // 10
  'Star Trek: Generations (1994)', // 11
  'Lone Star (1996)', // 12
];
const POP = [278, 300, 10, 120, 120, 220, 190, 130, 5, 40, 250, 60, 30];

describe('search', () => {
  const index = buildSearchIndex(TITLES, POP);
  const ids = (q: string, limit?: number): number[] => search(index, q, limit).map((h) => h.id);

  it('matches "the matrix" to "Matrix, The" first, even when a sequel is more popular', () => {
    expect(POP[1]!).toBeGreaterThan(POP[0]!);
    expect(ids('the matrix')).toEqual([0, 1]);
    expect(ids('Matrix')).toEqual([0, 1]);
  });

  it('matches word prefixes in any order, not the middle of words', () => {
    expect(ids('matr')).toEqual([1, 0]); // same quality: popularity decides
    expect(ids('reloaded matrix')).toEqual([1]);
    expect(ids('trix')).toEqual([]); // 'Animatrix' has it mid-word
  });

  it('requires every query word', () => {
    expect(ids('matrix godfather')).toEqual([]);
    expect(ids('godfather part')).toEqual([7]);
  });

  it('ignores case, diacritics, apostrophes and hyphens', () => {
    expect(ids('AMÉLIE')).toEqual([3]);
    expect(ids('amelie')).toEqual([3]);
    expect(ids('poulain')).toEqual([3]);
    for (const q of ['spiderman', 'spider man', 'Spider-Man', 'spider'])
      expect(ids(q), q).toEqual([4]);
    expect(ids("schindler's list")).toEqual([5]);
    expect(ids('schindlers')).toEqual([5]);
    expect(ids('avventura')).toEqual([8]);
    expect(ids("l'avventura")).toEqual([8]);
  });

  it('tolerates one typo in words of five letters or more', () => {
    expect(ids('godfahter')).toEqual([6, 7]);
    expect(ids('matix')).toEqual([1, 0]); // both one typo away: popularity decides
    expect(ids('amercan presdent')).toEqual([9]);
    expect(ids('mtrx')).toEqual([]); // too short for a typo, and two edits away
    expect(ids('stor')).toEqual([]); // four letters: no typo allowed
  });

  it('ranks exact words above prefixes and prefixes above typos', () => {
    // "star" is an exact word of 10, 11 and 12; title start beats popularity.
    const star = search(index, 'star');
    expect(star.map((h) => h.id)).toEqual([10, 11, 12]);
    expect(star[0]!.score).toBeGreaterThan(star[2]!.score);
    // "godfather" exact beats "godfathers" one-typo candidates; prefix "godf" beats nothing.
    const exact = search(index, 'godfather')[0]!.score;
    const typo = search(index, 'godfathre')[0]!.score;
    expect(exact).toBeGreaterThan(typo);
  });

  it('returns nothing for an empty query and honours the limit', () => {
    expect(ids('')).toEqual([]);
    expect(ids('  ,; ')).toEqual([]);
    expect(ids('star', 2)).toEqual([10, 11]);
  });

  it('searches 62,000 generated titles in a few milliseconds (reported, not asserted)', () => {
    const titles = generatedTitles(62_000, 7);
    const pop = Int32Array.from(titles, (_, i) => (i * 7919) % 1000);
    const t0 = performance.now();
    const big = buildSearchIndex(titles, pop);
    const buildMs = performance.now() - t0;
    const queries = [
      'the',
      'a',
      'ka',
      'kalo',
      'kalomi',
      'kalomi ve',
      'tesanu',
      'zorimo bekar',
      'x',
    ];
    for (let r = 0; r < 20; r++) for (const q of queries) search(big, q, 8); // warm up the JIT
    const times: string[] = [];
    let found = 0;
    for (const q of queries) {
      const s = performance.now();
      for (let r = 0; r < 5; r++) found += search(big, q, 8).length;
      times.push(`${q}: ${((performance.now() - s) / 5).toFixed(2)} ms`);
    }
    expect(found).toBeGreaterThan(0);
    console.log(`search: built 62,000 titles in ${buildMs.toFixed(0)} ms; ${times.join(', ')}`);
  });
});

describe.skipIf(!haveSmall)('search on ml-latest-small titles', () => {
  it('finds well-known movies first', () => {
    const { titles, pop } = loadSmall();
    const index = buildSearchIndex(titles, pop);
    const top = (q: string): string => titles[search(index, q, 1)[0]!.id]!;
    expect(top('american president')).toBe('American President, The (1995)');
    expect(top('the american president')).toBe('American President, The (1995)');
    expect(top('the matrix')).toBe('Matrix, The (1999)');
    expect(top('matrix')).toBe('Matrix, The (1999)');
    expect(top('shawshank')).toBe('Shawshank Redemption, The (1994)');
    expect(top('amelie')).toMatch(/^Amelie/);
    expect(top('godfather')).toBe('Godfather, The (1972)');
    expect(top('star wars')).toMatch(/^Star Wars: Episode/);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) search(index, 'the', 8);
    console.log(`search: ml-latest-small "the" ${((performance.now() - t0) / 20).toFixed(2)} ms`);
  });
});

/** Deterministic pseudo-titles from a 3,000-word made-up vocabulary. */
function generatedTitles(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const syll = [
    'ka',
    'lo',
    'mi',
    've',
    'te',
    'sa',
    'nu',
    'zo',
    'ri',
    'mo',
    'be',
    'kar',
    'dan',
    'el',
  ];
  const vocab = Array.from({ length: 3000 }, () => {
    let w = '';
    for (let k = 1 + Math.floor(rnd() * 3); k >= 0; k--) w += syll[Math.floor(rnd() * syll.length)];
    return w;
  });
  return Array.from({ length: n }, () => {
    const words = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
      const w = vocab[Math.floor(rnd() ** 2 * vocab.length)]!;
      return w[0]!.toUpperCase() + w.slice(1);
    });
    const name = words.join(' ');
    const article = rnd() < 0.2 ? ', The' : '';
    return `${name}${article} (${1900 + Math.floor(rnd() * 120)})`;
  });
}

/** Titles and rating counts of ml-latest-small, in movies.csv order. */
function loadSmall(): { titles: string[]; pop: Int32Array } {
  const movies = readFileSync(path.join(smallDir, 'movies.csv'), 'utf8').split(/\r?\n/).slice(1);
  const titles: string[] = [];
  const ids: number[] = [];
  for (const line of movies) {
    if (!line) continue;
    const comma = line.indexOf(',');
    const last = line.lastIndexOf(',');
    let title = line.slice(comma + 1, last);
    if (title.startsWith('"')) title = title.slice(1, -1).replace(/""/g, '"');
    ids.push(Number(line.slice(0, comma)));
    titles.push(title);
  }
  const at = new Map(ids.map((id, i) => [id, i]));
  const pop = new Int32Array(titles.length);
  const ratings = readFileSync(path.join(smallDir, 'ratings.csv'), 'utf8').split(/\r?\n/).slice(1);
  for (const line of ratings) {
    if (!line) continue;
    const i = at.get(Number(line.split(',')[1]));
    if (i !== undefined) pop[i]!++;
  }
  return { titles, pop };
}
