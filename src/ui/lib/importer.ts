/**
 * Main-thread client of the import worker: starts a job, relays progress,
 * cancels, and rebuilds errors as WrenError. One worker per job, terminated
 * when the job ends (as a last resort, cancel terminates it too).
 */
import * as Comlink from 'comlink';
import type { Progress } from '../../core/data/types.ts';
import { WrenError } from '../../core/errors.ts';
import type { ImportRequest, ImportSummary, ImportWorkerApi } from '../../../workers/protocol.ts';

export interface ImportJob {
  done: Promise<ImportSummary>;
  cancel(): void;
}

export function startImport(req: ImportRequest, onProgress: (p: Progress) => void): ImportJob {
  const worker = new Worker(new URL('../../../workers/import.worker.ts', import.meta.url), {
    type: 'module',
    name: 'wren-import',
  });
  const api = Comlink.wrap<ImportWorkerApi>(worker);
  let cancelled = false;
  let rejectCancel: (e: WrenError) => void = () => undefined;
  const cancelledPromise = new Promise<never>((_, reject) => (rejectCancel = reject));
  const run = api.run(req, Comlink.proxy(onProgress)).then((out) => {
    if (out.ok) return out.summary;
    throw WrenError.fromData(out.error);
  });
  const done = Promise.race([run, cancelledPromise]).finally(() => worker.terminate());
  return {
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      void api.cancel();
      // If the worker does not stop within 3 s (stuck in a long step), terminate it;
      // the store's clean-up of abandoned imports removes any partial rows.
      setTimeout(() => rejectCancel(new WrenError('cancelled', 'Cancelled.')), 3000);
    },
  };
}
