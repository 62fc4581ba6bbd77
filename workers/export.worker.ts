/// <reference lib="webworker" />
/**
 * Export worker: reads a stored dataset and writes its Parquet files
 * (src/core/data/parquet-export.ts) into one zip, stored rather than deflated
 * since Parquet pages are compressed already. Only reads the store.
 */
import * as Comlink from 'comlink';
import { slug } from './file-names.ts';
import Dexie from 'dexie';
import { Zip, ZipPassThrough } from 'fflate';
import { exportParquet, type ParquetSink } from '../src/core/data/parquet-export.ts';
import type { Progress } from '../src/core/data/types.ts';
import { WrenError } from '../src/core/errors.ts';
import { WrenDb, allMovies, readRatings, readUsers } from '../src/store/index.ts';
import type { DataExport, ExportWorkerApi, Outcome } from './export-protocol.ts';
import { jobRunner } from './jobs.ts';

const db = new WrenDb();
const jobs = jobRunner();

async function parquetZip(
  datasetId: string,
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<DataExport> {
  const ds = await db.datasets.get(datasetId);
  if (ds?.status !== 'ready')
    throw new WrenError('not-found', 'That dataset is not here any more.');
  const [movies, users, ratings, tags] = await Promise.all([
    allMovies(db, datasetId),
    readUsers(db, datasetId),
    readRatings(db, datasetId),
    db.tags
      .where('[datasetId+movie]')
      .between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey])
      .toArray(),
  ]);
  // The zip's bytes, as fflate hands them over; a Blob of them is the download.
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failed = err;
    else parts.push(data as Uint8Array<ArrayBuffer>);
  });
  const files = await exportParquet(
    {
      name: ds.name,
      movies,
      users,
      hasDemographics: ds.hasDemographics,
      ratings,
      genres: ds.genres,
      tags: { kind: 'counts', rows: tags },
    },
    {
      open(name): ParquetSink {
        const entry = new ZipPassThrough(name);
        entry.mtime = Date.now();
        zip.add(entry);
        return {
          write: (bytes) => entry.push(bytes),
          close: () => entry.push(new Uint8Array(0), true),
        };
      },
      onProgress,
      signal,
    },
  );
  zip.end();
  if (failed) throw failed;
  const name = `${slug(ds.name, 'dataset')}-parquet.zip`;
  return { name, blob: new Blob(parts, { type: 'application/zip' }), files };
}

const api: ExportWorkerApi = {
  parquet: (datasetId, onProgress): Promise<Outcome<DataExport>> =>
    jobs.run((signal) => parquetZip(datasetId, signal, onProgress)),
  cancel: () => jobs.cancel(),
};

Comlink.expose(api);
