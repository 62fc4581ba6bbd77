/**
 * Approximate nearest neighbours by cosine: a Hierarchical Navigable Small
 * World graph (Malkov & Yashunin 2018, as hnswlib builds it: neighbours
 * chosen by the diversity heuristic, 2M links on layer 0 and M above).
 *
 * The index is plain data — numbers and typed arrays — so it can be stored
 * in IndexedDB, sent to another worker, and searched again as it is. It
 * keeps a reference to the unit-length rows it was built on (`vectors`);
 * store those beside it.
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import type { ProgressFn } from '../data/types.ts';
import { Random } from '../random.ts';
import { HnswScratch, dotRows } from './hnsw-search.ts';

export interface HnswIndex {
  dim: number;
  count: number;
  /** Links per node on layers ≥ 1; layer 0 has `2·M`. */
  M: number;
  efConstruction: number;
  seed: number;
  /** Highest node of the top layer; -1 for an empty index. */
  entryPoint: number;
  maxLevel: number;
  /** Top layer of each node. */
  levels: Uint8Array;
  /** Layer 0: node i's list at `i·(2M + 1)`: a count, then up to 2M neighbours. */
  links0: Int32Array;
  /** Where node i's upper lists start in `linksUpper` (-1 when its level is 0); layer l at `+ (l − 1)·(M + 1)`. */
  upperOffset: Int32Array;
  /** Upper layers' lists: a count, then up to M neighbours. */
  linksUpper: Int32Array;
  /** The unit-length rows indexed (not copied). */
  vectors: Float32Array;
}

export interface HnswOptions {
  /** Links per node (default 16). */
  M?: number;
  /** Candidate list size while building (default 100). */
  efConstruction?: number;
  /** Seed of the level draws (default 1). */
  seed?: number;
  signal?: AbortSignal;
  /** Told `{stage: 'index', done, total}` in rows inserted. */
  onProgress?: ProgressFn;
  /** Milliseconds of work between yields to the event loop. Default 100. */
  sliceMs?: number;
}

const MAX_LEVEL = 15;

/** Builds an HNSW index over `vectors` (unit-length rows of `dim`; see normalizeRows). */
export async function buildHnsw(
  vectors: Float32Array,
  dim: number,
  opts: HnswOptions = {},
): Promise<HnswIndex> {
  const M = opts.M ?? 16;
  const efC = opts.efConstruction ?? 100;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0)
    throw new WrenError('invalid-settings', `${vectors.length} values do not make rows of ${dim}.`);
  if (!Number.isInteger(M) || M < 2 || M > 100)
    throw new WrenError('invalid-settings', `M must be a whole number 2–100 (got ${M}).`);
  if (!Number.isInteger(efC) || efC < 1)
    throw new WrenError(
      'invalid-settings',
      `efConstruction must be a whole number ≥ 1 (got ${efC}).`,
    );
  const count = vectors.length / dim;
  const rng = new Random(seed, 5);
  const mL = 1 / Math.log(M);
  const levels = new Uint8Array(count);
  const upperOffset = new Int32Array(count).fill(-1);
  let upper = 0;
  for (let i = 0; i < count; i++) {
    const l = Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - rng.next()) * mL));
    levels[i] = l;
    if (l > 0) {
      upperOffset[i] = upper;
      upper += l * (M + 1);
    }
  }
  const index: HnswIndex = {
    dim,
    count,
    M,
    efConstruction: efC,
    seed,
    entryPoint: -1,
    maxLevel: 0,
    levels,
    links0: new Int32Array(count * (2 * M + 1)),
    upperOffset,
    linksUpper: new Int32Array(upper),
    vectors,
  };
  const b = new Builder(index);
  const sliceMs = opts.sliceMs ?? 100;
  let last = performance.now();
  opts.onProgress?.({ stage: 'index', done: 0, total: count });
  for (let i = 0; i < count; i++) {
    b.insert(i);
    if ((i & 255) === 255 && performance.now() - last >= sliceMs) {
      opts.onProgress?.({ stage: 'index', done: i + 1, total: count });
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfAborted(opts.signal);
      last = performance.now();
    }
  }
  throwIfAborted(opts.signal);
  opts.onProgress?.({ stage: 'index', done: count, total: count });
  return index;
}

/** Where node's list on `layer` starts (its count slot). */
function listAt(ix: HnswIndex, node: number, layer: number): { links: Int32Array; at: number } {
  return layer === 0
    ? { links: ix.links0, at: node * (2 * ix.M + 1) }
    : { links: ix.linksUpper, at: ix.upperOffset[node]! + (layer - 1) * (ix.M + 1) };
}

/** Inserts rows one at a time (hnswlib's algorithm, single-threaded). */
class Builder {
  private readonly s: HnswScratch;
  /** Candidates of the heuristic: ids and their similarity to the base point. */
  private readonly cIds: Int32Array;
  private readonly cSims: Float64Array;
  private readonly chosen: Int32Array;

  constructor(private readonly ix: HnswIndex) {
    this.s = new HnswScratch(ix.count, Math.max(ix.efConstruction, 2 * ix.M + 1));
    const cap = Math.max(ix.efConstruction, 2 * ix.M + 1) + 1;
    this.cIds = new Int32Array(cap);
    this.cSims = new Float64Array(cap);
    this.chosen = new Int32Array(cap);
  }

  insert(i: number): void {
    const ix = this.ix;
    const { vectors: v, dim } = ix;
    const level = ix.levels[i]!;
    if (ix.entryPoint < 0) {
      ix.entryPoint = i;
      ix.maxLevel = level;
      return;
    }
    const q = i * dim;
    let ep = ix.entryPoint;
    let epSim = dotRows(v, ep * dim, v, q, dim);
    for (let l = ix.maxLevel; l > level; l--) [ep, epSim] = this.s.greedy(ix, v, q, ep, epSim, l);
    for (let l = Math.min(level, ix.maxLevel); l >= 0; l--) {
      const found = this.s.searchLayer(ix, v, q, ep, epSim, ix.efConstruction, l, null);
      // Results come best first: the closest is the next layer's entry point.
      ep = this.s.resIds[0]!;
      epSim = this.s.resSims[0]!;
      for (let j = 0; j < found; j++) {
        this.cIds[j] = this.s.resIds[j]!;
        this.cSims[j] = this.s.resSims[j]!;
      }
      const picked = this.select(found, ix.M);
      const own = listAt(ix, i, l);
      own.links[own.at] = picked;
      for (let j = 0; j < picked; j++) own.links[own.at + 1 + j] = this.chosen[j]!;
      const max = l === 0 ? 2 * ix.M : ix.M;
      // link() reuses the work arrays: read the picks back from i's own list.
      for (let j = 0; j < picked; j++) this.link(own.links[own.at + 1 + j]!, i, l, max);
    }
    if (level > ix.maxLevel) {
      ix.maxLevel = level;
      ix.entryPoint = i;
    }
  }

  /** Adds `node` to `e`'s list on `layer`, shrinking it by the heuristic when full. */
  private link(e: number, node: number, layer: number, max: number): void {
    const ix = this.ix;
    const { links, at } = listAt(ix, e, layer);
    const n = links[at]!;
    if (n < max) {
      links[at + 1 + n] = node;
      links[at] = n + 1;
      return;
    }
    const { vectors: v, dim } = ix;
    const eo = e * dim;
    for (let j = 0; j < n; j++) {
      const id = links[at + 1 + j]!;
      this.cIds[j] = id;
      this.cSims[j] = dotRows(v, id * dim, v, eo, dim);
    }
    this.cIds[n] = node;
    this.cSims[n] = dotRows(v, node * dim, v, eo, dim);
    sortBySimDesc(this.cIds, this.cSims, n + 1);
    const picked = this.select(n + 1, max);
    links[at] = picked;
    for (let j = 0; j < picked; j++) links[at + 1 + j] = this.chosen[j]!;
  }

  /**
   * The diversity heuristic (the paper's Algorithm 4): walk the candidates
   * from the closest and keep one only if it is closer to the base point
   * than to every one kept so far. Candidates must be sorted best first.
   */
  private select(count: number, max: number): number {
    const { vectors: v, dim } = this.ix;
    let kept = 0;
    for (let j = 0; j < count && kept < max; j++) {
      const id = this.cIds[j]!;
      const sim = this.cSims[j]!;
      let ok = true;
      for (let t = 0; t < kept; t++) {
        if (dotRows(v, id * dim, v, this.chosen[t]! * dim, dim) > sim) {
          ok = false;
          break;
        }
      }
      if (ok) this.chosen[kept++] = id;
    }
    return kept;
  }
}

/** Insertion sort of a short candidate list by similarity, high first. */
function sortBySimDesc(ids: Int32Array, sims: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const id = ids[i]!;
    const s = sims[i]!;
    let j = i - 1;
    while (j >= 0 && sims[j]! < s) {
      ids[j + 1] = ids[j]!;
      sims[j + 1] = sims[j]!;
      j--;
    }
    ids[j + 1] = id;
    sims[j + 1] = s;
  }
}
