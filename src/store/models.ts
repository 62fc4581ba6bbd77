/** Trained ranking models: save, list, load, delete. */
import type { SavedModel } from '../core/models/types.ts';
import type { ModelDataRow, ModelRow, WrenDb } from './db.ts';
import { storageError } from './write.ts';

/** Saves a model's description and arrays in one transaction; returns the description. */
export async function saveModel(
  db: WrenDb,
  row: Omit<ModelRow, 'id' | 'createdAt'>,
  model: { save(): SavedModel },
): Promise<ModelRow> {
  const id = `${row.datasetId}:model:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const full: ModelRow = { ...row, id, createdAt: Date.now() };
  const data: ModelDataRow = { id, datasetId: row.datasetId, saved: model.save() };
  try {
    await db.transaction('rw', [db.models, db.modelData], async () => {
      await db.models.add(full);
      await db.modelData.add(data);
    });
  } catch (e) {
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
