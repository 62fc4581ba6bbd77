/**
 * A stored ranking model out of the app and into it as a safetensors file (the layout is
 * model-safetensors.ts', docs/safetensors.md): what the Models page's "Download as
 * safetensors" writes, and what "Import a model" checks and keeps. Pure: the model-file worker
 * reads the store and the file and hands them in.
 */
import { WrenError } from '../errors.ts';
import { modelInfo } from './index.ts';
import { modelFromSafetensors, modelToSafetensors, type ModelIds } from './model-safetensors.ts';
import type { SavedModel } from './types.ts';

/** The largest model file the app imports (it is read whole into memory). */
export const MAX_MODEL_FILE_BYTES = 1024 ** 3;

/** The protocol of an imported model: it was trained elsewhere, and Wren has not evaluated it. */
export const IMPORTED = 'imported';

/** Why a file of this name and size is not read, in words; null when it may be read. */
export function modelFileProblem(name: string, size: number): string | null {
  if (!/\.safetensors$/i.test(name))
    return `${name} is not a .safetensors file: the Models page imports models as safetensors (docs/safetensors.md).`;
  if (size > MAX_MODEL_FILE_BYTES)
    return `${name} is ${(size / 1024 ** 3).toFixed(1)} GB; Wren imports model files of at most 1 GB.`;
  if (size === 0) return `${name} is empty.`;
  return null;
}

/** What a stored model says of itself in the file it is downloaded as. */
export interface ModelFileInfo {
  dataset: string;
  title: string;
  protocol: string;
  seed: number;
  metrics: Record<string, number>;
  /** The file it was imported from, for an imported model. */
  importedFrom?: string;
}

/** A stored model as safetensors bytes, keyed by the dataset's MovieLens ids. */
export function modelFileBytes(saved: SavedModel, ids: ModelIds, info: ModelFileInfo): Uint8Array {
  if (!modelInfo(saved.model))
    throw new WrenError(
      'invalid-settings',
      `${info.title} is not a ranking model: only ranking models download as safetensors.`,
    );
  return modelToSafetensors(saved, ids, {
    dataset: info.dataset,
    title: info.title,
    protocol: info.protocol,
    seed: String(info.seed),
    metrics: JSON.stringify(info.metrics),
    ...(info.importedFrom !== undefined && { importedFrom: info.importedFrom }),
  });
}

/** An imported model, ready to store: its arrays and what its stored row says of it. */
export interface ModelFileImport {
  saved: SavedModel;
  /** Registry name (ease, neumf, …). */
  model: string;
  /** "NeuMF (imported from torch-neumf.safetensors)". */
  title: string;
  config: SavedModel['config'];
  importedFrom: string;
  /**
   * Whether the file's user rows are this dataset's users in the dataset's order (a file
   * downloaded from Wren on the same dataset): only then does a dataset user's row mean them.
   */
  usersMatch: boolean;
  /** The dataset's movies the file has no row for (they are never its top picks). */
  missing: number;
  /** The file's own metadata (who trained it, on what): shown, never trusted as metrics. */
  metadata: Record<string, string>;
}

/**
 * Checks a model file against the dataset it is imported into (`ids`: the MovieLens id of each
 * movie and user index) and moves its movies to the dataset's order. Throws a WrenError
 * ('invalid-data') naming the problem; nothing is kept on failure.
 */
export function importModelFile(
  bytes: Uint8Array,
  fileName: string,
  ids: ModelIds,
): ModelFileImport {
  const got = modelFromSafetensors(bytes, ids.movieIds);
  const info = modelInfo(got.saved.model)!;
  const users = ids.userIds;
  const usersMatch =
    got.userIds.length === users.length && got.userIds.every((id, u) => id === users[u]);
  return {
    saved: got.saved,
    model: info.name,
    title: `${info.title} (imported from ${fileName})`,
    config: got.saved.config,
    importedFrom: fileName,
    usersMatch,
    missing: got.missing,
    metadata: got.metadata,
  };
}
