/**
 * When the page registers its service worker.
 *
 * The first install precaches the whole app — every worker, tfjs and its wasm,
 * about 16 MB of scripts that Chromium also compiles for its code cache — which
 * takes several seconds of CPU. A new visitor often imports an archive right
 * away, and beside that install the import ran about 1.6× slower
 * (`npm run bench:import -- --baseline c232124`). So on a first visit the
 * registration waits until the page has loaded and no import has run for
 * `quietMs`. A page a service worker already controls registers at once: an
 * update fetches only what changed, and the update prompt must see it.
 */
export interface RegisterTiming {
  /** A service worker controls the page already (not a first visit). */
  controlled: boolean;
  /** Resolves once the page has loaded. */
  loaded: Promise<void>;
  /** True while the page does work the install must not compete with (an import). */
  busy: () => boolean;
  /** How long the page must stay idle first; default 3 s. */
  quietMs?: number;
  /** How often `busy` is asked; default 250 ms. */
  stepMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Resolves when the service worker may be registered (see above). */
export async function registrationTime(t: RegisterTiming): Promise<void> {
  if (t.controlled) return;
  const quietMs = t.quietMs ?? 3000;
  const stepMs = t.stepMs ?? 250;
  const now = t.now ?? (() => performance.now());
  const sleep = t.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  await t.loaded;
  let quietSince = now();
  for (;;) {
    if (t.busy()) quietSince = now();
    else if (now() - quietSince >= quietMs) return;
    await sleep(stepMs);
  }
}

/** Resolves once the document has loaded (at once when it already has). */
export function documentLoaded(): Promise<void> {
  if (document.readyState === 'complete') return Promise.resolve();
  return new Promise((r) => window.addEventListener('load', () => r(), { once: true }));
}
