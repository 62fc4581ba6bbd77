/** The typed protocol between the UI and the import worker. */
import type { Progress, SkipReport } from '../src/core/data/types.ts';
import type { WrenErrorData } from '../src/core/errors.ts';

export type ImportSource =
  | { kind: 'file'; file: File }
  | { kind: 'files'; files: File[] }
  | { kind: 'url'; url: string }
  | { kind: 'demo'; ratings: number; seed: number };

export interface ImportRequest {
  source: ImportSource;
  /** 0 = stop at the first bad row; N = skip up to N bad rows and report them. */
  maxBadRows: number;
}

export interface ImportSummary {
  datasetId: string;
  name: string;
  counts: { ratings: number; users: number; movies: number; tags: number };
  skipped: SkipReport;
  seconds: number;
}

export type ImportOutcome =
  { ok: true; summary: ImportSummary } | { ok: false; error: WrenErrorData };

export interface ImportWorkerApi {
  run(req: ImportRequest, onProgress: (p: Progress) => void): Promise<ImportOutcome>;
  cancel(): void;
}

/** The Web Lock an import holds while it writes dataset `id`. */
export const IMPORT_LOCK_PREFIX = 'wren-import:';
export const importLockName = (id: string): string => `${IMPORT_LOCK_PREFIX}${id}`;
