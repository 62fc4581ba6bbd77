/**
 * The built app under its Content-Security-Policy: the meta tag is in
 * dist/index.html, and importing ml-latest-small and training GMF on tfjs's
 * wasm backend in the models worker break no directive, in the page or in a
 * worker. `vite preview` sends the same policy as a header, so the workers,
 * which do not inherit a page's meta policy, run under it too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, root, serve, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
/**
 * Console messages (page and workers) that mention the policy. A blocked
 * fetch or wasm compile in one of the app's workers would also fail the
 * training below, so the workers are checked by working.
 */
const consoleHits: string[] = [];

beforeAll(async () => {
  server = await serve();
  browser = await launch({ autoBuild: false });
  page = browser.page;
  await browser.context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const onConsole = (text: string) => {
    if (/Content.Security.Policy|violates the following/i.test(text)) consoleHits.push(text);
  };
  page.on('console', (m) => onConsole(m.text()));
  page.on('worker', (w) => w.on('console', (m) => onConsole(m.text())));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const violations = (): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

describe('content security policy', () => {
  it('is a meta tag of the built index.html, and a header of the preview server', async () => {
    const html = readFileSync(join(root, 'dist/index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta).not.toBeNull();
    const policy = meta![1]!.replaceAll('&#39;', "'");
    for (const d of [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval' blob:",
      "worker-src 'self' blob:",
      "img-src 'self' data: blob:",
      "connect-src 'self' blob: data: https:",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ])
      expect(policy.split('; ')).toContain(d);
    // Before anything that loads, and no inline script anywhere.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const res = await fetch(server.url);
    expect(res.headers.get('content-security-policy')).toBe(policy);
  });

  it('catches a violation when there is one, and binds blob: workers too', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const evalInWorker = await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'body { outline: 0 }';
      document.head.append(s);
      const src = 'try { eval("1"); postMessage("ran") } catch (e) { postMessage(String(e)) }';
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      return new Promise<string>((done) => (w.onmessage = (e) => done(String(e.data))));
    });
    await page.waitForTimeout(300);
    // The page's listener and the console both see an inline <style>.
    expect((await violations()).some((v) => v.startsWith('style-src'))).toBe(true);
    expect(consoleHits.some((t) => /inline style/.test(t))).toBe(true);
    // Chromium reports no event or console message for eval in a worker, but refuses it.
    expect(evalInWorker).toMatch(/EvalError.*Content Security Policy/);
    consoleHits.length = 0;
  });

  it('imports ml-latest-small and trains GMF on wasm in a worker without a violation', async () => {
    const small = await smallArchive();
    await page.goto(server.url);
    await page.getByTestId('import-file').first().setInputFiles(small.path);
    await page.getByTestId('dataset-name').waitFor({ timeout: 120_000 });
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-empty').waitFor();
    for (const name of ['popularity', 'itemknn', 'puresvd', 'ease', 'gmf', 'mlp', 'neumf'])
      await page.getByTestId(`model-${name}`).setChecked(name === 'gmf');
    await page.getByTestId('models-epochs').fill('1');
    await page.getByTestId('models-backend').selectOption('wasm');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('model-row').count()).toBe(1);
    // Trained on wasm, not a fallback: WebAssembly compiled under 'wasm-unsafe-eval' in the worker.
    expect(await page.getByTestId('model-row').textContent()).toMatch(/wasm/);
    // tfjs fetched its wasm binary from this origin and ran it in the models worker.
    const origin = new URL(server.url).origin;
    expect(browser.requests.some((u) => u.startsWith(origin) && u.endsWith('.wasm'))).toBe(true);
    expect(browser.requests.some((u) => /models\.worker/.test(u))).toBe(true);
    expect(await violations()).toEqual([]);
    expect(consoleHits).toEqual([]);
  });
});
