import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { movieMetaFromMovies } from '../../../src/core/features/movie-features.ts';
import { CTR_NUMERIC, sparrowCtrSplit } from '../../../src/core/models/ctr-data.ts';
import { CTR_DIAGRAMS, CTR_STRUCTURE } from '../../../src/core/models/ctr-diagrams.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { CROSS_BUCKETS, CtrModel, type CtrKind } from '../../../src/core/models/ctr.ts';
import {
  describeDiagram,
  modelDiagram,
  RANKING_DIAGRAMS,
  type ModelDiagram,
} from '../../../src/core/models/diagrams.ts';
import { MODELS } from '../../../src/core/models/index.ts';
import { NCF_DEFAULTS } from '../../../src/core/models/neural-cf-config.ts';

const ALL = [...MODELS, ...CTR_MODELS];

/** Every line of text in a diagram, in order. */
const text = (d: ModelDiagram): string =>
  d.boxes.map((b) => [b.label, ...b.detail].join(' | ')).join('\n');
const box = (d: ModelDiagram, id: string): string => {
  const b = d.boxes.find((x) => x.id === id);
  if (!b) throw new Error(`${d.model} has no box ${id}`);
  return [b.label, ...b.detail].join(' | ');
};

/**
 * The settings each drawing shows; every other setting (epochs, learning rate, seed…) only
 * changes training and must leave the drawing alone.
 */
const DRAWN: Record<string, string[]> = {
  popularity: [],
  itemknn: ['neighbours', 'shrink'],
  puresvd: ['factors', 'iterations'],
  ease: ['lambda', 'maxDim'],
  gmf: ['factors'],
  mlp: ['mlpEmbedding', 'mlpLayers'],
  neumf: ['factors', 'mlpEmbedding', 'mlpLayers'],
  'two-tower': ['mlpEmbedding'],
  'mult-vae': ['hidden', 'latent', 'dropout', 'annealCap'],
  sasrec: ['dim', 'maxLen', 'blocks', 'dropout', 'negatives'],
  gru4rec: ['dim', 'maxLen', 'dropout', 'negatives'],
  // Logistic regression has one weight per id, whatever the embedding size.
  ...Object.fromEntries(CTR_MODELS.map((m) => [m.name, m.name === 'lr' ? [] : ['dim']])),
};

describe('model diagrams: one per registered model', () => {
  it('has a diagram for every ranking and CTR model, and none for a name no registry knows', () => {
    expect(Object.keys(RANKING_DIAGRAMS).sort()).toEqual(MODELS.map((m) => m.name).sort());
    expect(Object.keys(CTR_DIAGRAMS).sort()).toEqual(CTR_MODELS.map((m) => m.name).sort());
    for (const m of ALL) expect(modelDiagram(m.name)?.model).toBe(m.name);
    expect(modelDiagram('no-such-model')).toBeUndefined();
    expect(modelDiagram('toString')).toBeUndefined();
  });

  it.each(ALL.map((m) => m.name))('%s: a connected DAG from its inputs to one output', (name) => {
    const d = modelDiagram(name)!;
    const ids = d.boxes.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of d.boxes) {
      expect(b.label.trim()).not.toBe('');
      for (const line of b.detail) expect(line.trim()).not.toBe('');
    }
    const edgeKeys = d.edges.map((e) => `${e.from}>${e.to}`);
    expect(new Set(edgeKeys).size).toBe(edgeKeys.length);
    for (const e of d.edges) {
      expect(ids).toContain(e.from);
      expect(ids).toContain(e.to);
      expect(e.from).not.toBe(e.to);
    }
    const into = (id: string): string[] => d.edges.filter((e) => e.to === id).map((e) => e.from);
    const outOf = (id: string): string[] => d.edges.filter((e) => e.from === id).map((e) => e.to);
    // The inputs are exactly the boxes nothing feeds; the one output is the only box that feeds nothing.
    const inputs = d.boxes.filter((b) => b.kind === 'input').map((b) => b.id);
    expect(inputs.length).toBeGreaterThan(0);
    expect(ids.filter((id) => into(id).length === 0).sort()).toEqual([...inputs].sort());
    const outputs = d.boxes.filter((b) => b.kind === 'output').map((b) => b.id);
    expect(outputs).toHaveLength(1);
    expect(ids.filter((id) => outOf(id).length === 0)).toEqual(outputs);
    // No cycle: Kahn's algorithm removes every box.
    const indeg = new Map(ids.map((id) => [id, into(id).length]));
    const ready = ids.filter((id) => indeg.get(id) === 0);
    let removed = 0;
    while (ready.length) {
      const id = ready.pop()!;
      removed++;
      for (const t of outOf(id)) {
        indeg.set(t, indeg.get(t)! - 1);
        if (indeg.get(t) === 0) ready.push(t);
      }
    }
    expect(removed).toBe(ids.length);
    // Every box lies on a path to the output (and, with no cycle, from an input).
    const reach = new Set([outputs[0]!]);
    const stack = [outputs[0]!];
    while (stack.length)
      for (const f of into(stack.pop()!))
        if (!reach.has(f)) {
          reach.add(f);
          stack.push(f);
        }
    expect(reach.size).toBe(ids.length);
  });

  it('describes every box in words for screen readers', () => {
    for (const m of ALL) {
      const d = modelDiagram(m.name)!;
      const words = describeDiagram(d);
      for (const b of d.boxes) expect(words).toContain(b.label);
      expect(words).toMatch(/Output: /);
    }
  });
});

describe('model diagrams: sizes from the configs the models train with', () => {
  it.each(ALL.map((m) => m.name))(
    '%s: the default drawing is the one of the registry’s defaults',
    (name) => {
      const info = ALL.find((m) => m.name === name)!;
      expect(modelDiagram(name)).toEqual(modelDiagram(name, info.defaults));
    },
  );

  it.each(MODELS.map((m) => m.name))(
    '%s: the default drawing is the one of the config a new model has',
    async (name) => {
      const model = await MODELS.find((m) => m.name === name)!.create({});
      const config = Object.fromEntries(
        Object.entries(model.config).filter((e): e is [string, number] => typeof e[1] === 'number'),
      );
      expect(modelDiagram(name)).toEqual(modelDiagram(name, config));
    },
  );

  it.each(ALL.map((m) => m.name))(
    '%s: changing a drawn setting changes the drawing, and only those do',
    (name) => {
      const info = ALL.find((m) => m.name === name)!;
      const base = text(modelDiagram(name)!);
      for (const [key, value] of Object.entries(info.defaults)) {
        const changed = text(modelDiagram(name, { [key]: value === 0 ? 7 : value * 2 })!);
        if (DRAWN[name]!.includes(key)) expect(changed, key).not.toBe(base);
        else expect(changed, key).toBe(base);
      }
      for (const key of DRAWN[name]!) expect(Object.keys(info.defaults)).toContain(key);
    },
  );

  it('draws another embedding size into the NCF boxes', () => {
    const e = NCF_DEFAULTS.mlpEmbedding;
    const L = NCF_DEFAULTS.mlpLayers;
    const tower = (k: number): string =>
      Array.from({ length: L + 1 }, (_, i) => (2 * k) >> i).join(' → ');
    const base = modelDiagram('mlp')!;
    const wide = modelDiagram('mlp', { mlpEmbedding: 2 * e })!;
    expect(box(base, 'pm')).toContain(`| ${e}-d`);
    expect(box(wide, 'pm')).toContain(`| ${2 * e}-d`);
    expect(box(base, 'tower')).toContain(tower(e));
    expect(box(wide, 'tower')).toContain(tower(2 * e));
    const f = NCF_DEFAULTS.factors;
    expect(box(modelDiagram('gmf')!, 'p')).toContain(`${f}-d`);
    expect(box(modelDiagram('gmf', { factors: f + 8 })!, 'p')).toContain(`${f + 8}-d`);
  });

  it('draws another CTR embedding size into every box that depends on it', () => {
    const dim = CTR_MODELS.find((m) => m.name === 'din')!.defaults.dim!;
    const F = CTR_STRUCTURE.fields.length;
    const D = CTR_NUMERIC.length;
    for (const d of [dim, dim + 6]) {
      const din = modelDiagram('din', d === dim ? {} : { dim: d })!;
      expect(box(din, 'cand')).toContain(`| ${d}-d`);
      expect(box(din, 'att')).toContain(`${4 * d} → ${CTR_STRUCTURE.attention} → 1`);
      expect(box(din, 'concat')).toContain(`${F} × ${d} + ${D} = ${F * d + D}`);
      expect(box(din, 'mlp')).toContain(`${F * d + D} → ${CTR_STRUCTURE.hidden.join(' → ')}`);
    }
  });
});

describe('CTR diagrams: the structure agrees with the networks', () => {
  const ds = generateDataset({
    ratings: 3_000,
    users: 40,
    movies: 80,
    seed: 5,
    demographics: false,
  });
  const split = sparrowCtrSplit(ds.ratings, movieMetaFromMovies(ds.movies, ds.genres));

  it('has the fields of ctr-data.ts and the cross of ctr.ts', () => {
    expect(split.train.cats.map((c) => ({ name: c.name, width: c.width }))).toEqual(
      CTR_STRUCTURE.fields,
    );
    expect(split.numNames).toEqual([...CTR_NUMERIC]);
    expect(CTR_STRUCTURE.crossBuckets).toBe(CROSS_BUCKETS);
  });

  /** Weights of dense layers of widths `sizes` (each with its bias). */
  const dense = (sizes: number[]): number =>
    sizes.slice(1).reduce((n, w, i) => n + sizes[i]! * w + w, 0);

  it.each(['emb-mlp', 'din'] as CtrKind[])(
    '%s: a trained model has exactly the dense weights the drawing implies',
    async (kind) => {
      const defaults = CTR_MODELS.find((m) => m.name === kind)!.defaults;
      const model = new CtrModel(kind, { ...defaults, epochs: 1, validate: 0 });
      await model.fit(split);
      const { dim } = model.config;
      expect(modelDiagram(kind, model.config)).toEqual(modelDiagram(kind));
      const F = CTR_STRUCTURE.fields.length;
      const mlp = dense([F * dim + CTR_NUMERIC.length, ...CTR_STRUCTURE.hidden, 1]);
      const attention = kind === 'din' ? dense([4 * dim, CTR_STRUCTURE.attention, 1]) : 0;
      expect(model.save().arrays.dense!.length).toBe(mlp + attention);
    },
  );
});
