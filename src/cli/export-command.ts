/** `wren export`: a dataset and its features as Parquet files in a folder (docs/parquet.md). */
import { closeSync, constants, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { importMovieLens } from '../core/data/import.ts';
import { exportParquet, type ExportedFile, type ParquetSink } from '../core/data/parquet-export.ts';
import { WrenError } from '../core/errors.ts';
import { nodeInput } from './node-input.ts';
import { reportFailure, statusLine } from './report.ts';

export const EXPORT_OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
} as const;

/** The formats `--format` takes. */
export const EXPORT_FORMATS = ['parquet'] as const;

export interface ExportArgs {
  format: (typeof EXPORT_FORMATS)[number];
  out: string;
}

/** Checks --format (default parquet) and --out; a string is the reason they are wrong. */
export function exportArgsFrom(values: { format?: string; out?: string }): ExportArgs | string {
  const format = values.format ?? 'parquet';
  if (!EXPORT_FORMATS.some((f) => f === format)) {
    return `export --format takes ${EXPORT_FORMATS.join(', ')}, found "${format}"`;
  }
  if (!values.out) return 'export needs --out <dir>, the folder to write the files into';
  return { format: 'parquet', out: values.out };
}

/** What the usual reasons a folder cannot be made or written mean. */
const DIR_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the path cannot be created',
  ENOSPC: 'the disk is full',
};

/**
 * Creates `dir` and any missing parents one by one. Node's own recursive
 * mkdir never returns for a path under /proc (it retries ENOENT forever).
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    await makeDir(parent);
    await mkdir(dir);
  }
}

/**
 * A file written as `<name>.part` and renamed when complete, so that a failed
 * export leaves no file that looks whole.
 */
function fileSink(dir: string, name: string, partial: Set<string>): ParquetSink {
  const path = join(dir, name);
  const part = `${path}.part`;
  const fd = openSync(part, 'w');
  partial.add(part);
  return {
    write: (bytes) => {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    },
    close: () => {
      closeSync(fd);
      renameSync(part, path);
      partial.delete(part);
    },
  };
}

export async function runExport(
  path: string,
  args: ExportArgs,
  opts: { json: boolean },
): Promise<number> {
  const t0 = performance.now();
  const status = statusLine(opts.json);
  const out = resolve(args.out);
  const partial = new Set<string>();
  try {
    // The folder is checked before the data is read, so a wrong --out fails at once.
    try {
      await makeDir(out);
      await access(out, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      const why = DIR_ERRORS[code] ?? (e as Error).message;
      throw new WrenError('storage', `Cannot write to ${out}: ${why}${code ? ` (${code})` : ''}.`);
    }
    const ds = await importMovieLens(await nodeInput(path), {
      name: basename(path).replace(/\.zip$/i, ''),
      onProgress: (p) =>
        status.say(`${p.stage} ${p.total > 0 ? ((100 * p.done) / p.total).toFixed(0) : '?'}%`),
    });
    const files: ExportedFile[] = await exportParquet(
      {
        name: ds.name,
        movies: ds.movies,
        users: ds.users,
        hasDemographics: ds.users.some((u) => u.gender !== null || u.age !== null),
        ratings: ds.ratings,
        genres: ds.genres,
        tags: { kind: 'rows', rows: ds.tags },
      },
      {
        open: (name) => fileSink(out, name, partial),
        onProgress: (p) => status.say(`writing Parquet ${((100 * p.done) / p.total).toFixed(0)}%`),
      },
    );
    status.end();
    const seconds = Math.round(performance.now() - t0) / 1000;
    if (opts.json) {
      process.stdout.write(
        JSON.stringify({
          dataset: ds.name,
          format: args.format,
          out,
          files: files.map((f) => ({ ...f, path: join(out, f.name) })),
          seconds,
        }) + '\n',
      );
    } else {
      const f = (x: number): string => x.toLocaleString('en');
      const width = Math.max(...files.map((x) => x.name.length));
      process.stdout.write(
        [
          `${ds.name}: ${files.length} Parquet files in ${out}`,
          ...files.map(
            (x) => `  ${x.name.padEnd(width)}  ${f(x.rows).padStart(12)} rows  ${f(x.bytes)} bytes`,
          ),
          `  time ${seconds} s (schema: docs/parquet.md)`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    for (const part of partial) rmSync(part, { force: true });
    return reportFailure(e, opts.json, status.tty);
  }
}
