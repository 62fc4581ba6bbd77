/** Datasets placed next to the app by `npm run data:fetch` (listed in ./datasets/index.json). */

export interface BundledDataset {
  name: string;
  file: string;
  bytes: number;
}

/**
 * The bundled datasets, or [] when there are none. The preview server answers
 * unknown paths with index.html, so anything that is not a JSON array of
 * `{name, file, bytes}` counts as none.
 */
export async function listBundled(base = './datasets/'): Promise<BundledDataset[]> {
  try {
    const res = await fetch(`${base}index.json`, { cache: 'no-cache' });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return [];
    const data: unknown = await res.json();
    if (!Array.isArray(data)) return [];
    return data.filter(
      (d): d is BundledDataset =>
        typeof d === 'object' &&
        d !== null &&
        typeof (d as BundledDataset).name === 'string' &&
        typeof (d as BundledDataset).file === 'string' &&
        /^[\w.-]+$/.test((d as BundledDataset).file) &&
        typeof (d as BundledDataset).bytes === 'number',
    );
  } catch {
    return [];
  }
}
