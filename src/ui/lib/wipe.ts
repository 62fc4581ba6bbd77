/**
 * "Delete everything" across tabs. The deleting tab says so on a
 * BroadcastChannel before it deletes (other tabs stop their imports and jobs)
 * and after (they say in words that everything was deleted), and waits a
 * moment for running imports to let go of their Web Locks first.
 */
import { IMPORT_LOCK_PREFIX } from '../../../workers/protocol.ts';

export type WipeMessage = { type: 'deleting' } | { type: 'deleted' };

const CHANNEL = 'wren-delete-everything';

/** One channel per page: a page never hears its own messages. */
const channel: BroadcastChannel | null =
  typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

export function announceWipe(m: WipeMessage): void {
  channel?.postMessage(m);
}

export function onWipe(f: (m: WipeMessage) => void): void {
  channel?.addEventListener('message', (e: MessageEvent<WipeMessage>) => f(e.data));
}

/**
 * Waits (at most `ms`) until no tab holds an import's Web Lock: imports told
 * to stop remove their own rows and let go. Past the wait the delete goes on
 * anyway: a worker's connection closes for good when its database is deleted
 * (see stayClosedWhenDeleted), so it cannot write rows afterwards.
 */
export async function waitForImports(ms = 5000): Promise<void> {
  const locks = globalThis.navigator?.locks;
  if (!locks?.query) return;
  const { held = [], pending = [] } = await locks.query();
  const names = new Set(
    [...held, ...pending].map((l) => l.name ?? '').filter((n) => n.startsWith(IMPORT_LOCK_PREFIX)),
  );
  const signal = AbortSignal.timeout(ms);
  await Promise.all(
    [...names].map((name) =>
      locks.request(name, { signal }, () => undefined).catch(() => undefined),
    ),
  );
}
