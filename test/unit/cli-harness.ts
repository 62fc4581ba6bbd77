/**
 * What the command-line tests share: `wren(...args)` runs bin/wren.mjs in a
 * child process, and generated datasets are written as MovieLens folders
 * under a fresh temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Dataset } from '../../src/core/data/types.ts';
import { movieLensFiles, type Layout } from '../../src/core/data/write-movielens.ts';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../bin/wren.mjs');

export interface CliResult {
  /** The exit code: 0 on success. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wren ...args` with this Node; a non-zero exit resolves too, with its code. */
export async function wren(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as CliResult;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A new, empty temporary folder whose name starts with `prefix`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `ds` as MovieLens files in `layout` into a new folder `dir/name`; returns its path. */
export function writeMovieLens(
  dir: string,
  name: string,
  ds: Dataset,
  layout: Layout = 'ml-latest',
): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const f of movieLensFiles(ds, layout))
    writeFileSync(join(folder, f.name), Buffer.concat([...f.chunks()]));
  return folder;
}
