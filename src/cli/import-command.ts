/** `wren import`: parse a dataset and print counts, skipped rows and timings. */
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import type { Progress } from '../core/data/types.ts';
import { nodeInput } from './node-input.ts';

export async function runImport(
  path: string,
  opts: { json: boolean; maxBadRows: number },
): Promise<number> {
  const t0 = performance.now();
  const stages: Record<string, number> = {};
  let stage = '';
  let stageStart = t0;
  const tty = process.stderr.isTTY && !opts.json;
  const onProgress = (p: Progress): void => {
    if (p.stage !== stage) {
      const now = performance.now();
      if (stage) stages[stage] = (now - stageStart) / 1000;
      stage = p.stage;
      stageStart = now;
    }
    if (tty) {
      const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(0) : '?';
      const rows = p.rows !== undefined ? `, ${p.rows.toLocaleString('en')} ratings` : '';
      process.stderr.write(`\r${p.stage} ${pct}%${rows}   `);
    }
  };
  try {
    const input = await nodeInput(path);
    const ds = await importMovieLens(input, {
      name: basename(path).replace(/\.zip$/i, ''),
      maxBadRows: opts.maxBadRows,
      onProgress,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (stage) stages[stage] = (performance.now() - stageStart) / 1000;
    if (tty) process.stderr.write('\n');
    const ratings = ds.ratings.user.length;
    const result = {
      dataset: ds.name,
      format: ds.format,
      ratings,
      users: ds.users.length,
      movies: ds.movies.length,
      tags: ds.tags.length,
      genres: ds.genres.length,
      ratingScale: [ds.minRating / 2, ds.maxRating / 2],
      skipped: {
        badRows: ds.skipped.badRows,
        unknownMovies: ds.skipped.unknownMovies,
        duplicates: ds.skipped.duplicates,
      },
      issues: ds.skipped.samples,
      seconds: round(seconds),
      stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(v)])),
      ratingsPerSecond: Math.round(ratings / seconds),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const f = (x: number): string => x.toLocaleString('en');
      const lines = [
        `${result.dataset} (${result.format})`,
        `  ratings  ${f(ratings)}   (scale ${result.ratingScale[0]}–${result.ratingScale[1]} stars)`,
        `  users    ${f(result.users)}`,
        `  movies   ${f(result.movies)}   (${result.genres} genres)`,
        `  tags     ${f(result.tags)}`,
        `  skipped  ${f(ds.skipped.badRows)} bad rows, ${f(ds.skipped.unknownMovies)} ratings of unknown movies, ${f(ds.skipped.duplicates)} duplicate ratings`,
        ...ds.skipped.samples
          .slice(0, 5)
          .map((s) => `           ${s.file} line ${s.line}: ${s.reason}`),
        `  time     ${result.seconds} s (${Object.entries(result.stages)
          .map(([k, v]) => `${k} ${v} s`)
          .join(', ')}), ${f(result.ratingsPerSecond)} ratings/s, peak RSS ${result.peakRssMB} MB`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
