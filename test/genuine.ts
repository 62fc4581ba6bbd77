/**
 * The genuine MovieLens files some tests read: ../shared/datasets, or
 * WREN_DATASETS. A missing one makes its tests skip with a line that names
 * the file; with WREN_REQUIRE_DATASETS=1 (as .ci/run sets) it fails them
 * instead, so CI cannot pass while the genuine-data tests did not run.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const DATASETS = process.env.WREN_DATASETS ?? resolve(root, '../shared/datasets');

/** Whether every named file or folder is in DATASETS; says why not, or throws where they are required. */
export function genuine(...names: string[]): boolean {
  const missing = names.filter((n) => !existsSync(join(DATASETS, n)));
  if (missing.length === 0) return true;
  const why = `the genuine ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in ${DATASETS}`;
  if (process.env.WREN_REQUIRE_DATASETS === '1')
    throw new Error(`${why}; WREN_REQUIRE_DATASETS=1 (set by .ci/run) requires them`);
  console.warn(`skipping the tests on ${names.join(', ')}: ${why} (set WREN_DATASETS)`);
  return false;
}
