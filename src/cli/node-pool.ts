/**
 * A thread pool for node (the CLI and the benches): worker_threads running
 * thread-node.ts through tsx (thread-node.mjs), as bin/wren.mjs runs the CLI.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { makePool, type ThreadPool } from '../core/parallel/pool.ts';

/** A pool of `size` helper threads; idle threads do not keep the process alive. */
export function nodePool(size: number): ThreadPool {
  return makePool(() => {
    const w = new Worker(new URL('./thread-node.mjs', import.meta.url));
    w.unref();
    return {
      postMessage: (m) => w.postMessage(m),
      onMessage: (l) => w.on('message', l),
      onError: (l) => w.on('error', l),
      terminate: () => void w.terminate(),
    };
  }, size);
}

/** The command line's default number of training threads: every core (no page to keep responsive). */
export const nodeThreads = (): number => availableParallelism();

/** `--threads` read as a whole number from 1 to 256 (default 1), or what is wrong with it. */
export function threadsArg(raw: string | undefined): number | string {
  const threads = Number(raw ?? 1);
  return Number.isInteger(threads) && threads >= 1 && threads <= 256
    ? threads
    : `--threads takes a whole number from 1 to 256; found "${raw}"`;
}
