/** A pool of one thread that fails every task as a crashed thread would, with `message`. */
import { makePool, type ThreadPool } from '../../../src/core/parallel/pool.ts';

export function brokenPool(message: string): ThreadPool {
  return makePool(() => {
    let fail: (e: Error) => void = () => undefined;
    return {
      postMessage: () => setTimeout(() => fail(new Error(message)), 1),
      onMessage: () => undefined,
      onError: (l) => (fail = l),
      terminate: () => undefined,
    };
  }, 1);
}
