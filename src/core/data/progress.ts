/**
 * Progress for an import: stage 'read' counts input bytes (compressed bytes
 * for a zip) with the ratings parsed so far, then stage 'index' counts the
 * indexing passes. Reports are throttled (every ~100 ms or 256 KB), `done`
 * never goes backwards within a stage, and each stage ends with done === total.
 */
import type { ProgressFn } from './types.ts';

const EVERY_MS = 100;
const EVERY_BYTES = 256 * 1024;

export class ImportProgress {
  private done = 0;
  private rows = 0;
  private lastAt = -Infinity;
  private lastDone = 0;

  /** `total`: input bytes, 0 when unknown (then it follows `done`). */
  constructor(
    private readonly onProgress: ProgressFn | undefined,
    private total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts `n` more input bytes. */
  addBytes(n: number): void {
    this.done += n;
    this.maybeReport();
  }

  /** Sets the number of ratings parsed so far. */
  setRows(rows: number): void {
    this.rows = rows;
    this.maybeReport();
  }

  /** The read stage is over: reports done === total. */
  endRead(): void {
    this.total = Math.max(this.total, this.done);
    this.done = this.total;
    this.report();
  }

  /** Reports indexing progress (not throttled: a handful of steps). */
  index(done: number, total: number): void {
    this.onProgress?.({ stage: 'index', done, total });
  }

  private maybeReport(): void {
    const t = this.now();
    if (t - this.lastAt >= EVERY_MS || this.done - this.lastDone >= EVERY_BYTES) this.report(t);
  }

  private report(t = this.now()): void {
    this.lastAt = t;
    this.lastDone = this.done;
    const total = Math.max(this.total, this.done);
    this.onProgress?.({ stage: 'read', done: Math.min(this.done, total), total, rows: this.rows });
  }
}

/** Passes chunks through while counting their bytes. */
export async function* countBytes(
  chunks: AsyncIterable<Uint8Array>,
  progress: ImportProgress,
): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    progress.addBytes(c.length);
    yield c;
  }
}
