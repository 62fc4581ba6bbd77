/**
 * Replaying held-out users through the pipeline: the offline inputs see the
 * training interactions only; per-user scoring follows the protocols' rules
 * (mid-tie for what a list lacks); an oracle ranker — it needs the dataset
 * user's index to know their held-out movies — reaches exactly the ceiling
 * that recall sets, and the pipeline's candidates are the union of the
 * channels'. Deterministic, with progress and cancel.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { DEFAULT_EMBED_SETTINGS } from '../../../src/core/embeddings/embed.ts';
import { jsKernel } from '../../../src/core/embeddings/sgns-cpu.ts';
import { holdoutSplit, ncfLooSplit, type RankingSplit } from '../../../src/core/eval/protocols.ts';
import { LIKED } from '../../../src/core/recommend/profile.ts';
import { CHANNELS, recallChannel } from '../../../src/core/recommend/channels.ts';
import {
  historyOf,
  interactionsOf,
  trainingCatalog,
  trainingPositives,
  trainMovieVectors,
} from '../../../src/core/recommend/offline.ts';
import { DEFAULT_PIPELINE } from '../../../src/core/recommend/pipeline.ts';
import { embeddingRanker, type Ranker } from '../../../src/core/recommend/rankers.ts';
import {
  listMetrics,
  replay,
  Replayer,
  replayUsers,
  type ReplayContext,
  type ReplayUser,
} from '../../../src/core/recommend/replay.ts';

const ds = generateDataset({
  ratings: 12_000,
  users: 120,
  movies: 400,
  seed: 5,
  demographics: false,
});
const loo = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
const full = holdoutSplit(ds.ratings, 'full-rank', 1, { itemCount: ds.movies.length });
const small = { ...DEFAULT_EMBED_SETTINGS, dim: 8, epochs: 2 };

async function contextOf(split: RankingSplit): Promise<ReplayContext> {
  return {
    catalog: trainingCatalog(ds.movies, split.data),
    embedding: await trainMovieVectors(split.data, jsKernel, small),
  };
}

/** Scores a user's held-out movies 1 and everything else 0 (it needs RankInput.user). */
function oracle(users: ReplayUser[], sign = 1): Ranker {
  const targets = new Map(users.map((u) => [u.user, new Set(u.targets)]));
  return {
    name: 'oracle',
    title: 'Oracle',
    score({ user }, candidates, out) {
      const t = targets.get(user!)!;
      candidates.forEach((c, j) => (out[j] = t.has(c.movie) ? sign : 0));
    },
  };
}

describe('offline inputs', () => {
  it('count only training interactions, and every rating when built from all', () => {
    const catalog = trainingCatalog(ds.movies, loo.data);
    const total = catalog.ratingCount.reduce((a, b) => a + b, 0);
    expect(total).toBe(loo.data.train.items.length);
    // ncf-loo holds out one rating of every user with two or more.
    let heldOut = 0;
    for (let u = 0; u + 1 < ds.ratings.userOffsets.length; u++)
      if (ds.ratings.userOffsets[u + 1]! - ds.ratings.userOffsets[u]! >= 2) heldOut++;
    expect(total).toBe(ds.ratings.movie.length - heldOut);
    const all = interactionsOf(ds.ratings, ds.movies.length);
    const everyRating = trainingCatalog(ds.movies, all);
    ds.movies.forEach((m) => expect(everyRating.ratingCount[m.index]).toBe(m.ratingCount));
    const h = historyOf(all, 3);
    expect(h.length).toBe(ds.users[3]!.ratingCount);
    expect(h.every((e, i) => i === 0 || e.at >= h[i - 1]!.at)).toBe(true);
  });

  it('train vectors on training positives only: unit rows, none for a movie only held out', async () => {
    const e = await trainMovieVectors(loo.data, jsKernel, small);
    const positives = new Set(trainingPositives(loo.data).items);
    expect(e.items.length).toBe(positives.size);
    for (const m of e.items) expect(positives.has(m)).toBe(true);
    expect(e.rowOf.length).toBe(ds.movies.length);
    for (let r = 0; r < e.items.length; r++) {
      let norm = 0;
      for (let k = 0; k < e.dim; k++) norm += e.vectors[r * e.dim + k]! ** 2;
      expect(norm).toBeCloseTo(1, 4);
      expect(e.rowOf[e.items[r]!]).toBe(r);
    }
  });
});

describe('per-user scoring', () => {
  const candidates = Int32Array.from({ length: 100 }, (_, i) => 1000 + i);
  const u: ReplayUser = {
    user: 0,
    targets: candidates.slice(0, 1),
    candidates,
    exclude: new Int32Array(0),
  };

  it('ncf-loo: ranks the held-out movie by list position; unlisted candidates tie below the list', () => {
    expect(listMetrics(u, [1000, 5, 1001], 10)).toEqual({
      hit: 1,
      ndcg: 1,
      recall: 1,
      recalled: 1,
    });
    // Third among the candidates (movies 5 and 6 are not candidates).
    const third = listMetrics(u, [1002, 5, 1003, 6, 1000], 10);
    expect(third.ndcg).toBeCloseTo(1 / Math.log2(4), 12);
    // Missing: it ties with the 98 others the list lacks (mid-tie rank 1 + 49).
    expect(listMetrics(u, [1001], 10)).toMatchObject({ hit: 0, recalled: 0 });
    expect(listMetrics(u, [1001], 50)).toMatchObject({ hit: 0 });
    expect(listMetrics(u, [1001], 51)).toMatchObject({ hit: 1, ndcg: 1 / Math.log2(52) });
  });

  it('full-rank: recall, NDCG and hit of the top k; recalled over the whole list', () => {
    const f: ReplayUser = {
      user: 0,
      targets: Int32Array.of(7, 8, 9, 10),
      candidates: null,
      exclude: new Int32Array(0),
    };
    const m = listMetrics(f, [7, 1, 2, 8, 9], 2);
    expect(m.recall).toBe(0.25);
    expect(m.hit).toBe(1);
    expect(m.recalled).toBe(0.75);
    expect(m.ndcg).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
  });
});

describe('replay', () => {
  it('ncf-loo: an oracle ranker reaches the ceiling that recall sets; recall is the union of the channels', async () => {
    const ctx = await contextOf(loo);
    const users = replayUsers(loo);
    expect(users.length).toBe(loo.users.length);
    const r = replay(loo, ctx, {
      variants: [
        { name: 'fusion', ranker: null },
        { name: 'oracle', ranker: oracle(users) },
        { name: 'embedding', ranker: embeddingRanker(ctx.embedding!) },
      ],
    });
    expect(r).toMatchObject({ protocol: 'ncf-loo', k: 10, users: users.length });
    expect(r.rows.map((x) => x.name)).toEqual([
      ...CHANNELS.filter((c) => c !== 'tower' && c !== 'model' && c !== 'next'),
      'fusion',
      'oracle',
      'embedding',
    ]);
    const row = (name: string) => r.rows.find((x) => x.name === name)!;
    const pipe = row('oracle');
    // The ceiling: only fusion-stage users (few liked movies) can miss a recalled movie.
    const liked = users.filter(
      (u) =>
        historyOf(loo.data, u.user).filter((h) => h.rating >= LIKED).length >=
        DEFAULT_PIPELINE.minForModel,
    ).length;
    expect(pipe.modelShare).toBeCloseTo(liked / users.length, 12);
    expect(pipe.metrics.hit).toBeLessThanOrEqual(pipe.metrics.recalled);
    expect(pipe.metrics.hit).toBeGreaterThanOrEqual(
      pipe.metrics.recalled - (1 - pipe.modelShare!) - 1e-12,
    );
    expect(pipe.metrics.hit).toBeGreaterThanOrEqual(row('fusion').metrics.hit);
    for (const x of r.rows) {
      // A missing held-out movie ties with ≥ 49 unlisted candidates: never a hit.
      expect(x.metrics.hit).toBeLessThanOrEqual(x.metrics.recalled);
      expect(x.metrics.ndcg).toBeLessThanOrEqual(x.metrics.hit);
      if (x.kind === 'channel')
        expect(x.metrics.recalled).toBeLessThanOrEqual(pipe.metrics.recalled);
      else expect(x.metrics.recalled).toBe(pipe.metrics.recalled);
    }
    expect(
      Math.max(...r.rows.filter((x) => x.kind === 'channel').map((x) => x.metrics.recalled)),
    ).toBeGreaterThan(0);
  });

  it('full-rank: never lists rated or validation movies; the oracle reaches the recall ceiling', async () => {
    const ctx = await contextOf(full);
    const users = replayUsers(full);
    const replayer = new Replayer(full.data, ctx);
    const best = oracle(users);
    let ceiling = 0;
    for (const u of users) {
      const { movies } = replayer.pipeline(u, best);
      const off = new Set([...historyOf(full.data, u.user).map((h) => h.movie), ...u.exclude]);
      expect(movies.some((m) => off.has(m) || !full.data.catalogue[m])).toBe(false);
      expect(new Set(movies).size).toBe(movies.length);
      const found = movies.filter((m) => u.targets.includes(m)).length;
      ceiling += Math.min(20, found) / u.targets.length;
    }
    const r = replay(full, ctx, {
      variants: [
        { name: 'oracle', ranker: best },
        { name: 'worst', ranker: oracle(users, -1) },
      ],
    });
    const [oracleRow, worstRow] = r.rows.slice(-2);
    const fusionOnly = 1 - oracleRow!.modelShare!;
    expect(oracleRow!.metrics.recall).toBeLessThanOrEqual(ceiling / users.length + 1e-12);
    expect(oracleRow!.metrics.recall).toBeGreaterThanOrEqual(ceiling / users.length - fusionOnly);
    expect(worstRow!.metrics.recall).toBeLessThan(oracleRow!.metrics.recall);
    expect(r.k).toBe(20);
  });

  it('a channel alone is its own proposals in its order', async () => {
    const ctx = await contextOf(loo);
    const u = replayUsers(loo)[4]!;
    const replayer = new Replayer(loo.data, ctx);
    const state = replayer.state(u.user);
    for (const ch of CHANNELS) {
      const expected = recallChannel(ctx, state, ch, DEFAULT_PIPELINE.sizes[ch], (m) =>
        state.ratings.has(m),
      ).movies;
      expect(replayer.channel(u, ch)).toEqual(expected);
    }
  });

  it('is deterministic, reports progress and stops when aborted', async () => {
    const ctx = await contextOf(loo);
    const seen: number[][] = [];
    const a = replay(loo, ctx, { onProgress: (d, t) => seen.push([d, t]) });
    const b = replay(loo, ctx);
    expect(a).toEqual(b);
    expect(seen.at(-1)).toEqual([a.users, a.users]);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    expect(() => replay(loo, ctx, { signal: ac.signal })).toThrow('stop');
    expect(() => replay({ ...full, protocol: 'msr-100k' }, ctx)).toThrow(/ncf-loo and full-rank/);
  });
});
