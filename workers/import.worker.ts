/// <reference lib="webworker" />
/** Import worker: glue between the core parsers/generator and the store. */
import * as Comlink from 'comlink';
import { importMovieLens } from '../src/core/data/import.ts';
import { checkRoom, parsedBytes } from '../src/core/data/import-space.ts';
import { blobInput, filesInput } from '../src/core/data/sources.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import type { Dataset, Progress } from '../src/core/data/types.ts';
import { WrenError } from '../src/core/errors.ts';
import { WrenDb, writeDataset } from '../src/store/index.ts';
import { urlInput } from './url-input.ts';
import {
  importLockName,
  type ImportOutcome,
  type ImportRequest,
  type ImportWorkerApi,
} from './protocol.ts';

let controller: AbortController | null = null;
const db = new WrenDb();

async function parse(
  req: ImportRequest,
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<{ ds: Dataset; source: string }> {
  const opts = { maxBadRows: req.maxBadRows, signal, onProgress };
  const s = req.source;
  switch (s.kind) {
    case 'file':
      return {
        ds: await importMovieLens(blobInput(s.file, s.file.name), opts),
        source: s.file.name,
      };
    case 'files':
      return {
        ds: await importMovieLens(filesInput(s.files), opts),
        source: `${s.files.length} files`,
      };
    case 'url':
      return { ds: await importMovieLens(await urlInput(s.url, signal), opts), source: s.url };
    case 'demo': {
      const name = `Demo (${s.ratings.toLocaleString('en')} generated ratings)`;
      const ds = generateDataset({ ratings: s.ratings, seed: s.seed, name, signal, onProgress });
      return { ds, source: 'generated' };
    }
  }
}

const api: ImportWorkerApi = {
  async run(req, onProgress): Promise<ImportOutcome> {
    controller = new AbortController();
    const { signal } = controller;
    const t0 = performance.now();
    try {
      const { ds, source } = await parse(req, signal, onProgress);
      // A URL's size is not known before its download, so the page could not check it up
      // front: it is checked here, parsed and before any write.
      if (req.source.kind === 'url') {
        const est = await navigator.storage?.estimate?.().catch(() => null);
        if (est) checkRoom(source, parsedBytes(ds.ratings.user.length), est);
      }
      let release: () => void = () => undefined;
      const datasetId = await writeDataset(db, ds, {
        source,
        signal,
        onProgress,
        startedAt: t0,
        // Hold a Web Lock while writing so another tab can tell a live import from an abandoned one.
        onId: (id) => {
          const held = new Promise<void>((r) => (release = r));
          void navigator.locks?.request(importLockName(id), () => held);
        },
      }).finally(() => release());
      return {
        ok: true,
        summary: {
          datasetId,
          name: ds.name,
          counts: {
            ratings: ds.ratings.user.length,
            users: ds.users.length,
            movies: ds.movies.length,
            tags: ds.tags.length,
          },
          skipped: ds.skipped,
          seconds: (performance.now() - t0) / 1000,
        },
      };
    } catch (e) {
      return { ok: false, error: WrenError.from(e).toData() };
    } finally {
      controller = null;
    }
  },
  cancel() {
    controller?.abort();
  },
};

Comlink.expose(api);
