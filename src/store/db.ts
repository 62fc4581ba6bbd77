/**
 * The Dexie database: the only place that knows the IndexedDB schema.
 * Schema versions are never edited once released: add version(n + 1) with an
 * upgrade function and a migration test.
 */
import type { ProtocolName } from '../core/eval/protocols.ts';
import type { CtrProtocol } from '../core/models/ctr-info.ts';
import type { EpochLogEntry, SavedModel } from '../core/models/types.ts';
import type { PrPoint, RocPoint } from '../core/eval/metrics.ts';
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { DatasetFormat, Movie, SkipReport } from '../core/data/types.ts';
import type { HomeLists } from '../core/data/home.ts';
import type { EmbedMetrics, EmbedSettings } from '../core/embeddings/embed.ts';
import type { HnswIndex } from '../core/embeddings/hnsw.ts';
import type { VectorsSource } from '../core/embeddings/imported.ts';
import type { FeatureSet } from '../core/features/samples.ts';
import type { UserFeatureColumns } from '../core/features/user-features.ts';

export type { HomeLists };

export type DatasetStatus = 'importing' | 'ready';

export interface DatasetRow {
  id: string;
  name: string;
  format: DatasetFormat;
  status: DatasetStatus;
  createdAt: number;
  /** Where it came from: a file name, a URL or "generated". */
  source: string;
  counts: { ratings: number; users: number; movies: number; tags: number };
  genres: string[];
  minRating: number;
  maxRating: number;
  skipped: SkipReport;
  chunkSize: number;
  chunkCount: number;
  /** Whether users have demographics (gender, age, occupation, zip). */
  hasDemographics: boolean;
  /** Ratings time span, Unix seconds. */
  firstRating: number;
  lastRating: number;
  /** Movie indexes precomputed at import so Home renders from one read. */
  home: HomeLists;
  /** Seconds from the start of the import until the dataset was ready. */
  importSeconds: number;
}

export interface MovieRow extends Movie {
  datasetId: string;
  /** `${datasetId}\u0001${genre}`: a multi-entry index scoped to the dataset. */
  genreKeys: string[];
}

/**
 * Users of a dataset as columns in one row (162k users in ml-25m would take
 * half a minute as one IndexedDB row each). Index u is user index u.
 */
export interface UserColumnsRow {
  datasetId: string;
  userIds: Int32Array;
  ratingCount: Int32Array;
  ratingAvg: Float32Array;
  /** Demographics where the dataset has them (ml-1m, ml-100k), else null. */
  gender: ('M' | 'F' | null)[] | null;
  age: (number | null)[] | null;
  occupation: (string | null)[] | null;
  zip: (string | null)[] | null;
}

/** The tags of one movie: each distinct tag with how many times it was applied. */
export interface MovieTagsRow {
  datasetId: string;
  movie: number;
  tags: { tag: string; count: number }[];
}

/** One columnar chunk of ratings (sorted by user, then time). */
export interface RatingChunkRow {
  datasetId: string;
  chunk: number;
  user: Int32Array;
  movie: Int32Array;
  rating: Uint8Array;
  timestamp: Uint32Array;
}

/** Dense index ↔ MovieLens id maps, user offsets into the ratings, and titles for search. */
export interface IdMapRow {
  datasetId: string;
  movieIds: Int32Array;
  userIds: Int32Array;
  userOffsets: Int32Array;
  titles: string[];
  ratingCounts: Int32Array;
}

/** A trained or imported embedding's description (small: listed without its vectors). */
export interface EmbeddingRow {
  id: string;
  datasetId: string;
  name: string;
  /** How it was trained; null for imported vectors. */
  settings: EmbedSettings | null;
  createdAt: number;
  /** Which trainer ran: 'wasm-simd', 'js' or 'tfjs-<backend>'; 'imported' for imported vectors. */
  engine: string;
  seconds: number;
  trainSeconds: number;
  tokensPerSecond: number;
  metrics: EmbedMetrics;
  losses: number[];
  dim: number;
  count: number;
  /** Built by the automatic build after an import, not by a person. */
  auto?: boolean;
  /** Vectors read from a word2vec text file, and how they matched the dataset. */
  imported?: VectorsSource;
}

/** The vectors of an embedding, with their 2-D map and HNSW index. */
export interface EmbeddingDataRow {
  id: string;
  datasetId: string;
  /** Movie index of each row. */
  items: Int32Array;
  /** Unit-length rows. */
  vectors: Float32Array;
  map: Float32Array;
  /** The index without its `vectors` (they are the row's own). */
  hnsw: Omit<HnswIndex, 'vectors'> | null;
}

/** The sparrow-ctr feature set of a dataset: split, movie features, counts. */
export interface FeatureSetRow extends FeatureSet {
  datasetId: string;
  /** The featureChunks key its chunks are stored under; absent: the dataset id (older sets). */
  chunksKey?: string;
  createdAt: number;
  seconds: number;
  chunkSize: number;
  chunkCount: number;
}

/** Point-in-time user features for one chunk of rating rows (aligned with ratingChunks). */
export interface FeatureChunkRow extends UserFeatureColumns {
  datasetId: string;
  chunk: number;
}

/** A trained ranking model: what it is, how it was trained, how it scored. */
export interface ModelRow {
  id: string;
  datasetId: string;
  /** Registry name: popularity, itemknn, puresvd, gmf, mlp, neumf… */
  model: string;
  title: string;
  /**
   * 'personal': the automatic build's model for For You (trained on every rating, no test split);
   * 'imported': read from a safetensors file, trained elsewhere and not evaluated by Wren.
   */
  protocol: ProtocolName | CtrProtocol | 'personal' | 'imported';
  /** An imported model: the file's name. */
  importedFrom?: string;
  /**
   * An imported model: whether the file's user rows are this dataset's users in its order, so a
   * dataset user's row means them (the dataset-user view ranks with it only then).
   */
  usersMatch?: boolean;
  /** Built by the automatic build after an import, not by a person. */
  auto?: boolean;
  seed: number;
  config: Record<string, number | string | boolean>;
  /** The CTR protocols (sparrow-ctr, ctr-random): ROC and PR curve points on the test rows. */
  curves?: { roc: RocPoint[]; pr: PrPoint[] };
  /** The protocol's metrics on its test items. */
  metrics: Record<string, number>;
  /** Per-epoch loss and validation metrics, for models trained by epochs. */
  epochLog: EpochLogEntry[];
  /** Which backend trained it: 'js' or 'tfjs-<backend>'. */
  backend: string;
  createdAt: number;
  fitSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
  /** Median milliseconds to score every movie for one user, measured after training. */
  scoreMs?: number;
}

/** A trained model's arrays, as `Recommender.save()` gives them. */
export interface ModelDataRow {
  id: string;
  datasetId: string;
  saved: SavedModel;
}

export interface KvRow {
  key: string;
  value: unknown;
}

export class WrenDb extends Dexie {
  datasets!: EntityTable<DatasetRow, 'id'>;
  movies!: Table<MovieRow, [string, number]>;
  users!: EntityTable<UserColumnsRow, 'datasetId'>;
  tags!: Table<MovieTagsRow, [string, number]>;
  ratingChunks!: Table<RatingChunkRow, [string, number]>;
  idMaps!: EntityTable<IdMapRow, 'datasetId'>;
  kv!: EntityTable<KvRow, 'key'>;
  embeddings!: EntityTable<EmbeddingRow, 'id'>;
  embeddingData!: EntityTable<EmbeddingDataRow, 'id'>;
  featureSets!: EntityTable<FeatureSetRow, 'datasetId'>;
  featureChunks!: Table<FeatureChunkRow, [string, number]>;
  models!: EntityTable<ModelRow, 'id'>;
  modelData!: EntityTable<ModelDataRow, 'id'>;

  constructor(name = 'wren') {
    super(name);
    this.version(1).stores({
      datasets: 'id, status, createdAt',
      movies: '[datasetId+index], *genreKeys',
      users: 'datasetId',
      tags: '[datasetId+movie]',
      ratingChunks: '[datasetId+chunk]',
      idMaps: 'datasetId',
      kv: 'key',
    });
    // Version 2: embeddings and features. New tables only: no upgrade needed.
    this.version(2).stores({
      embeddings: 'id, datasetId, createdAt',
      embeddingData: 'id, datasetId',
      featureSets: 'datasetId',
      featureChunks: '[datasetId+chunk]',
    });
    // Version 3: trained ranking models. New tables only.
    this.version(3).stores({
      models: 'id, datasetId, createdAt',
      modelData: 'id, datasetId',
    });
    stayClosedWhenDeleted(this, () => {
      this.deleted = true;
      for (const f of this.onDeleted) f();
    });
  }

  /** True once another connection deleted the database (this one is closed for good). */
  deleted = false;
  /** Called when another connection deletes the database (e.g. "Delete everything" in another tab). */
  readonly onDeleted = new Set<() => void>();
}

/**
 * When another connection deletes the database, closes this one for good.
 * Dexie's default closes it but re-opens on the next read or write, which
 * would create the deleted database again (empty) and let a running job go
 * on writing rows that belong to nothing. An upgrade keeps Dexie's default.
 */
export function stayClosedWhenDeleted(db: Dexie, onDeleted: () => void = () => undefined): void {
  db.on('versionchange', (ev: IDBVersionChangeEvent) => {
    if (ev.newVersion !== null) return undefined;
    db.close({ disableAutoOpen: true });
    onDeleted();
    return false;
  });
}

export const genreKey = (datasetId: string, genre: string): string => `${datasetId}\u0001${genre}`;

/** All tables that hold rows of one dataset (for deletes). */
export function datasetTables(db: WrenDb): Table[] {
  return [
    db.movies,
    db.users,
    db.tags,
    db.ratingChunks,
    db.idMaps,
    db.featureSets,
    db.featureChunks,
    db.embeddings,
    db.embeddingData,
    db.models,
    db.modelData,
  ];
}
