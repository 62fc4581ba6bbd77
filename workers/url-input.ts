/** Fetches a dataset from a URL as a streamed ImportInput. */
import type { ImportInput } from '../src/core/data/sources.ts';
import { WrenError } from '../src/core/errors.ts';

export async function urlInput(url: string, signal: AbortSignal): Promise<ImportInput> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal.aborted) throw new WrenError('cancelled', 'Cancelled.');
    throw new WrenError(
      'fetch-failed',
      `Could not download ${url}: ${e instanceof Error ? e.message : String(e)}. ` +
        'The server may not allow downloads from other sites (CORS); download the file and pick it instead.',
    );
  }
  if (!res.ok || !res.body) {
    throw new WrenError(
      'fetch-failed',
      `Could not download ${url}: the server answered ${res.status} ${res.statusText}.`,
    );
  }
  const body = res.body;
  const name = decodeURIComponent(
    new URL(url, location.href).pathname.split('/').pop() || 'download',
  );
  return {
    kind: 'blob',
    name,
    size: Number(res.headers.get('content-length')) || 0,
    async *chunks() {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    },
  };
}
