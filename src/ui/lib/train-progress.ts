/**
 * What the Lab's progress panel shows of a training run, folded from the
 * worker's progress events: the stage (never going back), the percent of the
 * stage, the engine once chosen, tokens/s, and the loss curve (x = fraction
 * of training done).
 */
import type { EmbedWorkerProgress } from '../../../workers/embed-protocol.ts';
import type { LossPoint } from './loss-chart.ts';

export type TrainStage = 'probe' | 'walks' | 'train' | 'evaluate' | 'index' | 'map';

export const TRAIN_STAGES: { id: TrainStage; label: string }[] = [
  { id: 'probe', label: 'Pick trainer' },
  { id: 'walks', label: 'Random walks' },
  { id: 'train', label: 'Train' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'index', label: 'Build index' },
  { id: 'map', label: 'Movie map' },
];

export interface TrainView {
  stage: TrainStage;
  /** 0..100 within the stage, null when the stage has no total. */
  percent: number | null;
  engine: string | null;
  epoch: number | null;
  tokensPerSecond: number | null;
  /** The latest reported loss. */
  loss: number | null;
  points: LossPoint[];
  /** Seconds left in this stage at its recent pace (set by the Lab), null until it can be estimated. */
  secondsLeft?: number | null;
}

export const initialTrainView = (): TrainView => ({
  stage: 'probe',
  percent: null,
  engine: null,
  epoch: null,
  tokensPerSecond: null,
  loss: null,
  points: [],
});

const rank = (s: TrainStage): number => TRAIN_STAGES.findIndex((x) => x.id === s);

/**
 * The view after event `p`. Events of an earlier stage than the one shown
 * are ignored (late messages); loss points only grow to the right. Returns a
 * new object; `points` is copied only when it changes.
 */
export function foldProgress(v: TrainView, p: EmbedWorkerProgress): TrainView {
  if (rank(p.stage) < rank(v.stage)) return v;
  const percent = p.total > 0 ? Math.min(100, Math.max(0, (p.done / p.total) * 100)) : null;
  const next: TrainView = { ...v, stage: p.stage, percent };
  if (p.stage === 'probe') {
    if (p.engine) next.engine = p.engine;
    return next;
  }
  if (p.epoch !== undefined) next.epoch = p.epoch;
  if (p.tokensPerSecond !== undefined && Number.isFinite(p.tokensPerSecond))
    next.tokensPerSecond = p.tokensPerSecond;
  if (p.stage === 'train' && p.loss !== undefined && Number.isFinite(p.loss) && p.total > 0) {
    next.loss = p.loss;
    const x = Math.min(1, Math.max(0, p.done / p.total));
    const last = v.points[v.points.length - 1];
    if (!last || x > last.x) next.points = [...v.points, { x, loss: p.loss }];
  }
  return next;
}

/** Whether a stage is done, running or still to come in view `v` (walks are skipped for Item2Vec). */
export function stageState(
  v: TrainView,
  s: TrainStage,
  usesWalks: boolean,
): 'done' | 'active' | 'todo' | 'skipped' {
  if (s === 'walks' && !usesWalks) return 'skipped';
  const a = rank(v.stage);
  const b = rank(s);
  return b < a ? 'done' : b === a ? 'active' : 'todo';
}
