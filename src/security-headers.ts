/**
 * The headers that keep Wren to itself and give it every core. Sent by the
 * servers Wren controls (vite.config.ts: `vite preview`, the dev server,
 * `npm start`) and added by the service worker (src/sw.ts) to every response
 * it serves, so they hold on a static host that cannot set headers too.
 */

/**
 * The Content-Security-Policy. Wren needs nothing from other sites: its
 * scripts, styles, wasm files and datasets come from its own origin, its
 * workers from its own files (or blob: URLs), and tfjs compiles WebAssembly
 * ('wasm-unsafe-eval', not 'unsafe-eval').
 * - script-src allows blob: because tfjs's wasm backend starts its threads
 *   from a script it builds in memory (the Emscripten pthread workers import
 *   it as a blob: URL). Only code already running on this origin can make one.
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
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob: data: https:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Cross-origin isolation: with these two headers on the page and on its
 * workers' scripts, the browser gives the page SharedArrayBuffer, so trainers
 * can split across every core (and tfjs's wasm backend runs its own threads).
 * Every resource Wren loads is its own, so require-corp blocks nothing; a
 * dataset downloaded from a link is fetched in CORS mode, which COEP allows.
 */
export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** A copy of a response with the isolation headers and the policy added; opaque responses pass as they are. */
export function withSecurityHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0)
    return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  headers.set('Content-Security-Policy', CSP);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
