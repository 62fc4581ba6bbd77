/**
 * "Which earlier movies led to it": a stored SASRec model's top pick for one
 * person and the attention its latest position paid to their recent movies,
 * per self-attention block, as rows ready to draw (newest first). GRU4Rec
 * has no attention to show. Pure: the recommendations worker calls it with a
 * loaded model and the catalogue.
 */
import type { SequentialModel } from '../models/sequential.ts';

/** What this view needs of a loaded sequence model (SequentialModel has it). */
export type AttentionModel = Pick<
  SequentialModel,
  'model' | 'movieCount' | 'scoreHistory' | 'attention'
>;

/** What it needs of the catalogue: titles and rating counts by movie index. */
export interface AttentionCatalog {
  titles: readonly string[];
  ratingCount: ArrayLike<number>;
}

/** Movies with fewer ratings are not offered as the top pick (For You's default). */
export const MIN_PICK_RATINGS = 10;

export interface AttentionRow {
  movie: number;
  title: string;
  /** The latest position's attention to this movie in one block (a block's weights sum to 1). */
  weight: number;
}

export interface TopPick {
  movie: number;
  title: string;
  /** The model's score (a dot product: higher is more likely next). */
  score: number;
  /** True when every unseen movie with enough ratings was missing, so a rare one was taken. */
  rare: boolean;
}

export type AttentionResult =
  | {
      kind: 'attention';
      model: string;
      /** Movies in the person's history. */
      history: number;
      /** Movies the model read: the latest min(history, maxLen). */
      read: number;
      /** The best-scored movie not in the history; null when there is none. */
      top: TopPick | null;
      /** Per block, one row per movie read, newest first. */
      blocks: AttentionRow[][];
    }
  /** GRU4Rec: a recurrent state, no attention weights. */
  | { kind: 'no-attention'; model: string }
  /** Nothing to read: no rated movies. */
  | { kind: 'no-history'; model: string };

/**
 * The best-scored movie among those not in `history`, preferring movies with at least
 * `minRatings` ratings (a rare one only when nothing else is left). Ties go to the lower index.
 */
export function topPick(
  scores: ArrayLike<number>,
  history: ArrayLike<number>,
  catalog: AttentionCatalog,
  minRatings = MIN_PICK_RATINGS,
): TopPick | null {
  const seen = new Set<number>(Array.from(history));
  let best = -1;
  let bestRare = -1;
  for (let m = 0; m < scores.length; m++) {
    const s = scores[m]!;
    if (seen.has(m) || Number.isNaN(s)) continue;
    if ((catalog.ratingCount[m] ?? 0) >= minRatings) {
      if (best < 0 || s > scores[best]!) best = m;
    } else if (bestRare < 0 || s > scores[bestRare]!) bestRare = m;
  }
  const m = best >= 0 ? best : bestRare;
  if (m < 0) return null;
  return { movie: m, title: catalog.titles[m] ?? `Movie ${m}`, score: scores[m]!, rare: best < 0 };
}

/** The rows of one block, newest first; `items` oldest first as the model gives them. */
export function attentionRows(
  items: readonly number[],
  weights: ArrayLike<number>,
  titles: readonly string[],
): AttentionRow[] {
  const rows: AttentionRow[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const movie = items[i]!;
    rows.push({ movie, title: titles[movie] ?? `Movie ${movie}`, weight: weights[i] ?? 0 });
  }
  return rows;
}

/** The row with the most weight (the newest on a tie); undefined for no rows. */
export function strongest(rows: readonly AttentionRow[]): AttentionRow | undefined {
  let best: AttentionRow | undefined;
  for (const r of rows) if (!best || r.weight > best.weight) best = r;
  return best;
}

/** A sequence model's top pick for a history (oldest first) and, for SASRec, its attention. */
export function attentionView(
  model: AttentionModel,
  history: ArrayLike<number>,
  catalog: AttentionCatalog,
  minRatings = MIN_PICK_RATINGS,
): AttentionResult {
  if (model.model !== 'sasrec') return { kind: 'no-attention', model: model.model };
  if (history.length === 0) return { kind: 'no-history', model: model.model };
  const scores = new Float32Array(model.movieCount);
  model.scoreHistory(history, null, scores);
  const { items, weights } = model.attention(history);
  return {
    kind: 'attention',
    model: model.model,
    history: history.length,
    read: items.length,
    top: topPick(scores, history, catalog, minRatings),
    blocks: weights.map((w) => attentionRows(items, w, catalog.titles)),
  };
}
