/**
 * How many threads Wren's trainers may use on this device, and why only one
 * when that is all. Several threads need shared memory, which a browser gives
 * only to a cross-origin isolated page: the server's headers (npm start, vite
 * preview) or, on a static host, the service worker's (src/sw.ts) from the
 * second visit on. The number is a setting (default every core but one, for
 * the page), kept in this browser.
 */
import { defaultThreads } from '../../core/parallel/pool.ts';

export const THREADS_KEY = 'wren-threads';

/** The device's logical cores, as the browser reports them. */
export const deviceCores = (): number => Math.max(1, navigator.hardwareConcurrency || 1);

/** Whether this page may share memory between threads. */
export const isolated = (): boolean =>
  globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';

/** The person's chosen number of threads, or null for the default. */
export function threadSetting(): number | null {
  try {
    const n = Number(localStorage.getItem(THREADS_KEY));
    return Number.isInteger(n) && n >= 1 ? n : null;
  } catch {
    return null;
  }
}

export function setThreadSetting(n: number | null): void {
  try {
    if (n === null) localStorage.removeItem(THREADS_KEY);
    else localStorage.setItem(THREADS_KEY, String(Math.max(1, Math.floor(n))));
  } catch {
    /* a browser without storage keeps the default */
  }
}

/** Threads a trainer uses now: the setting (or its default), capped by the cores; 1 without isolation. */
export function trainingThreads(): number {
  if (!isolated()) return 1;
  return Math.min(deviceCores(), threadSetting() ?? defaultThreads(deviceCores()));
}

/** Why training runs on one thread here, in plain words; null when it may use several. */
export function oneThreadReason(): string | null {
  if (isolated()) return null;
  const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  if (sw && !sw.controller)
    return 'This visit began before Wren’s offline worker took charge, so the page is not cross-origin isolated and trainers use one thread. Reload the page to use every core.';
  if (typeof SharedArrayBuffer !== 'function' && globalThis.crossOriginIsolated === true)
    return 'This browser has no shared memory, so trainers use one thread.';
  return 'This browser or the site’s host did not allow cross-origin isolation, so trainers use one thread.';
}
