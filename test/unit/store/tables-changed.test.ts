/**
 * onTablesChanged: the signal the movie page's similar-movies cache is
 * dropped by. Every write that can change the chosen embedding (save,
 * choose, delete, a dataset's delete) calls it; a write elsewhere (movie
 * rows) or to another database does not.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_EMBED_SETTINGS,
  type EmbeddingResult,
} from '../../../src/core/embeddings/embed.ts';
import {
  EMBEDDING_TABLES,
  WrenDb,
  chooseEmbedding,
  chosenEmbedding,
  deleteDataset,
  deleteEmbedding,
  onTablesChanged,
  saveEmbedding,
} from '../../../src/store/index.ts';

let db: WrenDb;
let other: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`changed-test-${n}`);
  other = new WrenDb(`changed-other-${n++}`);
  await Promise.all([db.open(), other.open()]);
});
afterEach(async () => {
  await Promise.all([db.delete(), other.delete()]);
});

function result(): EmbeddingResult {
  const dim = 2;
  return {
    settings: { ...DEFAULT_EMBED_SETTINGS, dim },
    engine: 'js',
    threads: 1,
    dim,
    items: new Int32Array([0, 1]),
    vectors: new Float32Array([1, 0, 0, 1]),
    map: new Float32Array(4),
    hnsw: null,
    losses: [],
    metrics: {
      hr10: 0,
      ndcg10: 0,
      popularityHr10: 0,
      popularityNdcg10: 0,
      users: 0,
      genreCoherence: 0,
      genreCoherenceRandom: 0,
      annRecall10: 0,
      annQueryMs: 0,
      exactQueryMs: 0,
      corpusTokens: 0,
    },
    seconds: 0,
    trainSeconds: 0,
    tokensPerSecond: 0,
  };
}

describe('onTablesChanged', () => {
  it('calls back after each write that can change the chosen embedding, and not after others', async () => {
    let calls = 0;
    const stop = onTablesChanged(db, EMBEDDING_TABLES, () => calls++);
    try {
      const a = await saveEmbedding(db, 'ds', result());
      expect(calls).toBeGreaterThan(0);
      let before = calls;
      const b = await saveEmbedding(db, 'ds', result());
      expect(calls).toBeGreaterThan(before);
      expect((await chosenEmbedding(db, 'ds'))?.id).toBe(b.id);

      before = calls;
      await chooseEmbedding(db, 'ds', a.id);
      expect(calls).toBeGreaterThan(before);

      before = calls;
      await deleteEmbedding(db, a.id);
      expect(calls).toBeGreaterThan(before);

      before = calls;
      await deleteDataset(db, 'ds');
      expect(calls).toBeGreaterThan(before);
      expect(await chosenEmbedding(db, 'ds')).toBeUndefined();

      // Not a table it watches; not its database.
      before = calls;
      await db.movies.put({ datasetId: 'ds', index: 0 } as never);
      await saveEmbedding(other, 'ds', result());
      expect(calls).toBe(before);
    } finally {
      stop();
    }
    const before = calls;
    await saveEmbedding(db, 'ds', result());
    expect(calls).toBe(before);
  });
});
