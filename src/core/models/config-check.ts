/**
 * Model settings, declared once per model as a schema: each setting's
 * default, kind, range and a sentence saying what it does (as tfjs-layers'
 * `Args` interfaces document theirs). Everything else is derived from it:
 * the defaults a model starts from, the check every model's constructor
 * makes (`settingsOf`: an unknown setting or a value out of range is refused
 * wherever the model is built), the CLI's `--set` parsing, and what `wren
 * models` and the Models page's settings tables show.
 */
import { WrenError } from '../errors.ts';

/** One setting of a model. */
export interface Setting {
  /** The value a model takes when none is given. */
  default: number;
  /** 'whole': an integer; 'number': any finite number; 'switch': 0 (off) or 1 (on). */
  kind: 'whole' | 'number' | 'switch';
  /** The smallest value allowed (a switch: 0). */
  min?: number;
  /** The largest value allowed (a switch: 1). */
  max?: number;
  /** The value must be strictly above `min` (a learning rate). */
  above?: boolean;
  /** What it does, in a sentence or two. */
  doc: string;
}

/** The names of a config type's declared fields (its `[key: string]` index aside). */
type Declared<C> = keyof { [K in keyof C as string extends K ? never : K]: C[K] } & string;

/**
 * A model's settings: one `Setting` for each declared field of its config
 * type, no more and no fewer (the compiler checks both ways).
 */
export type Schema<C = Record<string, number>> = { readonly [K in Declared<C>]: Setting };

/** A schema with its fields checked against the config type `C`. */
export const schemaOf = <C>(schema: Schema<C>): Schema<C> => schema;

/** Any model's schema, for code that handles every model alike. */
export type AnySchema = Readonly<Record<string, Setting>>;

/**
 * The validation settings of the models that check every few epochs (Mult-VAE,
 * SASRec, GRU4Rec): hold out each user's latest training interaction, check
 * every `every` epochs, stop after `patience` checks without a better NDCG@10.
 */
export function periodicChecks(
  every: number,
  patience: number,
): Schema<{ validate: number; validateEvery: number; patience: number }> {
  return {
    validate: {
      default: 1,
      kind: 'switch',
      doc: 'Hold out each user’s latest training interaction, validate and keep the best check.',
    },
    validateEvery: {
      default: every,
      kind: 'whole',
      min: 1,
      doc: 'Epochs between validation checks.',
    },
    patience: {
      default: patience,
      kind: 'whole',
      min: 1,
      doc: 'Checks without a better validation NDCG@10 before training stops.',
    },
  };
}

/** The defaults a schema declares. */
export function defaultsOf<C>(schema: Schema<C>): C {
  const out: Record<string, number> = {};
  for (const [key, s] of Object.entries(schema as AnySchema)) out[key] = s.default;
  return out as C;
}

/** A schema with some defaults changed (the same settings, ranges and docs). */
export function withDefaults<C>(schema: Schema<C>, defaults: Partial<C>): Schema<C> {
  const out: Record<string, Setting> = { ...(schema as AnySchema) };
  for (const [key, x] of Object.entries(defaults as Record<string, number>)) {
    const s = out[key];
    if (!s) throw new Error(`no setting "${key}" to change the default of`);
    out[key] = { ...s, default: x };
  }
  return out as Schema<C>;
}

/** A setting's range in words: "a whole number at least 1", "0 (off) or 1 (on)". */
export function rangeOf(s: Setting): string {
  if (s.kind === 'switch') return '0 (off) or 1 (on)';
  const what = s.kind === 'whole' ? 'a whole number' : 'a number';
  if (s.min === undefined && s.max === undefined) return what;
  if (s.max === undefined) return `${what} ${s.above ? 'above' : 'at least'} ${s.min}`;
  if (s.min === undefined) return `${what} at most ${s.max}`;
  return s.kind === 'whole' && s.max - s.min === 1
    ? `${s.min} or ${s.max}`
    : `${what} from ${s.min} to ${s.max}`;
}

/** Whether `x` is a value `s` allows. */
export function allows(s: Setting, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (s.kind === 'switch') return x === 0 || x === 1;
  if (s.kind === 'whole' && !Number.isInteger(x)) return false;
  if (s.min !== undefined && (s.above ? x <= s.min : x < s.min)) return false;
  return s.max === undefined || x <= s.max;
}

/**
 * The first problem of `config` under `schema` (a setting it does not
 * declare, or a value out of its range), or null. The CLI and the Models
 * page ask it first, for their own wording.
 */
export function configProblem(config: Record<string, number>, schema: AnySchema): string | null {
  for (const [key, x] of Object.entries(config)) {
    const s = schema[key];
    if (!s) return `there is no setting "${key}"; the model takes ${settingNames(schema)}`;
    if (!allows(s, x)) return `${key} takes ${rangeOf(s)}; found ${x}`;
  }
  return null;
}

const settingNames = (schema: AnySchema): string => Object.keys(schema).join(', ') || 'none';

/**
 * The model's settings: `schema`'s defaults overridden by `given`, for the
 * model titled `title`. Throws a WrenError ('invalid-settings') for a key the
 * model does not take or a value out of its range. `stored`: a saved model's
 * settings, where keys a later Wren no longer takes are dropped rather than
 * refused.
 */
export function settingsOf<C>(
  title: string,
  schema: Schema<C>,
  given: Partial<Record<string, number>> = {},
  stored = false,
): C {
  const rules = schema as AnySchema;
  const out = defaultsOf(schema) as Record<string, number>;
  for (const [key, x] of Object.entries(given)) {
    if (x === undefined) continue;
    if (!(key in rules)) {
      if (stored) continue;
      throw new WrenError(
        'invalid-settings',
        `${title} has no setting "${key}"; it takes ${settingNames(rules)}.`,
      );
    }
    out[key] = x;
  }
  const problem = configProblem(out, rules);
  if (problem) throw new WrenError('invalid-settings', `${title}: ${problem}.`);
  return out as C;
}

/**
 * `base` with `key=value` pairs applied (the CLI's `--set a=1,b=2`), or a
 * message saying what is wrong: an unknown key, a value that is not a
 * number, or one out of range.
 */
export function applyPairs(
  name: string,
  schema: AnySchema,
  base: Record<string, number>,
  pairs: readonly string[],
): Record<string, number> | string {
  const config = { ...base };
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    if (!key || raw === undefined || !(key in schema))
      return `--set takes key=value with a key of ${name}: ${settingNames(schema)}; found "${pair}"`;
    const x = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(x))
      return `--set ${key} takes a number; found "${raw}"`;
    config[key] = x;
  }
  const problem = configProblem(config, schema);
  return problem ? `--set ${problem}` : config;
}
