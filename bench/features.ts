/**
 * bench/features: the sparrow-ctr features over generated ratings, in node.
 *
 *   npx tsx bench/features.ts [--ratings 25000000] [--seed 1] [--chunk 131072]
 *
 * Generates a dataset (not timed), then times the time split, the movie
 * features and the user features of every row, computed chunk by chunk as
 * the store does (the chunks are dropped, not kept). Prints one JSON line
 * and appends it to bench/results/features.jsonl. peakMemoryMB is the
 * process's peak resident memory, generated dataset included.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDataset } from '../src/core/data/synthetic.ts';
import {
  FEATURE_CHUNK_ROWS,
  featureSet,
  movieMetaFromMovies,
  userFeatureChunks,
} from '../src/core/features/index.ts';

const RESULTS = join(fileURLToPath(new URL('.', import.meta.url)), 'results');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      chunk: { type: 'string', default: String(FEATURE_CHUNK_ROWS) },
    },
  });
  const ratings = Number(values.ratings);
  const seed = Number(values.seed);
  const chunkSize = Number(values.chunk);

  const g0 = performance.now();
  const ds = generateDataset({ ratings, seed, tags: 0 });
  const generateSeconds = (performance.now() - g0) / 1000;
  console.error(`generated ${ds.name} in ${generateSeconds.toFixed(1)} s`);

  const t0 = performance.now();
  const meta = movieMetaFromMovies(ds.movies, ds.genres);
  const fs = featureSet(ds.ratings, meta);
  const t1 = performance.now();
  let checksum = 0;
  const chunks = await userFeatureChunks(ds.ratings, meta, {
    chunkSize,
    onChunk: (_c, cols) => {
      checksum += cols.count[cols.count.length - 1]! + cols.topGenres[0]!;
    },
  });
  const t2 = performance.now();
  const seconds = (t2 - t0) / 1000;

  const result = {
    suite: 'features',
    name: 'sparrow-features',
    dataset: ds.name,
    backend: 'cpu',
    metrics: {
      rows: fs.rows,
      trainRows: fs.trainRows,
      testRows: fs.testRows,
      users: ds.users.length,
      movies: ds.movies.length,
      chunks,
      chunkSize,
      movieSeconds: round((t1 - t0) / 1000),
      userSeconds: round((t2 - t1) / 1000),
      generateSeconds: round(generateSeconds),
      checksum,
    },
    seconds: round(seconds),
    samplesPerSecond: Math.round(fs.rows / seconds),
    peakMemoryMB: Math.round(process.resourceUsage().maxRSS / 1024),
    node: process.version,
    date: new Date().toISOString(),
  };
  const line = JSON.stringify(result);
  console.log(line);
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'features.jsonl'), line + '\n');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

await main();
