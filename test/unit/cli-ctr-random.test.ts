/** `wren eval --protocol ctr-random --model …`, its --save, and `wren eval --model-file` on that file. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let dir: string;
let data: string;
const ds = generateDataset({ ratings: 5_000, seed: 13, halfStars: false });

interface Out {
  model: string;
  protocol: string;
  seed: number;
  metrics: Record<string, number>;
  vsLr?: { rocAuc: number; ci95: [number, number]; lrRocAuc: number };
  trainRows: number;
  validRows: number;
  testRows: number;
  dropped3Stars: number;
  fields: string[];
}

beforeAll(() => {
  dir = tempDir('wren-cli-ctr-random-');
  data = writeMovieLens(dir, 'ml-gen', ds, 'ml-100k');
});

describe('wren eval --protocol ctr-random', () => {
  it('trains a CTR model on the random split, beside LR, and saves it for eval --model-file', async () => {
    const file = join(dir, 'fm.wren');
    const t = await wren(
      'eval', '--protocol', 'ctr-random', '--data', data, '--model', 'fm', '--epochs', '2',
      '--seed', '3', '--save', file, '--json',
    ); // prettier-ignore
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const out = JSON.parse(t.stdout) as Out;
    expect(out).toMatchObject({ model: 'fm', protocol: 'ctr-random', seed: 3 });
    const threes = ds.ratings.rating.filter((h) => h === 6).length;
    expect(out.dropped3Stars).toBe(threes);
    expect(out.trainRows + out.validRows + out.testRows).toBe(5_000 - threes);
    expect(out.fields).toEqual(expect.arrayContaining(['age', 'gender', 'occupation', 'zip']));
    expect(out.metrics.groupAuc).toBeGreaterThan(0);
    expect(out.vsLr!.rocAuc).toBeCloseTo(out.metrics.rocAuc! - out.vsLr!.lrRocAuc, 10);
    expect(out.vsLr!.ci95[0]).toBeLessThanOrEqual(out.vsLr!.ci95[1]);

    const e = await wren('eval', '--data', data, '--model-file', file, '--json');
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const again = JSON.parse(e.stdout) as Out;
    expect(again).toMatchObject({ model: 'fm', protocol: 'ctr-random', seed: 3 });
    expect(again.testRows).toBe(out.testRows);
    expect(again.metrics.rocAuc).toBeCloseTo(out.metrics.rocAuc!, 6);
    expect(again.metrics.groupAuc).toBeCloseTo(out.metrics.groupAuc!, 6);
  });

  it('asks for a CTR model', async () => {
    const r = await wren('eval', '--protocol', 'ctr-random', '--data', data, '--model', 'ease');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--model takes lr, fm');
  });
});
