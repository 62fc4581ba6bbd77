/**
 * The PWA update prompt: a copy of the built app is served; once its service
 * worker controls the page, a precache revision in the copy's sw.js changes
 * (as a new deployment would change it), and the app must offer "A new version is ready" and
 * reload into the new version when asked.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, root, serve, type Browser, type Server } from './harness.ts';

const site = mkdtempSync(join(tmpdir(), 'wren-site-'));
let server: Server;
let browser: Browser;

beforeAll(async () => {
  cpSync(join(root, 'dist'), site, { recursive: true });
  server = await serve(site);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
  rmSync(site, { recursive: true, force: true });
});

describe('app updates', () => {
  it('offers a reload when a new version is deployed, and the reload installs it', async () => {
    const { page } = browser;
    await page.goto(server.url);
    const firstScript = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.scriptURL ?? '';
    });
    expect(firstScript).toMatch(/sw\.js$/);
    expect(await page.getByTestId('update-prompt').count()).toBe(0);

    // A new deployment: one precache revision changes.
    const sw = join(site, 'sw.js');
    const before = readFileSync(sw, 'utf8');
    // The manifest is JSON inside sw.js: "revision":"<hex>".
    const after = before.replace(
      /"revision":"([0-9a-f])/,
      (_, c: string) => `"revision":"${c === '0' ? '1' : '0'}`,
    );
    expect(after).not.toBe(before);
    writeFileSync(sw, after);
    await page.reload();
    const prompt = page.getByTestId('update-prompt');
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toMatch(/new version is ready/i);

    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    const waiting = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return reg?.waiting !== null && reg?.waiting !== undefined;
    });
    expect(waiting).toBe(false);
    expect(await page.getByTestId('update-prompt').count()).toBe(0);
  });
});
