/** The typed protocol between the UI and the embeddings worker. */
import type { EmbedProgress, EmbedSettings } from '../src/core/embeddings/embed.ts';
import type { EngineMeasure } from '../src/core/embeddings/engines.ts';
import type { Progress } from '../src/core/data/types.ts';
import type { WrenErrorData } from '../src/core/errors.ts';
import type { EmbeddingRow, FeatureSetRow } from '../src/store/db.ts';

/** 'auto' = the fastest engine by a measured probe; otherwise an engine name from `engines()`. */
export type EngineChoice = 'auto' | string;

export interface EmbedRequest {
  datasetId: string;
  settings: EmbedSettings;
  engine: EngineChoice;
  /**
   * The automatic build's embedding: trained within `AUTO_EPOCH_BUDGET` (fewer
   * epochs on a large corpus, recorded in its settings' `epochCap`) and stored
   * marked `auto` (see saveEmbedding).
   */
  auto?: boolean;
  /**
   * Threads the trainer may use (the page's setting, threads.ts); more than
   * one only on a cross-origin isolated page. Default 1.
   */
  threads?: number;
}

/** Vectors trained elsewhere, as a word2vec text file, to evaluate and store for a dataset. */
export interface VectorsImportRequest {
  datasetId: string;
  file: Blob;
  /** The file's name, for the embedding's name and messages. */
  name: string;
}

/** Reading the file (bytes), then evaluating as a trained run does. */
export type VectorsImportProgress = EmbedProgress | { stage: 'read'; done: number; total: number };

/** A stored embedding as word2vec text, with a file name for the download. */
export interface VectorsExport {
  name: string;
  blob: Blob;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: WrenErrorData };

/** Training progress, plus which engine was chosen once it is known. */
export type EmbedWorkerProgress =
  EmbedProgress | { stage: 'probe'; done: number; total: number; engine?: string };

export interface EmbedWorkerApi {
  /** Engine names this worker can try on `threads` threads (default 1), in probe order. */
  engines(threads?: number): Promise<string[]>;
  /** Measures every engine (or the named ones) on the dataset's corpus; 'wasm-threads' on `threads` threads. */
  probe(datasetId: string, names?: string[], threads?: number): Promise<Outcome<EngineMeasure[]>>;
  train(
    req: EmbedRequest,
    onProgress: (p: EmbedWorkerProgress) => void,
  ): Promise<Outcome<EmbeddingRow>>;
  /**
   * Reads word2vec text keyed by MovieLens id, evaluates it on the next-item
   * protocol as a trained embedding is, and stores it (nothing when it fails).
   */
  importVectors(
    req: VectorsImportRequest,
    onProgress: (p: VectorsImportProgress) => void,
  ): Promise<Outcome<EmbeddingRow>>;
  /** A stored embedding written as word2vec text keyed by MovieLens id. */
  exportVectors(embeddingId: string): Promise<Outcome<VectorsExport>>;
  /** Computes and stores the sparrow-ctr feature set of a dataset. */
  features(datasetId: string, onProgress: (p: Progress) => void): Promise<Outcome<FeatureSetRow>>;
  cancel(): void;
}

/** The Web Lock a features job holds while it writes chunks under `key` (see cleanupFeatureChunks). */
export const featuresLockName = (key: string): string => `wren-features:${key}`;
