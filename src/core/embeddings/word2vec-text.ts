/**
 * The word2vec text format, keyed by MovieLens movie id: a header line
 * `count dim`, then one line per vector, `movieId v1 … vdim`, separated by
 * spaces. It is what gensim's `KeyedVectors.save_word2vec_format(path,
 * binary=False)` writes and `load_word2vec_format(path, binary=False)` reads,
 * and what a Spark Word2Vec's `getVectors` can be written as, so embeddings
 * move between Wren and those tools.
 *
 * Writing gives each float32 the shortest decimal (at most 9 significant
 * digits) that reads back as the same float32, so a file read back gives
 * the very same vectors. Reading streams line by line, checks everything
 * (header, field count, finite numbers, whole-number ids, no id twice, the
 * count the header announced) and stops at the first fault with a message
 * naming the line. Vectors whose id is not a movie of the dataset are
 * counted and skipped; the dataset's movies without a vector are counted.
 *
 * The header is required: gensim and the original word2vec tool write it,
 * and without it a file cannot be told apart from one whose first vector
 * has a single number (`"12 0.5"` reads as a header). A file without one
 * gets a message saying which line to add.
 */
import { WrenError, throwIfAborted } from '../errors.ts';
import { forEachTextLine, splitLines } from '../data/lines.ts';

/** Dimensions Wren reads (gensim's usual sizes are 100–300). */
export const WORD2VEC_MAX_DIM = 1024;
/** Vectors a header may announce (ml-32m has 87,585 movies). */
export const WORD2VEC_MAX_VECTORS = 2_000_000;
/** Bytes a file may hold: ml-32m's movies at 300 dimensions take about 300 MB. */
export const WORD2VEC_MAX_BYTES = 1024 ** 3;
/** Longest line read, in bytes: 1,024 numbers of 9 digits with sign and exponent fit well within it. */
const MAX_LINE_BYTES = 1 << 20;

/** A float32 as the shortest decimal (6 to 9 significant digits) that reads back as the same float32. */
export function float32Text(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f))
    throw new WrenError('invalid-data', `Cannot write ${x} as a vector value.`);
  for (let p = 6; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(Number(f.toPrecision(9)));
}

/**
 * The file's text in pieces of about `piece` characters (header first, whole
 * lines each), for a download or a stream. Row r is movie `movieIds[r]`.
 */
export function* word2vecTextPieces(
  movieIds: ArrayLike<number>,
  vectors: Float32Array,
  dim: number,
  piece = 1 << 20,
): Generator<string> {
  const rows = movieIds.length;
  if (!(Number.isInteger(dim) && dim > 0) || vectors.length !== rows * dim)
    throw new WrenError(
      'invalid-data',
      `${vectors.length} values are not ${rows} vectors of ${dim} dimensions.`,
    );
  let out = `${rows} ${dim}\n`;
  for (let r = 0; r < rows; r++) {
    let line = String(movieIds[r]);
    for (let k = r * dim, end = k + dim; k < end; k++) line += ' ' + float32Text(vectors[k]!);
    out += line + '\n';
    if (out.length >= piece) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

/** The whole file as one string (see word2vecTextPieces). */
export function word2vecText(
  movieIds: ArrayLike<number>,
  vectors: Float32Array,
  dim: number,
): string {
  return [...word2vecTextPieces(movieIds, vectors, dim)].join('');
}

/** What a file gave, mapped onto a dataset's movies. */
export interface Word2vecVectors {
  dim: number;
  /** Vectors in the file (what its header announced). */
  fileVectors: number;
  /** Movie index of each kept row, ascending. */
  items: Int32Array;
  /** The kept rows as written (not normalised), `dim` values each. */
  vectors: Float32Array;
  /** Vectors whose id is not a movie of the dataset: skipped. */
  unknownIds: number;
  /** The first few of those ids, for messages. */
  unknownExamples: number[];
  /** Movies of the dataset without a vector. */
  missing: number;
  /** Lines read, the header included. */
  lines: number;
}

export interface Word2vecReadOptions {
  /** File name for messages. */
  file: string;
  /** Movie index of every movie of the dataset (index i has MovieLens id movieIds[i]). */
  movieIds: ArrayLike<number>;
  signal?: AbortSignal;
  /** Bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Bytes accepted (default WORD2VEC_MAX_BYTES). */
  maxBytes?: number;
}

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPACE = /[ \t]+/;
/** Control characters: raw float bytes of the binary format, never in text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f]/;

/** A token, shortened for a message. */
const shown = (s: string): string => JSON.stringify(s.length > 40 ? s.slice(0, 37) + '…' : s);

/**
 * Reads word2vec text one line at a time (`line`, then `finish`), so a file
 * of any size streams through bounded memory: only the kept rows are held.
 */
export class Word2vecTextReader {
  private readonly file: string;
  private readonly indexOf = new Map<number, number>();
  private readonly movieCount: number;
  private dim = 0;
  private announced = 0;
  private seen = 0;
  private kept = 0;
  private lastLine = 0;
  private rows: Float32Array = new Float32Array(0);
  private rowMovie: Int32Array = new Int32Array(0);
  /** Line of each movie's vector (0: none yet), to name both lines of a repeated id. */
  private lineOf: Int32Array;
  private unknown = 0;
  private readonly unknownExamples: number[] = [];

  constructor(file: string, movieIds: ArrayLike<number>) {
    this.file = file;
    this.movieCount = movieIds.length;
    for (let i = 0; i < movieIds.length; i++) this.indexOf.set(movieIds[i]!, i);
    this.lineOf = new Int32Array(movieIds.length);
  }

  private fail(line: number, what: string, code: 'bad-row' | 'bad-header' = 'bad-row'): never {
    throw new WrenError(code, `${this.file} line ${line}: ${what}`, { file: this.file, line });
  }

  /** Takes one line (without its newline) and its 1-based number. */
  line(raw: string, line: number): void {
    this.lastLine = line;
    const text = raw.trim();
    if (line === 1) return this.header(text);
    if (text === '') return;
    if (CONTROL.test(text))
      this.fail(
        line,
        'found bytes that are not text: this looks like the binary word2vec format; save it with binary=False.',
      );
    const fields = text.split(SPACE);
    if (this.seen === this.announced)
      this.fail(
        line,
        `more vectors than the header's count of ${this.announced}; the header must say how many lines follow it.`,
      );
    this.seen++;
    if (fields.length !== this.dim + 1)
      this.fail(
        line,
        `expected a movie id and ${this.dim} numbers (${this.dim + 1} fields, as the header says), found ${fields.length} ${fields.length === 1 ? 'field' : 'fields'}.`,
      );
    const key = fields[0]!;
    if (!WHOLE.test(key))
      this.fail(
        line,
        `expected a MovieLens movie id (a whole number) as the key, found ${shown(key)}.`,
      );
    const id = Number(key);
    const index = this.indexOf.get(id);
    if (index === undefined) {
      // Not a movie of this dataset: parsed for faults all the same, then skipped.
      for (let k = 1; k <= this.dim; k++) this.number(fields[k]!, k, line);
      this.unknown++;
      if (this.unknownExamples.length < 5) this.unknownExamples.push(id);
      return;
    }
    const before = this.lineOf[index]!;
    if (before > 0)
      this.fail(line, `movie ${id} has a second vector (its first is on line ${before}).`);
    this.lineOf[index] = line;
    if (this.kept === this.rowMovie.length) this.grow();
    const o = this.kept * this.dim;
    for (let k = 1; k <= this.dim; k++) this.rows[o + k - 1] = this.number(fields[k]!, k, line);
    this.rowMovie[this.kept++] = index;
  }

  private header(text: string): void {
    const fields = text.split(SPACE);
    if (text === '' || fields.length !== 2 || !fields.every((f) => /^\d+$/.test(f)))
      this.fail(
        1,
        `expected the word2vec header "count dim" (two whole numbers, e.g. "9742 16"), found ${shown(text)}. ` +
          'gensim writes it (save_word2vec_format(path, binary=False)); for a file without one, add a first line with the number of vectors and their dimensions.',
        'bad-header',
      );
    const count = Number(fields[0]);
    const dim = Number(fields[1]);
    if (count < 1) this.fail(1, 'the header announces no vectors.', 'bad-header');
    if (count > WORD2VEC_MAX_VECTORS)
      this.fail(
        1,
        `the header announces ${count.toLocaleString('en')} vectors; Wren reads at most ${WORD2VEC_MAX_VECTORS.toLocaleString('en')}.`,
        'bad-header',
      );
    if (dim < 1 || dim > WORD2VEC_MAX_DIM)
      this.fail(
        1,
        `the header announces ${dim.toLocaleString('en')} dimensions; Wren reads 1 to ${WORD2VEC_MAX_DIM}.`,
        'bad-header',
      );
    this.announced = count;
    this.dim = dim;
  }

  private number(tok: string, k: number, line: number): number {
    if (!DECIMAL.test(tok))
      this.fail(
        line,
        /^[+-]?(nan|inf|infinity)$/i.test(tok)
          ? `value ${k} is ${shown(tok)}, not a finite number.`
          : `value ${k} is ${shown(tok)}, not a number.`,
      );
    const v = Math.fround(Number(tok));
    if (!Number.isFinite(v))
      this.fail(line, `value ${k} is ${shown(tok)}, which is beyond a float32's range.`);
    return v;
  }

  /** Room for more kept rows: doubled, never beyond the dataset's movies. */
  private grow(): void {
    const cap = Math.min(this.movieCount, Math.max(1024, this.rowMovie.length * 2), this.announced);
    const rows = new Float32Array(cap * this.dim);
    rows.set(this.rows);
    const movie = new Int32Array(cap);
    movie.set(this.rowMovie);
    this.rows = rows;
    this.rowMovie = movie;
  }

  /** Checks the count and returns the kept rows, sorted by movie index. */
  finish(): Word2vecVectors {
    if (this.lastLine === 0)
      throw new WrenError(
        'empty-file',
        `${this.file} is empty: a word2vec text file starts with the line "count dim".`,
        { file: this.file },
      );
    if (this.seen < this.announced)
      this.fail(
        this.lastLine,
        `the header announces ${this.announced.toLocaleString('en')} vectors, but the file ends after ${this.seen.toLocaleString('en')}.`,
      );
    const n = this.kept;
    if (n === 0)
      throw new WrenError(
        'invalid-data',
        `${this.file}: none of its ${this.seen.toLocaleString('en')} vectors is keyed by a movie id of this dataset (ids such as ${this.unknownExamples.join(', ')}). The keys must be MovieLens movie ids.`,
        { file: this.file },
      );
    const order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => this.rowMovie[a]! - this.rowMovie[b]!,
    );
    const items = new Int32Array(n);
    const vectors = new Float32Array(n * this.dim);
    for (let r = 0; r < n; r++) {
      const from = order[r]!;
      items[r] = this.rowMovie[from]!;
      vectors.set(this.rows.subarray(from * this.dim, (from + 1) * this.dim), r * this.dim);
    }
    return {
      dim: this.dim,
      fileVectors: this.announced,
      items,
      vectors,
      unknownIds: this.unknown,
      unknownExamples: [...this.unknownExamples],
      missing: this.movieCount - n,
      lines: this.lastLine,
    };
  }
}

/** Reads a word2vec text file streamed as byte chunks (UTF-8; a byte-order mark is skipped). */
export async function readWord2vecText(
  chunks: AsyncIterable<Uint8Array>,
  opts: Word2vecReadOptions,
): Promise<Word2vecVectors> {
  const { file } = opts;
  const maxBytes = opts.maxBytes ?? WORD2VEC_MAX_BYTES;
  const reader = new Word2vecTextReader(file, opts.movieIds);
  let bytes = 0;
  let next = 1;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of chunks) {
      bytes += c.length;
      if (bytes > maxBytes)
        throw new WrenError(
          'too-large',
          `${file} is larger than ${formatBytes(maxBytes)}, more than any MovieLens embedding needs; Wren does not read it.`,
          { file },
        );
      opts.onProgress?.(bytes);
      yield c;
    }
  }
  try {
    await splitLines(
      counted(),
      (b, start, end) => {
        next = forEachTextLine(b, start, end, next, (text, line) => reader.line(text, line));
      },
      { file, lineAt: () => next, signal: opts.signal, maxLine: MAX_LINE_BYTES },
    );
  } catch (e) {
    // The splitter's own message speaks of MovieLens files: say what it means here.
    if (e instanceof WrenError && /: found a line longer than /.test(e.message)) {
      const line = e.line ?? next;
      throw new WrenError(
        'bad-row',
        `${file} line ${line}: a line longer than ${formatBytes(MAX_LINE_BYTES)}; this is not word2vec text.`,
        { file, line },
      );
    }
    throw e;
  }
  throwIfAborted(opts.signal);
  return reader.finish();
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${n / 1024 ** 3} GiB` : `${n / 1024 ** 2} MiB`;
}
