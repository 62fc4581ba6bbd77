/**
 * A full disk mid-import, for real: Chromium's profile lives on a small tmpfs,
 * so IndexedDB runs out of space while writing a large dataset. The import
 * must fail with a clear message and leave the stored dataset as it was.
 * Needs root (mount); skipped, with the reason printed, where mount is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, serve, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip, smallArchive } from './fixtures.ts';

const mountPoint = mkdtempSync(join(tmpdir(), 'wren-smalldisk-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (e) {
  console.warn(`quota test skipped: cannot mount a small tmpfs (${String(e).split('\n')[0]})`);
}

let server: Server;
let browser: Browser;

beforeAll(async () => {
  if (!mounted) return;
  server = await serve();
  browser = await launch({ profileDir: mountPoint });
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a full disk', () => {
  it('fails the import with a clear message and keeps the stored data', async () => {
    const { page } = browser;
    const big = await generatedZip('quota-big', 3_000_000, 'ml-latest', 5);
    await page.goto(server.url);
    await page
      .getByTestId('import-file')
      .first()
      .setInputFiles((await smallArchive()).path);
    await page.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
    await page.goto(`${server.url}#/data`);
    const before = await page.getByTestId('data-counts').first().textContent();
    await page.getByTestId('import-file').first().setInputFiles(big);
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 120_000 });
    expect(await err.textContent()).toMatch(/storage is full/i);
    await page.screenshot({ path: join(SHOTS, 'quota-error.png') });
    await page.reload();
    await page.getByTestId('data-counts').first().waitFor();
    expect(await page.getByTestId('data-dataset').count()).toBe(1);
    expect(await page.getByTestId('data-counts').first().textContent()).toBe(before);
  });
});
