/**
 * Diagrams of the sparrow-ctr models (see diagrams.ts): the shared feature
 * columns of ctr-data.ts and what each structure of ctr.ts does with them.
 * The embedding size comes from each model's defaults (ctr-info.ts), the
 * numeric features from ctr-data.ts's list.
 */
import { POSITIVE_HALF_STARS } from '../features/sequences.ts';
import { CTR_NUMERIC } from './ctr-data.ts';
import { CTR_MODELS, CTR_NETWORK, type CtrModelInfo } from './ctr-info.ts';
import { DiagramDraft, count, widths, type ModelDiagram } from './diagram-graph.ts';

/**
 * The parts of the CTR networks that no config sets: the sizes ctr.ts builds from (CTR_NETWORK)
 * and the fields ctr-data.ts builds; test/unit/models/diagrams.test.ts checks that they agree
 * with a split's fields and a trained model's shapes.
 */
export const CTR_STRUCTURE = {
  /** The id fields, in the order ctr-data.ts builds them, and the ids each sample has. */
  fields: [
    { name: 'user', width: 1 },
    { name: 'movie', width: 1 },
    { name: 'movieGenres', width: 3 },
    { name: 'userGenres', width: 5 },
    { name: 'lastPositives', width: 5 },
  ],
  ...CTR_NETWORK,
} as const;

type Config = Record<string, number>;

const FIELDS = CTR_STRUCTURE.fields.length;
const NUMERIC = CTR_NUMERIC.length;
const width = (name: string): number => CTR_STRUCTURE.fields.find((f) => f.name === name)!.width;
const HISTORY = width('lastPositives');
const LABEL = [`P(rating ≥ ${POSITIVE_HALF_STARS / 2}★)`];

function start(kind: CtrModelInfo['name'], config: Config): { d: DiagramDraft; dim: number } {
  const info = CTR_MODELS.find((m) => m.name === kind)!;
  return { d: new DiagramDraft(kind), dim: { ...info.defaults, ...config }.dim! };
}

/** Every id field in one box, and the numeric features. */
function inputs(d: DiagramDraft): { ids: string; nums: string } {
  return {
    ids: d.add('ids', 'input', 'id fields', [
      'user · movie',
      `movie’s ${width('movieGenres')} genres`,
      `user’s top ${width('userGenres')} genres`,
      `last ${HISTORY} liked movies`,
    ]),
    nums: d.add('nums', 'input', 'numeric', [`${NUMERIC} features`, 'standardized']),
  };
}

/** Concatenated field vectors and numerics through the MLP to one logit; returns the logit. */
function deep(d: DiagramDraft, dim: number, from: string[], fields = FIELDS): string {
  const n = fields * dim + NUMERIC;
  const cat = d.add(
    'concat',
    'op',
    'concatenate',
    [`${fields} × ${dim} + ${NUMERIC} = ${n}`],
    from,
  );
  const mlp = d.add('mlp', 'layer', 'MLP', [widths([n, ...CTR_STRUCTURE.hidden]), 'ReLU'], [cat]);
  return d.add('dense', 'layer', 'dense', [widths([CTR_STRUCTURE.hidden.at(-1)!, 1])], [mlp]);
}

function lr(config: Config): ModelDiagram {
  const { d } = start('lr', config);
  const { ids, nums } = inputs(d);
  const w = d.add('w', 'embedding', '1 weight per id', ['lists averaged'], [ids]);
  const lin = d.add('lin', 'layer', 'linear', [widths([NUMERIC, 1])], [nums]);
  const sum = d.add('sum', 'op', 'sum + bias', [], [w, lin]);
  d.add('sigma', 'output', 'σ', LABEL, [sum]);
  return d.done();
}

/** The id tables of the models with a linear part: a weight and `dim` factors per id. */
function linearTables(d: DiagramDraft, dim: number, ids: string): string {
  return d.add(
    'emb',
    'embedding',
    'id tables',
    [`1 weight + ${dim}-d`, 'vector per id', 'lists averaged'],
    [ids],
  );
}

function fm(config: Config): ModelDiagram {
  const { d, dim } = start('fm', config);
  const { ids, nums } = inputs(d);
  const emb = linearTables(d, dim, ids);
  const lin = d.add('lin', 'op', 'linear', ['Σ weights + bias'], [emb, nums]);
  const pair = d.add(
    'pair',
    'op',
    'pairwise',
    ['½ Σ ⟨vᵢ, vⱼ⟩', `${FIELDS + NUMERIC} fields, ${dim}-d`],
    [emb, nums],
  );
  const sum = d.add('sum', 'op', '+', [], [lin, pair]);
  d.add('sigma', 'output', 'σ', LABEL, [sum]);
  return d.done();
}

function embMlp(config: Config): ModelDiagram {
  const { d, dim } = start('emb-mlp', config);
  const { ids, nums } = inputs(d);
  const emb = d.add(
    'emb',
    'embedding',
    'embeddings',
    [`${dim}-d per field`, 'lists averaged'],
    [ids],
  );
  d.add('sigma', 'output', 'σ', LABEL, [deep(d, dim, [emb, nums])]);
  return d.done();
}

function wideDeep(config: Config): ModelDiagram {
  const { d, dim } = start('wide-deep', config);
  const { ids, nums } = inputs(d);
  const emb = linearTables(d, dim, ids);
  const cross = d.add(
    'cross',
    'embedding',
    'crossed feature',
    ['movie × last liked', `${count(CTR_STRUCTURE.crossBuckets)} buckets`, '1 weight each'],
    [ids],
  );
  const wide = d.add('wide', 'op', 'wide: Σ weights', ['ids, cross, numeric'], [emb, cross, nums]);
  const logit = deep(d, dim, [emb, nums]);
  const sum = d.add('sum', 'op', '+', [], [wide, logit]);
  d.add('sigma', 'output', 'σ', LABEL, [sum]);
  return d.done();
}

function deepFm(config: Config): ModelDiagram {
  const { d, dim } = start('deepfm', config);
  const { ids, nums } = inputs(d);
  const emb = linearTables(d, dim, ids);
  const fmPart = d.add('fm', 'op', 'FM', ['linear + ½ Σ ⟨vᵢ, vⱼ⟩'], [emb, nums]);
  const logit = deep(d, dim, [emb, nums]);
  const sum = d.add('sum', 'op', '+', [], [fmPart, logit]);
  d.add('sigma', 'output', 'σ', LABEL, [sum]);
  return d.done();
}

/**
 * DIN's and DIEN's inputs: the candidate movie and the liked movies apart from the other ids,
 * all read from the shared tables; returns the boxes the MLP reads besides the history's vector.
 */
function attentionInputs(
  d: DiagramDraft,
  dim: number,
): { others: string; candidate: string; liked: string; nums: string } {
  const rest = d.add('rest', 'input', 'user & genres', [
    `movie’s ${width('movieGenres')}, user’s ${width('userGenres')}`,
  ]);
  const movie = d.add('movie', 'input', 'candidate', ['movie id']);
  const history = d.add('history', 'input', `last ${HISTORY} liked`, ['movies']);
  const nums = d.add('nums', 'input', 'numeric', [`${NUMERIC} features`, 'standardized']);
  return {
    others: d.add('emb', 'embedding', 'vectors', [`${dim}-d each`, 'lists averaged'], [rest]),
    candidate: d.add('cand', 'embedding', 'vector c', [`${dim}-d`], [movie]),
    liked: d.add('liked', 'embedding', 'vectors e', [`${HISTORY} × ${dim}-d`], [history]),
    nums,
  };
}

function din(config: Config): ModelDiagram {
  const { d, dim } = start('din', config);
  const { others, candidate, liked, nums } = attentionInputs(d, dim);
  const unit = d.add(
    'att',
    'layer',
    'attention unit',
    ['[e, c, e − c, e ⊙ c]', widths([4 * dim, CTR_STRUCTURE.attention, 1])],
    [liked, candidate],
  );
  const pool = d.add('pool', 'op', 'weighted sum', [`${dim}-d`], [liked, unit]);
  d.add('sigma', 'output', 'σ', LABEL, [deep(d, dim, [others, candidate, pool, nums])]);
  return d.done();
}

function dien(config: Config): ModelDiagram {
  const { d, dim } = start('dien', config);
  const { others, candidate, liked, nums } = attentionInputs(d, dim);
  const gru = d.add('gru', 'layer', 'GRU', [`oldest first, ${dim}-d state`], [liked]);
  const att = d.add('att', 'op', 'attention', ['softmax(hₜ · W · c)'], [gru, candidate]);
  const augru = d.add(
    'augru',
    'layer',
    'AUGRU',
    ['update gate × attention', `last state, ${dim}-d`],
    [gru, att],
  );
  d.add('sigma', 'output', 'σ', LABEL, [deep(d, dim, [others, candidate, augru, nums])]);
  return d.done();
}

/** Every CTR model's diagram builder, by registry name. */
export const CTR_DIAGRAMS: Readonly<Record<string, (config: Config) => ModelDiagram>> = {
  lr,
  fm,
  'emb-mlp': embMlp,
  'wide-deep': wideDeep,
  deepfm: deepFm,
  din,
  dien,
};
