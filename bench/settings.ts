/** `--set key=number` options of the benches, as model settings. */
export function parseSettings(list: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kv of list ?? []) {
    const [key, value] = kv.split('=');
    if (!key || value === undefined || !Number.isFinite(Number(value)))
      throw new Error(`--set takes key=number; found "${kv}"`);
    out[key] = Number(value);
  }
  return out;
}
