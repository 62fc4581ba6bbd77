/** sparrow-ctr metrics of predicted probabilities against labels. */
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
