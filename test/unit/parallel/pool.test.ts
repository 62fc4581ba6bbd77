/**
 * The thread pool, on in-process stand-ins for threads: tasks run and
 * answer, threads are reused and never more than the pool's size, a busy
 * pool queues, a crashed thread fails its task and is replaced, and close
 * ends everything.
 */
import { describe, expect, it } from 'vitest';
import { defaultThreads, makePool, type ThreadPort } from '../../../src/core/parallel/pool.ts';
import { runTask } from '../../../src/core/parallel/tasks.ts';

/** A thread that answers each message with runTask after `ms`, or crashes on { task: 'crash' }. */
function fakeThreads(ms = 5) {
  const started: { terminated: boolean; running: number; most: number }[] = [];
  const spawn = (): ThreadPort => {
    const me = { terminated: false, running: 0, most: 0 };
    started.push(me);
    let onMessage: (m: unknown) => void = () => undefined;
    let onError: (e: Error) => void = () => undefined;
    return {
      postMessage(m) {
        me.running++;
        me.most = Math.max(me.most, me.running);
        setTimeout(() => {
          me.running--;
          if (me.terminated) return;
          if ((m as { task: string }).task === 'crash') onError(new Error('out of memory'));
          else void runTask(m).then(onMessage);
        }, ms);
      },
      onMessage: (l) => (onMessage = l),
      onError: (l) => (onError = l),
      terminate: () => (me.terminated = true),
    };
  };
  return { spawn, started };
}

describe('thread pool', () => {
  it('runs tasks on at most `size` threads, one task per thread at a time, and reuses them', async () => {
    const { spawn, started } = fakeThreads();
    const pool = makePool(spawn, 2);
    const replies = await Promise.all(Array.from({ length: 7 }, () => pool.run({ task: 'ping' })));
    expect(replies).toEqual(Array(7).fill('pong'));
    expect(started.length).toBe(2);
    expect(started.every((t) => t.most === 1)).toBe(true);
    await pool.run({ task: 'ping' });
    expect(started.length).toBe(2);
    pool.close();
    expect(started.every((t) => t.terminated)).toBe(true);
  });

  it('posts a task at once when a thread is free, before the caller goes on with its own share', async () => {
    const posted: unknown[] = [];
    const pool = makePool(
      () => ({
        postMessage: (m) => posted.push(m),
        onMessage: () => undefined,
        onError: () => undefined,
        terminate: () => undefined,
      }),
      2,
    );
    const runs = [pool.run({ task: 'ping', n: 1 }), pool.run({ task: 'ping', n: 2 })];
    // No await in between: a helper must not wait for the caller's synchronous work to end.
    expect(posted).toEqual([
      { task: 'ping', n: 1 },
      { task: 'ping', n: 2 },
    ]);
    runs.push(pool.run({ task: 'ping', n: 3 }));
    expect(posted.length).toBe(2); // both threads busy: it waits
    pool.close();
    const settled = await Promise.allSettled(runs);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('warm starts every thread and waits for each to answer', async () => {
    const { spawn, started } = fakeThreads();
    const pool = makePool(spawn, 3);
    await pool.warm();
    expect(started.length).toBe(3);
    expect(started.every((t) => t.most === 1 && t.running === 0)).toBe(true);
    pool.close();
  });

  it('fails the task of a thread that crashes, and starts a new thread for the next', async () => {
    const { spawn, started } = fakeThreads();
    const pool = makePool(spawn, 1);
    await expect(pool.run({ task: 'crash' })).rejects.toThrow(
      /helper thread failed: out of memory/,
    );
    expect(started[0]!.terminated).toBe(true);
    expect(await pool.run({ task: 'ping' })).toBe('pong');
    expect(started.length).toBe(2);
    pool.close();
  });

  it('answers an unknown task with an error, not a hang', async () => {
    const pool = makePool(fakeThreads().spawn, 1);
    await expect(pool.run({ task: 'juggle' })).rejects.toThrow(/Unknown thread task "juggle"/);
    pool.close();
  });

  it('close rejects the tasks still running', async () => {
    const pool = makePool(fakeThreads(50).spawn, 1);
    const running = pool.run({ task: 'ping' });
    pool.close();
    await expect(running).rejects.toThrow(/closed/);
  });

  it('refuses a pool of no threads to run anything', async () => {
    const pool = makePool(fakeThreads().spawn, 0);
    await expect(pool.run({ task: 'ping' })).rejects.toThrow(/no threads/);
    expect(() => makePool(fakeThreads().spawn, -1)).toThrow(/0 or more/);
  });

  it('defaults to every core but one, and at least one', () => {
    expect(defaultThreads(8)).toBe(7);
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(undefined)).toBe(1);
  });
});
