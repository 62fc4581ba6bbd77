import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { CSP, ISOLATION } from './src/security-headers.ts';

/**
 * Puts the policy in a meta tag of the built index.html, where it holds on
 * any static host. Only for the build: the dev server injects inline styles
 * and scripts for hot reloading. A meta policy binds the page (and blob:
 * workers) but not workers loaded from files, which take their policy from
 * the response: `vite preview` sends it as a header, and the service worker
 * adds it to what it serves (src/sw.ts).
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'wren-csp',
    apply: 'build',
    transformIndexHtml(html) {
      // Right after <meta charset>, before anything that loads.
      const at = html.search(/<meta charset[^>]*>/i);
      if (at < 0) throw new Error('index.html has no <meta charset> to put the CSP after');
      const end = html.indexOf('>', at) + 1;
      const meta = `\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`;
      return html.slice(0, end) + meta + html.slice(end);
    },
  };
}

/**
 * tfjs's wasm backend starts its threads (under cross-origin isolation) by
 * posting the text of its Emscripten factory, `factory.toString()`, to each
 * thread as a script. That text must stand alone, but the factory reads
 * `_scriptDir` from the module around it; once minified, the check
 * `typeof _scriptDir !== "undefined"` folds into a bare reference to a renamed
 * variable, every thread dies with "e is not defined", and `setBackend('wasm')`
 * waits forever (tfjs #4253). Declaring `_scriptDir` inside the factory keeps
 * its text whole. (In a worker `_scriptDir` is undefined anyway: it comes from
 * `document.currentScript`.)
 */
function tfjsWasmThreads(): Plugin {
  const file = '/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
  const head = 'function(WasmBackendModuleThreadedSimd) {';
  return {
    name: 'wren-tfjs-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').split('?')[0]!.endsWith(file)) return null;
      const at = code.indexOf(head);
      if (at < 0) this.error(`${file} changed: its factory no longer starts with "${head}"`);
      const end = at + head.length;
      return {
        code: `${code.slice(0, end)}\n  var _scriptDir = undefined;${code.slice(end)}`,
        map: null,
      };
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [
    tfjsWasmThreads(),
    contentSecurityPolicy(),
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        name: 'Wren — movie recommendations on your device',
        short_name: 'Wren',
        description:
          'A deep learning movie recommender that runs entirely in your browser. No server, no tracking.',
        theme_color: '#2f3e46',
        background_color: '#f7f5f0',
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      injectManifest: {
        // The plugin adds manifest.webmanifest itself; listed twice, a new revision of it
        // would make Workbox refuse the next service worker (conflicting entries).
        globPatterns: ['**/*.{js,css,html,svg,png,wasm}'],
        globIgnores: ['datasets/**'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
    }),
  ],
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1', headers: { ...ISOLATION } },
  preview: { host: '127.0.0.1', headers: { 'Content-Security-Policy': CSP, ...ISOLATION } },
});
