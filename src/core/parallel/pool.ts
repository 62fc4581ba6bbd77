/**
 * A pool of helper threads (Web Workers in a browser, worker_threads in
 * node) that run core tasks (tasks.ts) on memory they share with the caller.
 * The pool knows nothing of the platform: it is given a way to start a
 * thread, and it reuses each thread for the next task once it is free.
 */
import { WrenError } from '../errors.ts';

/** One helper thread, as the platform gives it. */
export interface ThreadPort {
  postMessage(message: unknown): void;
  /** Sets the one listener for the thread's messages. */
  onMessage(listener: (message: unknown) => void): void;
  /** Sets the one listener for the thread failing to start or crashing. */
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

/** What a thread sends back for a task. */
export type TaskReply = { ok: true; value: unknown } | { ok: false; message: string };

export interface ThreadPool {
  /** The most helper threads that run at once. */
  readonly size: number;
  /** Runs `task` on a free helper thread (starting one when fewer than `size` exist); resolves to its value. */
  run<T>(task: { task: string } & Record<string, unknown>): Promise<T>;
  /** Starts every thread and resolves when each has answered, so a measurement does not time their start-up. */
  warm(): Promise<void>;
  /** Ends every helper thread; running and later tasks reject. */
  close(): void;
}

interface Slot {
  port: ThreadPort;
  busy: ((reply: TaskReply) => void) | null;
  fail: ((e: Error) => void) | null;
}

export function makePool(spawn: () => ThreadPort, size: number): ThreadPool {
  if (!(Number.isInteger(size) && size >= 0))
    throw new WrenError('invalid-settings', 'A thread pool has 0 or more threads.');
  const slots: Slot[] = [];
  const waiting: Array<() => void> = [];
  let closed = false;
  const closedError = (): WrenError => new WrenError('internal', 'The thread pool was closed.');

  const start = (): Slot => {
    const slot: Slot = { port: spawn(), busy: null, fail: null };
    slot.port.onMessage((m) => {
      const done = slot.busy;
      slot.busy = null;
      slot.fail = null;
      done?.(m as TaskReply);
      waiting.shift()?.();
    });
    slot.port.onError((e) => {
      // A crashed thread leaves the pool; its task fails, the next one starts a new thread.
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      slot.port.terminate();
      const fail = slot.fail;
      slot.busy = null;
      slot.fail = null;
      fail?.(e);
      waiting.shift()?.();
    });
    slots.push(slot);
    return slot;
  };

  const claimed = (): void => undefined;
  /** A free thread (started if there are fewer than `size`), marked busy; null when all are busy. */
  const take = (): Slot | null => {
    const slot = slots.find((s) => !s.busy) ?? (slots.length < size ? start() : null);
    if (slot) slot.busy = claimed;
    return slot;
  };

  const pool: ThreadPool = {
    size,
    /**
     * Posts at once when a thread is free (not after the caller's current
     * synchronous work: a caller that computes its own share right after
     * asking must not delay the helpers' start), else when one frees up.
     */
    run<T>(task: { task: string } & Record<string, unknown>): Promise<T> {
      if (size === 0) return Promise.reject(new WrenError('internal', 'This pool has no threads.'));
      return new Promise<T>((resolve, reject) => {
        const go = (): void => {
          if (closed) return reject(closedError());
          const slot = take();
          if (!slot) {
            waiting.push(go);
            return;
          }
          slot.busy = (reply) =>
            reply.ok ? resolve(reply.value as T) : reject(new WrenError('internal', reply.message));
          slot.fail = (e) =>
            reject(new WrenError('internal', `A helper thread failed: ${e.message}`));
          slot.port.postMessage(task);
        };
        go();
      });
    },
    async warm() {
      await Promise.all(Array.from({ length: size }, () => pool.run({ task: 'ping' })));
    },
    close() {
      closed = true;
      for (const s of slots.splice(0)) {
        s.port.terminate();
        s.fail?.(new Error('the pool was closed'));
      }
      for (const w of waiting.splice(0)) w();
    },
  };
  return pool;
}

/**
 * Cuts n items into `parts` runs of about equal weight, given the running
 * sums of their weights (`prefix`, n + 1 values, from prefix[0]): item i
 * weighs prefix[i + 1] − prefix[i]. Returns parts + 1 cut points from 0 to
 * n; a run may be empty, an item is never split.
 */
export function shareByPrefix(prefix: ArrayLike<number>, parts: number): number[] {
  const n = prefix.length - 1;
  const total = prefix[n]! - prefix[0]!;
  const cuts = [0];
  let i = 0;
  for (let p = 1; p < parts; p++) {
    const goal = prefix[0]! + (total * p) / parts;
    while (i < n && prefix[i + 1]! <= goal) i++;
    cuts.push(i);
  }
  cuts.push(n);
  return cuts;
}

/** The default number of training threads: every core but one (the page's), at least one. */
export function defaultThreads(cores: number | undefined): number {
  return Math.max(1, Math.floor(cores ?? 1) - 1);
}

/** Whether this engine can share memory between threads (a browser page must be cross-origin isolated). */
export function sharedMemorySupported(): boolean {
  try {
    if (typeof SharedArrayBuffer !== 'function') return false;
    const g = globalThis as { crossOriginIsolated?: boolean };
    if (g.crossOriginIsolated === false) return false;
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}
