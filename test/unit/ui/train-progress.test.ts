import { describe, expect, it } from 'vitest';
import {
  foldProgress,
  initialTrainView,
  stageState,
  type TrainView,
} from '../../../src/ui/lib/train-progress.ts';
import type { EmbedWorkerProgress } from '../../../workers/embed-protocol.ts';

const fold = (events: EmbedWorkerProgress[]): TrainView =>
  events.reduce(foldProgress, initialTrainView());

describe('training progress view', () => {
  it('takes the engine from the probe and builds the loss curve from train events', () => {
    const v = fold([
      { stage: 'probe', done: 0, total: 1 },
      { stage: 'probe', done: 1, total: 1, engine: 'wasm-simd' },
      { stage: 'train', done: 100, total: 1000, epoch: 0, loss: 4.1, tokensPerSecond: 5000 },
      { stage: 'train', done: 500, total: 1000, epoch: 4, loss: 2.5, tokensPerSecond: 7000 },
    ]);
    expect(v.engine).toBe('wasm-simd');
    expect(v.stage).toBe('train');
    expect(v.percent).toBe(50);
    expect(v.epoch).toBe(4);
    expect(v.tokensPerSecond).toBe(7000);
    expect(v.loss).toBe(2.5);
    expect(v.points).toEqual([
      { x: 0.1, loss: 4.1 },
      { x: 0.5, loss: 2.5 },
    ]);
  });

  it('never goes back a stage, and the curve never goes back in x', () => {
    let v = fold([
      { stage: 'walks', done: 5, total: 10 },
      { stage: 'train', done: 600, total: 1000, epoch: 0, loss: 3, tokensPerSecond: 1 },
    ]);
    const late = foldProgress(v, { stage: 'walks', done: 10, total: 10 });
    expect(late).toBe(v);
    v = foldProgress(v, {
      stage: 'train',
      done: 400,
      total: 1000,
      epoch: 0,
      loss: 9,
      tokensPerSecond: 1,
    });
    expect(v.points).toHaveLength(1);
    v = foldProgress(v, { stage: 'evaluate', done: 1, total: 2 });
    expect(v.stage).toBe('evaluate');
    expect(v.points).toHaveLength(1);
    expect(v.percent).toBe(50);
  });

  it('ignores non-finite losses and clamps percent to 0..100', () => {
    const v = fold([
      { stage: 'train', done: 2000, total: 1000, epoch: 0, loss: NaN, tokensPerSecond: 1 },
    ]);
    expect(v.points).toEqual([]);
    expect(v.percent).toBe(100);
    expect(fold([{ stage: 'map', done: 0, total: 0 }]).percent).toBeNull();
  });

  it('says which stages are done, running, to come, or skipped', () => {
    const v = fold([{ stage: 'train', done: 1, total: 2, epoch: 0, loss: 1, tokensPerSecond: 1 }]);
    expect(stageState(v, 'probe', true)).toBe('done');
    expect(stageState(v, 'walks', true)).toBe('done');
    expect(stageState(v, 'walks', false)).toBe('skipped');
    expect(stageState(v, 'train', false)).toBe('active');
    expect(stageState(v, 'map', false)).toBe('todo');
  });
});
