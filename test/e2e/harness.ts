/**
 * Browser test harness: serves the built app (dist/) with `vite preview` on a
 * free localhost port and drives Debian's Chromium with playwright-core.
 * Every request the page makes is recorded, so tests can prove that nothing
 * leaves the origin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AUTO_BUILD_KEY } from '../../src/ui/lib/auto-build.ts';

export const root = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface Server {
  url: string;
  stop(): void;
}

/** Serves dist/ (run `vite build` first), or another built folder ($WREN_DIST or the argument), on 127.0.0.1. */
export async function serve(outDir = process.env.WREN_DIST ?? join(root, 'dist')): Promise<Server> {
  if (!existsSync(join(outDir, 'index.html')))
    throw new Error(`${outDir} has no index.html: run \`vite build\` first.`);
  return previewServer(outDir, root);
}

/**
 * `vite preview` of a built folder, run in the checkout `cwd` (so that the
 * headers are those its own vite.config.ts sets), once it answers; throws
 * when it does not answer within 30 s.
 */
export async function previewServer(outDir: string, cwd: string): Promise<Server> {
  const port = await freePort();
  const proc: ChildProcess = spawn(
    'npx',
    [
      'vite',
      'preview',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
      '--outDir',
      outDir,
    ],
    { cwd, stdio: 'ignore', detached: true },
  );
  const url = `http://127.0.0.1:${port}/`;
  let up = false;
  for (let i = 0; i < 300 && !up; i++) {
    try {
      up = (await fetch(url)).ok;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = (): void => {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  if (!up) {
    stop();
    throw new Error(`vite preview of ${outDir} did not answer on ${url}`);
  }
  return { url, stop };
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript',
  mjs: 'text/javascript',
  css: 'text/css',
  wasm: 'application/wasm',
  json: 'application/json',
  webmanifest: 'application/manifest+json',
  svg: 'image/svg+xml',
  png: 'image/png',
  map: 'application/json',
  zip: 'application/zip',
};

/**
 * Serves a built folder as a plain static host does (GitHub Pages and the
 * like): files with their types and no other headers — no COOP/COEP, no CSP.
 */
export async function serveStatic(outDir = join(root, 'dist')): Promise<Server> {
  if (!existsSync(join(outDir, 'index.html')))
    throw new Error(`${outDir} has no index.html: run \`vite build\` first.`);
  const port = await freePort();
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = join(outDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(outDir) || !existsSync(file) || statSync(file).isDirectory())
      file = join(outDir, 'index.html');
    const ext = file.split('.').pop() ?? '';
    res.writeHead(200, { 'Content-Type': TYPES[ext] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL requested by any page or worker of this context. */
  requests: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  webgpu?: boolean;
  profileDir?: string;
  /**
   * false: the app never starts its automatic build (For You's model and the
   * default embedding after an import), for tests and benchmarks that measure
   * something else from a clean slate. Default: on, as for a person.
   */
  autoBuild?: boolean;
}

export async function launch(opts: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (see .ci/run).`,
    );
  }
  const dir = mkdtempSync(join(opts.profileDir ?? tmpdir(), 'wren-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: opts.webgpu ? [...ARGS, '--enable-unsafe-webgpu'] : ARGS,
    viewport: { width: 1280, height: 800 },
  });
  if (opts.autoBuild === false)
    await context.addInitScript((key) => localStorage.setItem(key, 'off'), AUTO_BUILD_KEY);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    requests,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The built app served, Chromium launched, and an archive imported through
 * the file picker: where most browser tests and benches start.
 */
export async function openWithDataset(
  archive: string,
  opts: { webgpu?: boolean; timeout?: number; autoBuild?: boolean } = {},
): Promise<{ server: Server; browser: Browser; page: Page }> {
  const server = await serve();
  const browser = await launch({ webgpu: opts.webgpu, autoBuild: opts.autoBuild });
  try {
    const page = browser.page;
    await page.goto(server.url);
    await page.getByTestId('import-file').first().setInputFiles(archive);
    await page.getByTestId('dataset-name').waitFor({ timeout: opts.timeout ?? 60_000 });
    return { server, browser, page };
  } catch (e) {
    await browser.close();
    server.stop();
    throw e;
  }
}

/** Where the genuine MovieLens archives live (tests fall back to generated data without them). */
export { DATASETS } from '../genuine.ts';
export const SHOTS = join(root, 'test/e2e/.artifacts');
