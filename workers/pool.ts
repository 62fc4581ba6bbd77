/**
 * The browser's thread pool for a worker's jobs that can split (skip-gram on
 * shared memory today): Web Workers started from inside the calling worker
 * (thread.worker.ts), kept for the next job. Only a cross-origin isolated
 * page has the shared memory these jobs need; elsewhere there is no pool and
 * jobs run on one thread.
 */
import { makePool, sharedMemorySupported, type ThreadPool } from '../src/core/parallel/pool.ts';

let pool: ThreadPool | null = null;

/** A pool of `threads - 1` helpers (the caller is the first thread), or null when one thread it is. */
export function threadPool(threads: number): ThreadPool | null {
  if (!(threads >= 2) || !sharedMemorySupported()) return null;
  if (pool && pool.size === threads - 1) return pool;
  pool?.close();
  pool = makePool(() => {
    const w = new Worker(new URL('./thread.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-thread',
    });
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (l) => (w.onmessage = (e: MessageEvent<unknown>) => l(e.data)),
      onError: (l) => {
        w.onerror = (e) => l(new Error(e.message || 'the thread did not start'));
        w.onmessageerror = () => l(new Error('a message could not be read'));
      },
      terminate: () => w.terminate(),
    };
  }, threads - 1);
  return pool;
}

/** The pool and threads to hand work that splits (`{}`, one thread, where the page is not cross-origin isolated). */
export function parallelOptions(threads: number): { pool?: ThreadPool; threads?: number } {
  const pool = threadPool(threads);
  return pool ? { pool, threads } : {};
}
