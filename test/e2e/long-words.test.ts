/**
 * A dataset whose one movie has a 20,000-letter title and tag, words without
 * a space: the movie page wraps them instead of growing millions of pixels
 * wide, on a desktop and on a phone.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens } from '../../src/core/data/write-movielens.ts';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';

const TITLE = 'W'.repeat(20_000);
const TAG = 'longtag'.repeat(20_000 / 7).padEnd(20_000, 'g');

/** A small generated ml-latest archive (written at test time) whose first movie has the long title and tag. */
async function longWordsZip(): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, 'long-words-ml-latest-5000.zip');
  if (existsSync(path)) return path;
  const ds = generateDataset({ ratings: 5000, seed: 3, name: 'long-words' });
  const movie = ds.movies[0]!;
  movie.title = `${TITLE} (1999)`;
  const tag = ds.tags[0]!;
  ds.tags[0] = { ...tag, movie: 0, tag: TAG };
  const parts: Uint8Array[] = [];
  for await (const c of zipMovieLens(movieLensFiles(ds, 'ml-latest'), 'long-words')) parts.push(c);
  writeFileSync(`${path}.part`, Buffer.concat(parts));
  renameSync(`${path}.part`, path);
  return path;
}

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ server, browser, page } = await openWithDataset(await longWordsZip(), { autoBuild: false }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** How far the page scrolls sideways past the viewport, in px. */
const overflow = (): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('long words', () => {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`wrap a 20,000-letter title and tag on the movie page at ${width} px`, async () => {
      await page.setViewportSize({ width, height });
      await page.goto(`${server.url}#/movie/0`);
      const title = page.getByTestId('movie-title');
      await title.waitFor();
      // The page shows the long words themselves, not a shortened copy.
      expect(((await title.textContent()) ?? '').includes(TITLE)).toBe(true);
      const tags = page.getByTestId('movie-tags');
      await tags.waitFor();
      expect(((await tags.textContent()) ?? '').includes(TAG)).toBe(true);
      expect(await overflow()).toBeLessThanOrEqual(4);
      // Neither the title nor the tag is wider than the viewport.
      for (const box of [await title.boundingBox(), await tags.boundingBox()])
        expect(box!.x + box!.width).toBeLessThanOrEqual(width + 4);
      await page.screenshot({ path: join(SHOTS, `long-words-${width}.png`) });
    });
  }
});
