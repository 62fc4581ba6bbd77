/**
 * Ratings as read, before ids are resolved: raw MovieLens ids in blocks of
 * typed arrays (no copying as they grow), with a compact map from row number
 * back to the file's line number for messages.
 */

/** Rows per block. */
export const BLOCK = 1 << 16;

/** The raw columns, one entry per rating, in file order. */
export interface RawRatingColumns {
  userId: Int32Array;
  movieId: Int32Array;
  /** Half stars, 1..10. */
  rating: Uint8Array;
  timestamp: Uint32Array;
}

export class RatingRows {
  /** The current block, filled up to `k`. */
  u = new Int32Array(BLOCK);
  m = new Int32Array(BLOCK);
  r = new Uint8Array(BLOCK);
  t = new Uint32Array(BLOCK);
  k = 0;
  /** Rows in the blocks before the current one. */
  private base = 0;
  private full: Block[] = [];
  /** Line of row i = i + delta of the last breakpoint at or before i. */
  private bpRow: number[] = [0];
  private bpDelta: number[] = [1];

  /** The file these rows came from. */
  constructor(readonly file: string) {}

  get count(): number {
    return this.base + this.k;
  }

  /** Appends one row. The parsers write blocks directly; this is for everything else. */
  push(userId: number, movieId: number, half: number, timestamp: number): void {
    if (this.k === BLOCK) this.newBlock();
    const k = this.k++;
    this.u[k] = userId;
    this.m[k] = movieId;
    this.r[k] = half;
    this.t[k] = timestamp;
  }

  /** Starts a new block once the current one is full. */
  newBlock(): void {
    this.full.push({ u: this.u, m: this.m, r: this.r, t: this.t });
    this.base += this.k;
    this.u = new Int32Array(BLOCK);
    this.m = new Int32Array(BLOCK);
    this.r = new Uint8Array(BLOCK);
    this.t = new Uint32Array(BLOCK);
    this.k = 0;
  }

  /** Says that the next row comes from line `line` (after lines that held no row). */
  nextRowAt(line: number): void {
    const row = this.count;
    const last = this.bpRow.length - 1;
    if (this.bpRow[last] === row) this.bpDelta[last] = line - row;
    else {
      this.bpRow.push(row);
      this.bpDelta.push(line - row);
    }
  }

  /** The 1-based line number row `row` was read from. */
  lineOf(row: number): number {
    const rows = this.bpRow;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (rows[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + this.bpDelta[lo]!;
  }

  /**
   * Copies the rows into contiguous columns, one column at a time, letting go
   * of each block's part once copied; no rows can be added after.
   */
  columns(): RawRatingColumns {
    const n = this.count;
    const blocks: Partial<Block>[] = [...this.full, { u: this.u, m: this.m, r: this.r, t: this.t }];
    this.full = [];
    this.u = new Int32Array(0);
    this.m = new Int32Array(0);
    this.r = new Uint8Array(0);
    this.t = new Uint32Array(0);
    this.base = n;
    this.k = 0;
    return {
      userId: copyColumn(blocks, 'u', new Int32Array(n)),
      movieId: copyColumn(blocks, 'm', new Int32Array(n)),
      rating: copyColumn(blocks, 'r', new Uint8Array(n)),
      timestamp: copyColumn(blocks, 't', new Uint32Array(n)),
    };
  }
}

interface Block {
  u: Int32Array;
  m: Int32Array;
  r: Uint8Array;
  t: Uint32Array;
}

/** Concatenates one column of the blocks into `out`, dropping each block's array as it goes. */
function copyColumn<T extends Int32Array | Uint8Array | Uint32Array>(
  blocks: Partial<Block>[],
  key: keyof Block,
  out: T,
): T {
  let at = 0;
  for (const b of blocks) {
    const len = Math.min(BLOCK, out.length - at);
    out.set(b[key]!.subarray(0, len), at);
    b[key] = undefined;
    at += len;
  }
  return out;
}
