/** `wren train --protocol sparrow-ctr --save` and `wren eval` on the saved CTR model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { decodeModel } from '../../src/core/models/serialize.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let dir: string;
const ds = generateDataset({ ratings: 5_000, seed: 11 });
const other = generateDataset({ ratings: 3_000, seed: 12 });

interface CtrOut {
  model: string;
  protocol: string;
  seed?: number;
  metrics: Record<string, number>;
  testRows: number;
  roc: unknown[];
  pr: unknown[];
  epochs?: unknown[];
}

/** Trains `model` for one epoch with --save; returns train's and eval's JSON. */
async function trainAndEval(
  model: string,
  file: string,
  ...flags: string[]
): Promise<{ trained: CtrOut; again: CtrOut }> {
  const data = join(dir, 'ml-gen');
  const t = await wren(
    'train', '--data', data, '--model', model, '--protocol', 'sparrow-ctr', '--epochs', '1',
    ...flags, '--save', file, '--json',
  ); // prettier-ignore
  expect(t.stderr).toBe('');
  expect(t.code).toBe(0);
  const e = await wren('eval', '--data', data, '--model-file', file, '--json');
  expect(e.stderr).toBe('');
  expect(e.code).toBe(0);
  return { trained: JSON.parse(t.stdout) as CtrOut, again: JSON.parse(e.stdout) as CtrOut };
}

beforeAll(() => {
  dir = tempDir('wren-cli-ctr-');
  writeMovieLens(dir, 'ml-gen', ds);
  writeMovieLens(dir, 'ml-other', other);
});

describe('wren eval on CTR models', () => {
  it('re-evaluates a saved lr model without training, with exactly train’s metrics', async () => {
    const file = join(dir, 'lr.wrenmodel');
    const { trained, again } = await trainAndEval('lr', file);
    // The file is the model's SavedModel, as the app stores it, with the split's serving data.
    const { saved, extra } = decodeModel(new Uint8Array(readFileSync(file)));
    expect(saved.model).toBe('lr');
    expect(saved.userCount).toBe(ds.users.length + 1);
    expect(saved.itemCount).toBe(ds.movies.length + 1);
    expect(Object.keys(saved.arrays)).toEqual(
      expect.arrayContaining(['table:user', 'table:movie', 'dense', 'norm:mean', 'movie:nums']),
    );
    expect(extra).toMatchObject({ protocol: 'sparrow-ctr', seed: 1, metrics: trained.metrics });
    expect(again).toMatchObject({ model: 'lr', protocol: 'sparrow-ctr', seed: 1 });
    expect(again.epochs).toBeUndefined();
    expect(again.testRows).toBe(trained.testRows);
    expect(again.metrics).toEqual(trained.metrics);
    expect(again.roc).toEqual(trained.roc);
    expect(again.pr).toEqual(trained.pr);
    // The text form prints the same metric line as train's.
    const text = await wren('eval', '--data', join(dir, 'ml-gen'), '--model-file', file);
    expect(text.code).toBe(0);
    const m = trained.metrics;
    const f = (x: number | undefined): string => (x ?? NaN).toFixed(4);
    expect(text.stdout).toContain(
      `logloss ${f(m.logloss)}  accuracy ${f(m.accuracy)}  ROC-AUC ${f(m.rocAuc)}  PR-AUC ${f(m.prAuc)}`,
    );
  });

  it('re-evaluates a saved din model (attention weights included) with its seed', async () => {
    const { trained, again } = await trainAndEval('din', join(dir, 'din.wrenmodel'), '--seed', '3');
    expect(again).toMatchObject({ model: 'din', protocol: 'sparrow-ctr', seed: 3 });
    expect(again.metrics).toEqual(trained.metrics);
    // A trained model, not a constant one: chance would leave ROC-AUC at 0.5.
    expect(again.metrics.rocAuc).not.toBe(0.5);
  });

  it('refuses a model of another dataset, a truncated file and another protocol', async () => {
    const file = join(dir, 'lr-other.wrenmodel');
    const t = await wren(
      'train', '--data', join(dir, 'ml-other'), '--model', 'lr', '--epochs', '1', '--save', file,
    ); // prettier-ignore
    expect(t.code).toBe(0);
    const data = join(dir, 'ml-gen');
    const wrong = await wren('eval', '--data', data, '--model-file', file);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toBe(
      `wren: This model was trained on ${other.users.length} users × ${other.movies.length} movies (ml-other); ml-gen has ${ds.users.length} × ${ds.movies.length}.\n`,
    );
    const json = await wren('eval', '--data', data, '--model-file', file, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'invalid-data' } });

    const bytes = readFileSync(join(dir, 'lr.wrenmodel'));
    for (const [cut, why] of [
      [bytes.length - 4, /array "[^"]+" is cut short/],
      [Math.floor(bytes.length / 2), /array "[^"]+" is cut short/],
      [40, /the header is cut short/],
    ] as const) {
      const short = join(dir, `lr-${cut}.wrenmodel`);
      writeFileSync(short, bytes.subarray(0, cut));
      const r = await wren('eval', '--data', data, '--model-file', short);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }

    const protocol = await wren(
      'eval', '--data', data, '--model-file', join(dir, 'lr.wrenmodel'), '--protocol', 'ncf-loo',
    ); // prettier-ignore
    expect(protocol.code).toBe(1);
    expect(protocol.stderr).toMatch(/lr is a CTR model: it evaluates on --protocol sparrow-ctr/);
  });
});
