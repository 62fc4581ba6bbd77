/**
 * Start-up work that the first screen does not need waits for it.
 *
 * After a reload with a large dataset stored, the IndexedDB scans of the
 * start-up clean-up (abandoned imports, orphan rows, stray feature chunks) and
 * the profile read competed with Home's own reads and render, and Home's cards
 * came ~2.5× later than at c232124 (`npm run bench:import -- --baseline
 * c232124`). Those jobs now run once the first page has shown its content
 * (`contentShown`, called by Home when its cards are on screen, and at once
 * when there is no dataset to show) and the page is idle, or after
 * `fallbackMs` whatever the page does.
 */
let markShown: () => void = () => {};
const shown = new Promise<void>((resolve) => {
  markShown = resolve;
});

/** The first page's content is on screen: deferred start-up work may begin. */
export function contentShown(): void {
  markShown();
}

/** Resolves at the next idle period (or after `timeoutMs` at the latest). */
export function idle(timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function')
      requestIdleCallback(() => resolve(), { timeout: timeoutMs });
    else setTimeout(resolve, 50);
  });
}

/** Resolves once the first content is shown and the page is idle, or after `fallbackMs`. */
export async function afterFirstContent(fallbackMs = 3000): Promise<void> {
  await Promise.race([shown, new Promise<void>((r) => setTimeout(r, fallbackMs))]);
  await idle();
}
