/**
 * A drawn diagram per model: the ranking models here, the CTR models in
 * ctr-diagrams.ts. Every size comes from the config the model trains with
 * (its defaults, or the config given), never restated, so a drawing cannot
 * drift from its model. No tfjs, no DOM: the Models page lists these cheaply.
 */
import { CTR_DIAGRAMS } from './ctr-diagrams.ts';
import { DiagramDraft, count, widths, type ModelDiagram } from './diagram-graph.ts';
import { EASE_DEFAULTS, type EaseConfig } from './ease.ts';
import { ITEMKNN_DEFAULTS, type ItemKnnConfig } from './item-knn.ts';
import { MULT_VAE_DEFAULTS, type MultVaeConfig } from './mult-vae-config.ts';
import {
  mlpTowerSizes,
  NCF_DEFAULTS,
  TWO_TOWER_LAYERS,
  type NcfConfig,
} from './neural-cf-config.ts';
import { PURESVD_DEFAULTS, type PureSvdConfig } from './pure-svd.ts';
import { GRU4REC_DEFAULTS, SASREC_DEFAULTS, type SequentialConfig } from './sequential-config.ts';

export type { DiagramBox, DiagramEdge, DiagramKind, ModelDiagram } from './diagram-graph.ts';
export { describeDiagram } from './diagram-graph.ts';

type Config = Record<string, number>;

/** The training interactions and the one user's history: the inputs of the history models. */
function historyInputs(d: DiagramDraft): { train: string; user: string } {
  return {
    train: d.add('train', 'input', 'training ratings', ['users × movies, 0/1']),
    user: d.add('user', 'input', 'the user’s movies', ['a 0/1 row']),
  };
}

function popularity(): ModelDiagram {
  const d = new DiagramDraft('popularity');
  const train = d.add('train', 'input', 'training ratings', ['users × movies']);
  const counts = d.add('count', 'op', 'count per movie', [], [train]);
  d.add('score', 'output', 'a score per movie', ['the same for every user'], [counts]);
  return d.done();
}

function itemKnn(config: Config): ModelDiagram {
  const c: ItemKnnConfig = { ...ITEMKNN_DEFAULTS, ...config };
  const d = new DiagramDraft('itemknn');
  const { train, user } = historyInputs(d);
  const cos = d.add(
    'cosine',
    'op',
    'cosine similarity',
    ['of movies’ user columns', c.shrink > 0 && `shrunk by ${count(c.shrink)}`],
    [train],
  );
  const top = d.add(
    'top',
    'embedding',
    'neighbours',
    [`top ${count(c.neighbours)} per movie`],
    [cos],
  );
  const sum = d.add('sum', 'op', 'sum of similarities', ['to the user’s movies'], [top, user]);
  d.add('score', 'output', 'a score per movie', [], [sum]);
  return d.done();
}

function pureSvd(config: Config): ModelDiagram {
  const c: PureSvdConfig = { ...PURESVD_DEFAULTS, ...config };
  const d = new DiagramDraft('puresvd');
  const { train, user } = historyInputs(d);
  const svd = d.add(
    'svd',
    'op',
    'truncated SVD',
    [`randomized, ${count(c.iterations)} iterations`],
    [train],
  );
  const v = d.add('v', 'embedding', 'V', [`movies × ${count(c.factors)}`], [svd]);
  const proj = d.add('proj', 'op', '× V', [`${count(c.factors)}-d`], [user, v]);
  const back = d.add('back', 'op', '× Vᵀ', [], [proj, v]);
  d.add('score', 'output', 'a score per movie', [], [back]);
  return d.done();
}

function ease(config: Config): ModelDiagram {
  const c: EaseConfig = { ...EASE_DEFAULTS, ...config };
  const d = new DiagramDraft('ease');
  const { train, user } = historyInputs(d);
  const solve = d.add(
    'solve',
    'op',
    'closed form',
    [
      'P = (XᵀX + λI)⁻¹',
      c.lambda > 0 ? `λ = ${count(c.lambda)}` : 'λ chosen on validation',
      `inverts ≤ ${count(c.maxDim)} × ${count(c.maxDim)}`,
    ],
    [train],
  );
  const b = d.add('b', 'embedding', 'B', ['movies × movies', 'zero diagonal'], [solve]);
  const times = d.add('times', 'op', '× B', [], [user, b]);
  d.add('score', 'output', 'a score per movie', [], [times]);
  return d.done();
}

/** The ids of one interaction, as the NCF models read them. */
function ids(d: DiagramDraft): { user: string; movie: string } {
  return {
    user: d.add('user', 'input', 'user id'),
    movie: d.add('movie', 'input', 'movie id'),
  };
}

const PROBABILITY = ['P(interaction)'];

function gmf(config: Config): ModelDiagram {
  const c: NcfConfig = { ...NCF_DEFAULTS, ...config };
  const d = new DiagramDraft('gmf');
  const { user, movie } = ids(d);
  const p = d.add('p', 'embedding', 'user vector', [`${c.factors}-d`], [user]);
  const q = d.add('q', 'embedding', 'movie vector', [`${c.factors}-d`], [movie]);
  const had = d.add('had', 'op', '⊙', ['element-wise', `${c.factors}-d`], [p, q]);
  const out = d.add('out', 'layer', 'dense', [widths([c.factors, 1])], [had]);
  d.add('sigma', 'output', 'σ', PROBABILITY, [out]);
  return d.done();
}

/** The MLP tower over its own user and movie vectors (named `names`, sizes after `prefix`). */
function mlpTower(
  d: DiagramDraft,
  c: NcfConfig,
  { user, movie }: { user: string; movie: string },
  names = ['user vector', 'movie vector'],
  prefix = '',
): string {
  const e = c.mlpEmbedding;
  const sizes = mlpTowerSizes(c);
  const p = d.add('pm', 'embedding', names[0]!, [`${prefix}${e}-d`], [user]);
  const q = d.add('qm', 'embedding', names[1]!, [`${prefix}${e}-d`], [movie]);
  const cat = d.add('cat', 'op', 'concatenate', [`${2 * e}-d`], [p, q]);
  return d.add('tower', 'layer', 'MLP', [widths(sizes), 'ReLU'], [cat]);
}

function mlp(config: Config): ModelDiagram {
  const c: NcfConfig = { ...NCF_DEFAULTS, ...config };
  const d = new DiagramDraft('mlp');
  const tower = mlpTower(d, c, ids(d));
  const out = d.add('out', 'layer', 'dense', [widths([mlpTowerSizes(c).at(-1)!, 1])], [tower]);
  d.add('sigma', 'output', 'σ', PROBABILITY, [out]);
  return d.done();
}

function neumf(config: Config): ModelDiagram {
  const c: NcfConfig = { ...NCF_DEFAULTS, ...config };
  const d = new DiagramDraft('neumf');
  const { user, movie } = ids(d);
  const f = c.factors;
  const p = d.add('p', 'embedding', 'user', [`GMF, ${f}-d`], [user]);
  const q = d.add('q', 'embedding', 'movie', [`GMF, ${f}-d`], [movie]);
  const had = d.add('had', 'op', '⊙', [`${f}-d`], [p, q]);
  const tower = mlpTower(d, c, { user, movie }, ['user', 'movie'], 'MLP, ');
  const last = mlpTowerSizes(c).at(-1)!;
  const join = d.add('join', 'op', 'concatenate', [`${f} + ${last} = ${f + last}-d`], [had, tower]);
  const out = d.add('out', 'layer', 'dense', [widths([f + last, 1])], [join]);
  d.add('sigma', 'output', 'σ', PROBABILITY, [out]);
  return d.done();
}

function twoTower(config: Config): ModelDiagram {
  const c: NcfConfig = { ...NCF_DEFAULTS, ...config };
  const d = new DiagramDraft('two-tower');
  const { user, movie } = ids(d);
  const e = c.mlpEmbedding;
  const sizes = widths([e, ...TWO_TOWER_LAYERS]);
  const last = TWO_TOWER_LAYERS.at(-1)!;
  const pu = d.add('pu', 'embedding', 'user vector', [`${e}-d`], [user]);
  const qm = d.add('qm', 'embedding', 'movie vector', [`${e}-d`], [movie]);
  const tu = d.add('tu', 'layer', 'user tower', [sizes, 'ReLU between'], [pu]);
  const tm = d.add('tm', 'layer', 'movie tower', [sizes, 'ReLU between'], [qm]);
  const dot = d.add('dot', 'op', 'dot product', [`${last}-d · ${last}-d`, '+ bias'], [tu, tm]);
  d.add('sigma', 'output', 'σ', PROBABILITY, [dot]);
  return d.done();
}

function multVae(config: Config): ModelDiagram {
  const c: MultVaeConfig = { ...MULT_VAE_DEFAULTS, ...config };
  const d = new DiagramDraft('mult-vae');
  const x = d.add('x', 'input', 'the user’s movies', [
    'a 0/1 row, L2-normalised',
    `dropout ${c.dropout} in training`,
  ]);
  const enc = d.add('enc', 'layer', 'encoder', [widths(['movies', c.hidden]), 'tanh'], [x]);
  const mu = d.add('mu', 'layer', 'μ', [`${c.latent}-d`], [enc]);
  const lv = d.add('logvar', 'layer', 'log σ²', [`${c.latent}-d`], [enc]);
  const z = d.add(
    'z',
    'op',
    'z = μ + σ ⊙ ε',
    [`${c.latent}-d (μ when scoring)`, `KL weight β up to ${c.annealCap}`],
    [mu, lv],
  );
  const dec = d.add('dec', 'layer', 'decoder', [widths([c.latent, c.hidden]), 'tanh'], [z]);
  const logits = d.add('logits', 'layer', 'dense', [widths([c.hidden, 'movies'])], [dec]);
  d.add('softmax', 'output', 'softmax', ['over every movie'], [logits]);
  return d.done();
}

/** The sequence and the shared movie table that both reads it and scores the next movie. */
function sequenceInputs(d: DiagramDraft, c: SequentialConfig): { table: string; seq: string } {
  const seq = d.add('seq', 'input', 'the user’s movies', [
    `the latest ${count(c.maxLen)}, in time order`,
  ]);
  const table = d.add(
    'table',
    'embedding',
    'movie rows',
    [`movies × ${c.dim}`, 'shared with the output'],
    [seq],
  );
  return { table, seq };
}

function nextMovie(d: DiagramDraft, c: SequentialConfig, state: string, table: string): void {
  const dot = d.add('dot', 'op', '· every movie’s row', [`${c.dim}-d`], [state, table]);
  d.add(
    'softmax',
    'output',
    'the next movie',
    [
      c.negatives <= 0
        ? 'softmax over every movie in training'
        : `softmax over every movie up to ${count(c.negatives)} (else a sample) in training`,
    ],
    [dot],
  );
}

function sasrec(config: Config): ModelDiagram {
  const c: SequentialConfig = { ...SASREC_DEFAULTS, ...config };
  const d = new DiagramDraft('sasrec');
  const { table, seq } = sequenceInputs(d, c);
  const pos = d.add(
    'pos',
    'embedding',
    'positions',
    [`${count(c.maxLen)} × ${c.dim}, learned`],
    [seq],
  );
  const add = d.add(
    'add',
    'op',
    'row · √d + position',
    [`dropout ${c.dropout} in training`],
    [table, pos],
  );
  let x = add;
  for (let b = 0; b < c.blocks; b++) {
    const att = d.add(
      `att${b}`,
      'layer',
      `self-attention ${b + 1}`,
      ['LayerNorm → Q, K, V', 'causal: each position sees earlier ones', '+ residual'],
      [x],
    );
    x = d.add(
      `ffn${b}`,
      'layer',
      `feed-forward ${b + 1}`,
      [`LayerNorm → ${widths([c.dim, c.dim, c.dim])}, ReLU`, '+ residual'],
      [att],
    );
  }
  const last = d.add('last', 'op', 'the latest position', ['LayerNorm', `${c.dim}-d`], [x]);
  nextMovie(d, c, last, table);
  return d.done();
}

function gru4rec(config: Config): ModelDiagram {
  const c: SequentialConfig = { ...GRU4REC_DEFAULTS, ...config };
  const d = new DiagramDraft('gru4rec');
  const { table } = sequenceInputs(d, c);
  const gru = d.add(
    'gru',
    'layer',
    'GRU',
    [`${c.dim}-d state`, 'one movie at a time', `dropout ${c.dropout} on inputs`],
    [table],
  );
  const last = d.add('last', 'op', 'state after the latest movie', [`${c.dim}-d`], [gru]);
  nextMovie(d, c, last, table);
  return d.done();
}

/** Every ranking model's diagram builder, by registry name. */
export const RANKING_DIAGRAMS: Readonly<Record<string, (config: Config) => ModelDiagram>> = {
  popularity,
  itemknn: itemKnn,
  puresvd: pureSvd,
  ease,
  gmf,
  mlp,
  neumf,
  'two-tower': twoTower,
  'mult-vae': multVae,
  sasrec,
  gru4rec,
};

/**
 * The diagram of model `name` (a ranking or CTR model) with `config` over its defaults;
 * undefined for a name no registry knows.
 */
export function modelDiagram(name: string, config: Config = {}): ModelDiagram | undefined {
  const build = Object.hasOwn(RANKING_DIAGRAMS, name)
    ? RANKING_DIAGRAMS[name]
    : Object.hasOwn(CTR_DIAGRAMS, name)
      ? CTR_DIAGRAMS[name]
      : undefined;
  return build?.(config);
}
