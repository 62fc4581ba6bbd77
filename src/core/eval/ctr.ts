/** CTR metrics of predicted probabilities against labels (sparrow-ctr, ctr-random). */
import { Random } from '../random.ts';
import {
  accuracy,
  logloss,
  prAuc,
  prCurve,
  rocAuc,
  rocCurve,
  type PrPoint,
  type RocPoint,
} from './metrics.ts';

export interface CtrMetrics {
  logloss: number;
  accuracy: number;
  rocAuc: number;
  prAuc: number;
  /** Share of positive labels (PR-AUC's chance level). */
  positiveRate: number;
  rows: number;
}

export function evaluateCtr(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  curvePoints = 100,
): { metrics: CtrMetrics; roc: RocPoint[]; pr: PrPoint[] } {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i]! > 0 ? 1 : 0;
  return {
    metrics: {
      logloss: logloss(labels, probs),
      accuracy: accuracy(labels, probs),
      rocAuc: rocAuc(labels, probs),
      prAuc: prAuc(labels, probs),
      positiveRate: labels.length ? pos / labels.length : 0,
      rows: labels.length,
    },
    roc: rocCurve(labels, probs, curvePoints),
    pr: prCurve(labels, probs, curvePoints),
  };
}

/** The rows of each group (e.g. each user's test rows), groups in order of first appearance. */
function rowsByGroup(groups: ArrayLike<number>): number[][] {
  const at = new Map<number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const rows = at.get(g);
    if (rows) rows.push(i);
    else at.set(g, [i]);
  }
  return [...at.values()];
}

const pick = (x: ArrayLike<number>, rows: number[]): number[] => rows.map((i) => x[i]!);

/**
 * Group AUC (Zhou et al., DIN, KDD 2018): each group's ROC-AUC weighted by its row count, over the
 * groups that hold both labels. With users as groups it asks how well a model orders each user's
 * own movies, which the global ROC-AUC mixes with how well it tells users apart. NaN when no group
 * holds both labels.
 */
export function groupAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  groups: ArrayLike<number>,
): number {
  let sum = 0;
  let weight = 0;
  for (const rows of rowsByGroup(groups)) {
    const auc = rocAuc(pick(labels, rows), pick(scores, rows));
    if (Number.isNaN(auc)) continue;
    sum += rows.length * auc;
    weight += rows.length;
  }
  return weight ? sum / weight : NaN;
}

export interface PairedDifference {
  /** ROC-AUC of b minus ROC-AUC of a on all rows. */
  diff: number;
  /** The 2.5% and 97.5% quantiles of the difference over the resamples. */
  lo: number;
  hi: number;
  rounds: number;
}

/**
 * How sure a difference in ROC-AUC between two models' scores `a` and `b` on the same rows is: a
 * paired bootstrap that resamples whole groups (users) with replacement, since a user's rows are
 * not independent and a few users can hold most of a test period's rows. Seeded.
 */
export function pairedAucBootstrap(
  labels: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  groups: ArrayLike<number>,
  { rounds = 500, seed = 1 }: { rounds?: number; seed?: number } = {},
): PairedDifference {
  const byGroup = rowsByGroup(groups);
  const rng = new Random(seed, 0x425354);
  const diffs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const rows: number[] = [];
    for (let k = 0; k < byGroup.length; k++) rows.push(...byGroup[rng.int(byGroup.length)]!);
    const l = pick(labels, rows);
    const d = rocAuc(l, pick(b, rows)) - rocAuc(l, pick(a, rows));
    if (!Number.isNaN(d)) diffs.push(d);
  }
  diffs.sort((x, y) => x - y);
  const q = (p: number): number =>
    diffs.length ? diffs[Math.min(diffs.length - 1, Math.floor(p * diffs.length))]! : NaN;
  return { diff: rocAuc(labels, b) - rocAuc(labels, a), lo: q(0.025), hi: q(0.975), rounds };
}

export interface CtrComparison {
  metrics: CtrMetrics;
  /** Group AUC with users as the groups. */
  groupAuc: number;
  /** ROC-AUC minus logistic regression's on the same rows, resampled by user (when LR's are given). */
  vsLr?: PairedDifference;
}

/**
 * A CTR model's test figures as the protocols report them: the classification metrics, the group
 * AUC over `users`, and, given logistic regression's probabilities on the same rows, the paired
 * bootstrap of the ROC-AUC difference from it.
 */
export function compareCtr(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  users: ArrayLike<number>,
  lr?: ArrayLike<number> | null,
  opts: { rounds?: number; seed?: number } = {},
): CtrComparison {
  return {
    metrics: evaluateCtr(labels, probs, 2).metrics,
    groupAuc: groupAuc(labels, probs, users),
    ...(lr && { vsLr: pairedAucBootstrap(labels, lr, probs, users, opts) }),
  };
}
