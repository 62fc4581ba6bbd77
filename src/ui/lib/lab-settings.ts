/**
 * The Lab's settings form: methods with their papers, presets, and parsing
 * of the form's text fields into EmbedSettings with one clear message per
 * bad field (the ranges of validateSgnsSettings and the walk checks).
 */
import {
  DEFAULT_EMBED_SETTINGS,
  defaultSettingsFor,
  SPARROW_WALKS,
  type EmbedMethod,
  type EmbedSettings,
} from '../../core/embeddings/embed.ts';
import { GENSIM_REFERENCE, SPARROW_DEFAULTS } from '../../core/embeddings/sgns.ts';

export interface MethodInfo {
  id: EmbedMethod;
  label: string;
  /** One line: what the method trains on. */
  explanation: string;
  paper: string;
  paperUrl: string;
}

export const METHODS: MethodInfo[] = [
  {
    id: 'item2vec',
    label: 'Item2Vec',
    explanation:
      'Skip-gram over each user’s liked movies in time order: movies liked near each other get close vectors.',
    paper: 'Barkan & Koenigstein 2016',
    paperUrl: 'https://arxiv.org/abs/1603.04259',
  },
  {
    id: 'deepwalk',
    label: 'DeepWalk',
    explanation:
      'Random walks over the graph of “liked next” transitions, then skip-gram on the walks.',
    paper: 'Perozzi et al. 2014',
    paperUrl: 'https://arxiv.org/abs/1403.6652',
  },
  {
    id: 'node2vec',
    label: 'Node2vec',
    explanation:
      'Biased random walks: p sets how often a walk turns back, q whether it stays near or explores.',
    paper: 'Grover & Leskovec 2016',
    paperUrl: 'https://arxiv.org/abs/1607.00653',
  },
];

export const methodLabel = (m: EmbedMethod): string => METHODS.find((x) => x.id === m)?.label ?? m;

export interface Preset {
  id: string;
  label: string;
  /** The preset's settings for a method (the method itself is the user's choice). */
  settings(method: EmbedMethod): EmbedSettings;
}

export const PRESETS: Preset[] = [
  {
    id: 'sparrow',
    label: 'SparrowRecSys (10 dims)',
    settings: (method) => ({
      ...defaultSettingsFor(method),
      ...SPARROW_DEFAULTS,
      ...SPARROW_WALKS,
      method,
    }),
  },
  {
    id: 'gensim',
    label: 'gensim reference (32 dims)',
    settings: (method) => ({ ...defaultSettingsFor(method), ...GENSIM_REFERENCE, method }),
  },
  { id: 'wren', label: 'Wren default', settings: (method) => defaultSettingsFor(method) },
];

/** The numeric fields of the form, in display order. */
export type NumericField =
  | 'dim'
  | 'window'
  | 'negatives'
  | 'epochs'
  | 'learningRate'
  | 'minLearningRate'
  | 'subsample'
  | 'negativeExponent'
  | 'seed'
  | 'numWalks'
  | 'walkLength'
  | 'p'
  | 'q';

export interface FieldSpec {
  key: NumericField;
  label: string;
  hint: string;
  integer: boolean;
  /** Which methods use the field (all when absent). */
  methods?: EmbedMethod[];
  /** Input attributes (the real check is `check`). */
  min?: number;
  max?: number;
  step: string;
  /** A message when `v` is out of range (given the other values), else null. */
  check(v: number, all: Record<NumericField, number>): string | null;
}

const WALKS: EmbedMethod[] = ['deepwalk', 'node2vec'];

const intRange = (what: string, lo: number, hi: number) => (v: number) =>
  Number.isInteger(v) && v >= lo && v <= hi ? null : `${what} must be a whole number ${lo}–${hi}.`;

export const FIELDS: FieldSpec[] = [
  {
    key: 'dim',
    label: 'Dimensions',
    hint: 'Vector size',
    integer: true,
    min: 2,
    max: 512,
    step: '1',
    check: intRange('Dimensions', 2, 512),
  },
  {
    key: 'window',
    label: 'Window',
    hint: 'Context distance',
    integer: true,
    min: 1,
    max: 100,
    step: '1',
    check: intRange('Window', 1, 100),
  },
  {
    key: 'negatives',
    label: 'Negatives',
    hint: 'Per positive pair',
    integer: true,
    min: 1,
    max: 50,
    step: '1',
    check: intRange('Negatives', 1, 50),
  },
  {
    key: 'epochs',
    label: 'Epochs',
    hint: 'Passes over the corpus',
    integer: true,
    min: 1,
    max: 1000,
    step: '1',
    check: intRange('Epochs', 1, 1000),
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    hint: 'At the start',
    integer: false,
    min: 0,
    max: 1,
    step: 'any',
    check: (v) => (v > 0 && v <= 1 ? null : 'Learning rate must be above 0 and at most 1.'),
  },
  {
    key: 'minLearningRate',
    label: 'Final learning rate',
    hint: 'Linear decay to this',
    integer: false,
    min: 0,
    max: 1,
    step: 'any',
    check: (v, all) =>
      v >= 0 && v <= all.learningRate
        ? null
        : 'Final learning rate must be between 0 and the learning rate.',
  },
  {
    key: 'subsample',
    label: 'Subsampling',
    hint: 'Frequent-item threshold, 0 = off',
    integer: false,
    min: 0,
    max: 1,
    step: 'any',
    check: (v) => (v >= 0 && v < 1 ? null : 'Subsampling must be at least 0 and below 1.'),
  },
  {
    key: 'negativeExponent',
    label: 'Negative-sampling exponent',
    hint: '0.75 in word2vec',
    integer: false,
    min: -1,
    max: 2,
    step: 'any',
    check: (v) => (v >= -1 && v <= 2 ? null : 'Negative-sampling exponent must be −1 to 2.'),
  },
  {
    key: 'seed',
    label: 'Seed',
    hint: 'Same seed, same result',
    integer: true,
    step: '1',
    check: (v) =>
      Number.isSafeInteger(v) && Math.abs(v) <= 2 ** 31 ? null : 'Seed must be a whole number.',
  },
  {
    key: 'numWalks',
    label: 'Number of walks',
    hint: 'In all (or per movie)',
    integer: true,
    methods: WALKS,
    min: 1,
    max: 10_000_000,
    step: '1',
    check: intRange('Number of walks', 1, 10_000_000),
  },
  {
    key: 'walkLength',
    label: 'Walk length',
    hint: 'Movies per walk',
    integer: true,
    methods: WALKS,
    min: 2,
    max: 1000,
    step: '1',
    check: intRange('Walk length', 2, 1000),
  },
  {
    key: 'p',
    label: 'Return p',
    hint: 'Higher: turn back less',
    integer: false,
    methods: ['node2vec'],
    min: 0,
    step: 'any',
    check: (v) => (v > 0 && v <= 100 ? null : 'p must be above 0 and at most 100.'),
  },
  {
    key: 'q',
    label: 'In-out q',
    hint: 'Higher: stay near',
    integer: false,
    methods: ['node2vec'],
    min: 0,
    step: 'any',
    check: (v) => (v > 0 && v <= 100 ? null : 'q must be above 0 and at most 100.'),
  },
];

/** Whether a field applies to a method. */
export const fieldApplies = (f: FieldSpec, m: EmbedMethod): boolean =>
  !f.methods || f.methods.includes(m);

/** The form's state: the method, the walk start, and every numeric field as typed. */
export interface SettingsForm {
  method: EmbedMethod;
  walkStart: EmbedSettings['walkStart'];
  values: Record<NumericField, string>;
}

/** The form showing `s`. */
export function settingsToForm(s: EmbedSettings): SettingsForm {
  const values = {} as Record<NumericField, string>;
  for (const f of FIELDS) values[f.key] = String(s[f.key]);
  return { method: s.method, walkStart: s.walkStart, values };
}

export type ParseResult =
  | { ok: true; settings: EmbedSettings }
  | { ok: false; errors: Partial<Record<NumericField, string>> };

/**
 * Reads the form. Fields the method does not use keep their typed value if
 * it is a number (else the default) and are not checked.
 */
export function parseSettingsForm(form: SettingsForm): ParseResult {
  const errors: Partial<Record<NumericField, string>> = {};
  const nums = {} as Record<NumericField, number>;
  for (const f of FIELDS) {
    const text = form.values[f.key].trim();
    const v = text === '' ? NaN : Number(text);
    nums[f.key] = Number.isFinite(v) ? v : DEFAULT_EMBED_SETTINGS[f.key];
    if (!fieldApplies(f, form.method)) continue;
    if (text === '') errors[f.key] = `${f.label} is empty.`;
    else if (!Number.isFinite(v)) errors[f.key] = `${f.label} must be a number (got “${text}”).`;
  }
  for (const f of FIELDS) {
    if (!fieldApplies(f, form.method) || errors[f.key]) continue;
    const msg = f.check(nums[f.key], nums);
    if (msg) errors[f.key] = msg;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      ...DEFAULT_EMBED_SETTINGS,
      ...nums,
      method: form.method,
      walkStart: form.walkStart,
    },
  };
}

/** The preset whose settings for `s.method` equal `s`, or null. */
export function matchingPreset(s: EmbedSettings): Preset | null {
  const keys = Object.keys(s) as (keyof EmbedSettings)[];
  return (
    PRESETS.find((p) => {
      const ps = p.settings(s.method);
      return keys.every((k) => ps[k] === s[k]);
    }) ?? null
  );
}

/**
 * The form after choosing another method: settings that were a preset become
 * the same preset for the new method (e.g. fewer epochs over the longer walk
 * corpus); settings the user typed stay as they are.
 */
export function switchMethod(form: SettingsForm, method: EmbedMethod): SettingsForm {
  const r = parseSettingsForm(form);
  const preset = r.ok ? matchingPreset(r.settings) : null;
  if (preset) return settingsToForm(preset.settings(method));
  return { ...form, method };
}

/**
 * About how many tokens one epoch of a walk method trains on: every walk
 * at full length ('every-node' starts `numWalks` walks at each of up to
 * `movieCount` movies). Null for Item2Vec (its corpus is the rating sequences).
 */
export function walkTokens(s: EmbedSettings, movieCount: number): number | null {
  if (s.method === 'item2vec') return null;
  const walks = s.walkStart === 'every-node' ? s.numWalks * movieCount : s.numWalks;
  return walks * s.walkLength;
}
