/**
 * The Models page's drawn diagrams in a real browser: every ranking and CTR
 * model opens an SVG drawing with its boxes and arrows, inside its card, on a
 * laptop and on a 390 px phone; and each model's settings table, read from
 * its registry entry. Screenshots go to $WREN_DIAGRAM_SHOTS (or
 * the system's temp folder, wren-model-diagrams/).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CTR_MODELS } from '../../src/core/models/ctr-info.ts';
import { modelDiagram } from '../../src/core/models/diagrams.ts';
import { MODELS } from '../../src/core/models/index.ts';
import { rangeOf, type AnySchema } from '../../src/core/models/config-check.ts';
import { openWithDataset, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

const SHOTS = process.env.WREN_DIAGRAM_SHOTS ?? join(tmpdir(), 'wren-model-diagrams');

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const zip = await generatedZip('diagrams', 5_000, 'ml-latest');
  ({ server, browser, page } = await openWithDataset(zip));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** Opens every listed model's diagram and checks each drawing against its model's data. */
async function openAll(names: string[]): Promise<void> {
  for (const name of names) {
    const toggle = page.getByTestId(`diagram-toggle-${name}`);
    await toggle.locator('summary').click();
    const figure = page.getByTestId(`diagram-${name}`);
    const svg = figure.locator('svg');
    expect(await svg.isVisible()).toBe(true);
    const data = modelDiagram(name)!;
    expect(await svg.locator('rect').count()).toBe(data.boxes.length);
    expect(await svg.locator('path.edge').count()).toBe(data.edges.length);
    expect(await svg.locator('title').textContent()).toMatch(/input to output/);
    expect(await svg.locator('desc').textContent()).toMatch(/Output: /);
    // Every line of text fits inside its box, with room to spare on both sides.
    const slack = await svg.evaluate((el) =>
      Math.min(
        ...[...el.querySelectorAll('g.box')].flatMap((g) => {
          const width = g.querySelector('rect')!.width.baseVal.value;
          return [...g.querySelectorAll('text')].map((t) => width - t.getComputedTextLength());
        }),
      ),
    );
    expect(slack).toBeGreaterThanOrEqual(6);
    // The drawing stays inside its card, scaled down where the card is narrow, never up.
    const inner = (await svg.boundingBox())!;
    const card = (await toggle.boundingBox())!;
    const natural = Number((await svg.getAttribute('viewBox'))!.split(' ')[2]);
    expect(inner.width).toBeGreaterThan(natural * 0.75);
    expect(inner.width).toBeLessThanOrEqual(natural + 0.5);
    expect(inner.x).toBeGreaterThanOrEqual(card.x - 0.5);
    expect(inner.x + inner.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
  }
}

async function noOverflow(): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

async function shoot(name: string): Promise<void> {
  // From the top, so the sticky header sits there and not over a drawing.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('model diagrams', () => {
  const ranking = MODELS.map((m) => m.name);
  const ctr = CTR_MODELS.map((m) => m.name);

  it('draws every ranking and CTR model on a laptop screen', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-form').waitFor();
    expect(await page.locator('figure.diagram').count()).toBe(ranking.length);
    await openAll(ranking);
    await noOverflow();
    await shoot('desktop-ranking');
    await page.getByLabel(/sparrow-ctr/).check();
    expect(await page.locator('figure.diagram').count()).toBe(ctr.length);
    await openAll(ctr);
    await noOverflow();
    await shoot('desktop-ctr');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('diagram-toggle-wide-deep').screenshot({
      path: join(SHOTS, 'desktop-wide-deep-dark.png'),
    });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('scales the drawings down on a 390 px phone without widening the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('models-form').waitFor();
    await page.getByLabel(/ncf-loo/).check();
    await openAll(ranking);
    await noOverflow();
    await shoot('phone-ranking');
    await page.getByTestId('diagram-neumf').screenshot({ path: join(SHOTS, 'phone-neumf.png') });
    await page.getByLabel(/sparrow-ctr/).check();
    await openAll(ctr);
    await noOverflow();
    await shoot('phone-ctr');
    await page.getByTestId('diagram-dien').screenshot({ path: join(SHOTS, 'phone-dien.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

describe('model settings', () => {
  /** Opens each listed model's settings and checks the table against its registry entry. */
  async function checkSettings(models: readonly { name: string; settings: AnySchema }[]) {
    for (const m of models) {
      await page.getByTestId(`settings-toggle-${m.name}`).locator('summary').click();
      const entries = Object.entries(m.settings);
      if (entries.length === 0) {
        expect(await page.getByTestId(`settings-toggle-${m.name}`).textContent()).toMatch(
          /No settings/,
        );
        continue;
      }
      const rows = page.getByTestId(`settings-${m.name}`).locator('tbody tr');
      expect(await rows.count()).toBe(entries.length);
      for (const [i, [key, s]] of entries.entries()) {
        const cells = await rows.nth(i).locator('th, td').allTextContents();
        expect(cells[0]).toBe(key);
        expect(Number(cells[1])).toBe(s.default);
        expect(cells[2]).toContain(s.doc);
        expect(cells[2]).toContain(`(${rangeOf(s)})`);
      }
    }
  }

  it('shows every ranking and CTR model’s settings, defaults, ranges and docs, on a phone too', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-form').waitFor();
    await page.getByLabel(/ncf-loo/).check();
    await checkSettings(MODELS);
    await noOverflow();
    await page
      .getByTestId('settings-toggle-ease')
      .screenshot({ path: join(SHOTS, 'phone-ease-settings.png') });
    await page.getByLabel(/sparrow-ctr/).check();
    await checkSettings(CTR_MODELS);
    await noOverflow();
    // A CTR model's own default shows where it differs from the shared one.
    const lr = page.getByTestId('settings-lr').locator('tbody tr', { hasText: 'learningRate' });
    expect(await lr.locator('td').first().textContent()).toBe('0.01');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
