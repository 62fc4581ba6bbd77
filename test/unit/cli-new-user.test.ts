/** `wren eval --protocol new-user-k|taste-probe` on a generated dataset: the printed shape, seeds, and bad flags. */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let data: string;
const ds = generateDataset({ ratings: 8_000, seed: 4 });

beforeAll(() => {
  data = writeMovieLens(tempDir('wren-cli-new-'), 'ml-gen', ds);
});

interface Row {
  k: number;
  users: number;
  rankers: Record<string, { recall: number; ndcg: number; miscalibration: number }>;
}

describe('wren eval --protocol new-user-k', () => {
  it('prints one line per k with the pipeline and the three references', async () => {
    const args = [
      'eval',
      '--protocol',
      'new-user-k',
      '--data',
      data,
      '--k',
      '1,5',
      '--embedding',
      'none',
      '--json',
    ];
    const { code, stdout } = await wren(...args);
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    expect(rows.map((r) => r.k)).toEqual([1, 5]);
    for (const r of rows) {
      expect(Object.keys(r.rankers).sort()).toEqual(['ease', 'itemknn', 'pipeline', 'popularity']);
      expect(r.users).toBeGreaterThan(0);
      for (const m of Object.values(r.rankers)) {
        expect(m.recall).toBeGreaterThanOrEqual(0);
        expect(m.recall).toBeLessThanOrEqual(1);
        expect(m.ndcg).toBeLessThanOrEqual(1);
      }
    }
    // Generated tastes are learnable: a model that reads them beats the same list for everyone.
    expect(rows[1]!.rankers.ease!.ndcg).toBeGreaterThan(rows[1]!.rankers.popularity!.ndcg);
    // The same seed gives the same figures; another seed other users.
    const again = await wren(...args);
    expect(again.stdout).toBe(stdout);
    const other = await wren(...args.slice(0, -1), '--seed', '2', '--json');
    expect(other.stdout).not.toBe(stdout);
    // Two threads: the fits and the serving split, the same figures to the last digit printed.
    const two = await wren(...args.slice(0, -1), '--threads', '2', '--json');
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(stdout);
  });

  it('prints the taste probe for each genre with 100 movies', async () => {
    const { code, stdout } = await wren('eval', '--protocol', 'taste-probe', '--data', data, '--embedding', 'none', '--json'); // prettier-ignore
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      genres: number;
      rankers: Record<string, { inGenre: number; rare: number; perGenre: Record<string, number> }>;
    };
    expect(out.genres).toBe(Object.keys(out.rankers.pipeline!.perGenre).length);
    expect(out.rankers.pipeline!.rare).toBe(0);
    expect(out.rankers.pipeline!.inGenre).toBeGreaterThan(out.rankers.popularity!.inGenre);
  });

  it('refuses bad flags with one line', async () => {
    const bad = await wren('eval', '--protocol', 'new-user-k', '--data', data, '--k', '0,x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--k takes whole numbers/);
    const threads = await wren(
      'eval',
      '--protocol',
      'new-user-k',
      '--data',
      data,
      '--threads',
      '0',
    );
    expect(threads.code).toBe(2);
    expect(threads.stderr).toMatch(/--threads takes a whole number from 1 to 256; found "0"/);
    const missing = await wren('eval', '--protocol', 'taste-probe');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --data/);
  });
});
