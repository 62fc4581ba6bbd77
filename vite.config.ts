import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The Content-Security-Policy of the built app. Wren needs nothing from other
 * sites: its scripts, styles, wasm files and datasets come from its own
 * origin, its workers from its own files (or blob: URLs), and tfjs compiles
 * WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval').
 * - connect-src allows https: because "Or import from a link" downloads a
 *   dataset from a site the person types in (workers/url-input.ts). Nothing
 *   else fetches off the origin (the e2e tests check every request).
 * - style-src has no 'unsafe-inline': the built components' CSS is a file,
 *   and Svelte sets `style:` directives and dynamic style attributes through
 *   the CSSOM (element.style), which a policy does not restrict. The
 *   templates have no static style attribute.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob: data: https:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Puts the policy in a meta tag of the built index.html, where it holds on
 * any static host. Only for the build: the dev server injects inline styles
 * and scripts for hot reloading. A meta policy binds the page (and blob:
 * workers) but not workers loaded from files, which take their policy from
 * the response, so `vite preview` (the browser tests) also sends it as a header.
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

export default defineConfig({
  base: './',
  plugins: [
    contentSecurityPolicy(),
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
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
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        globIgnores: ['datasets/**'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', headers: { 'Content-Security-Policy': CSP } },
});
