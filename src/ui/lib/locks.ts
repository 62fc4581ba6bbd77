/** Web Locks helpers: tells a live import (another tab holds its lock) from an abandoned one. */

/**
 * True when some tab holds (or waits for) the lock `name`. Without the Web
 * Locks API we cannot tell, so we answer true: better to keep a stale
 * half-import than to delete one that is still running in another tab.
 */
export async function isLockHeld(name: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks?.query) return true;
  const { held = [], pending = [] } = await locks.query();
  return held.some((l) => l.name === name) || pending.some((l) => l.name === name);
}
