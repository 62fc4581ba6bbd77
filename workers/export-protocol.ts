/** What the export worker offers the page: a stored dataset as a zip of Parquet files. */
import type { ExportedFile } from '../src/core/data/parquet-export.ts';
import type { Progress } from '../src/core/data/types.ts';
import type { WrenErrorData } from '../src/core/errors.ts';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: WrenErrorData };

/** The zip to download, its name, and the Parquet files it holds. */
export interface DataExport {
  name: string;
  blob: Blob;
  files: ExportedFile[];
}

export interface ExportWorkerApi {
  /** Reads the stored dataset (nothing is written) and zips its Parquet files. */
  parquet(datasetId: string, onProgress: (p: Progress) => void): Promise<Outcome<DataExport>>;
  cancel(): void;
}
