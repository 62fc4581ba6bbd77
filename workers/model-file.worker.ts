/// <reference lib="webworker" />
/**
 * Model-file worker: a stored ranking model written as safetensors for download, and a
 * safetensors file read, checked against the open dataset (src/core/models/model-file.ts) and
 * stored as an imported model. Neither needs tfjs: the arrays are only copied and checked.
 */
import * as Comlink from 'comlink';
import { WrenError } from '../src/core/errors.ts';
import {
  IMPORTED,
  importModelFile,
  modelFileBytes,
  modelFileProblem,
} from '../src/core/models/model-file.ts';
import { WrenDb, getIdMap, getModelData, saveModel } from '../src/store/index.ts';
import { slug } from './file-names.ts';
import { jobRunner } from './jobs.ts';
import type { ModelFileWorkerApi } from './model-file-protocol.ts';

const db = new WrenDb();
const jobs = jobRunner();

async function readyDataset(datasetId: string) {
  const [ds, ids] = await Promise.all([db.datasets.get(datasetId), getIdMap(db, datasetId)]);
  if (ds?.status !== 'ready' || !ids)
    throw new WrenError('not-found', 'That dataset is not here any more.');
  return { ds, ids };
}

const api: ModelFileWorkerApi = {
  download(modelId) {
    return jobs.run(async () => {
      const [row, data] = await Promise.all([db.models.get(modelId), getModelData(db, modelId)]);
      if (!row || !data) throw new WrenError('not-found', 'That model is not stored any more.');
      const { ds, ids } = await readyDataset(row.datasetId);
      const bytes = modelFileBytes(data.saved, ids, {
        dataset: ds.name,
        title: row.title,
        protocol: row.protocol,
        seed: row.seed,
        metrics: row.metrics,
        ...(row.importedFrom !== undefined && { importedFrom: row.importedFrom }),
      });
      const base = row.importedFrom?.replace(/\.safetensors$/i, '');
      return {
        name: `${slug(ds.name, 'dataset')}-${slug(base ?? `${row.model}-${row.protocol}`, 'model')}.safetensors`,
        blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
      };
    });
  },

  import(datasetId, file) {
    return jobs.run(async () => {
      // Refused before a byte is read: a 40 GB file would not fit in memory.
      const problem = modelFileProblem(file.name, file.size);
      if (problem) throw new WrenError('invalid-data', problem);
      const { ids } = await readyDataset(datasetId);
      const t0 = performance.now();
      const got = importModelFile(new Uint8Array(await file.arrayBuffer()), file.name, ids);
      const seconds = (performance.now() - t0) / 1000;
      // One transaction, and only while the dataset is still there.
      return saveModel(
        db,
        {
          datasetId,
          model: got.model,
          title: got.title,
          protocol: IMPORTED,
          importedFrom: got.importedFrom,
          usersMatch: got.usersMatch,
          seed: 1,
          config: got.config,
          // Trained elsewhere: no held-out metrics from Wren (the file's own are not trusted).
          metrics: {},
          epochLog: [],
          backend: got.metadata.trainedBy ?? (got.metadata.dataset ? 'Wren' : 'elsewhere'),
          fitSeconds: 0,
          evalSeconds: seconds,
          samplesPerSecond: 0,
        },
        { save: () => got.saved },
        { requireDataset: true },
      );
    });
  },

  cancel() {
    jobs.cancel(new WrenError('cancelled', 'Cancelled.'));
  },
};

Comlink.expose(api);
