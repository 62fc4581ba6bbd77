/**
 * The word2vec text format against gensim itself: gensim loads Wren's file
 * (`KeyedVectors.load_word2vec_format(path, binary=False)`), finds the same
 * nearest neighbours, and saves it again (`save_word2vec_format`), and Wren
 * reads back the same vectors (to 1e-6); an Item2Vec trained by gensim on
 * the next-item training sequences imports and is evaluated like Wren's own.
 * Needs a python3 with gensim (Debian: `apt-get install python3-gensim`;
 * .ci/run installs it): without it the tests skip and say why, and with
 * WREN_REQUIRE_DATASETS=1 (set by .ci/run) they fail instead.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { embedInput } from '../../../src/core/embeddings/embed.ts';
import { evaluateImported } from '../../../src/core/embeddings/imported.ts';
import { exactTopK, normalizeRows } from '../../../src/core/embeddings/topk.ts';
import {
  readWord2vecText,
  word2vecText,
  type Word2vecVectors,
} from '../../../src/core/embeddings/word2vec-text.ts';
import { nextItemSplit } from '../../../src/core/eval/next-item.ts';
import { Random } from '../../../src/core/random.ts';

/** A python3 that imports gensim (the one on PATH, else Debian's), or null with the reason printed. */
function gensimPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import gensim'], { stdio: 'ignore' });
      return python;
    } catch {
      // Not this one.
    }
  }
  const why = 'no python3 here imports gensim (apt-get install -y python3-gensim)';
  if (process.env.WREN_REQUIRE_DATASETS === '1')
    throw new Error(`${why}; WREN_REQUIRE_DATASETS=1 (set by .ci/run) requires it`);
  console.warn(`skipping the gensim round trip: ${why}`);
  return null;
}

const python = gensimPython();

/** Runs a python script with arguments; returns its stdout. */
function py(script: string, ...args: string[]): string {
  return execFileSync(python!, ['-c', script, ...args], { encoding: 'utf8' });
}

function readFile(path: string, movieIds: number[]): Promise<Word2vecVectors> {
  return readWord2vecText(createReadStream(path), { file: path, movieIds });
}

const ROUND_TRIP = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)
kv.save_word2vec_format(sys.argv[2], binary=False)
near = kv.most_similar(sys.argv[3], topn=5)
print(json.dumps({"keys": len(kv.index_to_key), "dim": kv.vector_size, "near": [k for k, _ in near]}))
`;

const TRAIN = `
import json, sys
from gensim.models import Word2Vec
sentences = [line.split() for line in open(sys.argv[1]) if line.strip()]
model = Word2Vec(sentences, vector_size=16, window=10, sg=1, negative=5, min_count=1,
                 workers=1, seed=1, epochs=10)
model.wv.save_word2vec_format(sys.argv[2], binary=False)
print(json.dumps({"keys": len(model.wv.index_to_key)}))
`;

describe.skipIf(python === null)('word2vec text with gensim', () => {
  it('gensim loads Wren’s file, finds the same neighbours, and saves vectors Wren reads back to 1e-6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-gensim-'));
    const rows = 300;
    const dim = 24;
    const movieIds = Array.from({ length: rows }, (_, i) => 1 + i * 7);
    const rng = new Random(17);
    const vectors = new Float32Array(rows * dim).map(() => (rng.next() - 0.5) * 2);
    vectors[5] = 1e-7;
    vectors[6] = -3.5e5;
    const wrenFile = join(dir, 'wren.txt');
    const gensimFile = join(dir, 'gensim.txt');
    writeFileSync(wrenFile, word2vecText(movieIds, vectors, dim));
    const out = JSON.parse(py(ROUND_TRIP, wrenFile, gensimFile, String(movieIds[0]))) as {
      keys: number;
      dim: number;
      near: string[];
    };
    expect(out).toMatchObject({ keys: rows, dim });
    // gensim's neighbours of the first movie are Wren's (cosine over the same vectors).
    const unit = normalizeRows(vectors, dim);
    const top = exactTopK(unit, dim, unit.subarray(0, dim), 6, (r) => r === 0);
    expect(out.near).toEqual(Array.from(top.index.slice(0, 5), (r) => String(movieIds[r])));

    const back = await readFile(gensimFile, movieIds);
    expect(back).toMatchObject({ dim, fileVectors: rows, unknownIds: 0, missing: 0 });
    expect([...back.items]).toEqual(movieIds.map((_, i) => i));
    let worst = 0;
    for (let i = 0; i < vectors.length; i++)
      worst = Math.max(
        worst,
        Math.abs(back.vectors[i]! - vectors[i]!) / Math.max(1, Math.abs(vectors[i]!)),
      );
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('an Item2Vec trained by gensim on the next-item training sequences imports and is evaluated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-gensim-'));
    const ds = generateDataset({ ratings: 20_000, seed: 8 });
    const movieIds = ds.movies.map((m) => m.movieId);
    const split = nextItemSplit(ds.ratings);
    const lines: string[] = [];
    const { offsets, items } = split.train;
    for (let u = 0; u + 1 < offsets.length; u++) {
      const s = Array.from(items.subarray(offsets[u]!, offsets[u + 1]!), (m) => movieIds[m]!);
      if (s.length > 1) lines.push(s.join(' '));
    }
    const sentences = join(dir, 'sentences.txt');
    const vectorsFile = join(dir, 'item2vec.txt');
    writeFileSync(sentences, lines.join('\n') + '\n');
    const out = JSON.parse(py(TRAIN, sentences, vectorsFile)) as { keys: number };
    const read = await readFile(vectorsFile, movieIds);
    expect(read).toMatchObject({ dim: 16, fileVectors: out.keys, unknownIds: 0 });
    expect(read.items.length).toBe(out.keys);
    expect(read.missing).toBe(ds.movies.length - out.keys);
    const imported = await evaluateImported(embedInput(ds.ratings, ds.movies, ds.genres), read, {
      file: 'item2vec.txt',
    });
    expect(imported.metrics.users).toBe(split.users.length);
    expect(imported.metrics.hr10).toBeGreaterThan(0);
    expect(imported.metrics.ndcg10).toBeLessThanOrEqual(imported.metrics.hr10);
    expect(imported.metrics.annRecall10).toBeGreaterThan(0.9);
  });
});
