/** Trained and imported embeddings and feature sets: save, list, load, choose, delete. */
import Dexie from 'dexie';
import type { EmbeddingResult } from '../core/embeddings/embed.ts';
import type { ImportedEmbedding } from '../core/embeddings/imported.ts';
import type { FeatureSet } from '../core/features/samples.ts';
import type { UserFeatureColumns } from '../core/features/user-features.ts';
import { WrenError } from '../core/errors.ts';
import type { EmbeddingDataRow, EmbeddingRow, FeatureSetRow, WrenDb } from './db.ts';
import { requireReady, stagingPrefix } from './datasets.ts';
import { storageError } from './write.ts';

const chosenKey = (datasetId: string): string => `embedding:${datasetId}`;

/** A short readable name: "Item2Vec 32d · 10 epochs". */
export function embeddingName(r: EmbeddingResult): string {
  const label = { item2vec: 'Item2Vec', deepwalk: 'DeepWalk', node2vec: 'Node2vec' }[
    r.settings.method
  ];
  const pq = r.settings.method === 'node2vec' ? ` · p ${r.settings.p} q ${r.settings.q}` : '';
  return `${label} ${r.dim}d · ${r.settings.epochs} epochs${pq}`;
}

export interface SaveEmbeddingOptions {
  /**
   * Built by the automatic build, not by a person: the row is marked `auto`,
   * nothing is written unless the dataset is still stored and ready (checked
   * in the same transaction), and it becomes the chosen embedding only when
   * the dataset has no other (one trained meanwhile in the Lab stays chosen).
   */
  auto?: boolean;
}

/**
 * Saves a trained embedding (description and vectors in one transaction) and
 * makes it the chosen one (an automatic one only when it is the first).
 */
export async function saveEmbedding(
  db: WrenDb,
  datasetId: string,
  r: EmbeddingResult,
  opts: SaveEmbeddingOptions = {},
): Promise<EmbeddingRow> {
  const id = newEmbeddingId(datasetId);
  const row: EmbeddingRow = {
    id,
    datasetId,
    name: embeddingName(r),
    settings: r.settings,
    createdAt: Date.now(),
    engine: r.engine,
    seconds: r.seconds,
    trainSeconds: r.trainSeconds,
    tokensPerSecond: r.tokensPerSecond,
    metrics: r.metrics,
    losses: r.losses,
    dim: r.dim,
    count: r.items.length,
    ...(opts.auto ? { auto: true } : {}),
  };
  return storeEmbedding(db, row, r, opts.auto === true);
}

/**
 * Saves vectors imported from a word2vec text file (description and vectors
 * in one transaction, nothing on failure) and makes them the chosen
 * embedding, as a trained one is. Nothing is written unless the dataset is
 * still stored and ready.
 */
export async function saveImportedEmbedding(
  db: WrenDb,
  datasetId: string,
  r: ImportedEmbedding,
): Promise<EmbeddingRow> {
  const row: EmbeddingRow = {
    id: newEmbeddingId(datasetId),
    datasetId,
    name: `${r.source.file} · ${r.dim}d`,
    settings: null,
    createdAt: Date.now(),
    engine: 'imported',
    seconds: r.seconds,
    trainSeconds: 0,
    tokensPerSecond: 0,
    metrics: r.metrics,
    losses: [],
    dim: r.dim,
    count: r.items.length,
    imported: r.source,
  };
  return storeEmbedding(db, row, r, false, true);
}

const newEmbeddingId = (datasetId: string): string =>
  `${datasetId}:emb:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Writes a description and its vectors in one transaction and chooses it (see saveEmbedding). */
async function storeEmbedding(
  db: WrenDb,
  row: EmbeddingRow,
  r: Pick<EmbeddingResult, 'items' | 'vectors' | 'map' | 'hnsw'>,
  auto: boolean,
  requireDataset = auto,
): Promise<EmbeddingRow> {
  const { id, datasetId } = row;
  let hnsw: EmbeddingDataRow['hnsw'] = null;
  if (r.hnsw) {
    const { vectors: _shared, ...rest } = r.hnsw;
    hnsw = rest;
  }
  const data: EmbeddingDataRow = {
    id,
    datasetId,
    items: r.items,
    vectors: r.vectors,
    map: r.map,
    hnsw,
  };
  try {
    await db.transaction('rw', [db.datasets, db.embeddings, db.embeddingData, db.kv], async () => {
      let chosen = id;
      if (requireDataset) await requireReady(db, datasetId);
      if (auto) {
        // Keep what similar movies use now: the chosen one, else the newest (listEmbeddings' order).
        const kv = await db.kv.get(chosenKey(datasetId));
        const others = await listEmbeddings(db, datasetId);
        const now = others.find((o) => o.id === kv?.value) ?? others[0];
        if (now) chosen = now.id;
      }
      await db.embeddings.add(row);
      await db.embeddingData.add(data);
      await db.kv.put({ key: chosenKey(datasetId), value: chosen });
    });
  } catch (e) {
    if (e instanceof WrenError) throw e;
    throw storageError(e);
  }
  return row;
}

/** The embeddings of a dataset, newest first (descriptions only). */
export async function listEmbeddings(db: WrenDb, datasetId: string): Promise<EmbeddingRow[]> {
  const rows = await db.embeddings.where('datasetId').equals(datasetId).toArray();
  return rows.sort((a, b) => b.createdAt - a.createdAt);
}

export function getEmbeddingData(db: WrenDb, id: string): Promise<EmbeddingDataRow | undefined> {
  return db.embeddingData.get(id);
}

/** The tables whose changes can change which embedding is chosen, or what it holds. */
export const EMBEDDING_TABLES = ['embeddings', 'embeddingData', 'kv', 'datasets'] as const;

/**
 * Calls `listener` after every committed write to any of `tables` of `db`,
 * whoever wrote it: this page, a worker or another tab (Dexie's
 * storagemutated event, which Dexie broadcasts between them; a write from
 * elsewhere arrives a moment after its commit). For in-memory caches of
 * what those tables hold (e.g. the chosen embedding, read on every movie
 * page). Returns the unsubscribe.
 */
export function onTablesChanged(
  db: WrenDb,
  tables: readonly string[],
  listener: () => void,
): () => void {
  const prefixes = tables.map((t) => `idb://${db.name}/${t}/`);
  const fn = (parts: Record<string, unknown>): void => {
    // `all`: Dexie's "anything may have changed" (a page back from the bfcache).
    for (const part of Object.keys(parts))
      if (part === 'all' || prefixes.some((p) => part.startsWith(p))) return listener();
  };
  Dexie.on('storagemutated', fn);
  return () => Dexie.on.storagemutated.unsubscribe(fn);
}

/** The embedding chosen for similar movies: the one set last, else the newest. */
export async function chosenEmbedding(
  db: WrenDb,
  datasetId: string,
): Promise<EmbeddingRow | undefined> {
  const kv = await db.kv.get(chosenKey(datasetId));
  const row = typeof kv?.value === 'string' ? await db.embeddings.get(kv.value) : undefined;
  return row ?? (await listEmbeddings(db, datasetId))[0];
}

export async function chooseEmbedding(db: WrenDb, datasetId: string, id: string): Promise<void> {
  if (!(await db.embeddings.get(id))) throw new WrenError('not-found', 'No such embedding.');
  await db.kv.put({ key: chosenKey(datasetId), value: id });
}

export async function deleteEmbedding(db: WrenDb, id: string): Promise<void> {
  await db.transaction('rw', [db.embeddings, db.embeddingData, db.kv], async () => {
    const row = await db.embeddings.get(id);
    await db.embeddings.delete(id);
    await db.embeddingData.delete(id);
    if (row) {
      const kv = await db.kv.get(chosenKey(row.datasetId));
      if (kv?.value === id) await db.kv.delete(chosenKey(row.datasetId));
    }
  });
}

/** The featureChunks key a feature set's chunks are stored under (older sets: the dataset id). */
export const chunksKeyOf = (row: FeatureSetRow): string => row.chunksKey ?? row.datasetId;

/**
 * A new key for the chunks of a feature set about to be computed. The
 * dataset's current set (and its chunks) stay readable until
 * finishFeatureSet swaps the new one in; a recompute that fails or is
 * killed leaves the old set as it was.
 */
export function newFeatureChunksKey(datasetId: string): string {
  return `${stagingPrefix(datasetId)}fs-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Removes the chunks stored under `key` (a failed recompute's, or a replaced set's). */
export async function deleteFeatureChunks(db: WrenDb, key: string): Promise<void> {
  await db.featureChunks
    .where('[datasetId+chunk]')
    .between([key, Dexie.minKey], [key, Dexie.maxKey])
    .delete();
}

/** Removes a dataset's feature set and its chunks. */
export async function deleteFeatureSet(db: WrenDb, datasetId: string): Promise<void> {
  await db.transaction('rw', [db.featureSets, db.featureChunks], async () => {
    const row = await db.featureSets.get(datasetId);
    await db.featureSets.delete(datasetId);
    await deleteFeatureChunks(db, datasetId);
    if (row) await deleteFeatureChunks(db, chunksKeyOf(row));
  });
}

/** Stores one chunk of user features under `key` (chunks are written as they are computed). */
export async function putFeatureChunk(
  db: WrenDb,
  key: string,
  chunk: number,
  cols: UserFeatureColumns,
): Promise<void> {
  try {
    await db.featureChunks.put({ ...cols, datasetId: key, chunk });
  } catch (e) {
    throw storageError(e);
  }
}

/**
 * Swaps the new feature set in, in one transaction: its row (naming the key
 * its chunks were written under) replaces the old row, and the old set's
 * chunks are removed. A set without its row is incomplete and readers never
 * see it. Nothing is written when the dataset was deleted meanwhile.
 */
export async function finishFeatureSet(
  db: WrenDb,
  datasetId: string,
  set: FeatureSet,
  meta: { seconds: number; chunkSize: number; chunkCount: number },
  chunksKey: string = datasetId,
): Promise<FeatureSetRow> {
  const row: FeatureSetRow = { ...set, ...meta, datasetId, chunksKey, createdAt: Date.now() };
  try {
    await db.transaction('rw', [db.datasets, db.featureSets, db.featureChunks], async () => {
      await requireReady(db, datasetId);
      const old = await db.featureSets.get(datasetId);
      await db.featureSets.put(row);
      if (old && chunksKeyOf(old) !== chunksKey) await deleteFeatureChunks(db, chunksKeyOf(old));
    });
  } catch (e) {
    if (e instanceof WrenError) throw e;
    throw storageError(e);
  }
  return row;
}

export function getFeatureSet(db: WrenDb, datasetId: string): Promise<FeatureSetRow | undefined> {
  return db.featureSets.get(datasetId);
}

/** One chunk of point-in-time user features of the dataset's current feature set. */
export async function getFeatureChunk(
  db: WrenDb,
  datasetId: string,
  chunk: number,
): Promise<UserFeatureColumns | undefined> {
  return db.transaction('r', db.featureSets, db.featureChunks, async () => {
    const row = await db.featureSets.get(datasetId);
    return db.featureChunks.get([row ? chunksKeyOf(row) : datasetId, chunk]);
  });
}

/**
 * Start-up clean-up of feature chunks no feature set names: those of a
 * recompute that was killed (a closed tab) or failed. `isRunning` tells a key
 * still being written (its worker holds a lock). Returns the keys removed.
 */
export async function cleanupFeatureChunks(
  db: WrenDb,
  isRunning: (key: string) => boolean | Promise<boolean>,
): Promise<string[]> {
  const keys = new Set(
    (await db.featureChunks.toCollection().primaryKeys()).map((k) => String(k[0])),
  );
  const named = new Set((await db.featureSets.toArray()).map(chunksKeyOf));
  const removed: string[] = [];
  for (const key of keys) {
    if (named.has(key) || (await isRunning(key))) continue;
    await db.transaction('rw', db.featureSets, db.featureChunks, async () => {
      // Swapped in meanwhile: keep it.
      if ((await db.featureSets.toArray()).some((r) => chunksKeyOf(r) === key)) return;
      await deleteFeatureChunks(db, key);
      removed.push(key);
    });
  }
  return removed;
}
