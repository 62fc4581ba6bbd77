/**
 * Checks model settings before any training starts, so a bad value gets a
 * message instead of a stuck loop (a batch size of 0) or NaN weights.
 * `configProblem` returns the first problem found, or null (the CLI and the
 * Models page ask it first, for their own wording); `settingsOf` is what
 * every model's constructor builds its settings with, so a model refuses an
 * unknown setting or a value out of range wherever it is built.
 */
import { WrenError } from '../errors.ts';

type Rule = { whole: boolean; min: number; max?: number; above?: boolean };

const RULES: Record<string, Rule> = {
  epochs: { whole: true, min: 1 },
  batchSize: { whole: true, min: 1 },
  negatives: { whole: true, min: 0 },
  factors: { whole: true, min: 1 },
  mlpEmbedding: { whole: true, min: 2 },
  mlpLayers: { whole: true, min: 1 },
  dim: { whole: true, min: 1 },
  neighbours: { whole: true, min: 1 },
  iterations: { whole: true, min: 1 },
  oversample: { whole: true, min: 0 },
  patience: { whole: true, min: 1 },
  seed: { whole: true, min: 0 },
  validate: { whole: true, min: 0, max: 1 },
  pretrain: { whole: true, min: 0, max: 1 },
  validMetric: { whole: true, min: 0, max: 1 },
  learningRate: { whole: false, min: 0, above: true },
  finetuneScale: { whole: false, min: 0 },
  l2: { whole: false, min: 0 },
  shrink: { whole: false, min: 0 },
  hidden: { whole: true, min: 1 },
  latent: { whole: true, min: 1 },
  annealEpochs: { whole: true, min: 0 },
  validateEvery: { whole: true, min: 1 },
  annealCap: { whole: false, min: 0 },
  dropout: { whole: false, min: 0, max: 0.95 },
  userDropout: { whole: false, min: 0, max: 1 },
  movieDropout: { whole: false, min: 0, max: 1 },
  lambda: { whole: false, min: 0 },
  maxDim: { whole: true, min: 2 },
  maxLen: { whole: true, min: 1 },
  blocks: { whole: true, min: 1 },
};

export function configProblem(config: Record<string, number>): string | null {
  for (const [key, x] of Object.entries(config)) {
    const r = RULES[key];
    if (!r) continue;
    const ok =
      Number.isFinite(x) &&
      (!r.whole || Number.isInteger(x)) &&
      (r.above ? x > r.min : x >= r.min) &&
      (r.max === undefined || x <= r.max);
    if (!ok) {
      const range =
        r.max === undefined
          ? `${r.above ? 'above' : 'at least'} ${r.min}`
          : r.whole && r.max - r.min === 1
            ? `${r.min} or ${r.max}`
            : `from ${r.min} to ${r.max}`;
      return `${key} takes ${r.whole ? 'a whole number' : 'a number'} ${range}; found ${x}`;
    }
  }
  return null;
}

/**
 * `defaults` overridden by `given`, for the model titled `title`: throws a
 * WrenError ('invalid-settings') for a key the model does not take or a
 * value out of its range. `stored`: a saved model's settings, where keys a
 * later Wren no longer takes are dropped rather than refused.
 */
export function settingsOf<C extends Record<string, number>>(
  title: string,
  defaults: C,
  given: Partial<Record<string, number>> = {},
  stored = false,
): C {
  const out: Record<string, number> = { ...defaults };
  for (const [key, x] of Object.entries(given)) {
    if (x === undefined) continue;
    if (!(key in defaults)) {
      if (stored) continue;
      throw new WrenError(
        'invalid-settings',
        `${title} has no setting "${key}"; it takes ${Object.keys(defaults).join(', ')}.`,
      );
    }
    out[key] = x;
  }
  const problem = configProblem(out);
  if (problem) throw new WrenError('invalid-settings', `${title}: ${problem}.`);
  return out as C;
}
