/**
 * ItemKNN (collaborative filtering over items, as in Dacrema et al. 2019's
 * ItemKNNCF): cosine similarity between the items' binary user columns,
 * shrunk by `shrink`, keeping each item's `neighbours` most similar items.
 * A user's score for item j is the summed similarity of j to the items in the
 * user's history that are among j's neighbours.
 */
import { defaultsOf, schemaOf, settingsOf } from './config-check.ts';
import type { InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { topK } from '../eval/metrics.ts';
import { HistoryModel } from './history-model.ts';
import { checkAbort, type FitOptions, type SavedModel } from './types.ts';

export interface ItemKnnConfig {
  [key: string]: number;
  neighbours: number;
  shrink: number;
}

export const ITEMKNN_SETTINGS = schemaOf<ItemKnnConfig>({
  neighbours: {
    default: 100,
    kind: 'whole',
    min: 1,
    doc: 'How many of each movie’s most similar movies it keeps; a movie scores by its similarity to the user’s movies among them.',
  },
  shrink: {
    default: 0,
    kind: 'number',
    min: 0,
    doc: 'Added to the cosine’s denominator, so a similarity resting on few common users counts less.',
  },
});

export const ITEMKNN_DEFAULTS: ItemKnnConfig = defaultsOf(ITEMKNN_SETTINGS);

/** The transpose of a user → items CSR: item → users. */
export function transpose(s: Sequences, itemCount: number): Sequences {
  const offsets = new Int32Array(itemCount + 1);
  for (let i = 0; i < s.items.length; i++) offsets[s.items[i]! + 1]!++;
  for (let m = 0; m < itemCount; m++) offsets[m + 1]! += offsets[m]!;
  const fill = offsets.slice(0, itemCount);
  const items = new Int32Array(s.items.length);
  for (let u = 0; u + 1 < s.offsets.length; u++)
    for (let i = s.offsets[u]!; i < s.offsets[u + 1]!; i++) items[fill[s.items[i]!]!++] = u;
  return { offsets, items };
}

/** Each user's distinct training items (a user's repeated item counts once). */
export function distinctHistories(data: InteractionData): Sequences {
  const seen = new Uint8Array(data.itemCount);
  const offsets = new Int32Array(data.userCount + 1);
  const items: number[] = [];
  for (let u = 0; u < data.userCount; u++) {
    const from = data.train.offsets[u]!;
    const to = data.train.offsets[u + 1]!;
    for (let i = from; i < to; i++) {
      const m = data.train.items[i]!;
      if (!seen[m]) {
        seen[m] = 1;
        items.push(m);
      }
    }
    for (let i = from; i < to; i++) seen[data.train.items[i]!] = 0;
    offsets[u + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items) };
}

export class ItemKnn extends HistoryModel {
  readonly model = 'itemknn';
  readonly config: ItemKnnConfig;
  /** Row i: the items j that keep i as a neighbour, with the similarity. */
  private rowOffsets: Int32Array = new Int32Array(1);
  private rowItems: Int32Array = new Int32Array(0);
  private rowSims: Float32Array = new Float32Array(0);
  private row: Float32Array = new Float32Array(0);

  constructor(config: Partial<ItemKnnConfig> = {}, stored = false) {
    super();
    this.config = settingsOf('ItemKNN', ITEMKNN_SETTINGS, config, stored);
  }

  override async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    const { neighbours, shrink } = this.config;
    const n = data.itemCount;
    this.itemCount = n;
    this.history = distinctHistories(data);
    const byItem = transpose(this.history, n);
    const norm = new Float64Array(n);
    for (let m = 0; m < n; m++) norm[m] = Math.sqrt(byItem.offsets[m + 1]! - byItem.offsets[m]!);
    const co = new Float64Array(n);
    const touched = new Int32Array(n);
    const sims = new Float64Array(n);
    // Column j keeps its top neighbours; stored per j first, transposed after.
    const colItems: Int32Array[] = new Array<Int32Array>(n);
    const colSims: Float32Array[] = new Array<Float32Array>(n);
    const { offsets: uo, items: ui } = this.history;
    for (let j = 0; j < n; j++) {
      if ((j & 511) === 0) {
        checkAbort(opts.signal);
        opts.onProgress?.({ stage: 'similarities', done: j, total: n });
        await Promise.resolve();
      }
      let t = 0;
      for (let a = byItem.offsets[j]!; a < byItem.offsets[j + 1]!; a++) {
        const u = byItem.items[a]!;
        for (let b = uo[u]!; b < uo[u + 1]!; b++) {
          const i = ui[b]!;
          if (i === j) continue;
          if (co[i] === 0) touched[t++] = i;
          co[i]!++;
        }
      }
      const cand = sims.subarray(0, t);
      for (let c = 0; c < t; c++) {
        const i = touched[c]!;
        cand[c] = co[i]! / (norm[i]! * norm[j]! + shrink + 1e-9);
        co[i] = 0;
      }
      if (neighbours >= t) {
        // Every candidate is kept, and a column's order is lost in the transpose below
        // (each row fills in column order): no ranking needed.
        colItems[j] = touched.slice(0, t);
        colSims[j] = Float32Array.from(cand);
        continue;
      }
      const best = topK(cand, neighbours);
      colItems[j] = new Int32Array(best.length);
      colSims[j] = new Float32Array(best.length);
      for (let c = 0; c < best.length; c++) {
        colItems[j]![c] = touched[best[c]!]!;
        colSims[j]![c] = cand[best[c]!]!;
      }
    }
    // A cancel that came after the last check above still stops the fit: nothing is kept.
    checkAbort(opts.signal);
    const offsets = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) for (const i of colItems[j]!) offsets[i + 1]!++;
    for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
    const fill = offsets.slice(0, n);
    const items = new Int32Array(offsets[n]!);
    const simsOut = new Float32Array(offsets[n]!);
    for (let j = 0; j < n; j++) {
      const ci = colItems[j]!;
      for (let c = 0; c < ci.length; c++) {
        const at = fill[ci[c]!]!++;
        items[at] = j;
        simsOut[at] = colSims[j]![c]!;
      }
    }
    this.rowOffsets = offsets;
    this.rowItems = items;
    this.rowSims = simsOut;
    this.row = new Float32Array(n);
    opts.onProgress?.({ stage: 'similarities', done: n, total: n });
  }

  /** Scores from an explicit history (the app's own profile uses this). */
  override scoreHistory(
    history: ArrayLike<number>,
    items: Int32Array | null,
    out: Float32Array,
  ): void {
    const row = this.row;
    row.fill(0);
    for (let h = 0; h < history.length; h++) {
      const i = history[h]!;
      for (let a = this.rowOffsets[i]!; a < this.rowOffsets[i + 1]!; a++)
        row[this.rowItems[a]!]! += this.rowSims[a]!;
    }
    if (items === null) out.set(row.subarray(0, Math.min(row.length, out.length)));
    else for (let j = 0; j < items.length; j++) out[j] = row[items[j]!]!;
  }

  protected ownArrays(): SavedModel['arrays'] {
    return { rowOffsets: this.rowOffsets, rowItems: this.rowItems, rowSims: this.rowSims };
  }

  static load(s: SavedModel): ItemKnn {
    const m = new ItemKnn(s.config as ItemKnnConfig, true);
    m.restore(s);
    m.rowOffsets = s.arrays.rowOffsets as Int32Array;
    m.rowItems = s.arrays.rowItems as Int32Array;
    m.rowSims = s.arrays.rowSims as Float32Array;
    m.row = new Float32Array(s.itemCount);
    return m;
  }
}
