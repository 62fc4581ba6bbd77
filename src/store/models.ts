/** Trained ranking models: save, list, load, delete. */
import { WrenError } from '../core/errors.ts';
import type { SavedModel } from '../core/models/types.ts';
import type { ModelDataRow, ModelRow, WrenDb } from './db.ts';
import { requireReady } from './datasets.ts';
import { storageError } from './write.ts';

export interface SaveModelOptions {
  /**
   * Writes nothing (and throws 'not-found') unless the dataset is still
   * stored and ready, checked in the same transaction: a background job
   * finishing after its dataset was deleted leaves no orphan rows.
   */
  requireDataset?: boolean;
}

/** Saves a model's description and arrays in one transaction; returns the description. */
export async function saveModel(
  db: WrenDb,
  row: Omit<ModelRow, 'id' | 'createdAt'>,
  model: { save(): SavedModel },
  opts: SaveModelOptions = {},
): Promise<ModelRow> {
  const id = `${row.datasetId}:model:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const full: ModelRow = { ...row, id, createdAt: Date.now() };
  const data: ModelDataRow = { id, datasetId: row.datasetId, saved: model.save() };
  try {
    await db.transaction('rw', [db.datasets, db.models, db.modelData], async () => {
      if (opts.requireDataset) await requireReady(db, row.datasetId);
      await db.models.add(full);
      await db.modelData.add(data);
    });
  } catch (e) {
    if (e instanceof WrenError) throw e;
    throw storageError(e);
  }
  return full;
}

/** The models of a dataset, oldest first (descriptions only: no arrays are read). */
export async function listModels(db: WrenDb, datasetId: string): Promise<ModelRow[]> {
  const rows = await db.models.where('datasetId').equals(datasetId).toArray();
  return rows.sort((a, b) => a.createdAt - b.createdAt);
}

export function getModelData(db: WrenDb, id: string): Promise<ModelDataRow | undefined> {
  return db.modelData.get(id);
}

export async function deleteModel(db: WrenDb, id: string): Promise<void> {
  await db.transaction('rw', [db.models, db.modelData], async () => {
    await db.models.delete(id);
    await db.modelData.delete(id);
  });
}
