/** A pool that passes every task on to `p` and records each task's name. */
import type { ThreadPool } from '../../../src/core/parallel/pool.ts';

export function counting(p: ThreadPool): { pool: ThreadPool; tasks: string[] } {
  const tasks: string[] = [];
  return {
    tasks,
    pool: {
      size: p.size,
      run: <T>(t: { task: string } & Record<string, unknown>) => {
        tasks.push(t.task);
        return p.run<T>(t);
      },
      warm: () => p.warm(),
      close: () => undefined,
    },
  };
}
