/** Helpers for the embedding tests: corpora from plain arrays, goodness of fit. */
import type { Sequences } from '../../../src/core/features/sequences.ts';

/** Sequences from plain arrays. */
export function seqs(lists: number[][]): Sequences {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
  return { offsets, items: Int32Array.from(lists.flat()) };
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(observed: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i]!;
  let x = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = probabilities[i]! * total;
    if (e > 0) x += (observed[i]! - e) ** 2 / e;
    else if (observed[i]! > 0) return Infinity;
  }
  return x;
}

/**
 * The 99.9% quantile of the chi-square distribution with `df` degrees of
 * freedom (Wilson–Hilferty; within 1% for df ≥ 2).
 */
export function chiSquareCritical(df: number): number {
  const z = 3.09;
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}
