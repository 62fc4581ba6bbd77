/**
 * Genres ranked by a count that changes one step at a time (a user's window
 * gaining or losing a movie), by count descending, then genre index. Each
 * ±1 step moves one genre past the genres it overtakes, so keeping the order
 * costs a few swaps, not a sort.
 */
export class GenreRanking {
  /** count[g] */
  readonly count: Int32Array;
  /** Genres in rank order. */
  private readonly order: Int32Array;
  /** position of genre g in `order` */
  private readonly pos: Int32Array;

  constructor(readonly genres: number) {
    this.count = new Int32Array(genres);
    this.order = new Int32Array(genres);
    this.pos = new Int32Array(genres);
    this.reset();
  }

  /** All counts back to 0. */
  reset(): void {
    this.count.fill(0);
    for (let g = 0; g < this.genres; g++) this.order[g] = this.pos[g] = g;
  }

  /** Adds 1 to genre g's count. */
  increment(g: number): void {
    const { count, order, pos } = this;
    const c = ++count[g]!;
    let p = pos[g]!;
    while (p > 0) {
      const h = order[p - 1]!;
      const ch = count[h]!;
      if (ch > c || (ch === c && h < g)) break;
      order[p] = h;
      pos[h] = p--;
    }
    order[p] = g;
    pos[g] = p;
  }

  /** Takes 1 from genre g's count. */
  decrement(g: number): void {
    const { count, order, pos } = this;
    const c = --count[g]!;
    let p = pos[g]!;
    const last = this.genres - 1;
    while (p < last) {
      const h = order[p + 1]!;
      const ch = count[h]!;
      if (ch < c || (ch === c && h > g)) break;
      order[p] = h;
      pos[h] = p++;
    }
    order[p] = g;
    pos[g] = p;
  }

  /** Writes the first k genres with a positive count to out[at…at+k-1], -1 padding. */
  writeTop(out: Int8Array, at: number, k: number): void {
    const { count, order } = this;
    const n = Math.min(k, this.genres);
    let p = 0;
    for (; p < n; p++) {
      const g = order[p]!;
      if (count[g]! <= 0) break;
      out[at + p] = g;
    }
    for (; p < k; p++) out[at + p] = -1;
  }
}
