/**
 * For You's words: the list's sentence in plain words at every stage and for
 * every kind of ranker; the movie page's explanation of a predicted rating,
 * in each of its cases; stored For You settings read back safely.
 */
import { describe, expect, it } from 'vitest';
import {
  GEM_RATINGS,
  plainTitle,
  predictionText,
  readOptions,
  stageText,
} from '../../../src/ui/lib/for-you.ts';
import type {
  ForYouOptions,
  ForYouResult,
  MovieForYou,
} from '../../../workers/recommend-protocol.ts';

/** A list's description; the items do not matter to its sentence. */
function result(over: Partial<ForYouResult>): ForYouResult {
  return {
    items: [],
    stage: 'model',
    ranker: 'ease',
    rankerTitle: 'EASE',
    perChannel: {
      model: 0,
      next: 0,
      because: 10,
      embedding: 10,
      genre: 10,
      popular: 10,
      'top-rated': 10,
      tower: 0,
    },
    candidates: 50,
    ms: { recall: 1, rank: 1, rerank: 1, total: 3 },
    rated: 7,
    liked: 6,
    unmatched: 0,
    embedding: 'Item2Vec 32-d',
    rankers: [],
    choice: 'auto',
    ...over,
  };
}

const ctx = { wanted: 5, datasetRatings: 100_836 };
/** Words that belong in the "How this list was made" panel, not in the sentence. */
const JARGON = /fus|channel|fold|vector|logit|cosine|recall|rank(?:er|ing)\b|ROC|NDCG|\(/i;

describe('stageText', () => {
  it('says a stored model picked the list from your ratings and what it learned from', () => {
    const t = stageText(result({}), ctx);
    expect(t).toBe('Picked for you from your 7 ratings by EASE, learned from 100,836 ratings.');
    expect(stageText(result({ rated: 1, liked: 1 }), ctx)).toContain('your 1 rating by');
  });

  it('names the automatically built ranker by its title and says where it learned', () => {
    const t = stageText(
      result({ ranker: 'personal', rankerTitle: 'EASE, built automatically' }),
      ctx,
    );
    expect(t).toMatch(/^Picked for you from your 7 ratings by EASE, built automatically/);
    expect(t).toContain('100,836 ratings');
    expect(t).toContain('on this device');
  });

  it('describes the embedding by the movies you liked, and a CTR model without its figures', () => {
    const e = stageText(result({ ranker: 'embedding', rankerTitle: 'Embedding similarity' }), ctx);
    expect(e).toMatch(/^Picked for you: the movies most like the 6 movies you liked/);
    const c = stageText(
      result({ ranker: 'lr', rankerTitle: 'Logistic regression (ROC-AUC 0.712)' }),
      ctx,
    );
    // The CTR e2e test (test/e2e/ctr-ranker.test.ts) reads "Ranked by Logistic regression…".
    expect(c).toMatch(/^Ranked by Logistic regression: the movies you are most likely to enjoy/);
    expect(c).toContain('your 7 ratings');
    expect(c).not.toContain('ROC-AUC');
    expect(plainTitle('GMF (NDCG@10 0.400)')).toBe('GMF');
    expect(plainTitle('EASE, built automatically')).toBe('EASE, built automatically');
  });

  it('speaks of liked movies among popular and highly rated ones before a ranker takes over', () => {
    const few = stageText(
      result({ stage: 'fusion', ranker: 'fusion', rankerTitle: 'Channel fusion', liked: 3 }),
      ctx,
    );
    expect(few).toMatch(
      /^Picked for you from the 3 movies you liked, among popular and highly rated ones/,
    );
    const chosen = stageText(
      result({ stage: 'fusion', ranker: 'fusion', choice: 'fusion', liked: 6 }),
      ctx,
    );
    expect(chosen).toMatch(/6 movies you liked.*as you chose\.$/);
    const noModel = stageText(result({ stage: 'fusion', ranker: 'fusion', liked: 6 }), ctx);
    expect(noModel).toBe(
      'Picked for you from the 6 movies you liked, among popular and highly rated ones.',
    );
    // Only dislikes so far: your ratings, not "movies you liked".
    const none = stageText(result({ stage: 'fusion', ranker: 'fusion', rated: 2, liked: 0 }), ctx);
    expect(none).toMatch(/^Picked for you from your 2 ratings/);
    expect(none).not.toMatch(/you liked,/);
  });

  it('welcomes a new person without ratings', () => {
    const t = stageText(result({ stage: 'cold', ranker: 'fusion', rated: 0, liked: 0 }), ctx);
    expect(t).toMatch(/^Nothing rated yet: popular and highly rated movies across genres/);
  });

  it('keeps the jargon for the panel at every stage and with every ranker', () => {
    const lists = [
      result({}),
      result({ ranker: 'personal', rankerTitle: 'EASE, built automatically' }),
      result({ ranker: 'embedding', rankerTitle: 'Embedding similarity' }),
      result({ ranker: 'din', rankerTitle: 'DIN (ROC-AUC 0.730)' }),
      result({ ranker: 'two-tower', rankerTitle: 'Two-tower' }),
      result({ stage: 'fusion', ranker: 'fusion', rankerTitle: 'Channel fusion', liked: 2 }),
      result({
        stage: 'fusion',
        ranker: 'fusion',
        rankerTitle: 'Channel fusion',
        choice: 'fusion',
      }),
      result({ stage: 'fusion', ranker: 'fusion', rankerTitle: 'Channel fusion', liked: 0 }),
      result({ stage: 'cold', ranker: 'fusion', rankerTitle: 'Channel fusion', rated: 0 }),
    ];
    for (const r of lists) {
      const t = stageText(r, ctx);
      expect(t, t).not.toMatch(JARGON);
      expect(t.length, t).toBeLessThan(140);
    }
  });
});

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
    sizes: {
      model: 100,
      next: 200,
      popular: 50,
      'top-rated': 50,
      genre: 100,
      embedding: 100,
      because: 100,
      tower: 100,
    },
    minRatings: GEM_RATINGS,
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
        minRatings: -3,
        k: 1e9,
      }),
      defaults,
    );
    expect(o).toEqual({ ...defaults, sizes: { ...defaults.sizes, embedding: 40 } });
  });

  it('reads an entry from before "hidden gems" with the default minimum of 10 ratings', () => {
    expect(GEM_RATINGS).toBe(10);
    const old = JSON.stringify({ diversity: 0.5, freshness: 0, sizes: {}, ranker: 'auto' });
    expect(readOptions(old, defaults).minRatings).toBe(10);
  });

  it('keeps hidden gems on (0) and a whole minimum, and refuses a fraction or a string', () => {
    expect(readOptions(JSON.stringify({ minRatings: 0 }), defaults).minRatings).toBe(0);
    expect(readOptions(JSON.stringify({ minRatings: 10 }), defaults).minRatings).toBe(10);
    expect(readOptions(JSON.stringify({ minRatings: 2.5 }), defaults).minRatings).toBe(10);
    expect(readOptions(JSON.stringify({ minRatings: '0' }), defaults).minRatings).toBe(10);
  });
});
