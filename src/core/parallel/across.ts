/**
 * Splitting a run of independent items (a protocol's users) across this
 * thread and a pool's helpers: each helper is posted a task for its run of
 * items, this thread does the first run itself, and a failure anywhere stops
 * the rest through a shared flag. The callers write each item's figures into
 * shared rows and sum them in item order afterwards, so their results equal
 * one thread's to the last bit.
 */
import { sharedMemorySupported, type ThreadPool } from './pool.ts';

/** A copy of every typed array inside `x` (objects and arrays walked) on SharedArrayBuffers; other values as they are. */
export function shared<T>(x: T): T {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const a = x as unknown as Int32Array;
    const Ctor = a.constructor as new (b: SharedArrayBuffer) => Int32Array;
    const out = new Ctor(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out as unknown as T;
  }
  if (Array.isArray(x)) return x.map(shared) as T;
  if (x && typeof x === 'object')
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shared(v)])) as T;
  return x;
}

/**
 * How many threads work on `n` items uses: `threads` capped by the pool (its
 * helpers and this thread); 1 without a pool or shared memory, or with fewer
 * than two items a thread.
 */
export function splitThreads(
  pool: ThreadPool | undefined,
  threads: number | undefined,
  n: number,
): number {
  const t = Math.min(threads ?? 1, (pool?.size ?? 0) + 1);
  return pool && t >= 2 && n >= 2 * t && sharedMemorySupported() ? t : 1;
}

/** Whether a typed array lies on memory other threads can share. */
export const onSharedMemory = (x: ArrayBufferView): boolean =>
  typeof SharedArrayBuffer === 'function' && x.buffer instanceof SharedArrayBuffer;

/** A helper's view of the shared stop flag: true once any thread failed or the caller gave up. */
export function stopFlag(control: SharedArrayBuffer): () => boolean {
  const flag = new Int32Array(control, 0, 1);
  return () => Atomics.load(flag, 0) !== 0;
}

/** The `threads + 1` cut points of `n` items into runs of about equal length. */
export function evenCuts(n: number, threads: number): number[] {
  return Array.from({ length: threads + 1 }, (_, i) => Math.round((n * i) / threads));
}

/**
 * Runs the items cut into runs by `cuts` (threads + 1 points from 0 to n;
 * {@link evenCuts} for runs of equal length): `task(from, to, control)` is
 * posted to a helper for each run but the first, which `local(from, to)`
 * does here; empty runs are skipped. Resolves when every run is done;
 * rejects with the first failure, after raising the stop flag (`control`,
 * Int32 at 0) that helpers may poll and waiting for them to stop.
 */
export async function acrossThreads(
  pool: ThreadPool,
  cuts: readonly number[],
  task: (
    from: number,
    to: number,
    control: SharedArrayBuffer,
  ) => { task: string } & Record<string, unknown>,
  local: (from: number, to: number) => void,
): Promise<void> {
  const control = new SharedArrayBuffer(4);
  const stop = (): void => void Atomics.store(new Int32Array(control), 0, 1);
  const helpers: Promise<unknown>[] = [];
  for (let i = 1; i + 1 < cuts.length; i++)
    if (cuts[i + 1]! > cuts[i]!) helpers.push(pool.run(task(cuts[i]!, cuts[i + 1]!, control)));
  const team = Promise.all(helpers);
  team.catch(stop);
  try {
    local(cuts[0]!, cuts[1]!);
  } catch (e) {
    stop();
    await team.catch(() => undefined);
    throw e;
  }
  await team;
}
