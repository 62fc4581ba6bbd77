/**
 * bench/ann: nearest-neighbour search over item vectors, in node.
 *
 *   npx tsx bench/ann.ts [--rows 62000] [--dims 32,64] [--ef 16,32,64,128] [--queries 1000] [--spread 1,3]
 *
 * Data: `rows` seeded clustered unit vectors (100 clusters, spread 1: two
 * points of a cluster have a cosine of about 0.5) — ml-25m has 62,423
 * movies. Spread 3 (`--spread 3`) is nearly uniform on the sphere, the
 * worst case for any index. For each dimension: HNSW build time (M 16,
 * efConstruction 100), then for each ef the recall@10 against the exact
 * scan and the mean and p95 query times of both (queries are rows of the
 * data, each excluding itself). Also the batched exact scan's time per query.
 * Prints one JSON line per (dimension, ef) and appends it to
 * bench/results/ann.jsonl.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { annRecall, buildHnsw, exactTopKBatch, gatherRows } from '../src/core/embeddings/ann.ts';
import { clusteredVectors } from '../test/unit/embeddings/vectors.ts';

const RESULTS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'bench/results');

const peakMemoryMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function batchedExactMs(vectors: Float32Array, dim: number, queries: number): number {
  const rows = Int32Array.from({ length: queries }, (_, i) => (i * 7919) % (vectors.length / dim));
  const q = gatherRows(vectors, dim, rows);
  const t = performance.now();
  exactTopKBatch(vectors, dim, q, 10);
  return (performance.now() - t) / queries;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '62000' },
      dims: { type: 'string', default: '32,64' },
      ef: { type: 'string', default: '16,32,64,128' },
      queries: { type: 'string', default: '1000' },
      spread: { type: 'string', default: '1' },
    },
  });
  const rows = Number(values.rows);
  const queries = Number(values.queries);
  const efs = values.ef.split(',').map(Number);
  mkdirSync(RESULTS, { recursive: true });
  const spreads = values.spread.split(',').map(Number);
  for (const spread of spreads) {
    for (const dim of values.dims.split(',').map(Number)) {
      const dataset = `generated-${Math.round(rows / 1000)}k${spread === 1 ? '' : `-spread${spread}`}`;
      const { vectors } = clusteredVectors(rows, dim, { clusters: 100, spread, seed: 42 });
      const t0 = performance.now();
      const index = await buildHnsw(vectors, dim, { M: 16, efConstruction: 100, seed: 1 });
      const buildSeconds = (performance.now() - t0) / 1000;
      console.error(`${dataset} ${dim}-d: built in ${buildSeconds.toFixed(1)} s`);
      const exactBatchQueryMs = batchedExactMs(vectors, dim, 256);
      for (const ef of efs) {
        const t1 = performance.now();
        const r = annRecall(vectors, dim, index, { queries, k: 10, ef, seed: 7 });
        const result = {
          suite: 'ann',
          name: `hnsw-M16-efc100-${dim}d-ef${ef}`,
          dataset,
          backend: 'cpu',
          metrics: {
            recallAt10: round(r.recall, 4),
            exactQueryMs: round(r.exactQueryMs, 3),
            exactQueryP95Ms: round(r.exactQueryP95Ms, 3),
            exactBatchQueryMs: round(exactBatchQueryMs, 3),
            annQueryMs: round(r.annQueryMs, 3),
            annQueryP95Ms: round(r.annQueryP95Ms, 3),
            buildSeconds: round(buildSeconds, 2),
            rows,
            dim,
            ef,
            queries: r.queries,
          },
          seconds: round(buildSeconds + (performance.now() - t1) / 1000, 2),
          samplesPerSecond: null,
          peakMemoryMB: peakMemoryMB(),
          node: process.version,
          date: new Date().toISOString(),
        };
        const line = JSON.stringify(result);
        console.log(line);
        appendFileSync(join(RESULTS, 'ann.jsonl'), line + '\n');
      }
    }
  }
}

await main();
