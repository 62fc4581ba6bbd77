/**
 * A small, fast, seeded pseudo-random number generator for everything in
 * Wren that must be reproducible: synthetic data, splits, negative sampling,
 * shuffles, weight initialisation.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast chaotic" PRNG,
 * 128 bits of state, passes PractRand to many terabytes), seeded through
 * splitmix32 so that nearby seeds (1, 2, 3 …) give unrelated sequences. A
 * `stream` number derives further independent sequences from the same seed,
 * so separate parts of a computation do not shift each other's draws.
 *
 * It is not cryptographically secure.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** One step of splitmix32; returns the new state and a 32-bit output. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [s, z >>> 0];
}

/** An array-like with writable elements: plain arrays and every typed array. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

export class Random {
  /** sfc32 state a, b, c, d. An Int32Array keeps V8 from boxing the 32-bit values. */
  private readonly s = new Int32Array(4);
  private spare = 0;
  private hasSpare = false;

  /**
   * @param seed any finite number; integers up to 2^53 are all distinct seeds.
   * @param stream selects an independent sequence for the same seed.
   */
  constructor(seed = 1, stream = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be finite, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let h = lo ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(stream >>> 0, 0xc2b2ae35);
    for (let i = 0; i < 4; i++) {
      let out: number;
      [h, out] = splitmix32(h);
      this.s[i] = out;
    }
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const s = this.s;
    const a = s[0] as number;
    const b = s[1] as number;
    const c = s[2] as number;
    const d = s[3] as number;
    const t = (((a + b) | 0) + d) | 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = ((c << 21) | (c >>> 11)) + t;
    return t >>> 0;
  }

  /** A uniform number in [0, 1) with 32 bits of precision. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A uniform number in [0, 1) with 53 bits of precision (two draws). */
  nextDouble(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /**
   * A uniform integer in 0..n-1. Uses 32 bits for n ≤ 65,536 (bias below
   * 2^-16 relative) and 53 bits above, so large ranges stay uniform too.
   */
  int(n: number): number {
    if (n <= 65536) return Math.floor(this.next() * n);
    return Math.floor(this.nextDouble() * n);
  }

  /** A uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal deviate (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /** An exponential deviate with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.next());
  }

  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: empty array');
    return items[this.int(items.length)] as T;
  }
}

/**
 * Walker's alias method (Vose's construction): after O(n) set-up, draws an
 * index with probability proportional to its weight in O(1).
 */
export class AliasTable {
  readonly size: number;
  /** Slot i keeps index i with probability prob[i], else gives alias[i]. */
  readonly prob: Float64Array;
  readonly alias: Int32Array;

  /** @param weights non-negative, finite, not all zero. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('AliasTable: no weights');
    let total = 0;
    let heaviest = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] as number;
      if (w > (weights[heaviest] as number)) heaviest = i;
      if (!(w >= 0) || !Number.isFinite(w))
        throw new RangeError(`AliasTable: weight ${i} must be finite and ≥ 0, got ${w}`);
      total += w;
    }
    if (total <= 0) throw new RangeError('AliasTable: all weights are zero');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      const s = ((weights[i] as number) * n) / total;
      scaled[i] = s;
      if (s < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns] as number;
      const l = large[nl - 1] as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      const rest = (scaled[l] as number) + (scaled[s] as number) - 1;
      scaled[l] = rest;
      if (rest < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // Whatever is left has weight 1 up to rounding.
    while (nl > 0) {
      const l = large[--nl] as number;
      this.prob[l] = 1;
      this.alias[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns] as number;
      // A zero weight must never be drawn, even after rounding errors.
      this.prob[s] = (weights[s] as number) > 0 ? 1 : 0;
      this.alias[s] = (weights[s] as number) > 0 ? s : heaviest;
    }
  }

  /** Draws an index in 0..size-1 with probability weight[i] / Σ weights. */
  sample(rng: Random): number {
    const i = rng.int(this.size);
    return rng.next() < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }
}
