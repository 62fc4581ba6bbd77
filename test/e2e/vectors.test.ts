/**
 * Embeddings out and in, in a real browser: an Item2Vec trained in the Lab
 * is exported as word2vec text (a download), imported back through the
 * Lab's file control, and listed beside the original with the same
 * next-item figures, chosen for similar movies; a malformed file shows its
 * message naming the line and stores nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const zip = await generatedZip('vectors', 20_000, 'ml-latest', 3);
  ({ server, browser, page } = await openWithDataset(zip, { autoBuild: false }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

interface StoredRow {
  id: string;
  name: string;
  engine: string;
  count: number;
  metrics: Record<string, number>;
  imported?: { file: string; fileVectors: number; unknownIds: number; missing: number };
}

/** The stored embedding descriptions, read from IndexedDB in the page. */
function storedRows(): Promise<StoredRow[]> {
  return page.evaluate(
    () =>
      new Promise<StoredRow[]>((resolve, reject) => {
        const open = indexedDB.open('wren');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result
            .transaction('embeddings')
            .objectStore('embeddings')
            .getAll() as IDBRequest<StoredRow[]>;
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** The figures that do not depend on timing. */
function quality(m: Record<string, number>): Record<string, number> {
  const { annQueryMs: _a, exactQueryMs: _e, ...rest } = m;
  return rest;
}

const metricText = async (row: ReturnType<Page['getByTestId']>): Promise<string[]> =>
  (await row.locator('dl.metrics dd').allTextContents()).map((t) => t.split(' ')[0]!);

describe('word2vec text out of and into the Lab', () => {
  let exported = '';

  it('exports a trained embedding as word2vec text keyed by MovieLens id', async () => {
    await page.goto(`${server.url}#/lab`);
    await page.getByTestId('embed-train').click();
    const row = page.getByTestId('embedding-row');
    await row.first().waitFor({ timeout: 240_000 });
    const [trained] = await storedRows();
    expect(trained!.metrics.hr10).toBeGreaterThan(0);

    const download = page.waitForEvent('download');
    await row.first().getByTestId('embedding-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^vectors-.*item2vec-16d.*\.txt$/);
    exported = join(SHOTS, 'vectors-exported.txt');
    await file.saveAs(exported);
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(`${trained!.count} 16`);
    expect(lines).toHaveLength(trained!.count + 1);
    for (const line of lines.slice(1)) expect(line.split(' ')).toHaveLength(17);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Exported' }).count())
      .toBe(1);
  });

  it('imports the file back: listed beside the original with the same next-item figures, and chosen', async () => {
    const before = await storedRows();
    await page.getByTestId('vectors-import').setInputFiles(exported);
    await page.getByTestId('vectors-import-done').waitFor({ timeout: 120_000 });
    const rows = page.getByTestId('embedding-row');
    await expect.poll(() => rows.count()).toBe(2);

    const stored = await storedRows();
    expect(stored).toHaveLength(2);
    const original = stored.find((r) => r.id === before[0]!.id)!;
    const imported = stored.find((r) => r.id !== original.id)!;
    expect(imported).toMatchObject({
      name: 'vectors-exported.txt · 16d',
      engine: 'imported',
      count: original.count,
      imported: { file: 'vectors-exported.txt', fileVectors: original.count, unknownIds: 0 },
    });
    expect(quality(imported.metrics)).toEqual(quality(original.metrics));

    // Newest first: the imported card, marked and chosen for similar movies, shows the same figures.
    const importedCard = rows.first();
    await importedCard.getByTestId('embedding-imported').waitFor();
    expect(await importedCard.textContent()).toMatch(/Used for similar movies/);
    expect(await importedCard.getByTestId('embedding-import-meta').innerText()).toMatch(
      /imported from vectors-exported\.txt: [\d,]+ movies with a vector of [\d,]+ in the file/,
    );
    const a = await metricText(importedCard);
    const b = await metricText(rows.nth(1));
    expect(a.slice(0, 4)).toEqual(b.slice(0, 4));
    const compare = page.getByTestId('embedding-compare').locator('tbody tr');
    expect(await compare.count()).toBe(2);
    // Quality side by side; speed and run time are not the imported vectors' to compare.
    const cells = (await compare.first().locator('td').allTextContents()).map((t) => t.trim());
    // Equal figures: both rows are marked best in each quality column.
    expect(cells.slice(0, 4)).toEqual(b.slice(0, 4).map((v) => `${v}(best)`));
    expect(await compare.nth(1).locator('td.best').count()).toBeGreaterThanOrEqual(4);
    expect(cells.slice(-2)).toEqual(['–', '–']);
    await page.locator('section[aria-labelledby="runs-h"]').screenshot({
      path: join(SHOTS, 'vectors-list.png'),
    });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'vectors-lab.png'), fullPage: true });
  });

  it('a malformed file shows its message, naming the line, and stores nothing', async () => {
    const bad = join(SHOTS, 'vectors-bad.txt');
    const good = readFileSync(exported, 'utf8').split('\n');
    writeFileSync(
      bad,
      [good[0], good[1], 'Toy_Story ' + good[2]!.split(' ').slice(1).join(' ')].join('\n') + '\n',
    );
    const before = await storedRows();
    await page.getByTestId('vectors-import').setInputFiles(bad);
    const error = page.getByTestId('vectors-import-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(
      /vectors-bad\.txt line 3: expected a MovieLens movie id \(a whole number\) as the key, found "Toy_Story"\. Nothing was stored\./,
    );
    expect((await storedRows()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(await page.getByTestId('embedding-row').count()).toBe(2);
    await page.getByTestId('vectors-import-panel').screenshot({
      path: join(SHOTS, 'vectors-import-error.png'),
    });

    const noHeader = join(SHOTS, 'vectors-no-header.txt');
    writeFileSync(noHeader, good.slice(1).join('\n'));
    await page.getByTestId('vectors-import').setInputFiles(noHeader);
    await expect
      .poll(async () => (await error.textContent()) ?? '', { timeout: 60_000 })
      .toMatch(/vectors-no-header\.txt line 1: expected the word2vec header "count dim"/);
    expect(await storedRows()).toHaveLength(2);
  });
});
