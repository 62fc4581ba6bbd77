/**
 * Imported vectors in the store: read from word2vec text, evaluated and
 * saved beside the trained ones (marked imported, chosen, vectors intact),
 * exported back to the same text, and never stored for a dataset that is
 * gone.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedInput } from '../../../src/core/embeddings/embed.ts';
import { evaluateImported } from '../../../src/core/embeddings/imported.ts';
import { readWord2vecText, word2vecText } from '../../../src/core/embeddings/word2vec-text.ts';
import {
  WrenDb,
  chosenEmbedding,
  deleteDataset,
  getEmbeddingData,
  getIdMap,
  listEmbeddings,
  readRatings,
  saveImportedEmbedding,
  writeDataset,
} from '../../../src/store/index.ts';
import { tinyDataset } from './tiny.ts';

let db: WrenDb;
let n = 0;
beforeEach(async () => {
  db = new WrenDb(`imported-emb-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** Writes the tiny dataset and imports `text` for it (unsaved). */
async function importedFor(text: string) {
  const ds = tinyDataset('t', 4);
  const id = await writeDataset(db, ds, { source: 't' });
  const ids = (await getIdMap(db, id))!.movieIds;
  const read = await readWord2vecText(bytes(text), { file: 'v.txt', movieIds: ids });
  const input = embedInput(await readRatings(db, id), ds.movies, ds.genres);
  return { id, ids, r: await evaluateImported(input, read, { file: 'v.txt' }) };
}

// Movie ids of the tiny dataset: 1, 2, 5, 9; 77 is not one of them.
const TEXT = '4 2\n5 3 4\n1 1 0\n77 1 1\n2 0.6 0.8\n';

describe('imported embeddings', () => {
  it('are stored marked imported, chosen, with unit vectors, and export to the same text', async () => {
    const { id, ids, r } = await importedFor(TEXT);
    const row = await saveImportedEmbedding(db, id, r);
    expect(row).toMatchObject({
      name: 'v.txt · 2d',
      engine: 'imported',
      settings: null,
      dim: 2,
      count: 3,
      losses: [],
      imported: { file: 'v.txt', fileVectors: 4, unknownIds: 1, missing: 1 },
    });
    expect(await listEmbeddings(db, id)).toEqual([row]);
    expect((await chosenEmbedding(db, id))?.id).toBe(row.id);
    const data = (await getEmbeddingData(db, row.id))!;
    expect([...data.items]).toEqual([0, 1, 2]);
    expect([...data.vectors]).toEqual([1, 0, 0.6, 0.8, 0.6, 0.8].map(Math.fround));
    expect(data.hnsw).not.toBeNull();
    // Exported (by MovieLens id) and read back: the very same rows.
    const text = word2vecText(
      Array.from(data.items, (i) => ids[i]!),
      data.vectors,
      row.dim,
    );
    expect(text).toBe('3 2\n1 1 0\n2 0.6 0.8\n5 0.6 0.8\n');
  });

  it('are not stored when the dataset was deleted meanwhile', async () => {
    const { id, r } = await importedFor(TEXT);
    await deleteDataset(db, id);
    await expect(saveImportedEmbedding(db, id, r)).rejects.toThrow(/not here any more/);
    expect(await db.embeddings.count()).toBe(0);
    expect(await db.embeddingData.count()).toBe(0);
  });
});
