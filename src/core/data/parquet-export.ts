/**
 * A dataset and its computed features as Parquet files that pandas, Spark,
 * DuckDB and Polars read unchanged (docs/parquet.md has the schema).
 *
 * Files are written row group by row group through hyparquet-writer (pure
 * JavaScript, SNAPPY pages), and each group's bytes go to a sink as soon as
 * the group is encoded: a file never has to be held whole in memory, beside
 * its columns, to be written. Ids are MovieLens ids, never Wren's indexes.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { throwIfAborted, WrenError } from '../errors.ts';
import { movieFeatures, movieMetaFromMovies, MOVIE_GENRES } from '../features/movie-features.ts';
import {
  LAST_POSITIVES,
  TOP_GENRES,
  USER_WINDOW,
  userFeatures,
} from '../features/user-features.ts';
import { POSITIVE_HALF_STARS } from '../features/sequences.ts';
import { TRAIN_QUANTILE, timeSplitCutoff } from '../features/split.ts';
import type { Movie, ProgressFn, RatingColumns, Tag, User } from './types.ts';

/** Rows per row group: a few MB per file's group, so that encoding one stays far below the columns' size. */
export const PARQUET_ROW_GROUP_ROWS = 1 << 18;

/** Encoded bytes gathered before they are handed to the sink inside a row group. */
const FLUSH_BYTES = 1 << 20;

/** What is exported: a dataset as parsed (the CLI) or as stored (the app). */
export interface ExportSource {
  name: string;
  movies: readonly Movie[];
  /** Indexed by user index. */
  users: readonly User[];
  /** Whether users carry gender, age, occupation and zip: then users.parquet is written. */
  hasDemographics: boolean;
  ratings: RatingColumns;
  genres: readonly string[];
  /**
   * Tags one row per application (a parsed dataset: tags.parquet, as MovieLens'
   * tags.csv), or per movie with counts (the store keeps only these:
   * tag_counts.parquet).
   */
  tags:
    | { kind: 'rows'; rows: readonly Tag[] }
    | {
        kind: 'counts';
        rows: readonly { movie: number; tags: { tag: string; count: number }[] }[];
      };
}

/** Where a file's bytes go, in order. */
export interface ParquetSink {
  write(bytes: Uint8Array): void | Promise<void>;
  close(): void | Promise<void>;
}

export interface ParquetExportOptions {
  /** Opens the named file (e.g. "ratings.parquet") for writing. */
  open(name: string): ParquetSink | Promise<ParquetSink>;
  /** Rows per row group; default 262,144. */
  rowGroupRows?: number;
  /** `{stage: 'export', done, total}` in rows over every file. */
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

/** One written file: its name, rows and bytes. */
export interface ExportedFile {
  name: string;
  rows: number;
  bytes: number;
}

type Column =
  | { name: string; type: 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BOOLEAN'; optional?: boolean }
  | { name: string; type: 'STRING'; optional?: boolean };

/** A column's values for one row group, as hyparquet-writer takes them. */
type Values =
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | boolean[]
  | (number | null)[]
  | (string | null)[];

function schemaOf(columns: readonly Column[]): SchemaElement[] {
  const root: SchemaElement = { name: 'schema', num_children: columns.length };
  return [
    root,
    ...columns.map((c): SchemaElement => {
      const repetition_type = c.optional ? 'OPTIONAL' : 'REQUIRED';
      return c.type === 'STRING'
        ? {
            name: c.name,
            type: 'BYTE_ARRAY',
            converted_type: 'UTF8',
            logical_type: { type: 'STRING' },
            repetition_type,
          }
        : { name: c.name, type: c.type, repetition_type };
    }),
  ];
}

/**
 * hyparquet-writer's ByteWriter, emptied into a list of chunks once it holds
 * a megabyte, so that a row group's bytes can leave before the next group.
 */
class ChunkWriter extends ByteWriter {
  pending: Uint8Array[] = [];

  override ensure(size: number): void {
    if (this.index > FLUSH_BYTES) this.drain();
    super.ensure(size);
  }

  drain(): void {
    if (this.index === 0) return;
    this.pending.push(new Uint8Array(this.buffer, 0, this.index).slice());
    this.index = 0;
  }

  /** Hands the drained chunks to the sink, in order. */
  async send(sink: ParquetSink): Promise<void> {
    this.drain();
    const chunks = this.pending;
    this.pending = [];
    for (const c of chunks) await sink.write(c);
  }
}

/** Writes one Parquet file of `rows` rows, asking `group(start, end)` for each row group's columns. */
async function writeFile(
  name: string,
  columns: readonly Column[],
  rows: number,
  group: (start: number, end: number) => Values[],
  ctx: {
    opts: ParquetExportOptions;
    rowGroupRows: number;
    advance: (rows: number) => void;
    kv?: Record<string, string>;
  },
): Promise<ExportedFile> {
  const sink = await ctx.opts.open(name);
  const writer = new ChunkWriter();
  const pw = new ParquetWriter({
    writer,
    schema: schemaOf(columns),
    codec: 'SNAPPY',
    createdBy: 'Wren (hyparquet-writer)',
    kvMetadata: ctx.kv ? Object.entries(ctx.kv).map(([key, value]) => ({ key, value })) : undefined,
  });
  // An empty file still gets one (empty) row group, so every reader sees the columns' types.
  for (let start = 0; start < rows || start === 0; start += ctx.rowGroupRows) {
    throwIfAborted(ctx.opts.signal);
    const end = Math.min(rows, start + ctx.rowGroupRows);
    const data = group(start, end);
    await pw.write({
      columnData: columns.map((c, j) => ({ name: c.name, data: data[j]! })),
      rowGroupSize: Math.max(1, end - start),
    });
    await writer.send(sink);
    ctx.advance(end - start);
    if (rows === 0) break;
  }
  await pw.finish();
  await writer.send(sink);
  await sink.close();
  return { name, rows, bytes: writer.offset };
}

/** `[f(0), …, f(count - 1)]`. */
function mapRange<T>(count: number, f: (i: number) => T): T[] {
  const out = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = f(i);
  return out;
}

/**
 * Writes ratings.parquet, movies.parquet, users.parquet (with demographics),
 * tags.parquet or tag_counts.parquet (with tags), movie_features.parquet,
 * samples.parquet and next_item.parquet through `opts.open`. Resolves to the files in the order
 * written. Throws WrenError 'invalid-data' on a dataset without ratings
 * (the features need a time split) and 'cancelled' when aborted.
 */
export async function exportParquet(
  src: ExportSource,
  opts: ParquetExportOptions,
): Promise<ExportedFile[]> {
  const rowGroupRows = opts.rowGroupRows ?? PARQUET_ROW_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new WrenError(
      'invalid-settings',
      `rowGroupRows must be a positive integer, got ${rowGroupRows}`,
    );
  }
  const { ratings, users } = src;
  const n = ratings.user.length;
  if (n === 0) throw new WrenError('invalid-data', `${src.name} has no ratings to export.`);
  const M = src.movies.length;
  const movies = new Array<Movie>(M);
  for (const m of src.movies) movies[m.index] = m;
  const movieIds = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    const movie = movies[m];
    if (!movie) throw new WrenError('invalid-data', `Movie index ${m} is missing.`);
    movieIds[m] = movie.movieId;
  }
  const userIds = Int32Array.from(users, (u) => u.userId);
  const tagRows = src.tags.kind === 'rows' ? src.tags.rows : [];
  const tagCounts =
    src.tags.kind === 'counts'
      ? src.tags.rows.flatMap((r) => r.tags.map((t) => ({ movie: r.movie, ...t })))
      : [];

  const next = nextItemRows(ratings);
  const total =
    n * 2 +
    M * 2 +
    next.rows.length +
    (src.hasDemographics ? users.length : 0) +
    tagRows.length +
    tagCounts.length;
  let done = 0;
  const advance = (rows: number): void => {
    done += rows;
    opts.onProgress?.({ stage: 'export', done, total });
  };
  opts.onProgress?.({ stage: 'export', done: 0, total });
  const ctx = { opts, rowGroupRows, advance };
  const files: ExportedFile[] = [];

  files.push(
    await writeFile(
      'ratings.parquet',
      [
        { name: 'userId', type: 'INT32' },
        { name: 'movieId', type: 'INT32' },
        { name: 'rating', type: 'FLOAT' },
        { name: 'timestamp', type: 'INT64' },
      ],
      n,
      (s, e) => [
        Int32Array.from(ratings.user.subarray(s, e), (u) => userIds[u]!),
        Int32Array.from(ratings.movie.subarray(s, e), (m) => movieIds[m]!),
        Float32Array.from(ratings.rating.subarray(s, e), (h) => h / 2),
        BigInt64Array.from(ratings.timestamp.subarray(s, e), (t) => BigInt(t)),
      ],
      ctx,
    ),
  );

  files.push(
    await writeFile(
      'movies.parquet',
      [
        { name: 'movieId', type: 'INT32' },
        { name: 'title', type: 'STRING' },
        { name: 'genres', type: 'STRING' },
        { name: 'year', type: 'INT32', optional: true },
        { name: 'imdbId', type: 'STRING', optional: true },
        { name: 'tmdbId', type: 'INT32', optional: true },
        { name: 'ratingCount', type: 'INT32' },
        { name: 'ratingAvg', type: 'DOUBLE' },
      ],
      M,
      (s, e) => {
        const part = movies.slice(s, e);
        return [
          Int32Array.from(part, (m) => m.movieId),
          part.map((m) => m.title),
          // MovieLens writes a movie without genres as "(no genres listed)".
          part.map((m) => (m.genres.length > 0 ? m.genres.join('|') : '(no genres listed)')),
          part.map((m) => m.year),
          part.map((m) => m.imdbId),
          part.map((m) => m.tmdbId),
          Int32Array.from(part, (m) => m.ratingCount),
          Float64Array.from(part, (m) => m.ratingAvg),
        ];
      },
      ctx,
    ),
  );

  if (src.hasDemographics) {
    files.push(
      await writeFile(
        'users.parquet',
        [
          { name: 'userId', type: 'INT32' },
          { name: 'gender', type: 'STRING', optional: true },
          { name: 'age', type: 'INT32', optional: true },
          { name: 'occupation', type: 'STRING', optional: true },
          { name: 'zip', type: 'STRING', optional: true },
        ],
        users.length,
        (s, e) => {
          const part = users.slice(s, e);
          return [
            Int32Array.from(part, (u) => u.userId),
            part.map((u) => u.gender),
            part.map((u) => u.age),
            part.map((u) => u.occupation),
            part.map((u) => u.zip),
          ];
        },
        ctx,
      ),
    );
  }

  if (tagRows.length > 0) {
    files.push(
      await writeFile(
        'tags.parquet',
        [
          { name: 'userId', type: 'INT32' },
          { name: 'movieId', type: 'INT32' },
          { name: 'tag', type: 'STRING' },
          { name: 'timestamp', type: 'INT64' },
        ],
        tagRows.length,
        (s, e) => {
          const part = tagRows.slice(s, e);
          return [
            Int32Array.from(part, (t) => t.userId),
            Int32Array.from(part, (t) => movieIds[t.movie]!),
            part.map((t) => t.tag),
            BigInt64Array.from(part, (t) => BigInt(t.timestamp)),
          ];
        },
        ctx,
      ),
    );
  }
  if (tagCounts.length > 0) {
    files.push(
      await writeFile(
        'tag_counts.parquet',
        [
          { name: 'movieId', type: 'INT32' },
          { name: 'tag', type: 'STRING' },
          { name: 'count', type: 'INT32' },
        ],
        tagCounts.length,
        (s, e) => {
          const part = tagCounts.slice(s, e);
          return [
            Int32Array.from(part, (t) => movieIds[t.movie]!),
            part.map((t) => t.tag),
            Int32Array.from(part, (t) => t.count),
          ];
        },
        ctx,
      ),
    );
  }

  // The sparrow-ctr features: movie statistics from the training period (ratings at or
  // before the 80% time quantile), user statistics point in time, row by row.
  const meta = movieMetaFromMovies(src.movies, src.genres);
  const cutoff = timeSplitCutoff(ratings.timestamp, TRAIN_QUANTILE);
  const mf = movieFeatures(ratings, meta, { cutoff });
  const genreName = (g: number): string | null => (g >= 0 ? src.genres[g]! : null);
  const kv = {
    'wren.cutoff': String(cutoff),
    'wren.trainQuantile': String(TRAIN_QUANTILE),
    'wren.positiveStars': String(POSITIVE_HALF_STARS / 2),
    'wren.userWindow': String(USER_WINDOW),
  };
  files.push(
    await writeFile(
      'movie_features.parquet',
      [
        { name: 'movieId', type: 'INT32' },
        { name: 'releaseYear', type: 'INT32', optional: true },
        ...mapRange(MOVIE_GENRES, (k): Column => ({
          name: `movieGenre${k + 1}`,
          type: 'STRING',
          optional: true,
        })),
        { name: 'movieRatingCount', type: 'INT32' },
        { name: 'movieAvgRating', type: 'FLOAT' },
        { name: 'movieRatingStddev', type: 'FLOAT' },
      ],
      M,
      (s, e) => [
        movieIds.slice(s, e),
        mapRange(e - s, (i) => mf.releaseYear[s + i] || null),
        ...mapRange(MOVIE_GENRES, (k) =>
          mapRange(e - s, (i) => genreName(mf.genres[(s + i) * MOVIE_GENRES + k]!)),
        ),
        mf.ratingCount.slice(s, e),
        mf.ratingAvg.slice(s, e),
        mf.ratingStd.slice(s, e),
      ],
      { ...ctx, kv },
    ),
  );

  files.push(
    await writeFile(
      'samples.parquet',
      [
        { name: 'userId', type: 'INT32' },
        { name: 'movieId', type: 'INT32' },
        { name: 'rating', type: 'FLOAT' },
        { name: 'timestamp', type: 'INT64' },
        { name: 'label', type: 'INT32' },
        { name: 'train', type: 'BOOLEAN' },
        { name: 'userRatingCount', type: 'INT32' },
        { name: 'userAvgRating', type: 'FLOAT' },
        { name: 'userRatingStddev', type: 'FLOAT' },
        { name: 'userAvgReleaseYear', type: 'FLOAT', optional: true },
        { name: 'userReleaseYearStddev', type: 'FLOAT' },
        ...mapRange(LAST_POSITIVES, (k): Column => ({
          name: `userRatedMovie${k + 1}`,
          type: 'INT32',
          optional: true,
        })),
        ...mapRange(TOP_GENRES, (k): Column => ({
          name: `userGenre${k + 1}`,
          type: 'STRING',
          optional: true,
        })),
      ],
      n,
      (s, e) => {
        const uf = userFeatures(ratings, meta, s, e);
        const len = e - s;
        return [
          Int32Array.from(ratings.user.subarray(s, e), (u) => userIds[u]!),
          Int32Array.from(ratings.movie.subarray(s, e), (m) => movieIds[m]!),
          Float32Array.from(ratings.rating.subarray(s, e), (h) => h / 2),
          BigInt64Array.from(ratings.timestamp.subarray(s, e), (t) => BigInt(t)),
          Int32Array.from(ratings.rating.subarray(s, e), (h) => (h >= POSITIVE_HALF_STARS ? 1 : 0)),
          Array.from(ratings.timestamp.subarray(s, e), (t) => t <= cutoff),
          Int32Array.from(uf.count),
          uf.avgRating,
          uf.stdRating,
          // No window movie with a known year: null rather than the 0 the models read.
          mapRange(len, (i) => (uf.count[i]! > 0 && uf.avgYear[i]! > 0 ? uf.avgYear[i]! : null)),
          uf.stdYear,
          ...mapRange(LAST_POSITIVES, (k) =>
            mapRange(len, (i) => {
              const m = uf.lastPositives[i * LAST_POSITIVES + k]!;
              return m >= 0 ? movieIds[m]! : null;
            }),
          ),
          ...mapRange(TOP_GENRES, (k) =>
            mapRange(len, (i) => genreName(uf.topGenres[i * TOP_GENRES + k]!)),
          ),
        ];
      },
      { ...ctx, kv },
    ),
  );

  // The next-item protocol's corpus (DESIGN.md, protocol 4): an embedding trained
  // elsewhere on the rows that are not held out is evaluated by `wren embed --import`
  // (or the Lab) on exactly the split Wren's own embeddings see, with no leak.
  files.push(
    await writeFile(
      'next_item.parquet',
      [
        { name: 'userId', type: 'INT32' },
        { name: 'movieId', type: 'INT32' },
        { name: 'timestamp', type: 'INT64' },
        { name: 'position', type: 'INT32' },
        { name: 'heldOut', type: 'BOOLEAN' },
      ],
      next.rows.length,
      (s, e) => {
        const rows = next.rows.subarray(s, e);
        return [
          Int32Array.from(rows, (i) => userIds[ratings.user[i]!]!),
          Int32Array.from(rows, (i) => movieIds[ratings.movie[i]!]!),
          BigInt64Array.from(rows, (i) => BigInt(ratings.timestamp[i]!)),
          next.position.slice(s, e),
          Array.from(rows, (i) => next.heldOut[i] === 1),
        ];
      },
      { ...ctx, kv: { 'wren.positiveStars': String(POSITIVE_HALF_STARS / 2) } },
    ),
  );
  return files;
}

/**
 * The rows of next_item.parquet: every positive rating (at least
 * POSITIVE_HALF_STARS) in the dataset's order (by user, then time), its
 * place in the user's sequence of positives, and which one is held out —
 * each user's last positive, when they have two or more, as nextItemSplit
 * holds it out.
 */
function nextItemRows(ratings: RatingColumns): {
  rows: Int32Array;
  position: Int32Array;
  heldOut: Uint8Array;
} {
  const { userOffsets, rating } = ratings;
  let count = 0;
  for (let i = 0; i < rating.length; i++) if (rating[i]! >= POSITIVE_HALF_STARS) count++;
  const rows = new Int32Array(count);
  const position = new Int32Array(count);
  const heldOut = new Uint8Array(rating.length);
  let r = 0;
  for (let u = 0; u + 1 < userOffsets.length; u++) {
    let last = -1;
    let p = 0;
    for (let i = userOffsets[u]!; i < userOffsets[u + 1]!; i++) {
      if (rating[i]! < POSITIVE_HALF_STARS) continue;
      rows[r] = i;
      position[r++] = p++;
      last = i;
    }
    if (p >= 2) heldOut[last] = 1;
  }
  return { rows, position, heldOut };
}
