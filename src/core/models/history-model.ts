/**
 * The base of models that score from a user's history of items (ItemKNN,
 * PureSVD): they keep each user's distinct training items, score a user by
 * that history, and store it beside their own arrays.
 */
import type { InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import type { FitOptions, Recommender, SavedModel } from './types.ts';

export abstract class HistoryModel implements Recommender {
  abstract readonly model: string;
  abstract readonly config: Record<string, number>;
  protected history: Sequences = { offsets: new Int32Array(1), items: new Int32Array(0) };
  protected itemCount = 0;

  abstract fit(data: InteractionData, opts?: FitOptions): Promise<void>;
  /** Scores from an explicit history (the app's own profile will use this). */
  abstract scoreHistory(
    history: ArrayLike<number>,
    items: Int32Array | null,
    out: Float32Array,
  ): void;
  /** How many training users have each item in their history (the popularity the model saw). */
  itemCounts(): Float32Array {
    const counts = new Float32Array(this.itemCount);
    for (const m of this.history.items) counts[m]!++;
    return counts;
  }

  /** The model's own learned arrays (the history is added by `save`). */
  protected abstract ownArrays(): SavedModel['arrays'];

  score(user: number, items: Int32Array | null, out: Float32Array): void {
    const h = this.history;
    this.scoreHistory(h.items.subarray(h.offsets[user]!, h.offsets[user + 1]!), items, out);
  }

  save(): SavedModel {
    return {
      model: this.model,
      config: this.config,
      userCount: this.history.offsets.length - 1,
      itemCount: this.itemCount,
      arrays: {
        ...this.ownArrays(),
        historyOffsets: this.history.offsets,
        historyItems: this.history.items,
      },
    };
  }

  /** Restores the history and sizes from a saved model. */
  protected restore(s: SavedModel): void {
    this.itemCount = s.itemCount;
    this.history = {
      offsets: s.arrays.historyOffsets as Int32Array,
      items: s.arrays.historyItems as Int32Array,
    };
  }
}
