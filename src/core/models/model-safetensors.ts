/**
 * A ranking model as a safetensors file (see docs/safetensors.md), keyed by MovieLens id so
 * that numpy (scripts/wren_model.py) or a model trained outside Wren (scripts/
 * train_neumf_torch.py) reads and writes the same layout:
 *
 * - each of the model's saved arrays is a tensor under its own name (`itemGmf`, `dense0`,
 *   `historyItems`, …) with its shape, F32 or I32;
 * - `movieIds` (I32, [itemCount]) is the MovieLens id of each item row, `userIds` (I32,
 *   [userCount]) of each user row;
 * - `__metadata__` holds `format` ("wren-model"), `version` ("1"), `model` (its registry
 *   name), `config` (its settings, JSON), `userCount`, `itemCount`, and what else the writer
 *   adds (`dataset`, `protocol`, `metrics` as JSON).
 *
 * Reading checks everything a stored model would otherwise trust: a known ranking model, its
 * settings, every tensor present with the shape and dtype its settings and sizes imply, no
 * NaN or infinity, indexes in range; and moves the item rows to the order of the dataset it
 * is imported into.
 */
import { WrenError } from '../errors.ts';
import { configProblem } from './config-check.ts';
import { modelInfo } from './index.ts';
import { mlpTowerSizes, TWO_TOWER_LAYERS } from './neural-cf-config.ts';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.ts';
import { denseShapes } from './sequential-config.ts';
import type { SavedModel } from './types.ts';

export const FORMAT = 'wren-model';
export const VERSION = '1';

type Spec = Record<string, { dtype: 'F32' | 'I32'; shape: number[] }>;

const f32 = (...shape: number[]): Spec[string] => ({ dtype: 'F32', shape });
const i32 = (...shape: number[]): Spec[string] => ({ dtype: 'I32', shape });

/** [W, b] shapes of dense layers of the widths `sizes`, input first. */
function tower(sizes: readonly number[]): number[][] {
  return sizes.slice(1).flatMap((c, i) => [
    [sizes[i]!, c],
    [1, c],
  ]);
}

function denseSpec(shapes: readonly number[][]): Spec {
  const out: Spec = {};
  shapes.forEach((s, j) => (out[`dense${j}`] = f32(...s)));
  return out;
}

/**
 * The tensors a model of this kind, settings and size holds, with their shapes. Lengths that
 * the settings do not fix (a history's, ItemKNN's neighbour lists, EASE's modelled movies,
 * PureSVD's factors) are read from `len` (a tensor's length; -1 where absent).
 */
export function tensorSpec(
  model: string,
  config: Record<string, number>,
  users: number,
  items: number,
  len: (name: string) => number,
): Spec {
  const history: Spec = { historyOffsets: i32(users + 1), historyItems: i32(len('historyItems')) };
  const c = config;
  switch (model) {
    case 'popularity':
      return { counts: f32(items) };
    case 'itemknn': {
      const nnz = len('rowItems');
      return {
        rowOffsets: i32(items + 1),
        rowItems: i32(nnz),
        rowSims: f32(nnz),
        ...history,
      };
    }
    case 'puresvd': {
      const f = len('sigma');
      return { v: f32(items, f), sigma: f32(f), ...history };
    }
    case 'ease': {
      const a = len('active');
      const own: Spec =
        len('kinv') >= 0
          ? { active: i32(a), kinv: f32(users, users), d: f32(a) }
          : { active: i32(a), b: f32(a, a) };
      return { ...own, ...history };
    }
    case 'gmf':
      return {
        userGmf: f32(users, c.factors!),
        itemGmf: f32(items, c.factors!),
        ...denseSpec([
          [c.factors!, 1],
          [1, 1],
        ]),
      };
    case 'mlp': {
      const sizes = mlpTowerSizes(c as { mlpEmbedding: number; mlpLayers: number });
      return {
        userMlp: f32(users, c.mlpEmbedding!),
        itemMlp: f32(items, c.mlpEmbedding!),
        ...denseSpec([...tower(sizes), [sizes.at(-1)!, 1], [1, 1]]),
      };
    }
    case 'neumf': {
      const sizes = mlpTowerSizes(c as { mlpEmbedding: number; mlpLayers: number });
      return {
        userGmf: f32(users, c.factors!),
        itemGmf: f32(items, c.factors!),
        userMlp: f32(users, c.mlpEmbedding!),
        itemMlp: f32(items, c.mlpEmbedding!),
        ...denseSpec([...tower(sizes), [c.factors! + sizes.at(-1)!, 1], [1, 1]]),
      };
    }
    case 'two-tower': {
      const sizes = [c.mlpEmbedding!, ...TWO_TOWER_LAYERS];
      return {
        userMlp: f32(users, c.mlpEmbedding!),
        itemMlp: f32(items, c.mlpEmbedding!),
        ...denseSpec([...tower(sizes), ...tower(sizes), [1, 1]]),
      };
    }
    case 'mult-vae': {
      const H = c.hidden!;
      const L = c.latent!;
      return {
        ...history,
        ...denseSpec([
          [items, H],
          [1, H],
          [H, 2 * L],
          [1, 2 * L],
          [L, H],
          [1, H],
          [H, items],
          [1, items],
        ]),
      };
    }
    case 'sasrec':
    case 'gru4rec': {
      const shapes = denseShapes(model, c as { dim: number; maxLen: number; blocks: number });
      return {
        items: f32(items + 1, c.dim!),
        ...history,
        ...denseSpec(shapes.map((s) => s.shape)),
      };
    }
    default:
      throw new WrenError('internal', `No safetensors layout for "${model}".`);
  }
}

/** The ids a file is keyed by: MovieLens ids of the item rows and of the user rows. */
export interface ModelIds {
  movieIds: ArrayLike<number>;
  userIds: ArrayLike<number>;
}

/** A ranking model as a safetensors file keyed by MovieLens ids; `extra` goes into the metadata. */
export function modelToSafetensors(
  saved: SavedModel,
  ids: ModelIds,
  extra: Record<string, string> = {},
): Uint8Array {
  if (ids.movieIds.length !== saved.itemCount || ids.userIds.length !== saved.userCount)
    throw new WrenError(
      'internal',
      `The model has ${saved.userCount} users × ${saved.itemCount} movies; ${ids.userIds.length} user and ${ids.movieIds.length} movie ids were given.`,
    );
  const arrays = saved.arrays;
  const spec = tensorSpec(
    saved.model,
    saved.config as Record<string, number>,
    saved.userCount,
    saved.itemCount,
    (n) => arrays[n]?.length ?? -1,
  );
  const tensors: Record<string, Tensor> = {};
  for (const [name, s] of Object.entries(spec)) {
    const data = arrays[name];
    if (!data) throw new WrenError('internal', `${saved.model} saved no "${name}".`);
    tensors[name] = { dtype: s.dtype, shape: s.shape, data };
  }
  tensors.movieIds = {
    dtype: 'I32',
    shape: [saved.itemCount],
    data: Int32Array.from(ids.movieIds),
  };
  tensors.userIds = { dtype: 'I32', shape: [saved.userCount], data: Int32Array.from(ids.userIds) };
  return encodeSafetensors(tensors, {
    ...extra,
    format: FORMAT,
    version: VERSION,
    model: saved.model,
    config: JSON.stringify(saved.config),
    userCount: String(saved.userCount),
    itemCount: String(saved.itemCount),
  });
}

export interface ImportedModel {
  /** The model, its item rows in the order of the dataset it was imported into. */
  saved: SavedModel;
  metadata: Record<string, string>;
  /** MovieLens ids of its user rows (user rows are kept in the file's order). */
  userIds: Int32Array;
  /** The dataset's movies the file has no row for (they score as a zero row would). */
  missing: number;
}

const invalid = (why: string): WrenError =>
  new WrenError('invalid-data', `Cannot import this model: ${why}.`);

/** A whole number ≥ 0 from a metadata field. */
function count(meta: Record<string, string>, key: string): number {
  const x = Number(meta[key]);
  if (meta[key] === undefined || !Number.isSafeInteger(x) || x < 0)
    throw invalid(`its metadata has no whole number "${key}" (found ${JSON.stringify(meta[key])})`);
  return x;
}

/**
 * Reads a model file written by `modelToSafetensors` or by another tool in the same layout,
 * checks it, and moves its item rows to `datasetMovieIds`' order (the dataset's MovieLens id
 * of each movie index); null keeps the file's order. Throws a WrenError ('invalid-data') that
 * says what is wrong; nothing is kept on failure.
 */
export function modelFromSafetensors(
  bytes: Uint8Array,
  datasetMovieIds: ArrayLike<number> | null,
): ImportedModel {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== FORMAT)
    throw invalid(
      `its metadata "format" is ${JSON.stringify(metadata.format)}, not "${FORMAT}" (docs/safetensors.md describes the layout)`,
    );
  const name = metadata.model ?? '';
  const info = modelInfo(name);
  if (!info)
    throw invalid(
      `"${name}" is not a Wren ranking model (popularity, itemknn, puresvd, ease, gmf, mlp, neumf, two-tower, mult-vae, sasrec, gru4rec)`,
    );
  let given: unknown;
  try {
    given = JSON.parse(metadata.config ?? '{}');
  } catch {
    throw invalid('its metadata "config" is not JSON');
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw invalid('its metadata "config" is not a JSON object');
  for (const [k, v] of Object.entries(given))
    if (typeof v !== 'number') throw invalid(`its setting ${k} is not a number`);
  const config = { ...info.defaults, ...(given as Record<string, number>) };
  const problem = configProblem(config, info.settings);
  if (problem) throw invalid(`${info.title}: ${problem}`);
  const users = count(metadata, 'userCount');
  const items = count(metadata, 'itemCount');
  const spec = tensorSpec(name, config, users, items, (n) => tensors[n]?.data.length ?? -1);
  spec.movieIds = i32(items);
  spec.userIds = i32(users);
  for (const [n, s] of Object.entries(spec)) {
    const t = tensors[n];
    if (!t) throw invalid(`${name} needs a tensor "${n}", which the file does not have`);
    if (t.dtype !== s.dtype) throw invalid(`tensor "${n}" is ${t.dtype}; ${name} needs ${s.dtype}`);
    if (t.shape.join(',') !== s.shape.join(','))
      throw invalid(
        `tensor "${n}" has the shape [${t.shape.join(', ')}]; ${name} with these settings, ${users} users and ${items} movies needs [${s.shape.join(', ')}]`,
      );
    if (t.data instanceof Float32Array)
      for (let i = 0; i < t.data.length; i++)
        if (!Number.isFinite(t.data[i]))
          throw invalid(`tensor "${n}" holds ${t.data[i]} at ${i} (NaN or infinite)`);
  }
  for (const n of Object.keys(tensors))
    if (!(n in spec)) throw invalid(`${name} has no tensor "${n}"`);
  checkIndexes(name, tensors, users, items);
  const arrays: SavedModel['arrays'] = {};
  for (const n of Object.keys(spec))
    if (n !== 'movieIds' && n !== 'userIds') arrays[n] = tensors[n]!.data;
  const fileIds = tensors.movieIds!.data as Int32Array;
  const saved: SavedModel = { model: name, config, userCount: users, itemCount: items, arrays };
  if (!datasetMovieIds)
    return { saved, metadata, userIds: tensors.userIds!.data as Int32Array, missing: 0 };
  const { map, missing } = itemMap(fileIds, datasetMovieIds);
  return {
    saved: remapItems(saved, map, datasetMovieIds.length),
    metadata,
    userIds: tensors.userIds!.data as Int32Array,
    missing,
  };
}

/** Index tensors in range: offsets ascending from 0 to their list's length, items below `items`. */
function checkIndexes(name: string, t: Record<string, Tensor>, users: number, items: number): void {
  const offsets = (o: string, list: string): void => {
    const a = t[o]!.data;
    const n = t[list]!.data.length;
    if (a[0] !== 0 || a[a.length - 1] !== n) throw invalid(`"${o}" must run from 0 to ${n}`);
    for (let i = 1; i < a.length; i++)
      if (a[i]! < a[i - 1]!) throw invalid(`"${o}" goes down at ${i}`);
  };
  const below = (n: string, limit: number): void => {
    const a = t[n]!.data;
    for (let i = 0; i < a.length; i++)
      if (!(a[i]! >= 0 && a[i]! < limit))
        throw invalid(`"${n}" holds ${a[i]} at ${i}, outside 0…${limit - 1}`);
  };
  if (t.historyOffsets) {
    offsets('historyOffsets', 'historyItems');
    below('historyItems', items);
  }
  if (name === 'itemknn') {
    offsets('rowOffsets', 'rowItems');
    below('rowItems', items);
  }
  if (name === 'ease') {
    below('active', items);
    if (new Set(t.active!.data).size !== t.active!.data.length)
      throw invalid('"active" names a movie twice');
  }
  const ids = (n: string): void => {
    if (new Set(t[n]!.data).size !== t[n]!.data.length) throw invalid(`"${n}" repeats an id`);
  };
  ids('movieIds');
  ids('userIds');
  void users;
}

/** File item row → dataset movie index; refuses a file movie the dataset does not have. */
function itemMap(
  fileIds: Int32Array,
  datasetIds: ArrayLike<number>,
): { map: Int32Array; missing: number } {
  const index = new Map<number, number>();
  for (let m = 0; m < datasetIds.length; m++) index.set(datasetIds[m]!, m);
  const map = new Int32Array(fileIds.length);
  const unknown: number[] = [];
  fileIds.forEach((id, i) => {
    const m = index.get(id);
    if (m === undefined) unknown.push(id);
    else map[i] = m;
  });
  if (unknown.length)
    throw invalid(
      `it scores ${unknown.length} movies this dataset does not have (MovieLens ids ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}); import it into the dataset it was trained on`,
    );
  return { map, missing: datasetIds.length - fileIds.length };
}

/** Rows of a [rows × width] array moved by `map` into a [newRows × width] array (others zero). */
function moveRows(
  a: Float32Array,
  width: number,
  map: Int32Array,
  newRows: number,
  fill = 0,
): Float32Array {
  const out = new Float32Array(newRows * width).fill(fill);
  map.forEach((m, i) => out.set(a.subarray(i * width, (i + 1) * width), m * width));
  return out;
}

/** Columns of a [rows × I] array moved by `map` into [rows × newI] (others `fill`). */
function moveColumns(
  a: Float32Array,
  rows: number,
  map: Int32Array,
  newCols: number,
  fill = 0,
): Float32Array {
  const I = map.length;
  const out = new Float32Array(rows * newCols).fill(fill);
  for (let r = 0; r < rows; r++) map.forEach((m, i) => (out[r * newCols + m] = a[r * I + i]!));
  return out;
}

/** `saved` with its item axis in the dataset's order: item `i` of the file becomes `map[i]`. */
export function remapItems(saved: SavedModel, map: Int32Array, newItems: number): SavedModel {
  const I = saved.itemCount;
  if (newItems === I && map.every((m, i) => m === i)) return saved;
  const a = saved.arrays;
  const out: SavedModel['arrays'] = { ...a };
  const values = (n: string): void => {
    if (a[n]) out[n] = Int32Array.from(a[n]!, (i) => map[i]!);
  };
  values('historyItems');
  const c = saved.config as Record<string, number>;
  switch (saved.model) {
    case 'popularity':
      out.counts = moveRows(a.counts as Float32Array, 1, map, newItems);
      break;
    case 'puresvd':
      out.v = moveRows(a.v as Float32Array, a.sigma!.length, map, newItems);
      break;
    case 'ease':
      values('active');
      break;
    case 'itemknn': {
      // Row i's (item, similarity) pairs move to row map[i], items renamed.
      const ro = a.rowOffsets as Int32Array;
      const offsets = new Int32Array(newItems + 1);
      for (let i = 0; i < I; i++) offsets[map[i]! + 1] = ro[i + 1]! - ro[i]!;
      for (let m = 0; m < newItems; m++) offsets[m + 1]! += offsets[m]!;
      const rowItems = new Int32Array(a.rowItems!.length);
      const rowSims = new Float32Array(rowItems.length);
      for (let i = 0; i < I; i++)
        for (let k = ro[i]!, at = offsets[map[i]!]!; k < ro[i + 1]!; k++, at++) {
          rowItems[at] = map[a.rowItems![k]!]!;
          rowSims[at] = a.rowSims![k]!;
        }
      Object.assign(out, { rowOffsets: offsets, rowItems, rowSims });
      break;
    }
    case 'gmf':
    case 'neumf':
    case 'mlp':
    case 'two-tower':
      for (const n of ['itemGmf', 'itemMlp'])
        if (a[n]) out[n] = moveRows(a[n] as Float32Array, a[n]!.length / I, map, newItems);
      break;
    case 'mult-vae': {
      const H = c.hidden!;
      out.dense0 = moveRows(a.dense0 as Float32Array, H, map, newItems);
      out.dense6 = moveColumns(a.dense6 as Float32Array, H, map, newItems);
      // A movie without a row gets no probability mass: far below every scored one.
      out.dense7 = moveColumns(a.dense7 as Float32Array, 1, map, newItems, -1e4);
      break;
    }
    case 'sasrec':
    case 'gru4rec': {
      const d = c.dim!;
      const rows = moveRows(a.items as Float32Array, d, map, newItems + 1);
      // The padding row stays last.
      rows.set((a.items as Float32Array).subarray(I * d), newItems * d);
      out.items = rows;
      break;
    }
  }
  return { ...saved, itemCount: newItems, arrays: out };
}
