/**
 * The structure tables: every CTR model name has its structure module and
 * CtrModel builds the network that module describes (a save sized for it
 * loads and predicts; one sized for another structure is refused); every
 * NeuralCF variant builds the tables and dense weights its module lists.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CtrColumns, type CtrLayout } from '../../../src/core/models/ctr/columns.ts';
import { CtrNetwork, type CtrStructure } from '../../../src/core/models/ctr/network.ts';
import { CTR_STRUCTURES } from '../../../src/core/models/ctr/structures.ts';
import type { CtrRows } from '../../../src/core/models/ctr-data.ts';
import { CTR_MODELS, type CtrKind } from '../../../src/core/models/ctr-info.ts';
import { CTR_KINDS, CtrModel } from '../../../src/core/models/ctr.ts';
import { NCF_STRUCTURES, type NcfVariant } from '../../../src/core/models/neural-cf/variants.ts';
import { NeuralCf } from '../../../src/core/models/neural-cf.ts';
import type { SavedModel } from '../../../src/core/models/types.ts';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const layout: CtrLayout = {
  tables: { user: 6, movie: 9, genre: 4 },
  cats: [
    { name: 'user', table: 'user', vocab: 6, width: 1 },
    { name: 'movie', table: 'movie', vocab: 9, width: 1 },
    { name: 'movieGenres', table: 'genre', vocab: 4, width: 3 },
    { name: 'lastPositives', table: 'movie', vocab: 9, width: 5 },
  ],
  numNames: ['a', 'b'],
};
const dim = 3;

/** A save of `kind` whose arrays have the sizes `structure` asks for, filled with small numbers. */
function savedAs(kind: CtrKind, structure: CtrStructure): SavedModel {
  const own = structure.parts.flatMap((p) => (p.table ? [p.table] : []));
  const columns = new CtrColumns(layout, own, structure.history !== undefined);
  const net = new CtrNetwork(structure, columns, dim);
  const fill = (n: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => (i % 7) / 50);
  const arrays: SavedModel['arrays'] = {};
  columns.tableNames.forEach((name, t) => {
    const rows = t < columns.shared ? layout.tables[name]! : own[t - columns.shared]!.rows;
    const width = t < columns.shared ? net.width : own[t - columns.shared]!.dim;
    arrays[`table:${name}`] = fill(rows * width);
  });
  arrays.dense = fill(net.weights.reduce((s, w) => s + w.shape[0] * w.shape[1], 0));
  return {
    model: kind,
    config: { dim, layout: JSON.stringify(layout) },
    userCount: 6,
    itemCount: 9,
    arrays,
  };
}

const rows: CtrRows = {
  rows: 2,
  cats: [
    { name: 'user', table: 'user', vocab: 6, width: 1, values: Int32Array.of(1, 5) },
    { name: 'movie', table: 'movie', vocab: 9, width: 1, values: Int32Array.of(2, 7) },
    {
      name: 'movieGenres',
      table: 'genre',
      vocab: 4,
      width: 3,
      values: Int32Array.of(0, 1, 3, 2, 3, 3),
    },
    {
      name: 'lastPositives',
      table: 'movie',
      vocab: 9,
      width: 5,
      values: Int32Array.of(4, 3, 8, 8, 8, 8, 8, 8, 8, 8),
    },
  ],
  nums: Float32Array.of(0.5, -1, 1.5, 0),
  labels: Float32Array.of(1, 0),
  times: Uint32Array.of(1, 2),
};

describe('CTR structures', () => {
  it('has one structure per CTR model, in the models’ order', () => {
    expect(CTR_KINDS).toEqual(CTR_MODELS.map((m) => m.name));
    expect(Object.keys(CTR_STRUCTURES)).toEqual([...CTR_KINDS]);
  });

  it.each(CTR_KINDS)('%s builds the network its module describes', (kind) => {
    const before = tf.memory().numTensors;
    const m = CtrModel.load(savedAs(kind, CTR_STRUCTURES[kind]));
    const p = m.predict(rows);
    expect(p.length).toBe(2);
    for (const x of p) expect(x > 0 && x < 1).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    // Sized for any other structure, the save does not fit.
    for (const other of CTR_KINDS)
      if (other !== kind)
        expect(() => CtrModel.load(savedAs(kind, CTR_STRUCTURES[other]))).toThrow(/not fit/);
  });
});

describe('NeuralCF variants', () => {
  it.each(Object.keys(NCF_STRUCTURES) as NcfVariant[])(
    '%s builds the tables and dense weights its module lists',
    (variant) => {
      const m = new NeuralCf(variant, { factors: 4, mlpEmbedding: 6, mlpLayers: 2 });
      m.build(5, 8);
      const structure = NCF_STRUCTURES[variant];
      const shapes = structure.shapes(m.config);
      expect(Object.keys(m.save().arrays)).toEqual([
        ...structure.tables.map((t) => t.name),
        ...shapes.map((_, j) => `dense${j}`),
      ]);
      const out = new Float32Array(8);
      m.score(2, null, out);
      expect(out.every(Number.isFinite)).toBe(true);
    },
  );
});
