/**
 * A long-lived Comlink worker with cancellable jobs: a job whose worker does
 * not stop within 3 s of cancel gets the worker terminated (a new one starts
 * on the next call) and rejects with 'cancelled'.
 */
import * as Comlink from 'comlink';
import { WrenError, type WrenErrorData } from '../../core/errors.ts';

export interface Job<T> {
  done: Promise<T>;
  cancel(): void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: WrenErrorData };

export interface WorkerClient<Api extends { cancel(): void }> {
  remote(): Comlink.Remote<Api>;
  job<T>(run: (a: Comlink.Remote<Api>) => Promise<Outcome<T>>): Job<T>;
  /** Terminates the worker (freeing its memory); the next call starts a new one. */
  close(): void;
}

export function workerClient<Api extends { cancel(): void }>(
  create: () => Worker,
): WorkerClient<Api> {
  let worker: Worker | null = null;
  let api: Comlink.Remote<Api> | null = null;
  const remote = (): Comlink.Remote<Api> => {
    if (!api) {
      worker = create();
      api = Comlink.wrap<Api>(worker);
    }
    return api;
  };
  const restart = (): void => {
    worker?.terminate();
    worker = null;
    api = null;
  };
  return {
    remote,
    close: restart,
    job<T>(run: (a: Comlink.Remote<Api>) => Promise<Outcome<T>>): Job<T> {
      const a = remote();
      let rejectCancel: (e: WrenError) => void = () => undefined;
      const cancelled = new Promise<never>((_, reject) => (rejectCancel = reject));
      let settled = false;
      const unwrapped = run(a).then((out) => {
        if (out.ok) return out.value;
        throw WrenError.fromData(out.error);
      });
      const done = Promise.race([unwrapped, cancelled]).finally(() => (settled = true));
      return {
        done,
        cancel() {
          void (a.cancel as () => Promise<void>)();
          setTimeout(() => {
            if (settled) return;
            restart();
            rejectCancel(new WrenError('cancelled', 'Cancelled.'));
          }, 3000);
        },
      };
    },
  };
}
