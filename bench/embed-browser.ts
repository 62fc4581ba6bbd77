/**
 * bench/embed-browser: skip-gram trainer speed in headless Chromium (the
 * built app, its embeddings worker): every engine — WebAssembly SIMD, plain
 * JS, tfjs on WebGPU (SwiftShader here, with --enable-unsafe-webgpu), WebGL,
 * wasm and cpu — measured by the Lab's "Measure trainers" probe on
 * ml-latest-small's sequences, then one full Item2Vec run with Wren's
 * defaults and the automatic engine choice.
 *
 *   npm run build && npm run bench:embed-browser
 *
 * Appends JSON lines to bench/results/embed.jsonl.
 */
import { smallArchive } from '../test/e2e/fixtures.ts';
import { openWithDataset } from '../test/e2e/harness.ts';
import { browserRecorder } from './browser-results.ts';

const small = await smallArchive();
// No automatic build: its embedding and model would share the CPU with the runs measured here.
const { server, browser, page } = await openWithDataset(small.path, {
  webgpu: true,
  timeout: 120_000,
  autoBuild: false,
});
const dataset = small.genuine ? 'ml-latest-small' : 'generated-ml-latest-small';

const record = browserRecorder('embed.jsonl');

try {
  await page.goto(`${server.url}#/lab`);
  await page.getByTestId('engine-probe').click();
  await page.getByTestId('engine-table').waitFor({ timeout: 300_000 });
  for (const row of await page.getByTestId('engine-measure').all()) {
    const engine = await row.getAttribute('data-engine');
    const speed = row.getByTestId('engine-speed');
    const tps = (await speed.count())
      ? Number((await speed.textContent())!.replace(/,/g, ''))
      : null;
    const cells = await row.locator('td').allTextContents();
    record({
      suite: 'embed-speed',
      name: `item2vec-probe-${engine}`,
      dataset,
      backend: engine,
      metrics: { startup: cells.at(-1)?.trim(), note: tps === null ? cells[0]?.trim() : undefined },
      seconds: null,
      samplesPerSecond: tps,
      peakMemoryMB: null,
    });
  }
  const t0 = performance.now();
  await page.getByTestId('embed-train').click();
  const row = page.getByTestId('embedding-row').first();
  await row.waitFor({ timeout: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const engine = await page
    .getByTestId('embed-engine')
    .textContent()
    .catch(() => null);
  const text = (await row.textContent()) ?? '';
  const tps = /([\d,]+) tokens\/s/.exec(text)?.[1];
  record({
    suite: 'embed-speed',
    name: 'item2vec-wren-defaults-in-app',
    dataset,
    backend: engine?.trim() ?? 'auto',
    metrics: { summary: text.replace(/\s+/g, ' ').trim().slice(0, 300) },
    seconds: Math.round(seconds * 100) / 100,
    samplesPerSecond: tps ? Number(tps.replace(/,/g, '')) : null,
    peakMemoryMB: null,
  });
} finally {
  await browser.close();
  server.stop();
}
