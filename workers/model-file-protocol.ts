/** What the model-file worker offers the page: a stored ranking model out as safetensors, and one in. */
import type { ModelRow } from '../src/store/db.ts';
import type { Outcome } from './embed-protocol.ts';

export type { Outcome } from './embed-protocol.ts';

/** A model file to download and its name. */
export interface ModelFile {
  name: string;
  blob: Blob;
}

export interface ModelFileWorkerApi {
  /** A stored ranking model as a safetensors file keyed by MovieLens ids (only reads the store). */
  download(modelId: string): Promise<Outcome<ModelFile>>;
  /**
   * Reads a safetensors model file (refused unread above 1 GB), checks it against the dataset's
   * movies and stores it as an imported model; a bad file stores nothing and says why.
   */
  import(datasetId: string, file: File): Promise<Outcome<ModelRow>>;
  cancel(): void;
}
