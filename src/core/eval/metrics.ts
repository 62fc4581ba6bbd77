/**
 * Evaluation metrics, written once and shared by every protocol.
 *
 * Ranking metrics use binary relevance. Where a score ties with the target's,
 * the target is placed in the middle of its tie group, so a constant scorer is
 * neither lucky nor unlucky. Classification metrics follow scikit-learn's
 * definitions (ROC-AUC with average ranks for ties, PR-AUC as average
 * precision), so numbers compare with Python references.
 */

/**
 * The 0-based rank of `scores[target]` among `scores[0..n)`: the number of
 * scores strictly above it plus half of the others that tie with it (rounded
 * down). NaN scores are not candidates; a NaN target gets rank Infinity.
 */
export function rankOfTarget(scores: ArrayLike<number>, target: number, n = scores.length): number {
  const t = scores[target]!;
  if (Number.isNaN(t)) return Infinity;
  let higher = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (s > t) higher++;
    else if (s === t) ties++;
  }
  return higher + Math.floor((ties - 1) / 2);
}

/** Hit and NDCG at k for one held-out item at a 0-based rank. */
export function hitNdcgAtRank(rank: number, k: number): { hit: number; ndcg: number } {
  return rank < k ? { hit: 1, ndcg: 1 / Math.log2(rank + 2) } : { hit: 0, ndcg: 0 };
}

/**
 * The indices of the k highest scores, best first; ties go to the lower
 * index, NaN and -Infinity are never picked. `k` may exceed the candidates.
 */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length;
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  // Min-heap on (value, -index): the root is the worst of the kept ones.
  const worse = (a: number, b: number): boolean =>
    heapVal[a]! < heapVal[b]! || (heapVal[a] === heapVal[b] && heapIdx[a]! > heapIdx[b]!);
  const swap = (a: number, b: number): void => {
    const v = heapVal[a]!;
    heapVal[a] = heapVal[b]!;
    heapVal[b] = v;
    const i = heapIdx[a]!;
    heapIdx[a] = heapIdx[b]!;
    heapIdx[b] = i;
  };
  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < n && k > 0; i++) {
    const s = scores[i]!;
    if (!(s > -Infinity)) continue;
    if (size < k) {
      heapVal[size] = s;
      heapIdx[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (s > heapVal[0]!) {
      heapVal[0] = s;
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  const out = new Int32Array(size);
  for (let j = size - 1; j >= 0; j--) {
    out[j] = heapIdx[0]!;
    heapVal[0] = heapVal[size - 1]!;
    heapIdx[0] = heapIdx[size - 1]!;
    size--;
    siftDown(0);
  }
  return out;
}

export interface TopKScores {
  /** Relevant items in the top k divided by the relevant count. */
  recall: number;
  /** Relevant items in the top k divided by k. */
  precision: number;
  /** Binary-gain NDCG; the ideal ranking puts min(relevant, k) hits first. */
  ndcg: number;
  /** 1 if any relevant item is in the top k. */
  hit: number;
  /** 1 / (rank of the first relevant item), 0 if none is in the top k. */
  mrr: number;
}

/**
 * The top-k metrics of one ranked list against a set of relevant items.
 * `isRelevant(item)` answers membership; `relevantCount` is the set's size.
 */
export function topKScores(
  ranked: ArrayLike<number>,
  isRelevant: (item: number) => boolean,
  relevantCount: number,
  k: number,
): TopKScores {
  if (relevantCount <= 0) return { recall: 0, precision: 0, ndcg: 0, hit: 0, mrr: 0 };
  let hits = 0;
  let dcg = 0;
  let first = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) {
    if (isRelevant(ranked[r]!)) {
      hits++;
      dcg += 1 / Math.log2(r + 2);
      if (!first) first = r + 1;
    }
  }
  let idcg = 0;
  for (let r = 0; r < Math.min(relevantCount, k); r++) idcg += 1 / Math.log2(r + 2);
  return {
    recall: hits / relevantCount,
    precision: hits / k,
    ndcg: dcg / idcg,
    hit: hits > 0 ? 1 : 0,
    mrr: first ? 1 / first : 0,
  };
}

/** Mean binary cross-entropy; probabilities are clipped to [1e-7, 1 − 1e-7]. */
export function logloss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probs[i]!));
    sum -= labels[i]! > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / n;
}

/** Share of predictions on the right side of `threshold` (≥ threshold predicts 1). */
export function accuracy(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  threshold = 0.5,
): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let right = 0;
  for (let i = 0; i < n; i++) if (probs[i]! >= threshold === labels[i]! > 0) right++;
  return right / n;
}

/** Indices sorted by score, highest first (ties keep their order). */
function byScoreDesc(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * ROC-AUC: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann–Whitney with average ranks). NaN when
 * one class is missing.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = byScoreDesc(scores);
  let pos = 0;
  let neg = 0;
  let area = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let p = 0;
    let q = 0;
    const s = scores[order[i]!]!;
    while (j < order.length && scores[order[j]!] === s) {
      if (labels[order[j]!]! > 0) p++;
      else q++;
      j++;
    }
    // Negatives in this group lose to every positive seen so far and tie with this group's.
    area += q * (pos + p / 2);
    pos += p;
    neg += q;
    i = j;
  }
  return pos && neg ? area / (pos * neg) : NaN;
}

/**
 * PR-AUC as average precision (scikit-learn's `average_precision_score`):
 * Σ (recall_n − recall_{n−1}) · precision_n over distinct score thresholds.
 */
export function prAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const curve = prCurve(labels, scores, Infinity);
  let ap = 0;
  let lastRecall = 0;
  for (const { recall, precision } of curve) {
    ap += (recall - lastRecall) * precision;
    lastRecall = recall;
  }
  return curve.length ? ap : NaN;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}
export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

/** Walks the distinct thresholds from the highest down, calling `at(tp, fp, threshold)`. */
function sweep(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  at: (tp: number, fp: number, threshold: number) => void,
): { pos: number; neg: number } {
  const order = byScoreDesc(scores);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length;) {
    const s = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!] === s) {
      if (labels[order[i]!]! > 0) tp++;
      else fp++;
      i++;
    }
    at(tp, fp, s);
  }
  return { pos: tp, neg: fp };
}

/** Keeps at most `max` points, evenly spread, always keeping the last. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

/** ROC curve points from (0, 0) to (1, 1), at most `maxPoints` of them. */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = 200,
): RocPoint[] {
  const raw: [number, number, number][] = [];
  const { pos, neg } = sweep(labels, scores, (tp, fp, t) => raw.push([tp, fp, t]));
  if (!pos || !neg) return [];
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  for (const [tp, fp, t] of raw) points.push({ fpr: fp / neg, tpr: tp / pos, threshold: t });
  return thin(points, maxPoints);
}

/** Precision–recall points, recall increasing, at most `maxPoints` of them. */
export function prCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = 200,
): PrPoint[] {
  const raw: [number, number, number][] = [];
  const { pos } = sweep(labels, scores, (tp, fp, t) => raw.push([tp, fp, t]));
  if (!pos) return [];
  return thin(
    raw.map(([tp, fp, t]) => ({ recall: tp / pos, precision: tp / (tp + fp), threshold: t })),
    maxPoints,
  );
}
