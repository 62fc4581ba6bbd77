/// <reference lib="webworker" />
/**
 * Wren's service worker: serves the built app from the precache (offline, as
 * an installed PWA) and adds the security headers (src/security-headers.ts)
 * to everything it serves. The headers matter on static hosts that cannot
 * set them: from the second visit on (the first visit is not yet served by
 * this worker), the page is cross-origin isolated and can train on every core.
 * A new version waits until the page says "Reload" (UpdatePrompt.svelte).
 */
import {
  addPlugins,
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { withSecurityHeaders } from './security-headers.ts';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

addPlugins([{ handlerWillRespond: async ({ response }) => withSecurityHeaders(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
