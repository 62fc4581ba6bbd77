/**
 * The word2vec text format: written vectors read back bit for bit as
 * float32; every malformed file stops with its own message naming the line;
 * ids outside the dataset are counted and skipped; and vectors read back
 * from an exported embedding evaluate to the trained run's figures.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import {
  embedInput,
  trainEmbedding,
  type EmbedSettings,
} from '../../../src/core/embeddings/embed.ts';
import { evaluateImported, unitRows } from '../../../src/core/embeddings/imported.ts';
import { GENSIM_REFERENCE } from '../../../src/core/embeddings/sgns.ts';
import { wasmKernel } from '../../../src/core/embeddings/sgns-wasm.ts';
import {
  float32Text,
  readWord2vecText,
  word2vecText,
  word2vecTextPieces,
  WORD2VEC_MAX_DIM,
  type Word2vecVectors,
} from '../../../src/core/embeddings/word2vec-text.ts';
import { WrenError } from '../../../src/core/errors.ts';
import { Random } from '../../../src/core/random.ts';

/** The text as byte chunks of `size` bytes, cutting lines (and UTF-8) anywhere. */
async function* chunked(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const b = new TextEncoder().encode(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const IDS = [1, 2, 3, 5, 8, 13, 21, 34];

function read(text: string, movieIds: number[] = IDS, size?: number): Promise<Word2vecVectors> {
  return readWord2vecText(chunked(text, size), { file: 'v.txt', movieIds });
}

/** The WrenError a read fails with. */
async function failure(text: string, size?: number): Promise<WrenError> {
  try {
    await read(text, IDS, size);
  } catch (e) {
    expect(e).toBeInstanceOf(WrenError);
    return e as WrenError;
  }
  throw new Error('the read did not fail');
}

describe('float32Text', () => {
  it('reads back as the same float32 for awkward values, in at most 9 significant digits', () => {
    const rng = new Random(3);
    const values = [0, 1, -1, 0.1, 1 / 3, 1e-38, 1.4e-45, 3.4028234663852886e38, -2.5e-7];
    for (let i = 0; i < 20_000; i++) values.push((rng.next() - 0.5) * 10 ** (rng.int(20) - 10));
    for (const v of values) {
      const f = Math.fround(v);
      const s = float32Text(f);
      expect(Math.fround(Number(s))).toBe(f === 0 ? 0 : f);
      expect(
        s
          .replace(/^-|e.*$/g, '')
          .replace('.', '')
          .replace(/^0+/, '').length,
      ).toBeLessThanOrEqual(9);
    }
    expect(float32Text(0.5)).toBe('0.5');
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(() => float32Text(NaN)).toThrow(/Cannot write NaN/);
  });
});

describe('word2vec text', () => {
  it('round-trips vectors exactly to float32, keyed by MovieLens id, rows sorted by movie index', async () => {
    const dim = 5;
    const rng = new Random(9);
    const vectors = new Float32Array(IDS.length * dim).map(() => (rng.next() - 0.5) * 3);
    // Written in an order of its own (as gensim may reorder): read back by id.
    const order = [5, 0, 7, 2, 1, 6, 3, 4];
    const shuffled = new Float32Array(vectors.length);
    order.forEach((r, i) => shuffled.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim));
    const text = word2vecText(
      order.map((r) => IDS[r]!),
      shuffled,
      dim,
    );
    expect(text.split('\n')[0]).toBe(`${IDS.length} ${dim}`);
    expect(text.split('\n')[1]!.split(' ')[0]).toBe(String(IDS[5]));
    const back = await read(text);
    expect(back.dim).toBe(dim);
    expect(back.fileVectors).toBe(IDS.length);
    expect([...back.items]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(back.vectors).toEqual(vectors);
    expect(back).toMatchObject({ unknownIds: 0, missing: 0, lines: IDS.length + 1 });
    // Pieces of any size join to the same text.
    expect([...word2vecTextPieces(IDS, vectors, dim, 10)].join('')).toBe(
      word2vecText(IDS, vectors, dim),
    );
  });

  it('accepts gensim’s spacing: trailing spaces, tabs, CRLF, a byte-order mark, blank last lines', async () => {
    const text = '\ufeff3 2\r\n1 0.5 -1 \r\n5\t1e-05  2.5E+3\r\n8 +3 .25\r\n\r\n';
    const back = await read(text, IDS, 3);
    expect([...back.items]).toEqual([0, 3, 4]);
    expect([...back.vectors]).toEqual([0.5, -1, Math.fround(1e-5), 2500, 3, 0.25]);
    expect(back.missing).toBe(IDS.length - 3);
  });

  it('counts and skips ids that are not movies of the dataset, and counts movies without a vector', async () => {
    const text = '4 2\n1 1 0\n999 0 1\n2 0.5 0.5\n1000 1 1\n';
    const back = await read(text);
    expect([...back.items]).toEqual([0, 1]);
    expect(back.unknownIds).toBe(2);
    expect(back.unknownExamples).toEqual([999, 1000]);
    expect(back.missing).toBe(IDS.length - 2);
    const none = await failure('1 2\n77 1 0\n');
    expect(none.message).toMatch(
      /none of its 1 vectors is keyed by a movie id of this dataset \(ids such as 77\)/,
    );
  });

  it('gives each malformed file its own message, naming the line', async () => {
    const cases: [string, RegExp, number | undefined][] = [
      ['', /v\.txt is empty/, undefined],
      [
        '1 0.5 0.25\n2 0.1 0.2\n',
        /v\.txt line 1: expected the word2vec header "count dim" \(two whole numbers, e\.g\. "9742 16"\), found "1 0\.5 0\.25"\. .*add a first line/,
        1,
      ],
      [
        '3 2\n1 0 1\n2 1 0\n',
        /line 3: the header announces 3 vectors, but the file ends after 2/,
        3,
      ],
      ['1 2\n1 0 1\n2 1 0\n', /line 3: more vectors than the header's count of 1/, 3],
      ['2 2\n1 0 1\n2 nan 0\n', /line 3: value 1 is "nan", not a finite number/, 3],
      ['2 2\n1 0 1\n2 1 -Infinity\n', /line 3: value 2 is "-Infinity", not a finite number/, 3],
      ['2 2\n1 0 1\n2 1 1e39\n', /line 3: value 2 is "1e39", which is beyond a float32's range/, 3],
      ['2 2\n1 0 1\n2 1 0x10\n', /line 3: value 2 is "0x10", not a number/, 3],
      [
        '2 3\n1 0 1 2\n2 1 0\n',
        /line 3: expected a movie id and 3 numbers \(4 fields, as the header says\), found 3 fields/,
        3,
      ],
      [
        '2 2\n1.5 0 1\n2 1 0\n',
        /line 2: expected a MovieLens movie id \(a whole number\) as the key, found "1\.5"/,
        2,
      ],
      ['2 2\nToy_Story 0 1\n2 1 0\n', /found "Toy_Story"/, 2],
      [
        `1 ${WORD2VEC_MAX_DIM + 1}\n`,
        new RegExp(
          `line 1: the header announces 1,025 dimensions; Wren reads 1 to ${WORD2VEC_MAX_DIM}`,
        ),
        1,
      ],
      [
        '9999999999 2\n',
        /line 1: the header announces 9,999,999,999 vectors; Wren reads at most 2,000,000/,
        1,
      ],
      ['0 2\n', /line 1: the header announces no vectors/, 1],
      ['2 2\n1 0 1\n1 1 0\n', /line 3: movie 1 has a second vector \(its first is on line 2\)/, 3],
      [
        '2 2\n1 \u0000\u0001\u00a0\u0003\u0004\u0005\u0006\u0007 2\n',
        /line 2: found bytes that are not text: this looks like the binary word2vec format; save it with binary=False/,
        2,
      ],
    ];
    for (const [text, message, line] of cases) {
      const e = await failure(text);
      expect(e.message, text).toMatch(message);
      expect(e.line, text).toBe(line);
      expect(e.file).toBe('v.txt');
    }
  });

  it('refuses a file over the size bound and a line over the line bound', async () => {
    const big = readWord2vecText(chunked('1 2\n1 0 1\n', 4), {
      file: 'v.txt',
      movieIds: IDS,
      maxBytes: 6,
    });
    await expect(big).rejects.toThrow(/v\.txt is larger than/);
    const long = await failure('1 2\n1 ' + '0'.repeat(2 << 20) + ' 1\n', 1 << 16);
    expect(long.message).toMatch(
      /v\.txt line 2: a line longer than 1 MiB; this is not word2vec text/,
    );
  });
});

describe('imported vectors', () => {
  it('keeps rows already of unit length bit for bit and normalises the others', () => {
    const v = new Float32Array([0.6, 0.8, 3, 4, 0, 0]);
    const u = unitRows(v, 2);
    expect(u[0]).toBe(v[0]);
    expect(u[1]).toBe(v[1]);
    expect([u[2], u[3]]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([u[4], u[5]]).toEqual([0, 0]);
  });

  it('an exported embedding read back evaluates to the trained run’s figures', async () => {
    const ds = generateDataset({ ratings: 6_000, seed: 21 });
    const input = embedInput(ds.ratings, ds.movies, ds.genres);
    const settings: EmbedSettings = {
      ...GENSIM_REFERENCE,
      method: 'item2vec',
      dim: 8,
      epochs: 2,
      numWalks: 1,
      walkLength: 2,
      walkStart: 'every-node',
      p: 1,
      q: 1,
    };
    const trained = await trainEmbedding(input, settings, { kernel: wasmKernel });
    const movieIds = ds.movies.map((m) => m.movieId);
    const text = word2vecText(
      Array.from(trained.items, (i) => movieIds[i]!),
      trained.vectors,
      trained.dim,
    );
    const back = await read(text, movieIds, 1 << 12);
    expect(back.items).toEqual(trained.items);
    expect(back.vectors).toEqual(trained.vectors);
    expect(back.missing).toBe(ds.movies.length - trained.items.length);
    const imported = await evaluateImported(input, back, { file: 'v.txt', seed: settings.seed });
    expect(imported.vectors).toEqual(trained.vectors);
    const { annQueryMs: _a, exactQueryMs: _e, ...same } = trained.metrics;
    expect(imported.metrics).toMatchObject(same);
    expect(imported.metrics.hr10).toBeGreaterThan(0);
    expect(imported.map).toEqual(trained.map);
    expect(imported.source).toEqual({
      file: 'v.txt',
      fileVectors: trained.items.length,
      unknownIds: 0,
      missing: ds.movies.length - trained.items.length,
    });
  });
});
