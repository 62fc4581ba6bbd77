/** Browser storage: quota, usage and persistence (no-ops where unsupported). */
export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean;
}

export async function storageInfo(): Promise<StorageInfo> {
  const s = globalThis.navigator?.storage;
  if (!s?.estimate) return { usage: null, quota: null, persisted: false };
  const [est, persisted] = await Promise.all([s.estimate(), s.persisted?.() ?? false]);
  return { usage: est.usage ?? null, quota: est.quota ?? null, persisted };
}

/** Asks the browser not to evict our data under storage pressure. */
export async function requestPersistence(): Promise<boolean> {
  // persist() is the page's alone (absent from the worker library's StorageManager).
  const s = globalThis.navigator?.storage as
    (StorageManager & { persist?: () => Promise<boolean> }) | undefined;
  if (!s?.persist) return false;
  if (await s.persisted()) return true;
  return s.persist();
}
