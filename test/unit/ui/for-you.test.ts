/** The movie page's explanation of a predicted rating, in each of its cases; stored For You settings read back safely. */
import { describe, expect, it } from 'vitest';
import { predictionText, readOptions } from '../../../src/ui/lib/for-you.ts';
import type { ForYouOptions, MovieForYou } from '../../../workers/recommend-protocol.ts';

const base: MovieForYou = {
  movie: 1,
  yourRating: null,
  rated: 8,
  predicted: 4.3,
  movieBaseline: 3.9,
  yourOffset: 0.25,
  neighbourPull: 0.16,
  neighbours: [
    { movie: 2, similarity: 0.9, rating: 5 },
    { movie: 3, similarity: 0.8, rating: 4.5 },
    { movie: 4, similarity: 0.7, rating: 4 },
    { movie: 5, similarity: 0.6, rating: 4 },
  ],
  embedding: 'Item2Vec 32-d',
  because: [],
};

describe('predictionText', () => {
  it('gives the baseline, your offset with its sign, and the neighbours’ pull with three of their names', () => {
    const t = predictionText(base, ['Heat', 'Alien', 'Fargo', 'Brazil']);
    expect(t[0]).toContain('3.9 ★');
    expect(t[1]).toBe('You rate 0.3 ★ above the baselines: +0.3.');
    expect(t[2]).toBe('Movies like it that you rated (Heat, Alien, Fargo…) move it +0.2.');
  });

  it('says "below" and a minus sign for a harsh rater, and "about as everyone" near zero', () => {
    expect(predictionText({ ...base, yourOffset: -0.62 }, ['Heat'])[1]).toBe(
      'You rate 0.6 ★ below the baselines: −0.6.',
    );
    expect(predictionText({ ...base, yourOffset: 0.01 }, ['Heat'])[1]).toBe(
      'You rate about as everyone does.',
    );
  });

  it('asks for ratings when there are none besides this movie, and for an embedding when there is none', () => {
    expect(predictionText({ ...base, rated: 0 }, [])).toHaveLength(2);
    expect(predictionText({ ...base, rated: 1, yourRating: 4 }, [])[1]).toMatch(/Rate a few/);
    expect(predictionText({ ...base, embedding: null, neighbours: [] }, [])[2]).toMatch(/Lab/);
    expect(predictionText({ ...base, neighbours: [] }, [])[2]).toBe(
      'None of the movies you rated is close to it in Item2Vec 32-d.',
    );
  });
});

describe('readOptions', () => {
  const defaults: ForYouOptions = {
    k: 20,
    diversity: 0.3,
    freshness: 0,
    sizes: { popular: 50, 'top-rated': 50, genre: 100, embedding: 100, because: 100, tower: 100 },
  };

  it('takes the valid stored fields over the defaults', () => {
    const o = readOptions(
      JSON.stringify({ diversity: 0.7, freshness: 0.2, sizes: { popular: 0 }, ranker: 'm-1' }),
      defaults,
    );
    expect(o).toEqual({
      ...defaults,
      diversity: 0.7,
      freshness: 0.2,
      sizes: { ...defaults.sizes, popular: 0 },
      ranker: 'm-1',
    });
  });

  it('ignores what is damaged or out of range, field by field', () => {
    expect(readOptions(null, defaults)).toEqual(defaults);
    expect(readOptions('{not json', defaults)).toEqual(defaults);
    expect(readOptions('42', defaults)).toEqual(defaults);
    const o = readOptions(
      JSON.stringify({
        diversity: 3,
        freshness: 'high',
        sizes: { popular: -1, genre: 2.5, because: 5000, embedding: 40 },
        ranker: '',
        k: 1e9,
      }),
      defaults,
    );
    expect(o).toEqual({ ...defaults, sizes: { ...defaults.sizes, embedding: 40 } });
  });
});
