/**
 * `wren embed --out` and `--import`: a trained run's vectors written as
 * word2vec text and imported back give the trained run's next-item figures;
 * what the file held (ids outside the dataset, movies without a vector) is
 * reported; a malformed file or a training flag beside --import is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let dir: string;
let data: string;
const ds = generateDataset({ ratings: 20_000, seed: 5 });

beforeAll(() => {
  dir = tempDir('wren-cli-vectors-');
  data = writeMovieLens(dir, 'ml-gen', ds);
});

interface EmbedJson {
  method: string;
  engine: string;
  vectors: number;
  settings: { dim: number } | null;
  metrics: Record<string, number>;
  out?: string;
  imported?: {
    file: string;
    dim: number;
    fileVectors: number;
    unknownIds: number;
    unknownExamples: number[];
    moviesWithoutVector: number;
  };
}

/** The figures that do not depend on timing. */
function quality(m: Record<string, number>): Record<string, number> {
  const { annQueryMs: _a, exactQueryMs: _e, ...rest } = m;
  return rest;
}

describe('wren embed --out / --import', () => {
  it('imports its own output back with the trained run’s next-item figures', async () => {
    const file = join(dir, 'vectors.txt');
    const trainedRun = await wren(
      'embed',
      '--data',
      data,
      '--epochs',
      '3',
      '--dim',
      '12',
      '--out',
      file,
      '--json',
    );
    expect(trainedRun.code).toBe(0);
    const trained = JSON.parse(trainedRun.stdout) as EmbedJson;
    expect(trained.out).toBe(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(`${trained.vectors} 12`);
    expect(lines).toHaveLength(trained.vectors + 1);
    const ids = new Set(ds.movies.map((m) => m.movieId));
    for (const line of lines.slice(1)) expect(ids.has(Number(line.split(' ')[0]))).toBe(true);

    const importedRun = await wren('embed', '--data', data, '--import', file, '--json');
    expect(importedRun.code).toBe(0);
    const imported = JSON.parse(importedRun.stdout) as EmbedJson;
    expect(imported).toMatchObject({ method: 'imported', engine: 'imported', settings: null });
    expect(imported.vectors).toBe(trained.vectors);
    expect(quality(imported.metrics)).toEqual(quality(trained.metrics));
    expect(trained.metrics.hr10).toBeGreaterThan(0);
    expect(imported.imported).toMatchObject({
      file,
      dim: 12,
      fileVectors: trained.vectors,
      unknownIds: 0,
      moviesWithoutVector: ds.movies.length - trained.vectors,
    });
    expect(Object.keys(imported).sort()).toEqual(
      [...Object.keys(trained).filter((k) => k !== 'out'), 'imported'].sort(),
    );

    // Two ids the dataset lacks: counted, skipped, and the figures unchanged.
    const extra = join(dir, 'extra.txt');
    const zeros = Array(12).fill('0.5').join(' ');
    writeFileSync(
      extra,
      [
        `${trained.vectors + 2} 12`,
        ...lines.slice(1),
        `99999991 ${zeros}`,
        `99999992 ${zeros}`,
      ].join('\n') + '\n',
    );
    const withExtra = JSON.parse(
      (await wren('embed', '--data', data, '--import', extra, '--json')).stdout,
    ) as EmbedJson;
    expect(withExtra.imported).toMatchObject({
      unknownIds: 2,
      unknownExamples: [99999991, 99999992],
    });
    expect(quality(withExtra.metrics)).toEqual(quality(trained.metrics));
    const text = await wren('embed', '--data', data, '--import', extra);
    expect(text.stdout).toMatch(
      new RegExp(
        `imported extra\\.txt, 12 dims, ${trained.vectors.toLocaleString('en')} of ${(trained.vectors + 2).toLocaleString('en')} vectors used; 2 ids not in the dataset skipped \\(e\\.g\\. 99999991, 99999992\\)`,
      ),
    );
  });

  it('refuses a malformed file, naming its line, and training flags beside --import', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(
      bad,
      `2 3\n${ds.movies[0]!.movieId} 0.1 0.2 0.3\n${ds.movies[1]!.movieId} 0.1 nan 0.3\n`,
    );
    const r = await wren('embed', '--data', data, '--import', bad, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: {
        code: 'bad-row',
        line: 3,
        message: 'bad.txt line 3: value 2 is "nan", not a finite number.',
      },
    });
    const flags = await wren('embed', '--data', data, '--import', bad, '--dim', '8', '--out', 'x');
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(
      /--import evaluates the file's vectors without training: --dim, --out do not go with it/,
    );
  });
});
