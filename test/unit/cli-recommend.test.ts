/** The command line: `wren recommend` and `wren abtest` on a generated dataset, in JSON and text, and on bad input. */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let data: string;
const ds = generateDataset({ ratings: 6_000, seed: 11 });

beforeAll(() => {
  data = writeMovieLens(tempDir('wren-cli-rec-'), 'ml-gen', ds);
});

/** The most active user: enough liked movies for the ranker to take over from fusion. */
const user = ds.users.reduce((best, u) => (u.ratingCount > best.ratingCount ? u : best));

interface RecommendOut {
  user: { userId: number; index: number; ratings: number; liked: number };
  ranker: string;
  stage: string;
  items: {
    rank: number;
    movieId: number;
    title: string;
    score: number;
    reasons: string[];
    channels: { channel: string; likedMovieId?: number; genre?: string }[];
  }[];
  ms: Record<string, number>;
  candidates: number;
}

describe('wren recommend', () => {
  it('lists k movies the user never rated, each with the channels that found it', async () => {
    const { code, stdout } = await wren(
      'recommend', '--data', data, '--user', String(user.userId), '--model', 'itemknn', '--k', '7', '--json',
    ); // prettier-ignore
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as RecommendOut;
    expect(out.user).toMatchObject({
      userId: user.userId,
      index: user.index,
      ratings: user.ratingCount,
    });
    expect(out).toMatchObject({ ranker: 'itemknn', stage: 'model' });
    expect(out.items.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const rated = new Set<number>();
    for (
      let i = ds.ratings.userOffsets[user.index]!;
      i < ds.ratings.userOffsets[user.index + 1]!;
      i++
    )
      rated.add(ds.movies[ds.ratings.movie[i]!]!.movieId);
    const byId = new Map(ds.movies.map((m) => [m.movieId, m]));
    for (const item of out.items) {
      expect(rated.has(item.movieId)).toBe(false);
      expect(byId.get(item.movieId)!.title).toBe(item.title);
      expect(item.channels.length).toBeGreaterThan(0);
      expect(item.reasons.length).toBe(item.channels.length);
      for (const c of item.channels) {
        // "Because you liked" names a movie the user rated; a genre hit names a genre.
        if (c.channel === 'because') expect(rated.has(c.likedMovieId!)).toBe(true);
        if (c.channel === 'genre') expect(ds.genres).toContain(c.genre);
      }
    }
    expect(out.candidates).toBeGreaterThanOrEqual(out.items.length);
    for (const key of ['recall', 'rank', 'rerank', 'total'])
      expect(out.ms[key]).toBeGreaterThanOrEqual(0);
  });

  it('prints a readable list with reasons and timings; fusion needs no model', async () => {
    const { code, stdout } = await wren(
      'recommend', '--data', data, '--user', String(user.userId), '--model', 'fusion', '--embedding', 'none',
    ); // prettier-ignore
    expect(code).toBe(0);
    expect(stdout).toContain(`For You for user ${user.userId}`);
    expect(stdout).toMatch(/ranked by channel fusion/);
    expect(stdout).toMatch(/^ {3}1 {2}/m);
    expect(stdout).toMatch(/recall [\d.]+ ms .* total [\d.]+ ms/);
  });

  it('fails clearly on an unknown user id, and rejects bad flags before reading data', async () => {
    const missing = await wren(
      'recommend',
      '--data',
      data,
      '--user',
      '999999',
      '--embedding',
      'none',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No user 999999 in ml-gen: its user ids run from \d+ to \d+/);
    const json = await wren(
      'recommend',
      '--data',
      data,
      '--user',
      '999999',
      '--embedding',
      'none',
      '--json',
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'not-found' } });
    for (const [flags, message] of [
      [['--user', 'abc'], /--user takes a userId/],
      [['--user', '1', '--model', 'lsa'], /--model takes personal, fusion, embedding, popularity/],
      [
        ['--user', '1', '--model', 'embedding', '--embedding', 'none'],
        /needs --embedding item2vec/,
      ],
      [['--user', '1', '--k', '0'], /--k takes a whole number of at least 1/],
      [[], /needs --user/],
    ] as const) {
      const r = await wren('recommend', '--data', '/nonexistent', ...flags);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

interface AbOut {
  users: number;
  k: number;
  primary: string;
  ab: {
    metric: string;
    a: { n: number; mean: number; lo: number; hi: number };
    b: { n: number; mean: number; lo: number; hi: number };
    diff: { value: number; lo: number; hi: number; p: number };
    settling: { users: number }[];
  }[];
  interleaving: {
    users: number;
    winsA: number;
    winsB: number;
    ties: number;
    preference: { value: number; lo: number; hi: number; p: number };
    settling: { users: number }[];
    usersToSignificance: number | null;
  };
}

describe('wren abtest', () => {
  it('compares two pipelines on ncf-loo by A/B split and interleaving, as JSON', async () => {
    const { code, stdout } = await wren(
      'abtest', '--data', data, '--a', 'popularity', '--b', 'itemknn', '--embedding', 'none', '--json',
    ); // prettier-ignore
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as AbOut;
    // Every user with two or more ratings is held out once.
    const held = ds.users.filter((u) => u.ratingCount >= 2).length;
    expect(out).toMatchObject({ users: held, k: 10, primary: 'hit' });
    for (const m of out.ab) {
      expect(m.a.n + m.b.n).toBe(held);
      expect(m.diff.value).toBeCloseTo(m.b.mean - m.a.mean, 12);
      expect(m.diff.lo).toBeLessThanOrEqual(m.diff.value);
      expect(m.diff.hi).toBeGreaterThanOrEqual(m.diff.value);
      expect(m.settling.at(-1)!.users).toBe(held);
    }
    const il = out.interleaving;
    expect(il.winsA + il.winsB + il.ties).toBe(held);
    expect(il.preference.lo).toBeLessThanOrEqual(il.preference.value);
    expect(il.preference.hi).toBeGreaterThanOrEqual(il.preference.value);
    expect(il.settling.at(-1)!.users).toBe(held);
  });

  it('prints both tables on full-rank, and rejects protocols it cannot replay', async () => {
    const { code, stdout } = await wren(
      'abtest', '--data', data, '--a', 'fusion', '--b', 'fusion', '--protocol', 'full-rank', '--embedding', 'none',
    ); // prettier-ignore
    expect(code).toBe(0);
    expect(stdout).toMatch(/A\/B split/);
    expect(stdout).toMatch(/^ {2}Recall@20 /m);
    expect(stdout).toMatch(/wins A \d+, wins B \d+, ties \d+/);
    expect(stdout).toMatch(/Team-draft interleaving/);
    expect(stdout).toMatch(/Users until the 95% CI excluded 0 for good/);
    const bad = await wren(
      'abtest',
      '--data',
      data,
      '--a',
      'fusion',
      '--b',
      'itemknn',
      '--protocol',
      'msr-100k',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--protocol takes ncf-loo, full-rank/);
    expect((await wren('abtest', '--data', data, '--a', 'fusion')).code).toBe(2);
  });
});
