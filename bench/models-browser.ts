/**
 * bench/models-browser: ranking-model training speed in headless Chromium
 * (the built app, its models worker). The Models page's "Measure backends"
 * probe times NeuMF training steps (batch 256, 1,000 users × 5,000 movies) on
 * every tfjs backend the browser offers — WebGPU (SwiftShader here, with
 * --enable-unsafe-webgpu), WebGL, wasm, cpu — then NeuMF trains for real on
 * ml-latest-small's ncf-loo split with the backend "Automatic" picks, and the
 * page's samples/s and fit time are recorded.
 *
 *   npm run build && npm run bench:models-browser [-- --epochs N]
 *
 * Appends JSON lines to bench/results/models.jsonl.
 */
import { parseArgs } from 'node:util';
import { smallArchive } from '../test/e2e/fixtures.ts';
import { openWithDataset } from '../test/e2e/harness.ts';
import { browserRecorder } from './browser-results.ts';

const { values: args } = parseArgs({ options: { epochs: { type: 'string', default: '2' } } });
const small = await smallArchive();
// No automatic build: its embedding and model would share the CPU with the runs measured here.
const { server, browser, page } = await openWithDataset(small.path, {
  webgpu: true,
  timeout: 120_000,
  autoBuild: false,
});
const dataset = small.genuine ? 'ml-latest-small' : 'generated-ml-latest-small';
const count = (s: string): number | null =>
  /\d/.test(s) ? Number(s.replace(/[^\d.]/g, '')) : null;

const record = browserRecorder('models.jsonl');

try {
  await page.goto(`${server.url}#/models`);
  await page.getByTestId('models-probe').click();
  const probe = page.getByTestId('models-probe-table');
  await probe.waitFor({ timeout: 300_000 });
  for (const row of await probe.locator('tbody tr').all()) {
    const [backend = '', speed = ''] = (await row.locator('td').allTextContents()).map((t) =>
      t.trim(),
    );
    record({
      suite: 'models-speed',
      name: 'neumf-probe-browser',
      dataset: 'random ids (1,000 users × 5,000 movies)',
      backend,
      metrics: { batch: 256 },
      seconds: null,
      samplesPerSecond: count(speed),
      peakMemoryMB: null,
    });
  }
  for (const box of await page.locator('[data-testid^="model-"][type="checkbox"]').all())
    await box.setChecked((await box.getAttribute('data-testid')) === 'model-neumf');
  await page.getByTestId('models-epochs').fill(args.epochs!);
  await page.getByTestId('models-train').click();
  await page.getByTestId('models-done').waitFor({ timeout: 600_000 });
  const cells = await page.getByTestId('model-row').first().locator('td').allTextContents();
  const [hr, ndcg, fit, sps, scoreMs, backend] = cells.map((t) => t.trim());
  record({
    suite: 'models-speed',
    name: 'neumf-ncf-loo-in-app',
    dataset,
    backend,
    metrics: { epochs: Number(args.epochs), hr10: Number(hr), ndcg10: Number(ndcg), scoreMs },
    seconds: count(fit!),
    samplesPerSecond: count(sps!),
    peakMemoryMB: null,
  });
} finally {
  await browser.close();
  server.stop();
}
