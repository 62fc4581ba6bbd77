// AssemblyScript, not TypeScript: the skip-gram inner loop in WebAssembly with
// 128-bit SIMD. Compiled by `npm run build:wasm` into sgns-wasm.generated.ts;
// the caller (../sgns-wasm.ts) owns the memory layout and passes pointers.
// Same algorithm as ../sgns-cpu.ts: word2vec's reduced window, subsampling,
// unigram^exponent negatives, linear learning-rate decay, plain SGD.

let dim: i32 = 0;
let win: i32 = 1;
let negatives: i32 = 5;
let tableMask: u32 = 0;
let syn0: usize = 0;
let syn1: usize = 0;
let table: usize = 0;
let keep: usize = 0;
let corpus: usize = 0;
let offsets: usize = 0;
let neu: usize = 0;
let buf: usize = 0;
let sigmoid: usize = 0;
let lossPos: usize = 0;
let lossNeg: usize = 0;
let rng: u32 = 1;
// Delayed updates (several threads on shared vectors, sgns-team.ts): a
// thread's changes to syn0 and syn1 gather in its own d0/d1 rows and reach
// the shared rows every flushTokens tokens (at a sentence's end) and at the
// end of each call, instead of after every pair. With a few thousand movies
// every row is hot: written after each pair, rows bounced between the cores'
// caches and two threads ran no faster than one. Flushing after each
// sentence was not enough (ml-1m-shaped data); after each call (~10k
// tokens) lost HR@10 on ml-latest-small; 2,000 tokens kept it.
let delayed: bool = false;
let d0: usize = 0;
let d1: usize = 0;
let mark: usize = 0;
let touched: usize = 0;
let nTouched: i32 = 0;
let sinceFlush: i32 = 0;
let flushTokens: i32 = 2000;
let lossSum: f64 = 0;
let lossCount: i32 = 0;
let pairs: u32 = 0;

const MAX_EXP: f32 = 6;
const SIG_TABLE: i32 = 4096;
const SIG_SCALE: f32 = <f32>SIG_TABLE / (2 * MAX_EXP);

export function setup(
  dim_: i32,
  win_: i32,
  negatives_: i32,
  tableMask_: u32,
  seed: u32,
  syn0_: usize,
  syn1_: usize,
  table_: usize,
  keep_: usize,
  corpus_: usize,
  offsets_: usize,
  neu_: usize,
  buf_: usize,
  sigmoid_: usize,
  lossPos_: usize,
  lossNeg_: usize,
): void {
  dim = dim_;
  win = win_;
  negatives = negatives_;
  tableMask = tableMask_;
  rng = seed | 1;
  syn0 = syn0_;
  syn1 = syn1_;
  table = table_;
  keep = keep_;
  corpus = corpus_;
  offsets = offsets_;
  neu = neu_;
  buf = buf_;
  sigmoid = sigmoid_;
  lossPos = lossPos_;
  lossNeg = lossNeg_;
  lossSum = 0;
  lossCount = 0;
  pairs = 0;
}

@inline
function nextRandom(): u32 {
  let x = rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng = x;
  return x;
}

/**
 * Turns on delayed updates with this thread's buffers (each vocabulary × dim
 * floats, zeroed; mark: a byte a row; touched: an i32 a row), flushed every
 * `flushTokens_` tokens.
 */
export function setupDelayed(
  d0_: usize,
  d1_: usize,
  mark_: usize,
  touched_: usize,
  flushTokens_: i32,
): void {
  delayed = true;
  flushTokens = max(1, flushTokens_);
  sinceFlush = 0;
  d0 = d0_;
  d1 = d1_;
  mark = mark_;
  touched = touched_;
  nTouched = 0;
}

@inline
function touch(row: i32, bit: u8): void {
  const m = load<u8>(mark + <usize>row);
  if (m == 0) {
    store<i32>(touched + (<usize>nTouched << 2), row);
    nTouched++;
  }
  store<u8>(mark + <usize>row, m | bit);
}

/** Adds src to dst and zeroes src, `dim` floats. */
@inline
function flushRow(dst: usize, src: usize): void {
  const zero = f32x4.splat(0);
  let k: i32 = 0;
  for (; k + 4 <= dim; k += 4) {
    const o = <usize>(k << 2);
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    v128.store(src + o, zero);
  }
  for (; k < dim; k++) {
    const o = <usize>(k << 2);
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    store<f32>(src + o, 0);
  }
}

/** Applies the sentence's gathered changes to the shared rows. */
function flush(): void {
  for (let i: i32 = 0; i < nTouched; i++) {
    const row = load<i32>(touched + (<usize>i << 2));
    const m = load<u8>(mark + <usize>row);
    const at = <usize>(row * dim) * 4;
    if (m & 1) flushRow(syn0 + at, d0 + at);
    if (m & 2) flushRow(syn1 + at, d1 + at);
    store<u8>(mark + <usize>row, 0);
  }
  nTouched = 0;
}

/** Dot product of two rows of `dim` floats. */
@inline
function dot(a: usize, b: usize): f32 {
  let acc = f32x4.splat(0);
  let k: i32 = 0;
  for (; k + 4 <= dim; k += 4) {
    const o = <usize>(k << 2);
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let f: f32 =
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3);
  for (; k < dim; k++) {
    const o = <usize>(k << 2);
    f += load<f32>(a + o) * load<f32>(b + o);
  }
  return f;
}

/** One centre/context pair with its negatives: updates syn1 rows and accumulates the syn0 gradient in neu. */
@inline
function trainPair(word: i32, ctx: i32, alpha: f32): void {
  const l1 = syn0 + <usize>(ctx * dim) * 4;
  let k: i32 = 0;
  for (; k + 4 <= dim; k += 4) v128.store(neu + <usize>(k << 2), f32x4.splat(0));
  for (; k < dim; k++) store<f32>(neu + <usize>(k << 2), 0);
  for (let d: i32 = 0; d <= negatives; d++) {
    let target = word;
    let label: f32 = 1;
    if (d > 0) {
      target = load<i32>(table + (<usize>(nextRandom() & tableMask) << 2));
      if (target == word) continue;
      label = 0;
    }
    const l2 = syn1 + <usize>(target * dim) * 4;
    const f = dot(l1, l2);
    // Saturated pairs are skipped, as gensim does.
    if (f >= MAX_EXP || f <= -MAX_EXP) continue;
    const t = <i32>((f + MAX_EXP) * SIG_SCALE);
    const sig = load<f32>(sigmoid + (<usize>t << 2));
    pairs++;
    if ((pairs & 7) == 0) {
      lossSum += <f64>load<f32>((label > 0 ? lossPos : lossNeg) + (<usize>t << 2));
      lossCount++;
    }
    const g = (label - sig) * alpha;
    const gv = f32x4.splat(g);
    k = 0;
    for (; k + 4 <= dim; k += 4) {
      const o = <usize>(k << 2);
      const out = v128.load(l2 + o);
      v128.store(neu + o, f32x4.add(v128.load(neu + o), f32x4.mul(gv, out)));
      v128.store(l2 + o, f32x4.add(out, f32x4.mul(gv, v128.load(l1 + o))));
    }
    for (; k < dim; k++) {
      const o = <usize>(k << 2);
      const out = load<f32>(l2 + o);
      store<f32>(neu + o, load<f32>(neu + o) + g * out);
      store<f32>(l2 + o, out + g * load<f32>(l1 + o));
    }
  }
  k = 0;
  for (; k + 4 <= dim; k += 4) {
    const o = <usize>(k << 2);
    v128.store(l1 + o, f32x4.add(v128.load(l1 + o), v128.load(neu + o)));
  }
  for (; k < dim; k++) {
    const o = <usize>(k << 2);
    store<f32>(l1 + o, load<f32>(l1 + o) + load<f32>(neu + o));
  }
}

/** trainPair with delayed updates: reads the shared rows, writes this thread's d0/d1. */
@inline
function trainPairDelayed(word: i32, ctx: i32, alpha: f32): void {
  const l1 = syn0 + <usize>(ctx * dim) * 4;
  let k: i32 = 0;
  for (; k + 4 <= dim; k += 4) v128.store(neu + <usize>(k << 2), f32x4.splat(0));
  for (; k < dim; k++) store<f32>(neu + <usize>(k << 2), 0);
  for (let d: i32 = 0; d <= negatives; d++) {
    let target = word;
    let label: f32 = 1;
    if (d > 0) {
      target = load<i32>(table + (<usize>(nextRandom() & tableMask) << 2));
      if (target == word) continue;
      label = 0;
    }
    const l2 = syn1 + <usize>(target * dim) * 4;
    const f = dot(l1, l2);
    if (f >= MAX_EXP || f <= -MAX_EXP) continue;
    const t = <i32>((f + MAX_EXP) * SIG_SCALE);
    const sig = load<f32>(sigmoid + (<usize>t << 2));
    pairs++;
    if ((pairs & 7) == 0) {
      lossSum += <f64>load<f32>((label > 0 ? lossPos : lossNeg) + (<usize>t << 2));
      lossCount++;
    }
    const g = (label - sig) * alpha;
    const gv = f32x4.splat(g);
    const e2 = d1 + <usize>(target * dim) * 4;
    touch(target, 2);
    k = 0;
    for (; k + 4 <= dim; k += 4) {
      const o = <usize>(k << 2);
      v128.store(neu + o, f32x4.add(v128.load(neu + o), f32x4.mul(gv, v128.load(l2 + o))));
      v128.store(e2 + o, f32x4.add(v128.load(e2 + o), f32x4.mul(gv, v128.load(l1 + o))));
    }
    for (; k < dim; k++) {
      const o = <usize>(k << 2);
      store<f32>(neu + o, load<f32>(neu + o) + g * load<f32>(l2 + o));
      store<f32>(e2 + o, load<f32>(e2 + o) + g * load<f32>(l1 + o));
    }
  }
  const e1 = d0 + <usize>(ctx * dim) * 4;
  touch(ctx, 1);
  k = 0;
  for (; k + 4 <= dim; k += 4) {
    const o = <usize>(k << 2);
    v128.store(e1 + o, f32x4.add(v128.load(e1 + o), v128.load(neu + o)));
  }
  for (; k < dim; k++) {
    const o = <usize>(k << 2);
    store<f32>(e1 + o, load<f32>(e1 + o) + load<f32>(neu + o));
  }
}

/**
 * Trains sentences [s0, s1). `processed` tokens came before (for the learning
 * rate decay over `total`); returns the new count.
 */
export function trainSentences(
  s0: i32,
  s1: i32,
  processed: f64,
  total: f64,
  lr0: f64,
  lrMin: f64,
): f64 {
  for (let s = s0; s < s1; s++) {
    const start = load<i32>(offsets + (<usize>s << 2));
    const end = load<i32>(offsets + (<usize>(s + 1) << 2));
    const alpha = <f32>Math.max(lrMin, lr0 - ((lr0 - lrMin) * processed) / total);
    processed += <f64>(end - start);
    let len: i32 = 0;
    for (let i = start; i < end; i++) {
      const r = load<i32>(corpus + (<usize>i << 2));
      const kp = load<f32>(keep + (<usize>r << 2));
      if (kp < 1 && kp < <f32>(nextRandom() >> 8) * (1.0 / 16777216.0)) continue;
      store<i32>(buf + (<usize>len << 2), r);
      len++;
    }
    for (let i: i32 = 0; i < len; i++) {
      const word = load<i32>(buf + (<usize>i << 2));
      const b = <i32>(nextRandom() % <u32>win);
      const lo = max(0, i - win + b);
      const hi = min(len, i + win + 1 - b);
      for (let j = lo; j < hi; j++) {
        if (j == i) continue;
        if (delayed) trainPairDelayed(word, load<i32>(buf + (<usize>j << 2)), alpha);
        else trainPair(word, load<i32>(buf + (<usize>j << 2)), alpha);
      }
    }
    sinceFlush += end - start;
    if (delayed && sinceFlush >= flushTokens) {
      flush();
      sinceFlush = 0;
    }
  }
  if (delayed) {
    flush();
    sinceFlush = 0;
  }
  return processed;
}

/** Mean sampled loss since the last call, and reset. */
export function takeLoss(): f64 {
  const m = lossCount > 0 ? lossSum / <f64>lossCount : 0;
  lossSum = 0;
  lossCount = 0;
  return m;
}
