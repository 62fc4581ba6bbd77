/**
 * Random walks over the item transition graph: DeepWalk as SparrowRecSys
 * runs it (first-order: each step follows an edge in proportion to its
 * weight) and Node2vec (Grover & Leskovec 2016: second-order, biased by
 * where the walk came from). The walks are a corpus for the skip-gram
 * trainer, returned as `Sequences`.
 *
 * Node2vec's bias is applied by rejection sampling: an edge is proposed from
 * the first-order alias table and accepted with probability bias / maxBias.
 * That keeps memory at O(edges), where per-edge alias tables (the reference
 * implementation) cost O(Σ degree²).
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import type { ProgressFn } from '../data/types.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import { hasEdge, sampleEdge, sampleStart, type TransitionGraph } from './graph.ts';

export interface WalkOptions {
  /**
   * 'frequency' (SparrowRecSys, default): `numWalks` walks in all, each
   * starting at a node drawn by its share of the transitions.
   * 'every-node' (Node2vec's own scheme): `numWalks` rounds, each starting one
   * walk at every node with an out-edge, in a shuffled order.
   */
  start?: 'frequency' | 'every-node';
  /** Walks in all ('frequency') or per node ('every-node'). SparrowRecSys: 20,000. */
  numWalks: number;
  /** Nodes per walk, the start included. SparrowRecSys: 10. A walk ends early at a node with no out-edge. */
  walkLength: number;
  seed: number;
  signal?: AbortSignal;
  /** Told `{stage: 'walks', done, total}` (walks) every few thousand walks and at the end. */
  onProgress?: ProgressFn;
  /** Milliseconds of work between yields to the event loop (so a worker sees cancel). Default 100. */
  sliceMs?: number;
}

export interface Node2vecOptions extends WalkOptions {
  /** Return parameter: weight 1/p to step back to the previous node. */
  p: number;
  /** In-out parameter: weight 1/q to step to a node that is not an out-neighbour of the previous one. */
  q: number;
}

/** Walks between progress reports and cancel checks. */
const REPORT_EVERY = 4096;
/** Proposals before a Node2vec step falls back to computing the exact biased distribution. */
const MAX_REJECTIONS = 64;

/** DeepWalk's first-order walks (SparrowRecSys' `randomWalk`). */
export function deepWalks(graph: TransitionGraph, opts: WalkOptions): Promise<Sequences> {
  return walk(graph, opts, null);
}

/**
 * Node2vec's second-order walks. From node v reached from t, the edge v→x
 * has weight w(v,x) · (1/p if x = t; 1 if the edge t→x exists; 1/q otherwise).
 * The first step of a walk is first-order.
 */
export async function node2vecWalks(
  graph: TransitionGraph,
  opts: Node2vecOptions,
): Promise<Sequences> {
  const { p, q } = opts;
  if (!(p > 0 && Number.isFinite(p)) || !(q > 0 && Number.isFinite(q)))
    throw new WrenError(
      'invalid-settings',
      `p and q must be positive numbers (got p=${p}, q=${q}).`,
    );
  return walk(graph, opts, { p, q });
}

function validate(o: WalkOptions): void {
  const bad = (what: string, v: unknown): never => {
    throw new WrenError('invalid-settings', `${what} (got ${String(v)}).`);
  };
  if (!Number.isInteger(o.numWalks) || o.numWalks < 0)
    bad('Walk count must be a whole number ≥ 0', o.numWalks);
  if (!Number.isInteger(o.walkLength) || o.walkLength < 1)
    bad('Walk length must be a whole number ≥ 1', o.walkLength);
  if (!Number.isFinite(o.seed)) bad('Seed must be a finite number', o.seed);
  if (o.start !== undefined && o.start !== 'frequency' && o.start !== 'every-node')
    bad("Start must be 'frequency' or 'every-node'", o.start);
}

async function walk(
  g: TransitionGraph,
  opts: WalkOptions,
  bias: { p: number; q: number } | null,
): Promise<Sequences> {
  validate(opts);
  const { walkLength, signal, onProgress } = opts;
  const rng = new Random(opts.seed, 11);
  const everyNode = opts.start === 'every-node';
  let starts: Int32Array | null = null;
  if (everyNode) {
    let k = 0;
    for (let a = 0; a < g.nodeCount; a++) if (g.offsets[a + 1]! > g.offsets[a]!) k++;
    starts = new Int32Array(k);
    for (let a = 0, i = 0; a < g.nodeCount; a++)
      if (g.offsets[a + 1]! > g.offsets[a]!) starts[i++] = a;
  }
  const total =
    g.transitions === 0 ? 0 : everyNode ? opts.numWalks * starts!.length : opts.numWalks;
  const offsets = new Int32Array(total + 1);
  let items = new Int32Array(Math.min(total * walkLength, 1 << 20));
  let len = 0;
  const stepper = bias ? node2vecStepper(g, rng, bias.p, bias.q) : null;
  const sliceMs = opts.sliceMs ?? 100;
  let lastYield = performance.now();
  throwIfAborted(signal);
  onProgress?.({ stage: 'walks', done: 0, total });

  for (let w = 0; w < total; w++) {
    if (everyNode && w % starts!.length === 0) rng.shuffle(starts!);
    if (len + walkLength > items.length) {
      const bigger = new Int32Array(Math.min(total * walkLength, items.length * 2));
      bigger.set(items.subarray(0, len));
      items = bigger;
    }
    let prev = -1;
    let cur = everyNode ? starts![w % starts!.length]! : sampleStart(g, rng);
    items[len++] = cur;
    for (let step = 1; step < walkLength; step++) {
      const e = stepper && prev >= 0 ? stepper(prev, cur) : sampleEdge(g, cur, rng);
      if (e < 0) break;
      prev = cur;
      cur = g.targets[e]!;
      items[len++] = cur;
    }
    offsets[w + 1] = len;
    if ((w + 1) % REPORT_EVERY === 0 && w + 1 < total) {
      onProgress?.({ stage: 'walks', done: w + 1, total });
      if (performance.now() - lastYield >= sliceMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      throwIfAborted(signal);
    }
  }
  onProgress?.({ stage: 'walks', done: total, total });
  return { offsets, items: len === items.length ? items : items.slice(0, len) };
}

/**
 * A Node2vec step from `cur` (reached from `prev`): returns the chosen edge,
 * or -1 when `cur` has no out-edge.
 */
function node2vecStepper(
  g: TransitionGraph,
  rng: Random,
  p: number,
  q: number,
): (prev: number, cur: number) => number {
  const back = 1 / p;
  const away = 1 / q;
  const maxBias = Math.max(back, 1, away);
  const bias = (prev: number, x: number): number =>
    x === prev ? back : hasEdge(g, prev, x) ? 1 : away;
  return (prev, cur) => {
    for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
      const e = sampleEdge(g, cur, rng);
      if (e < 0) return -1;
      const b = bias(prev, g.targets[e]!);
      if (b === maxBias || rng.next() * maxBias < b) return e;
    }
    // Rejection is slow here (a rare, extreme p or q): draw from the exact distribution.
    const lo = g.offsets[cur]!;
    const hi = g.offsets[cur + 1]!;
    let sum = 0;
    for (let e = lo; e < hi; e++) sum += g.weights[e]! * bias(prev, g.targets[e]!);
    let r = rng.next() * sum;
    for (let e = lo; e < hi; e++) {
      r -= g.weights[e]! * bias(prev, g.targets[e]!);
      if (r < 0) return e;
    }
    return hi - 1;
  };
}
