/**
 * The caps that bound an embedding run at scale: the automatic build's epoch
 * budget (fewer passes over a large corpus, none below it) and the seeded
 * sample of users the next-item figures are computed on (all users below it),
 * and the words that say when either applied.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import type { Dataset } from '../../../src/core/data/types.ts';
import {
  embedInput,
  AUTO_EPOCH_BUDGET,
  budgetedEpochs,
  DEFAULT_EMBED_SETTINGS,
  embedCapNotes,
  EVAL_MAX_USERS,
  evaluateEmbedding,
  sampleSplit,
  trainEmbedding,
  type EmbedInput,
  type EmbedSettings,
} from '../../../src/core/embeddings/embed.ts';
import { GENSIM_REFERENCE } from '../../../src/core/embeddings/sgns.ts';
import { wasmKernel } from '../../../src/core/embeddings/sgns-wasm.ts';
import { normalizeRows } from '../../../src/core/embeddings/topk.ts';
import { evaluateNextItem, nextItemSplit, cosineScorer } from '../../../src/core/eval/next-item.ts';
import { Random } from '../../../src/core/random.ts';

function inputOf(ds: Dataset): EmbedInput {
  return embedInput(ds.ratings, ds.movies, ds.genres);
}

const QUICK: EmbedSettings = {
  ...GENSIM_REFERENCE,
  dim: 8,
  epochs: 6,
  method: 'item2vec',
  numWalks: 10,
  walkLength: 10,
  walkStart: 'frequency',
  p: 1,
  q: 1,
};

describe('budgetedEpochs', () => {
  const asked = DEFAULT_EMBED_SETTINGS.epochs;

  it('keeps the asked epochs on the corpora the tests and the small datasets have', () => {
    // ml-latest-small: about 48k liked ratings; ml-1m: about 575k; the 1M generated shape: 588k.
    for (const tokens of [1, 48_000, 575_000, 588_257]) {
      expect(budgetedEpochs(asked, tokens, AUTO_EPOCH_BUDGET)).toBe(asked);
    }
    // The largest corpus that still trains every epoch asked (ceil(budget / tokens) > asked - 1).
    const edge = Math.ceil(AUTO_EPOCH_BUDGET.tokenEpochs / (asked - 1)) - 1;
    expect(budgetedEpochs(asked, edge, AUTO_EPOCH_BUDGET)).toBe(asked);
    expect(budgetedEpochs(asked, edge + 1, AUTO_EPOCH_BUDGET)).toBe(asked - 1);
  });

  it('gives a large corpus fewer epochs, never fewer than the floor', () => {
    const b = { tokenEpochs: 40_000_000, minEpochs: 5 };
    expect(budgetedEpochs(15, 5_956_478, b)).toBe(7); // ceil(6.7)
    expect(budgetedEpochs(15, 14_902_092, b)).toBe(5); // ceil(2.7), floored at 5
    expect(budgetedEpochs(15, 1e9, b)).toBe(5);
    // Fewer epochs asked than the floor: the settings stand.
    expect(budgetedEpochs(3, 14_902_092, b)).toBe(3);
    // The automatic build's: the 10M and 25M generated shapes.
    expect(budgetedEpochs(15, 5_956_478, AUTO_EPOCH_BUDGET)).toBe(7);
    expect(budgetedEpochs(15, 14_902_092, AUTO_EPOCH_BUDGET)).toBe(3);
    // No corpus: nothing to budget.
    expect(budgetedEpochs(15, 0, b)).toBe(15);
  });
});

describe('trainEmbedding with an epoch budget', () => {
  const input = inputOf(generateDataset({ ratings: 6000, seed: 3 }));
  const tokens = nextItemSplit(input.ratings).train.items.length;

  it('changes nothing when the corpus is under the budget', async () => {
    const plain = await trainEmbedding(input, QUICK, { kernel: wasmKernel, trainOnly: true });
    const budgeted = await trainEmbedding(input, QUICK, {
      kernel: wasmKernel,
      trainOnly: true,
      epochBudget: AUTO_EPOCH_BUDGET,
    });
    expect(budgeted.settings).toEqual(QUICK);
    expect(budgeted.settings.epochCap).toBeUndefined();
    expect(Array.from(budgeted.vectors)).toEqual(Array.from(plain.vectors));
  });

  it('trains the budgeted epochs over a larger corpus, and records the cap', async () => {
    const budget = { tokenEpochs: 2 * tokens, minEpochs: 1 };
    const r = await trainEmbedding(input, QUICK, {
      kernel: wasmKernel,
      trainOnly: true,
      epochBudget: budget,
    });
    expect(r.settings.epochs).toBe(2);
    expect(r.settings.epochCap).toEqual({
      tokenEpochs: 2 * tokens,
      minEpochs: 1,
      asked: 6,
      corpusTokens: tokens,
    });
    // Exactly what two epochs asked for train.
    const two = await trainEmbedding(
      input,
      { ...QUICK, epochs: 2 },
      {
        kernel: wasmKernel,
        trainOnly: true,
      },
    );
    expect(Array.from(r.vectors)).toEqual(Array.from(two.vectors));
    // The settings asked for are not changed in place.
    expect(QUICK.epochs).toBe(6);
    expect(QUICK.epochCap).toBeUndefined();
  });
});

describe('sampleSplit', () => {
  const split = nextItemSplit(generateDataset({ ratings: 20_000, seed: 5 }).ratings);
  const n = split.users.length;

  it('is the split itself when it has no more users than the cap', () => {
    expect(n).toBeGreaterThan(50);
    expect(sampleSplit(split, n)).toBe(split);
    expect(sampleSplit(split)).toBe(split);
    expect(EVAL_MAX_USERS).toBe(5000);
  });

  it('draws the same users in order every time, each with its own query, held-out and seen movies', () => {
    const a = sampleSplit(split, 40);
    const b = sampleSplit(split, 40);
    expect(a.users.length).toBe(40);
    expect(Array.from(a.users)).toEqual(Array.from(b.users));
    expect(a.train).toBe(split.train);
    const index = new Map(Array.from(split.users, (u, e) => [u, e]));
    for (let i = 0; i < 40; i++) {
      if (i > 0) expect(a.users[i]!).toBeGreaterThan(a.users[i - 1]!);
      const e = index.get(a.users[i]!)!;
      expect(e).toBeDefined();
      expect(a.query[i]).toBe(split.query[e]);
      expect(a.heldOut[i]).toBe(split.heldOut[e]);
      expect(Array.from(a.seen.items.subarray(a.seen.offsets[i]!, a.seen.offsets[i + 1]!))).toEqual(
        Array.from(split.seen.items.subarray(split.seen.offsets[e]!, split.seen.offsets[e + 1]!)),
      );
    }
    // Not simply the first users.
    expect(a.users[39]!).toBeGreaterThan(split.users[39]!);
  });
});

describe('evaluateEmbedding on more users than the cap', () => {
  // 6,000 users with 8 ratings each: more than EVAL_MAX_USERS hold a movie out.
  const ds = generateDataset({ ratings: 48_000, users: 6000, movies: 300, seed: 9 });
  const input = inputOf(ds);
  const split = nextItemSplit(input.ratings);
  const dim = 8;
  const rng = new Random(4);
  const raw = Float32Array.from({ length: input.movieCount * dim }, () => rng.normal());
  const vectors = normalizeRows(raw, dim);
  const items = Int32Array.from({ length: input.movieCount }, (_, i) => i);
  const rowOf = items.slice();

  it('scores a sample of EVAL_MAX_USERS users and says of how many', async () => {
    expect(split.users.length).toBeGreaterThan(EVAL_MAX_USERS);
    const { metrics } = await evaluateEmbedding(
      input,
      split,
      { items, rowOf, vectors, dim },
      { seed: 1 },
    );
    expect(metrics.users).toBe(EVAL_MAX_USERS);
    expect(metrics.usersOf).toBe(split.users.length);
    const sampled = evaluateNextItem(
      sampleSplit(split),
      input.movieCount,
      cosineScorer(vectors, dim, rowOf),
    );
    expect(metrics.hr10).toBe(sampled.hr);
    expect(metrics.ndcg10).toBe(sampled.ndcg);
    expect(embedCapNotes(null, metrics)).toEqual([
      `HR@10 and NDCG@10 on 5,000 of ${split.users.length.toLocaleString('en')} users, a fixed random sample.`,
    ]);
  });
});

describe('embedCapNotes', () => {
  it('says nothing when no cap applied', () => {
    expect(embedCapNotes(DEFAULT_EMBED_SETTINGS, { users: 610 })).toEqual([]);
  });

  it('says how many epochs trained and why', () => {
    const settings = {
      epochs: 3,
      epochCap: { tokenEpochs: 40_000_000, minEpochs: 3, asked: 15, corpusTokens: 14_902_092 },
    };
    expect(embedCapNotes(settings, { users: 5000, usersOf: 162_290 })).toEqual([
      '3 epochs, not 15: the automatic build trains about 40,000,000 tokens in all (at least 3 epochs), and one pass over this corpus is 14,902,092.',
      'HR@10 and NDCG@10 on 5,000 of 162,290 users, a fixed random sample.',
    ]);
  });
});
