/**
 * Main-thread client of the export worker: a stored dataset as a zip of
 * Parquet files, built in the worker (which only reads the store) and
 * downloaded by the page. The worker is closed after each export, since it
 * held the whole dataset.
 */
import * as Comlink from 'comlink';
import type { Progress } from '../../core/data/types.ts';
import type { DataExport, ExportWorkerApi } from '../../../workers/export-protocol.ts';
import { workerClient, type Job } from './worker-client.ts';

const client = workerClient<ExportWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/export.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-export',
    }),
);

/** Writes the dataset's Parquet files into a zip; resolves to the zip and what it holds. */
export function startParquetExport(
  datasetId: string,
  onProgress: (p: Progress) => void,
): Job<DataExport> {
  const job = client.job((a) => a.parquet(datasetId, Comlink.proxy(onProgress)));
  void job.done.finally(() => client.close()).catch(() => undefined);
  return job;
}
