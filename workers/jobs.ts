/**
 * One job at a time in a worker, with a cancel signal: a job's error comes
 * back as an Outcome (WrenError data), never as a rejected Comlink call.
 */
import { WrenError } from '../src/core/errors.ts';
import type { Outcome } from './embed-protocol.ts';

export function jobRunner(): {
  run<T>(job: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>>;
  cancel(reason?: unknown): void;
} {
  let controller: AbortController | null = null;
  return {
    async run<T>(job: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> {
      controller = new AbortController();
      try {
        return { ok: true, value: await job(controller.signal) };
      } catch (e) {
        return { ok: false, error: WrenError.from(e).toData() };
      } finally {
        controller = null;
      }
    },
    cancel(reason?: unknown) {
      controller?.abort(reason);
    },
  };
}
