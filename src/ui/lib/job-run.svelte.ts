/**
 * A worker job started from a page, with progress and cancel (the Pipeline
 * page's evaluation, the new-user reports): idle, running with the latest
 * progress, failed or cancelled. Only the latest job counts: a result or
 * progress from an earlier one is dropped.
 */
import { WrenError } from '../../core/errors.ts';
import type { Job } from './worker-client.ts';

export type RunState<P> =
  | { state: 'idle' }
  | { state: 'running'; progress: P | null; cancelling: boolean }
  | { state: 'failed'; error: string }
  | { state: 'cancelled' };

export class JobRun<P, R> {
  current = $state.raw<RunState<P>>({ state: 'idle' });
  #job: Job<R> | null = null;

  get running(): boolean {
    return this.current.state === 'running';
  }

  /**
   * Starts a job unless one is running: `begin` starts it with a progress
   * callback; `done` gets its result and the seconds from here to the result
   * (worker start and transfers included). A failure other than cancel is kept
   * as its message.
   */
  start(
    begin: (onProgress: (p: P) => void) => Job<R>,
    done: (result: R, seconds: number) => void,
  ): void {
    if (this.current.state === 'running') return;
    const started = performance.now();
    this.current = { state: 'running', progress: null, cancelling: false };
    const j = begin((p) => {
      if (this.#job === j && this.current.state === 'running')
        this.current = { ...this.current, progress: p };
    });
    this.#job = j;
    j.done.then(
      (r) => {
        if (this.#job !== j) return;
        this.current = { state: 'idle' };
        done(r, (performance.now() - started) / 1000);
      },
      (e: unknown) => {
        if (this.#job !== j) return;
        const err = WrenError.from(e);
        this.current =
          err.code === 'cancelled'
            ? { state: 'cancelled' }
            : { state: 'failed', error: err.message };
      },
    );
  }

  cancel(): void {
    if (this.current.state !== 'running' || !this.#job) return;
    this.current = { ...this.current, cancelling: true };
    this.#job.cancel();
  }

  /** The page is closing: a running job is cancelled and nothing from it counts. */
  dispose(): void {
    if (this.current.state === 'running') this.#job?.cancel();
    this.#job = null;
  }
}
