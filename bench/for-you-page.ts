/**
 * The built app's For You page driven from a bench: generated MovieLens zips
 * cached in bench/.cache, a new person onboarded on #/start, one list asked
 * for and timed, the top pick rated and timed, and the p50/p95 helpers.
 * Shared by bench/recommend-browser.ts and bench/scale.ts.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateDataset, type SyntheticOptions } from '../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens, type Layout } from '../src/core/data/write-movielens.ts';
import { root } from '../test/e2e/harness.ts';

/** How many movies a new person rates before For You is measured. */
export const ONBOARD = 20;
const CACHE = join(root, 'bench/.cache');

/** A generated dataset as a MovieLens zip in bench/.cache (written once). */
export async function generatedZip(
  name: string,
  layout: Layout,
  opts: SyntheticOptions,
): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${name}.zip`);
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const ds = generateDataset(opts);
  const out = createWriteStream(`${path}.part`);
  for await (const chunk of zipMovieLens(movieLensFiles(ds, layout), name)) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  renameSync(`${path}.part`, path);
  console.error(`generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

export interface Ms {
  recall: number;
  rank: number;
  rerank: number;
  total: number;
}

export const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
export const r2 = (x: number): number => Math.round(x * 100) / 100;
export const p = (xs: number[]) => ({
  p50Ms: r2(quantile(xs, 0.5)),
  p95Ms: r2(quantile(xs, 0.95)),
});

/**
 * Run in the page before its scripts: tsx keeps function names with a
 * `__name(…)` helper that the page lacks; and every reply of the
 * recommendations worker calls `__wrenReply` (set by configureOnce), so that
 * a list whose timings equal the last one's — the DOM does not change —
 * still ends the wait.
 */
export const SHIM = `globalThis.__name = (f) => f;
if (!globalThis.__wrenWorker) {
  globalThis.__wrenWorker = true;
  const W = globalThis.Worker;
  globalThis.Worker = class extends W {
    constructor(url, opts) {
      super(url, opts);
      if (opts && opts.name === 'wren-recommend')
        this.addEventListener('message', () => globalThis.__wrenReply?.());
    }
  };
}`;

declare global {
  var __wrenReply: (() => void) | undefined;
}

/** One list asked for with the default settings again; the worker's ms and the page's round trip. */
export function configureOnce(
  page: Page,
): Promise<{ ms: Ms; roundTrip: number; unchanged: boolean }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const timing = document.querySelector<HTMLElement>('[data-testid="for-you-timing"]')!;
        const input = document.querySelector<HTMLInputElement>('[data-testid="diversity"]')!;
        const before = timing.dataset.ms;
        let finished = false;
        const finish = (unchanged: boolean): void => {
          if (finished) return;
          finished = true;
          const roundTrip = performance.now() - t0;
          obs.disconnect();
          globalThis.__wrenReply = undefined;
          resolve({ ms: JSON.parse(timing.dataset.ms!) as Ms, roundTrip, unchanged });
        };
        const obs = new MutationObserver(() => {
          if (timing.dataset.ms !== before) finish(false);
        });
        obs.observe(timing, { attributes: true, attributeFilter: ['data-ms'] });
        // A list with exactly the same four timings (0.1 ms steps) leaves the DOM as it was:
        // the worker's reply, then every microtask after it (the page's update), end the wait.
        globalThis.__wrenReply = () => setTimeout(() => finish(timing.dataset.ms === before), 0);
        const t0 = performance.now();
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }),
  );
}

export interface RateTiming {
  dom: number;
  frame: number;
  update: number;
  ms: Ms;
  timedOut: boolean;
}

/** Rates the top pick and times, in the page, the click to the new row in the DOM and on the next frame. */
export function rateTop(page: Page, stars: number): Promise<RateTiming> {
  return page.evaluate(
    (stars) =>
      new Promise((resolve) => {
        const list = document.querySelector<HTMLElement>('[data-testid="for-you-list"]')!;
        const timing = document.querySelector<HTMLElement>('[data-testid="for-you-timing"]')!;
        const hrefs = (): string[] =>
          Array.from(
            list.querySelectorAll('[data-testid="for-you-item"] [data-testid="movie-card"]'),
            (a) => a.getAttribute('href') ?? '',
          );
        const shown = hrefs();
        const top = list.querySelector('[data-testid="for-you-item"]')!;
        const button = top.querySelector<HTMLElement>(`[data-stars="${stars}"]`)!;
        const done = (dom: number, timedOut: boolean): void => {
          obs.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => {
            const frame = performance.now() - t0;
            resolve({
              dom,
              frame,
              update: Number(timing.dataset.updateMs),
              ms: JSON.parse(timing.dataset.ms!) as Ms,
              timedOut,
            });
          });
        };
        const obs = new MutationObserver(() => {
          const now = hrefs();
          if (now.length >= shown.length && !now.includes(shown[0]!))
            done(performance.now() - t0, false);
        });
        obs.observe(list, { childList: true, subtree: true });
        const timer = setTimeout(() => done(performance.now() - t0, true), 10_000);
        const t0 = performance.now();
        button.click();
      }),
    stars,
  );
}

/**
 * Reads the page's stage ("cold" / "fusion" / "model", from the stage
 * sentence: fusion's speaks of popular and highly rated movies), the
 * ranker's title and the ranker chosen in "Rank with".
 */
export async function stageOf(
  page: Page,
): Promise<{ stage: string; ranker: string; choice: string }> {
  const text = (await page.getByTestId('for-you-stage').textContent()) ?? '';
  const stage = /Nothing rated yet/.test(text)
    ? 'cold'
    : /among popular and highly rated ones/.test(text)
      ? 'fusion'
      : 'model';
  const ranker = ((await page.getByTestId('for-you-ranker').textContent()) ?? '').trim();
  const choice = await page.getByTestId('ranker-choice').inputValue();
  return { stage, ranker, choice };
}

/**
 * Rates ONBOARD movies 4.5 stars on #/start, then opens #/for-you from the
 * stored profile, as a returning visitor, with all of them counted.
 */
export async function onboard(page: Page, url: string, ready?: Promise<unknown>): Promise<void> {
  await page.goto(`${url}#/start`);
  const cards = page.getByTestId('start-movie');
  await cards.first().waitFor();
  await page.waitForTimeout(500);
  const n = Math.min(ONBOARD, await cards.count());
  for (let i = 0; i < n; i++) {
    await cards.nth(i).locator('[data-stars="4.5"]').click();
    await cards.nth(i).locator('[data-testid="star-rating"][data-value="4.5"]').waitFor();
  }
  // The automatic build, when it runs, ends before the reload below (which would stop it).
  await ready;
  // Reopened from the stored profile, as a returning visitor (and whatever a rating given
  // while the worker was still opening the dataset missed).
  await page.goto(`${url}#/for-you`);
  await page.reload();
  await page.getByTestId('for-you-item').first().waitFor();
  // Fewer than 20 on the onboarding page: the rest from the list itself.
  for (let i = n; i < ONBOARD; i++) await rateTop(page, 4.5);
  await page
    .getByTestId('for-you-timing')
    .filter({ hasText: `${ONBOARD} ratings here (${ONBOARD} liked)` })
    .waitFor();
}
