/** The models page's view of a running training queue, folded from worker progress (pure). */
import type { EpochLogEntry } from '../../core/models/types.ts';
import type { ModelsProgress } from '../../../workers/models-protocol.ts';
import type { LossPoint } from './loss-chart.ts';

export interface RunView {
  index: number;
  count: number;
  model: string;
  stage: string;
  /** 0..100, or null before the first report. */
  percent: number | null;
  backend: string | null;
  /** Loss against the share of this model's training done. */
  loss: LossPoint[];
  /** Validation NDCG@10 (ROC-AUC for CTR models) per finished epoch. */
  val: LossPoint[];
  epochs: EpochLogEntry[];
  /** The running model's epoch budget (validation may stop it earlier). */
  maxEpochs: number | null;
  /** Seconds left in this stage at its recent pace; null until it can be estimated. */
  secondsLeft?: number | null;
}

export function emptyView(count: number, model: string): RunView {
  return {
    index: 0,
    count,
    model,
    stage: 'starting',
    percent: null,
    backend: null,
    loss: [],
    val: [],
    epochs: [],
    maxEpochs: null,
    secondsLeft: null,
  };
}

/** Folds one progress report into the run view (pure; exported for tests). */
export function foldModelsProgress(v: RunView, p: ModelsProgress, maxEpochs: number): RunView {
  const next: RunView =
    p.index !== v.index ? { ...emptyView(v.count, p.model), index: p.index } : { ...v };
  next.model = p.model;
  next.maxEpochs = maxEpochs;
  next.stage = p.stage;
  next.backend = p.backend ?? next.backend;
  next.percent = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : null;
  const share = p.total > 0 ? p.done / p.total : 0;
  if (p.loss !== undefined && Number.isFinite(p.loss) && p.stage !== 'evaluate')
    next.loss = [...next.loss, { x: share, loss: p.loss }];
  if (p.epoch) {
    next.epochs = [...next.epochs, p.epoch];
    const val = p.epoch.valNdcg ?? p.epoch.valAuc;
    if (val !== undefined) next.val = [...next.val, { x: p.epoch.epoch / maxEpochs, loss: val }];
  }
  return next;
}
