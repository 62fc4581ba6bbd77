/** Maps sparse MovieLens ids to dense indexes 0..n-1 in id order. */

/** Ids above this use a Map instead of a lookup array. */
const DENSE_LIMIT = 1 << 24;

export class IdIndex {
  private readonly dense: Int32Array | null;
  private readonly map: Map<number, number> | null;

  /** `sortedIds`: distinct ids in increasing order; an id's index is its position. */
  constructor(readonly sortedIds: ArrayLike<number>) {
    const n = sortedIds.length;
    const max = n > 0 ? sortedIds[n - 1]! : 0;
    if (max < DENSE_LIMIT) {
      this.dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < n; i++) this.dense[sortedIds[i]!] = i;
      this.map = null;
    } else {
      this.dense = null;
      this.map = new Map();
      for (let i = 0; i < n; i++) this.map.set(sortedIds[i]!, i);
    }
  }

  get size(): number {
    return this.sortedIds.length;
  }

  /** The index of `id`, or -1 when it is not known. */
  get(id: number): number {
    if (this.dense) return id < this.dense.length ? (this.dense[id] ?? -1) : -1;
    return this.map!.get(id) ?? -1;
  }
}

/** The distinct values of `ids` (positive), sorted: the union of several id lists. */
export function distinctIds(...lists: ArrayLike<number>[]): Int32Array {
  let max = 0;
  let total = 0;
  for (const l of lists) {
    total += l.length;
    for (let i = 0; i < l.length; i++) if (l[i]! > max) max = l[i]!;
  }
  if (max < DENSE_LIMIT) {
    const mark = new Uint8Array(max + 1);
    let n = 0;
    for (const l of lists)
      for (let i = 0; i < l.length; i++) {
        const id = l[i]!;
        if (mark[id] === 0) {
          mark[id] = 1;
          n++;
        }
      }
    const out = new Int32Array(n);
    for (let id = 0, j = 0; id <= max; id++) if (mark[id]) out[j++] = id;
    return out;
  }
  const all = new Int32Array(total);
  let at = 0;
  for (const l of lists) for (let i = 0; i < l.length; i++) all[at++] = l[i]!;
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[n++] = all[i]!;
  return all.slice(0, n);
}
