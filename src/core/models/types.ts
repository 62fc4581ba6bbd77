/**
 * The one interface every model implements: fit on a split's training
 * interactions with progress and a cancel signal, score (user, candidates),
 * and save to / load from plain typed arrays (what IndexedDB stores and what
 * serving reads back — the TF Serving role).
 */
import type { ThreadPool } from '../parallel/pool.ts';
import type { InteractionData } from '../eval/protocols.ts';

export interface FitProgress {
  stage: string;
  done: number;
  total: number;
  /** Training loss of the last step or epoch, where the model has one. */
  loss?: number;
}

export interface EpochLogEntry {
  epoch: number;
  loss: number;
  seconds: number;
  samples: number;
  /** Ranking models: validation HR@10 and NDCG@10. */
  valHr?: number;
  valNdcg?: number;
  /** CTR models: validation logloss and ROC-AUC. */
  valLogloss?: number;
  valAuc?: number;
}

export interface FitOptions {
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
  /** After each epoch of a model trained by epochs, with its validation metrics where it has them. */
  onEpoch?: (r: EpochLogEntry) => void;
  /**
   * Helper threads for the models whose fit splits across cores (EASE;
   * GMF, MLP and NeuMF): up to `threads - 1` of them from `pool`. Without: one thread.
   */
  pool?: ThreadPool;
  threads?: number;
}

/** A model as stored: its name, its settings and its learned arrays. */
export interface SavedModel {
  model: string;
  config: Record<string, number | string | boolean>;
  userCount: number;
  itemCount: number;
  arrays: Record<string, Float32Array | Int32Array>;
}

export interface Recommender {
  /** Registry name, e.g. "itemknn". */
  readonly model: string;
  readonly config: Record<string, number | string | boolean>;
  fit(data: InteractionData, opts?: FitOptions): Promise<void>;
  /**
   * With `items`, fills `out[j]` for `items[j]`; with null, fills `out[m]` for
   * every item index m (`out.length` ≥ itemCount). Higher is better.
   */
  score(user: number, items: Int32Array | null, out: Float32Array): void;
  save(): SavedModel;
  /** Per-epoch training reports, for models trained by epochs. */
  readonly epochLog?: readonly EpochLogEntry[];
  /** What ran the last fit's arithmetic, for a model that does not use tfjs (absent: plain JS). */
  readonly engine?: 'wasm-simd' | 'js';
  /** Threads the last fit ran on, where it can use more than one. */
  readonly threads?: number;
  /** Frees tfjs memory, where the model holds any. */
  dispose?(): void;
}

/** Throws the signal's reason when it has been aborted. */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/** Fills `out` from a full per-item score row for the requested items. */
export function pick(row: Float32Array, items: Int32Array | null, out: Float32Array): void {
  if (items === null) out.set(row.subarray(0, Math.min(row.length, out.length)));
  else for (let j = 0; j < items.length; j++) out[j] = row[items[j]!]!;
}

/** The epoch whose weights a model trained by epochs kept: the best validation NDCG@10, or the last. */
export function bestEpochOf(log: readonly EpochLogEntry[]): number {
  let best = log.length;
  let top = -Infinity;
  for (const r of log)
    if (r.valNdcg !== undefined && r.valNdcg > top) {
      top = r.valNdcg;
      best = r.epoch;
    }
  return best;
}
