/** Trained embeddings and feature sets: save, list, load, choose, delete. */
import Dexie from 'dexie';
import type { EmbeddingResult } from '../core/embeddings/embed.ts';
import type { FeatureSet } from '../core/features/samples.ts';
import type { UserFeatureColumns } from '../core/features/user-features.ts';
import { WrenError } from '../core/errors.ts';
import type { EmbeddingDataRow, EmbeddingRow, FeatureSetRow, WrenDb } from './db.ts';
import { requireReady } from './datasets.ts';
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
  const id = `${datasetId}:emb:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
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
      if (opts.auto) {
        await requireReady(db, datasetId);
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

/** Removes a dataset's feature set and its chunks (before a recompute, or after a failed one). */
export async function deleteFeatureSet(db: WrenDb, datasetId: string): Promise<void> {
  await db.transaction('rw', [db.featureSets, db.featureChunks], async () => {
    await db.featureSets.delete(datasetId);
    await db.featureChunks
      .where('[datasetId+chunk]')
      .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
      .delete();
  });
}

/** Stores one chunk of user features (chunks are written as they are computed). */
export async function putFeatureChunk(
  db: WrenDb,
  datasetId: string,
  chunk: number,
  cols: UserFeatureColumns,
): Promise<void> {
  try {
    await db.featureChunks.put({ ...cols, datasetId, chunk });
  } catch (e) {
    throw storageError(e);
  }
}

/**
 * Writes the feature set's row last: a set without its row is incomplete and
 * readers ignore it (getFeatureSet returns nothing).
 */
export async function finishFeatureSet(
  db: WrenDb,
  datasetId: string,
  set: FeatureSet,
  meta: { seconds: number; chunkSize: number; chunkCount: number },
): Promise<FeatureSetRow> {
  const row: FeatureSetRow = { ...set, ...meta, datasetId, createdAt: Date.now() };
  try {
    await db.featureSets.put(row);
  } catch (e) {
    throw storageError(e);
  }
  return row;
}

export function getFeatureSet(db: WrenDb, datasetId: string): Promise<FeatureSetRow | undefined> {
  return db.featureSets.get(datasetId);
}

/** One chunk of point-in-time user features. */
export function getFeatureChunk(
  db: WrenDb,
  datasetId: string,
  chunk: number,
): Promise<UserFeatureColumns | undefined> {
  return db.featureChunks.get([datasetId, chunk]);
}
