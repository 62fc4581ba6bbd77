import { describe, expect, it } from 'vitest';
import { registrationTime } from '../../../src/ui/lib/sw-timing.ts';

/** A fake clock: sleep advances it at once. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), at: () => t };
}

describe('registrationTime', () => {
  it('registers at once on a page a service worker controls', async () => {
    const c = clock();
    const never = new Promise<void>(() => undefined);
    await registrationTime({ controlled: true, loaded: never, busy: () => true, ...c });
    expect(c.at()).toBe(0);
  });

  it('on a first visit, waits for quietMs of no import after load', async () => {
    const c = clock();
    await registrationTime({
      controlled: false,
      loaded: Promise.resolve(),
      busy: () => false,
      quietMs: 3000,
      stepMs: 250,
      ...c,
    });
    expect(c.at()).toBe(3000);
  });

  it('waits while an import runs, then for quietMs more', async () => {
    const c = clock();
    await registrationTime({
      controlled: false,
      loaded: Promise.resolve(),
      busy: () => c.at() < 10_000,
      quietMs: 3000,
      stepMs: 250,
      ...c,
    });
    // Quiet from the last check that saw the import (9,750 ms), one step before it ended.
    expect(c.at()).toBe(12_750);
  });

  it('waits for the page to load', async () => {
    const c = clock();
    let loaded = false;
    const p = registrationTime({
      controlled: false,
      loaded: new Promise<void>((r) => setTimeout(() => ((loaded = true), r()), 20)),
      busy: () => {
        expect(loaded).toBe(true);
        return false;
      },
      quietMs: 0,
      ...c,
    });
    await p;
    expect(loaded).toBe(true);
  });
});
