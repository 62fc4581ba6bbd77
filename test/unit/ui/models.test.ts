import { describe, expect, it } from 'vitest';
import {
  importedModels,
  metricColumns,
  modelLabel,
  PROTOCOL_INFO,
  protocolTables,
  TABLE_PROTOCOLS,
} from '../../../src/ui/lib/model-results.ts';
import { foldModelsProgress, type RunView } from '../../../src/ui/lib/model-run.ts';
import type { ModelRow } from '../../../src/store/db.ts';

const row = (over: Partial<ModelRow>): ModelRow => ({
  id: Math.random().toString(36),
  datasetId: 'd',
  model: 'itemknn',
  title: 'ItemKNN (cosine)',
  protocol: 'ncf-loo',
  seed: 1,
  config: {},
  metrics: {},
  epochLog: [],
  backend: 'js',
  createdAt: 0,
  fitSeconds: 1,
  evalSeconds: 1,
  samplesPerSecond: 1,
  ...over,
});

describe('model tables', () => {
  it('groups by protocol in a fixed order, best first by the main metric, and marks the best values', () => {
    const rows = [
      row({ title: 'A', protocol: 'full-rank', metrics: { recall: 0.1, ndcg: 0.3 }, createdAt: 1 }),
      row({ title: 'B', metrics: { hr: 0.6, ndcg: 0.4 }, createdAt: 2 }),
      row({ title: 'C', metrics: { hr: 0.7, ndcg: 0.39 }, createdAt: 3 }),
      row({ title: 'D', protocol: 'full-rank', metrics: { recall: 0.2, ndcg: 0.1 }, createdAt: 4 }),
    ];
    const t = protocolTables(rows);
    expect(t.map((x) => x.protocol)).toEqual(['ncf-loo', 'full-rank']);
    expect(t[0]!.rows.map((r) => r.title)).toEqual(['C', 'B']);
    expect(t[0]!.best).toMatchObject({ hr: 0.7, ndcg: 0.4 });
    expect(t[1]!.rows.map((r) => r.title)).toEqual(['D', 'A']);
    expect(metricColumns('msr-100k').map((c) => c.key)).toEqual(['ndcg', 'precision', 'recall']);
  });

  it('gives ctr-random its own CTR table after sparrow-ctr, with GAUC beside the same columns', () => {
    const rows = [
      row({ title: 'LR', model: 'lr', protocol: 'ctr-random', metrics: { rocAuc: 0.7, logloss: 0.5, groupAuc: 0.66 } }),
      row({ title: 'DeepFM', model: 'deepfm', protocol: 'ctr-random', metrics: { rocAuc: 0.78, logloss: 0.55, groupAuc: 0.64 } }),
      row({ title: 'LR (time)', model: 'lr', protocol: 'sparrow-ctr', metrics: { rocAuc: 0.72, logloss: 0.6 } }),
    ]; // prettier-ignore
    const t = protocolTables(rows);
    expect(t.map((x) => x.protocol)).toEqual(['sparrow-ctr', 'ctr-random']);
    expect(t[0]!.rows.map((r) => r.title)).toEqual(['LR (time)']);
    expect(t[1]!.rows.map((r) => r.title)).toEqual(['DeepFM', 'LR']);
    const ctr = ['rocAuc', 'prAuc', 'logloss', 'accuracy'];
    expect(t[0]!.columns.map((c) => c.key)).toEqual(ctr);
    expect(t[1]!.columns.map((c) => c.key)).toEqual([...ctr, 'groupAuc']);
    // The best of each column: logloss is the lowest.
    expect(t[1]!.best).toMatchObject({ rocAuc: 0.78, logloss: 0.5, groupAuc: 0.66 });
    expect(TABLE_PROTOCOLS.indexOf('ctr-random')).toBe(TABLE_PROTOCOLS.indexOf('sparrow-ctr') + 1);
    expect(PROTOCOL_INFO['ctr-random'].title).toMatch(/^ctr-random \(will they like it\?.*8:1:1/);
    expect(PROTOCOL_INFO['ctr-random'].about).toMatch(/3 stars are dropped.*4 stars or more/);
  });

  it('keeps imported models out of the protocol tables and lists them newest first', () => {
    const rows = [
      row({ title: 'B', metrics: { hr: 0.6, ndcg: 0.4 } }),
      row({ title: 'I1', protocol: 'imported', importedFrom: 'a.safetensors', createdAt: 1 }),
      row({ title: 'I2', protocol: 'imported', importedFrom: 'b.safetensors', createdAt: 2 }),
    ];
    expect(protocolTables(rows).flatMap((t) => t.rows.map((r) => r.title))).toEqual(['B']);
    expect(importedModels(rows).map((r) => r.title)).toEqual(['I2', 'I1']);
  });

  it('labels models with their epochs and a seed other than 1', () => {
    expect(
      modelLabel(
        row({ title: 'NeuMF', seed: 3, epochLog: [{ epoch: 1, loss: 1, seconds: 1, samples: 1 }] }),
      ),
    ).toBe('NeuMF · seed 3 · 1 epoch');
    expect(modelLabel(row({ title: 'PureSVD' }))).toBe('PureSVD');
  });
});

describe('training progress', () => {
  const start: RunView = {
    index: 0, count: 2, model: 'popularity', stage: 'starting', percent: null, backend: null,
    loss: [], val: [], epochs: [], maxEpochs: null,
  }; // prettier-ignore

  it('collects loss points and validation per epoch, and starts afresh for the next model', () => {
    let v = foldModelsProgress(start, { index: 0, count: 2, model: 'neumf', stage: 'epoch 1/4', done: 50, total: 100, loss: 0.5, backend: 'wasm' }, 4); // prettier-ignore
    v = foldModelsProgress(v, { index: 0, count: 2, model: 'neumf', stage: 'epoch 1/4', done: 100, total: 100, epoch: { epoch: 1, loss: 0.4, seconds: 1, samples: 100, valNdcg: 0.3 } }, 4); // prettier-ignore
    expect(v.percent).toBe(100);
    expect(v.backend).toBe('wasm');
    expect(v.loss).toEqual([{ x: 0.5, loss: 0.5 }]);
    expect(v.val).toEqual([{ x: 0.25, loss: 0.3 }]);
    expect(v.maxEpochs).toBe(4);
    // The next model has its own budget (SASRec's default is 24 epochs).
    const next = foldModelsProgress(v, { index: 1, count: 2, model: 'sasrec', stage: 'epoch 1/24', done: 1, total: 100, loss: 0.7 }, 24); // prettier-ignore
    expect(next.model).toBe('sasrec');
    expect(next.maxEpochs).toBe(24);
    expect(next.loss).toEqual([{ x: 0.01, loss: 0.7 }]);
    expect(next.val).toEqual([]);
    expect(next.backend).toBeNull();
  });
});
