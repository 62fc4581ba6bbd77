/**
 * The Lab's comparison of stored embeddings: the columns, how each is
 * formatted, and which run is best in each (higher or lower is better).
 * Imported vectors were trained elsewhere: they have no speed or run time
 * to compare ("–"), only their quality on the same protocol.
 */
import type { EmbeddingRow } from '../../store/db.ts';
import { formatCount, formatSeconds } from './format.ts';

export interface CompareColumn {
  key: string;
  label: string;
  /** A longer description (column header title). */
  title: string;
  better: 'high' | 'low';
  value(r: EmbeddingRow): number;
  format(v: number): string;
}

/** Three decimals: 0.0581 → "0.058". */
export const fixed3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');

/** Milliseconds with two significant figures for small values: 0.0413 → "0.041 ms". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms >= 100) return `${formatCount(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${Number(ms.toPrecision(2))} ms`;
}

export const COMPARE_COLUMNS: CompareColumn[] = [
  {
    key: 'hr10',
    label: 'HR@10',
    title: 'Next-item hit rate at 10 (higher is better)',
    better: 'high',
    value: (r) => r.metrics.hr10,
    format: fixed3,
  },
  {
    key: 'ndcg10',
    label: 'NDCG@10',
    title: 'Next-item NDCG at 10 (higher is better)',
    better: 'high',
    value: (r) => r.metrics.ndcg10,
    format: fixed3,
  },
  {
    key: 'coherence',
    label: 'Genre coherence',
    title: 'Share of top-10 neighbours sharing a genre (higher is better)',
    better: 'high',
    value: (r) => r.metrics.genreCoherence,
    format: fixed3,
  },
  {
    key: 'recall',
    label: 'ANN recall@10',
    title: 'Share of the exact top 10 the index finds (higher is better)',
    better: 'high',
    value: (r) => r.metrics.annRecall10,
    format: fixed3,
  },
  {
    key: 'annMs',
    label: 'ANN query',
    title: 'Milliseconds per index query (lower is better)',
    better: 'low',
    value: (r) => r.metrics.annQueryMs,
    format: formatMs,
  },
  {
    key: 'speed',
    label: 'Tokens/s',
    title: 'Training throughput (higher is better; none for imported vectors)',
    better: 'high',
    value: (r) => (r.imported ? NaN : r.tokensPerSecond),
    format: (v) => (Number.isFinite(v) ? formatCount(v) : '–'),
  },
  {
    key: 'time',
    label: 'Time',
    title:
      'Whole run: walks, training, evaluation, index and map (lower is better; imported vectors were not trained here)',
    better: 'low',
    value: (r) => (r.imported ? NaN : r.seconds),
    format: (v) => (Number.isFinite(v) ? formatSeconds(v) : '–'),
  },
];

/**
 * Positions of the best rows for a column: every row that shows the same
 * value as the best one (1.000 and 0.9996 both read "1.000"), or none when
 * fewer than two rows have a finite value (nothing to compare).
 */
export function bestRows(rows: readonly EmbeddingRow[], col: CompareColumn): Set<number> {
  const vals = rows.map((r) => col.value(r));
  const finite = vals.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return new Set();
  const best = col.format(col.better === 'high' ? Math.max(...finite) : Math.min(...finite));
  const out = new Set<number>();
  vals.forEach((v, i) => {
    if (Number.isFinite(v) && col.format(v) === best) out.add(i);
  });
  return out;
}

/** How much an embedding beats popularity on HR@10: "+32%", "−10%", or "–" without a baseline. */
export function liftOverPopularity(r: EmbeddingRow): string {
  const base = r.metrics.popularityHr10;
  if (!(base > 0)) return '–';
  const pct = Math.round((r.metrics.hr10 / base - 1) * 100);
  return pct >= 0 ? `+${pct}%` : `−${-pct}%`;
}
