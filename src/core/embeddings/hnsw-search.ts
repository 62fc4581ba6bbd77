/**
 * Searching an HNSW graph (see hnsw.ts): greedy descent through the upper
 * layers, then a best-first search with a candidate list of `ef` on layer 0.
 * The work arrays live in an `HnswScratch`, one per index, made on first use
 * and kept in a WeakMap, so the index itself stays plain, storable data.
 */
import type { HnswIndex } from './hnsw.ts';
import type { Exclusion, TopK } from './topk.ts';

/**
 * The `k` nearest rows to `query` (unit length, `dim` values) by cosine,
 * best first, searching with a candidate list of `ef` (≥ k; larger = better
 * recall, slower). Excluded rows are walked through but never returned.
 */
export function hnswSearch(
  index: HnswIndex,
  query: Float32Array,
  k: number,
  ef = 64,
  exclude?: Exclusion,
): TopK {
  if (query.length !== index.dim)
    throw new RangeError(`hnswSearch: query has ${query.length} values, not ${index.dim}`);
  const kk = Math.max(0, Math.min(Math.floor(k), index.count));
  if (kk === 0 || index.entryPoint < 0)
    return { index: new Int32Array(0), score: new Float32Array(0) };
  let s = scratches.get(index);
  if (!s) {
    s = new HnswScratch(index.count, Math.max(ef, kk));
    scratches.set(index, s);
  }
  const allowed =
    exclude === undefined
      ? null
      : typeof exclude === 'function'
        ? (r: number) => !exclude(r)
        : (r: number) => !exclude[r];
  let ep = index.entryPoint;
  let epSim = dotRows(index.vectors, ep * index.dim, query, 0, index.dim);
  for (let l = index.maxLevel; l > 0; l--) [ep, epSim] = s.greedy(index, query, 0, ep, epSim, l);
  const found = s.searchLayer(index, query, 0, ep, epSim, Math.max(ef, kk), 0, allowed);
  const n = Math.min(kk, found);
  const out: TopK = { index: new Int32Array(n), score: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    out.index[i] = s.resIds[i]!;
    out.score[i] = s.resSims[i]!;
  }
  return out;
}

const scratches = new WeakMap<HnswIndex, HnswScratch>();

/** Dot product of `a[ao..ao+dim)` and `b[bo..bo+dim)`, four lanes at a time. */
export function dotRows(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= dim; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < dim; j++) s0 += a[ao + j]! * b[bo + j]!;
  return s0 + s1 + (s2 + s3);
}

/** A binary min-heap of (key, id) pairs in typed arrays, growing as needed. */
class MinHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(4, capacity));
    this.ids = new Int32Array(Math.max(4, capacity));
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      const d = new Int32Array(this.size * 2);
      k.set(this.keys);
      d.set(this.ids);
      this.keys = k;
      this.ids = d;
    }
    const keys = this.keys;
    const ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes the smallest entry (the caller reads `keys[0]`/`ids[0]` first). */
  pop(): void {
    const keys = this.keys;
    const ids = this.ids;
    const n = --this.size;
    const key = keys[n]!;
    const id = ids[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1]! < keys[c]!) c++;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      ids[i] = ids[c]!;
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
  }
}

/** Work arrays for searching one index (not shared between concurrent searches). */
export class HnswScratch {
  private readonly visited: Uint32Array;
  private epoch = 0;
  private readonly candidates: MinHeap;
  private readonly results: MinHeap;
  /** The last `searchLayer` results, best first. */
  resIds: Int32Array;
  resSims: Float64Array;

  constructor(count: number, ef: number) {
    this.visited = new Uint32Array(count);
    this.candidates = new MinHeap(ef * 4);
    this.results = new MinHeap(ef + 1);
    this.resIds = new Int32Array(ef + 1);
    this.resSims = new Float64Array(ef + 1);
  }

  /** Greedy descent on one layer: moves to a better neighbour until there is none. */
  greedy(
    ix: HnswIndex,
    q: Float32Array,
    qo: number,
    ep: number,
    epSim: number,
    layer: number,
  ): [number, number] {
    const { vectors: v, dim } = ix;
    const links = layer === 0 ? ix.links0 : ix.linksUpper;
    for (let moved = true; moved;) {
      moved = false;
      const at = layer === 0 ? ep * (2 * ix.M + 1) : ix.upperOffset[ep]! + (layer - 1) * (ix.M + 1);
      for (let j = 1, n = links[at]!; j <= n; j++) {
        const id = links[at + j]!;
        const s = dotRows(v, id * dim, q, qo, dim);
        if (s > epSim) {
          epSim = s;
          ep = id;
          moved = true;
        }
      }
    }
    return [ep, epSim];
  }

  /**
   * Best-first search of one layer from `ep`, keeping the `ef` best; the
   * allowed ones are left in `resIds`/`resSims`, best first. Returns how many.
   */
  searchLayer(
    ix: HnswIndex,
    q: Float32Array,
    qo: number,
    ep: number,
    epSim: number,
    ef: number,
    layer: number,
    allowed: ((id: number) => boolean) | null,
  ): number {
    const { vectors: v, dim } = ix;
    const visited = this.visited;
    if (++this.epoch === 0xffffffff) {
      visited.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const cand = this.candidates;
    const res = this.results;
    cand.size = 0;
    res.size = 0;
    visited[ep] = epoch;
    cand.push(-epSim, ep);
    if (allowed === null || allowed(ep)) res.push(epSim, ep);
    const links = layer === 0 ? ix.links0 : ix.linksUpper;
    const width = layer === 0 ? 2 * ix.M + 1 : ix.M + 1;
    while (cand.size > 0) {
      const cs = -cand.keys[0]!;
      const c = cand.ids[0]!;
      if (res.size >= ef && cs < res.keys[0]!) break;
      cand.pop();
      const at = layer === 0 ? c * width : ix.upperOffset[c]! + (layer - 1) * width;
      for (let j = 1, n = links[at]!; j <= n; j++) {
        const id = links[at + j]!;
        if (visited[id] === epoch) continue;
        visited[id] = epoch;
        const s = dotRows(v, id * dim, q, qo, dim);
        if (res.size < ef || s > res.keys[0]!) {
          cand.push(-s, id);
          if (allowed === null || allowed(id)) {
            res.push(s, id);
            if (res.size > ef) res.pop();
          }
        }
      }
    }
    const n = res.size;
    if (this.resIds.length < n) {
      this.resIds = new Int32Array(n);
      this.resSims = new Float64Array(n);
    }
    for (let i = n - 1; i >= 0; i--) {
      this.resIds[i] = res.ids[0]!;
      this.resSims[i] = res.keys[0]!;
      res.pop();
    }
    return n;
  }
}
