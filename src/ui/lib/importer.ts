/**
 * Main-thread client of the import worker: starts a job, relays progress,
 * cancels, and rebuilds errors as WrenError. One worker per job, terminated
 * when the job ends (as a last resort, cancel terminates it too).
 *
 * Around the job: persistent storage is asked for before it starts (browsers
 * then keep the data under storage pressure), and after a failure what is
 * stored is checked against what was there before, so the error says what
 * really happened to the previous data (see store/import-check.ts).
 */
import * as Comlink from 'comlink';
import { CSV_BYTES_PER_RATING, checkRoom, importBytes } from '../../core/data/import-space.ts';
import { blobInput, filesInput } from '../../core/data/sources.ts';
import type { Progress } from '../../core/data/types.ts';
import { WrenError } from '../../core/errors.ts';
import {
  ProfileDb,
  WrenDb,
  checkStored,
  requestPersistence,
  snapshotStored,
  type Aftermath,
  type StoredSnapshot,
} from '../../store/index.ts';
import type {
  ImportOutcome,
  ImportRequest,
  ImportSummary,
  ImportWorkerApi,
} from '../../../workers/protocol.ts';
import { plural } from './format.ts';

export interface ImportJob {
  done: Promise<ImportSummary>;
  cancel(): void;
}

/** Runs `f` with connections of its own (the page's may have been closed by a browser that wiped storage). */
async function withDbs<T>(f: (db: WrenDb, profileDb: ProfileDb) => Promise<T>): Promise<T> {
  const db = new WrenDb();
  const profileDb = new ProfileDb();
  try {
    return await f(db, profileDb);
  } finally {
    db.close();
    profileDb.close();
  }
}

export const NOTHING_CHANGED = 'Nothing was changed: your previous data is untouched.';

/** What a failed import did to the stored data, in words. */
export function aftermathText(a: Aftermath): string {
  if (a.lost.length === 0 && a.profileMissing === 0) return NOTHING_CHANGED;
  const parts: string[] = [];
  if (a.lost.length > 0) {
    const names = a.lost.map((d) => `“${d.name}”`).join(', ');
    parts.push(
      `The browser lost stored data while the disk was full: ${a.lost.length === 1 ? 'the dataset' : 'the datasets'} ${names} ${a.lost.length === 1 ? 'is' : 'are'} gone, with ${a.lost.length === 1 ? 'its' : 'their'} models and embeddings. Import ${a.lost.length === 1 ? 'it' : 'them'} again once there is space.`,
    );
  } else {
    parts.push('Your datasets are intact.');
  }
  if (a.profileMissing === 0) {
    if (a.profileBefore > 0) parts.push('Your ratings and marks are intact.');
  } else if (a.profileRestored > 0) {
    parts.push(
      `Your profile was lost too and has been restored from its copy (${plural(a.profileRestored, 'rating or mark', 'ratings and marks')}).`,
    );
  } else {
    parts.push(
      `Your profile lost ${plural(a.profileMissing, 'rating or mark', 'ratings and marks')}, and no copy of it was found.`,
    );
  }
  return parts.join(' ');
}

/** After a failure: the error with what is left of the stored data, checked. */
async function explainFailure(e: WrenError, before: StoredSnapshot | null): Promise<WrenError> {
  if (e.code === 'cancelled') return e;
  if (!before) return e.withAftermath('Reload the page to see what is stored now.');
  // A browser wiping its storage after the failed write closes open connections
  // for a moment (measured: "AbortError: The connection was closed"): try again.
  for (const wait of [0, 500, 1500, 3000]) {
    await new Promise((r) => setTimeout(r, wait));
    try {
      const a = await withDbs((db, p) => checkStored(db, p, before));
      return e.withAftermath(aftermathText(a));
    } catch (err) {
      console.warn('Wren: could not check the stored data after a failed import:', String(err));
    }
  }
  return e.withAftermath(
    'Wren could not check what is stored now: reload the page to see what is left.',
  );
}

/**
 * Refuses up front (the 'quota' WrenError) an import that would not fit in
 * what the browser says is left (see core/data/import-space.ts). Only the
 * end of an archive is read here. A URL's size is not known before its
 * download: the import worker checks it once it is parsed, before any write.
 */
export async function ensureRoom(req: ImportRequest): Promise<void> {
  const s = req.source;
  const [what, bytes] =
    s.kind === 'file'
      ? [s.file.name, await importBytes(blobInput(s.file, s.file.name))]
      : s.kind === 'files'
        ? ['The selected files', await importBytes(filesInput(s.files))]
        : s.kind === 'demo'
          ? ['The demo', s.ratings * CSV_BYTES_PER_RATING]
          : ['', null];
  if (bytes === null) return;
  const est = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
  if (est) checkRoom(what, bytes, est);
}

export function startImport(req: ImportRequest, onProgress: (p: Progress) => void): ImportJob {
  // Ask before the first write (no-op once granted); the import does not wait for an answer.
  void requestPersistence().catch(() => false);
  const before = withDbs(snapshotStored).catch((e: unknown) => {
    console.warn('Wren: could not read what is stored before the import:', e);
    return null;
  });
  const worker = new Worker(new URL('../../../workers/import.worker.ts', import.meta.url), {
    type: 'module',
    name: 'wren-import',
  });
  const api = Comlink.wrap<ImportWorkerApi>(worker);
  let cancelled = false;
  let rejectCancel: (e: WrenError) => void = () => undefined;
  const cancelledPromise = new Promise<never>((_, reject) => (rejectCancel = reject));
  const run = (async (): Promise<ImportSummary> => {
    const snapshot = await before;
    try {
      await ensureRoom(req);
    } catch (e) {
      throw await explainFailure(WrenError.from(e), snapshot);
    }
    const out: ImportOutcome = await api.run(req, Comlink.proxy(onProgress));
    if (out.ok) return out.summary;
    throw await explainFailure(WrenError.fromData(out.error), snapshot);
  })();
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
