/**
 * The NeuralCF speed probes: samples per second of the tfjs trainer's steps
 * (the probe that picks a tfjs backend) and of the GMF/MLP/NeuMF kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { InteractionData } from '../../eval/protocols.ts';
import { Random } from '../../random.ts';
import type { NcfEngine, NcfTrainer } from '../../train/ncf-trainer.ts';
import {
  SparseTrainer,
  type SparseNetwork,
  type TrainSettings,
} from '../../train/sparse-trainer.ts';
import type { FitOptions } from '../types.ts';

/**
 * Training samples per second of the tfjs trainer's steps on `net` (random rows of `users` ×
 * `items`, one positive in five) on the active backend, for about `ms` after two warm-up steps.
 */
export function sparseStepSpeed(
  net: SparseNetwork,
  settings: TrainSettings,
  users: number,
  items: number,
  ms: number,
): number {
  const trainer = new SparseTrainer(tf, net, settings);
  const rng = new Random(1, 0x505242);
  const b = settings.batchSize;
  const u = new Int32Array(b);
  const it = new Int32Array(b);
  const labels = new Float32Array(b);
  const step = (): void => {
    for (let j = 0; j < b; j++) {
      u[j] = rng.int(users);
      it[j] = rng.int(items);
      labels[j] = j % 5 === 0 ? 1 : 0;
    }
    trainer.trainBatch(u, it, labels);
  };
  step();
  step();
  const t0 = performance.now();
  let n = 0;
  while (n < 3 || performance.now() - t0 < ms) {
    step();
    n++;
  }
  return (n * b * 1000) / (performance.now() - t0);
}

/** Random training interactions: `users` users with `per` of `items` movies each. */
export function probeInteractions(users: number, per: number, items: number): InteractionData {
  const rng = new Random(1, 0x4b524e);
  const rated = new Int32Array(users * per);
  for (let i = 0; i < rated.length; i++) rated[i] = rng.int(items);
  return {
    userCount: users,
    itemCount: items,
    train: { offsets: Int32Array.from({ length: users + 1 }, (_, u) => u * per), items: rated },
    trainRatings: new Uint8Array(rated.length).fill(8),
    trainTimes: new Uint32Array(rated.length),
    catalogue: new Uint8Array(items).fill(1),
  };
}

/** The kernel's samples per second over one epoch of `trainer` on `data`, and what it ran on. */
export async function kernelSpeed(
  trainer: NcfTrainer,
  data: InteractionData,
  opts: Pick<FitOptions, 'pool' | 'threads'>,
): Promise<{ samplesPerSecond: number; engine: NcfEngine; threads: number }> {
  const [r] = await trainer.fit(data, opts);
  return {
    samplesPerSecond: r!.samples / r!.seconds,
    engine: trainer.engine,
    threads: trainer.threads,
  };
}
