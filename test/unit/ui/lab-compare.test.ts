import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBED_SETTINGS, type EmbedMetrics } from '../../../src/core/embeddings/embed.ts';
import type { EmbeddingRow } from '../../../src/store/db.ts';
import { formatSeconds } from '../../../src/ui/lib/format.ts';
import {
  bestRows,
  COMPARE_COLUMNS,
  fixed3,
  formatMs,
  liftOverPopularity,
} from '../../../src/ui/lib/lab-compare.ts';

function emb(
  id: string,
  m: Partial<EmbedMetrics>,
  extra: Partial<EmbeddingRow> = {},
): EmbeddingRow {
  return {
    id,
    datasetId: 'ds',
    name: id,
    settings: DEFAULT_EMBED_SETTINGS,
    createdAt: 0,
    engine: 'js',
    seconds: 10,
    trainSeconds: 8,
    tokensPerSecond: 1000,
    losses: [],
    dim: 32,
    count: 100,
    metrics: {
      hr10: 0.05,
      ndcg10: 0.03,
      popularityHr10: 0.04,
      popularityNdcg10: 0.02,
      users: 600,
      genreCoherence: 0.5,
      genreCoherenceRandom: 0.2,
      annRecall10: 0.99,
      annQueryMs: 0.05,
      exactQueryMs: 0.4,
      corpusTokens: 1000,
      ...m,
    },
    ...extra,
  };
}

const col = (key: string) => COMPARE_COLUMNS.find((c) => c.key === key)!;

describe('embedding comparison', () => {
  it('compares imported vectors on quality only: no speed or run time, never best at those', () => {
    const imported = {
      settings: null,
      engine: 'imported',
      tokensPerSecond: 0,
      seconds: 1,
      imported: { file: 'v.txt', fileVectors: 100, unknownIds: 0, missing: 0 },
    };
    const rows = [emb('a', { hr10: 0.06 }), emb('b', { hr10: 0.08 }, imported)];
    expect([...bestRows(rows, col('hr10'))]).toEqual([1]);
    for (const key of ['speed', 'time']) {
      expect(col(key).format(col(key).value(rows[1]!))).toBe('–');
      expect([...bestRows(rows, col(key))]).toEqual([]);
    }
    expect(col('time').format(col('time').value(rows[0]!))).toBe(formatSeconds(10));
  });

  it('marks the highest value where higher is better and the lowest where lower is, ties included', () => {
    const rows = [
      emb('a', { hr10: 0.06, annQueryMs: 0.2 }),
      emb('b', { hr10: 0.07, annQueryMs: 0.1 }),
      emb('c', { hr10: 0.07, annQueryMs: 0.3 }, { seconds: 3 }),
    ];
    expect([...bestRows(rows, col('hr10'))]).toEqual([1, 2]);
    expect([...bestRows(rows, col('annMs'))]).toEqual([1]);
    expect([...bestRows(rows, col('time'))]).toEqual([2]);
  });

  it('counts values that read the same as ties', () => {
    const rows = [emb('a', { annRecall10: 0.9996 }), emb('b', { annRecall10: 1 }), emb('c', {})];
    expect([...bestRows(rows, col('recall'))]).toEqual([0, 1]);
  });

  it('marks nothing with a single run or without finite values', () => {
    expect(bestRows([emb('a', {})], col('hr10')).size).toBe(0);
    const rows = [emb('a', { hr10: NaN }), emb('b', { hr10: 0.1 })];
    expect(bestRows(rows, col('hr10')).size).toBe(0);
  });

  it('formats metrics, milliseconds and the lift over popularity', () => {
    expect(fixed3(0.05812)).toBe('0.058');
    expect(fixed3(NaN)).toBe('–');
    expect(formatMs(0.0413)).toBe('0.041 ms');
    expect(formatMs(3.456)).toBe('3.5 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1234)).toBe('1,234 ms');
    expect(liftOverPopularity(emb('a', { hr10: 0.058, popularityHr10: 0.044 }))).toBe('+32%');
    expect(liftOverPopularity(emb('a', { hr10: 0.036, popularityHr10: 0.04 }))).toBe('−10%');
    expect(liftOverPopularity(emb('a', { popularityHr10: 0 }))).toBe('–');
  });
});
