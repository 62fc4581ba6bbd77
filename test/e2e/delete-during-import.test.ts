/**
 * "Delete everything" in one tab while another tab imports: the import stops
 * and says why (never "Imported"), nothing is left in IndexedDB that belongs
 * to no dataset, and after a reload the app shows Welcome with no rows.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, serve, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

let server: Server;
let browser: Browser;

interface Census {
  exists: boolean;
  datasets: string[];
  /** Rows of every dataset table whose dataset id has no dataset row. */
  orphans: number;
  ratingChunks: number;
  movies: number;
  active: unknown;
}

/** What the 'wren' database holds (without creating it when it is gone). */
const census = (p: Page): Promise<Census> =>
  p.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('wren'))
      return { exists: false, datasets: [], orphans: 0, ratingChunks: 0, movies: 0, active: null };
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open('wren');
      req.onerror = () => fail(req.error);
      req.onsuccess = () => ok(req.result);
    });
    const all = <T>(store: string, keys = false): Promise<T[]> =>
      new Promise((ok, fail) => {
        const s = db.transaction(store, 'readonly').objectStore(store);
        const r = keys ? s.getAllKeys() : s.getAll();
        r.onsuccess = () => ok(r.result as T[]);
        r.onerror = () => fail(r.error);
      });
    const datasets = (await all<string>('datasets', true)).map(String);
    const known = new Set(datasets);
    let orphans = 0;
    const tables = ['movies', 'tags', 'ratingChunks', 'featureChunks', 'users', 'idMaps'];
    const counts: Record<string, number> = {};
    for (const t of tables) {
      const keys = await all<IDBValidKey>(t, true);
      counts[t] = keys.length;
      for (const k of keys) {
        const id = String(Array.isArray(k) ? k[0] : k).split('\u0002')[0]!;
        if (!known.has(id)) orphans++;
      }
    }
    const kv = await all<{ key: string; value: unknown }>('kv');
    db.close();
    return {
      exists: true,
      datasets,
      orphans,
      ratingChunks: counts.ratingChunks!,
      movies: counts.movies!,
      active: kv.find((r) => r.key === 'activeDatasetId')?.value ?? null,
    };
  });

beforeAll(async () => {
  server = await serve();
  browser = await launch({ autoBuild: false });
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('"Delete everything" in one tab during an import in another', () => {
  it('stops the import, leaves no orphan rows and says so in the importing tab', async () => {
    const big = await generatedZip('delete-during', 2_000_000, 'ml-latest', 5);
    const a = browser.page;
    const b = await browser.context.newPage();
    await a.goto(`${server.url}#/data`);
    await b.goto(`${server.url}#/data`);

    await a.getByTestId('import-file').first().setInputFiles(big);
    // Wait until A's worker writes (its dataset row is in, 'importing').
    let writing = false;
    for (let i = 0; i < 1200 && !writing; i++) {
      writing = (await census(b)).datasets.length > 0;
      if (!writing) await b.waitForTimeout(50);
    }
    expect(writing).toBe(true);

    await b.getByTestId('delete-everything').click();
    await b.getByTestId('delete-everything-confirm').click();
    // B reloads empty once the delete is done.
    await b.waitForURL(/#\/$/, { timeout: 30_000 });
    await b.getByRole('heading', { level: 1 }).waitFor();

    const message = a.getByTestId('deleted-elsewhere');
    await message.waitFor({ timeout: 30_000 });
    await a.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 30_000 });
    // Give a straggling worker time to (not) write.
    await a.waitForTimeout(3000);
    expect(await message.textContent()).toContain(
      'Everything was deleted in another tab; the import was stopped.',
    );
    expect(await a.getByTestId('import-summary').count()).toBe(0);
    expect(await a.locator('body').textContent()).not.toContain('Imported');
    mkdirSync(SHOTS, { recursive: true });
    await a.screenshot({ path: join(SHOTS, 'delete-during-import-tab-a.png') });

    const after = await census(b);
    expect(after.orphans).toBe(0);
    expect(after.ratingChunks).toBe(0);
    expect(after.movies).toBe(0);
    expect(after.datasets).toEqual([]);
    expect(after.active).toBeNull();

    await a.goto(server.url);
    await a.reload();
    await a
      .getByRole('heading', { name: 'Movie recommendations that never leave your device' })
      .waitFor({ timeout: 30_000 });
    await a.waitForTimeout(500);
    const reloaded = await census(a);
    expect(reloaded.orphans).toBe(0);
    expect(reloaded.ratingChunks + reloaded.movies).toBe(0);
    expect(reloaded.datasets).toEqual([]);
    await b.close();
  }, 180_000);
});
