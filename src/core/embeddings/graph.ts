/**
 * The item transition graph behind DeepWalk and Node2vec (SparrowRecSys'
 * `graphEmb`): an edge a→b for every time item b directly follows item a in
 * a sequence, weighted by how often it does. Stored as CSR with each row's
 * targets sorted (so "is b a neighbour of a" is a binary search), plus
 * first-order alias tables for every row in two flat arrays, so one step of
 * a walk costs O(1) and the whole graph costs O(edges) memory.
 */
import { WrenError } from '../errors.ts';
import type { Sequences } from '../features/sequences.ts';
import type { Random } from '../random.ts';

export interface TransitionGraph {
  nodeCount: number;
  /** Row a's edges are `offsets[a] .. offsets[a + 1] - 1` (length nodeCount + 1). */
  offsets: Int32Array;
  /** Edge targets, ascending within each row. */
  targets: Int32Array;
  /** Edge weights: how often the target followed the source. */
  weights: Float32Array;
  /**
   * Start weight of each node: the number of transitions out of it
   * (SparrowRecSys' item distribution — the first item's frequency among edges).
   */
  nodeWeight: Float64Array;
  /** Per-row alias tables over edges: slot e keeps edge e with probability `aliasProb[e]`, else edge `aliasEdge[e]`. */
  aliasProb: Float64Array;
  aliasEdge: Int32Array;
  /** Alias table over nodes by `nodeWeight` (the start distribution). */
  startProb: Float64Array;
  startAlias: Int32Array;
  /** Total transitions (sum of the weights). */
  transitions: number;
}

/**
 * Builds the transition graph of `sequences` over nodes `0..nodeCount-1`
 * (default: the largest item + 1). Items outside that range throw
 * 'invalid-data'.
 */
export function buildTransitionGraph(sequences: Sequences, nodeCount?: number): TransitionGraph {
  const { offsets: seqOffsets, items } = sequences;
  let n = nodeCount ?? 0;
  if (nodeCount === undefined)
    for (let i = 0; i < items.length; i++) n = Math.max(n, items[i]! + 1);
  if (!Number.isInteger(n) || n < 0)
    throw new WrenError('invalid-settings', `Node count must be a whole number ≥ 0 (got ${n}).`);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it < 0 || it >= n)
      throw new WrenError('invalid-data', `Item ${it} is outside 0..${n - 1}.`);
  }
  const seqs = seqOffsets.length - 1;
  // Pass 1: transitions out of each node. Pass 2: their targets, bucketed by source.
  const rawStart = new Int32Array(n + 1);
  for (let s = 0; s < seqs; s++) {
    for (let i = seqOffsets[s]!, end = seqOffsets[s + 1]! - 1; i < end; i++)
      rawStart[items[i]! + 1]!++;
  }
  for (let a = 0; a < n; a++) rawStart[a + 1]! += rawStart[a]!;
  const transitions = rawStart[n]!;
  const raw = new Int32Array(transitions);
  const fill = rawStart.slice(0, n);
  for (let s = 0; s < seqs; s++) {
    for (let i = seqOffsets[s]!, end = seqOffsets[s + 1]! - 1; i < end; i++)
      raw[fill[items[i]!]!++] = items[i + 1]!;
  }
  // Sort each bucket and merge repeats into weighted edges.
  const nodeWeight = new Float64Array(n);
  const offsets = new Int32Array(n + 1);
  let edges = 0;
  for (let a = 0; a < n; a++) {
    const lo = rawStart[a]!;
    const hi = rawStart[a + 1]!;
    nodeWeight[a] = hi - lo;
    if (hi - lo > 1) raw.subarray(lo, hi).sort();
    for (let i = lo; i < hi; i++) if (i === lo || raw[i] !== raw[i - 1]) edges++;
    offsets[a + 1] = edges;
  }
  const targets = new Int32Array(edges);
  const weights = new Float32Array(edges);
  for (let a = 0, e = -1; a < n; a++) {
    for (let i = rawStart[a]!, hi = rawStart[a + 1]!; i < hi; i++) {
      if (i === rawStart[a] || raw[i] !== raw[i - 1]) targets[++e] = raw[i]!;
      weights[e]!++;
    }
  }
  const aliasProb = new Float64Array(edges);
  const aliasEdge = new Int32Array(edges);
  const scratch = new AliasScratch(maxRow(offsets));
  for (let a = 0; a < n; a++) {
    fillAlias(weights, offsets[a]!, offsets[a + 1]!, aliasProb, aliasEdge, scratch);
  }
  const startProb = new Float64Array(n);
  const startAlias = new Int32Array(n);
  fillAlias(nodeWeight, 0, n, startProb, startAlias, new AliasScratch(n));
  return {
    nodeCount: n,
    offsets,
    targets,
    weights,
    nodeWeight,
    aliasProb,
    aliasEdge,
    startProb,
    startAlias,
    transitions,
  };
}

/** Draws a start node in proportion to `nodeWeight`; -1 when the graph has no edges. */
export function sampleStart(g: TransitionGraph, rng: Random): number {
  if (g.transitions === 0) return -1;
  const i = rng.int(g.nodeCount);
  return rng.next() < g.startProb[i]! ? i : g.startAlias[i]!;
}

/** Draws one out-edge of `node` in proportion to its weight; -1 when it has none. */
export function sampleEdge(g: TransitionGraph, node: number, rng: Random): number {
  const lo = g.offsets[node]!;
  const deg = g.offsets[node + 1]! - lo;
  if (deg === 0) return -1;
  const e = lo + (deg === 1 ? 0 : rng.int(deg));
  return rng.next() < g.aliasProb[e]! ? e : g.aliasEdge[e]!;
}

/** Whether the edge a→b exists (binary search in a's sorted row). */
export function hasEdge(g: TransitionGraph, a: number, b: number): boolean {
  let lo = g.offsets[a]!;
  let hi = g.offsets[a + 1]! - 1;
  const t = g.targets;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = t[mid]!;
    if (v === b) return true;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The largest out-degree. */
function maxRow(offsets: Int32Array): number {
  let m = 0;
  for (let a = 0; a + 1 < offsets.length; a++) m = Math.max(m, offsets[a + 1]! - offsets[a]!);
  return m;
}

/** Work arrays for `fillAlias`, sized for the longest row. */
class AliasScratch {
  readonly scaled: Float64Array;
  readonly small: Int32Array;
  readonly large: Int32Array;
  constructor(size: number) {
    this.scaled = new Float64Array(size);
    this.small = new Int32Array(size);
    this.large = new Int32Array(size);
  }
}

/**
 * Vose's alias construction over `weights[lo..hi)`, written into
 * `prob[lo..hi)` and `alias[lo..hi)` as absolute indexes. An all-zero or
 * empty range is left as "keep yourself" (never sampled by the callers).
 */
function fillAlias(
  weights: ArrayLike<number>,
  lo: number,
  hi: number,
  prob: Float64Array,
  alias: Int32Array,
  s: AliasScratch,
): void {
  const n = hi - lo;
  let total = 0;
  for (let i = lo; i < hi; i++) total += weights[i]!;
  if (n === 0) return;
  if (!(total > 0)) {
    for (let i = lo; i < hi; i++) {
      prob[i] = 1;
      alias[i] = i;
    }
    return;
  }
  let ns = 0;
  let nl = 0;
  for (let j = 0; j < n; j++) {
    const v = (weights[lo + j]! * n) / total;
    s.scaled[j] = v;
    if (v < 1) s.small[ns++] = j;
    else s.large[nl++] = j;
  }
  while (ns > 0 && nl > 0) {
    const sm = s.small[--ns]!;
    const lg = s.large[nl - 1]!;
    prob[lo + sm] = s.scaled[sm]!;
    alias[lo + sm] = lo + lg;
    const rest = s.scaled[lg]! + s.scaled[sm]! - 1;
    s.scaled[lg] = rest;
    if (rest < 1) {
      nl--;
      s.small[ns++] = lg;
    }
  }
  while (nl > 0) {
    const lg = s.large[--nl]!;
    prob[lo + lg] = 1;
    alias[lo + lg] = lo + lg;
  }
  // Left over by rounding: a positive weight keeps itself; a zero weight must never be drawn.
  let heaviest = lo;
  for (let i = lo; i < hi; i++) if (weights[i]! > weights[heaviest]!) heaviest = i;
  while (ns > 0) {
    const sm = s.small[--ns]!;
    const positive = weights[lo + sm]! > 0;
    prob[lo + sm] = positive ? 1 : 0;
    alias[lo + sm] = positive ? lo + sm : heaviest;
  }
}
