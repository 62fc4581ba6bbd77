/**
 * The synthetic data must carry signal a model can learn, and these checks
 * fail on random data (each has a shuffled-ratings or random-pairs control).
 */
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/core/data/synthetic.ts';
import { Random } from '../../../src/core/random.ts';

const { dataset: ds, truth } = generateSynthetic({ ratings: 100_000, seed: 5 });
const { user, movie, rating, userOffsets } = ds.ratings;
const K = truth.factors;

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

function affinity(u: number, m: number): number {
  let d = 0;
  for (let f = 0; f < K; f++)
    d += (truth.userVec[u * K + f] as number) * (truth.movieVec[m * K + f] as number);
  return d;
}

/** Held-out error of "user mean" vs "user mean + the user's shrunk genre offsets" (last 20% by time). */
function genreGain(stars: Uint8Array): { userMean: number; withGenres: number } {
  let seA = 0;
  let seB = 0;
  let n = 0;
  const G = ds.genres.length;
  for (let u = 0; u < ds.users.length; u++) {
    const from = userOffsets[u] as number;
    const to = userOffsets[u + 1] as number;
    const cut = from + Math.floor((to - from) * 0.8);
    let s = 0;
    for (let r = from; r < cut; r++) s += stars[r] as number;
    const mean = s / (cut - from);
    const dev = new Float64Array(G);
    const cnt = new Float64Array(G);
    for (let r = from; r < cut; r++)
      for (const g of truth.movieGenres[movie[r] as number] ?? []) {
        dev[g] = (dev[g] as number) + (stars[r] as number) - mean;
        cnt[g] = (cnt[g] as number) + 1;
      }
    for (let r = cut; r < to; r++) {
      const gs = truth.movieGenres[movie[r] as number] ?? [];
      let d = 0;
      for (const g of gs) d += (dev[g] as number) / ((cnt[g] as number) + 5);
      const y = stars[r] as number;
      seA += (y - mean) ** 2;
      seB += (y - mean - d / gs.length) ** 2;
      n++;
    }
  }
  return { userMean: Math.sqrt(seA / n), withGenres: Math.sqrt(seB / n) };
}

describe('synthetic data is learnable', () => {
  it('ratings follow the true affinity far more than popularity', () => {
    const aff = Float64Array.from(movie, (m, r) => affinity(user[r] as number, m));
    const pop = Float64Array.from(movie, (m) => Math.log(truth.popularity[m] as number));
    const byAffinity = pearson(rating, aff);
    expect(byAffinity).toBeGreaterThan(0.35);
    expect(byAffinity).toBeGreaterThan(Math.abs(pearson(rating, pop)) + 0.25);
    // Control: shuffled ratings lose the link.
    const shuffled = new Random(1).shuffle(Uint8Array.from(rating));
    expect(Math.abs(pearson(shuffled, aff))).toBeLessThan(0.05);
  });

  it("a user's genre tastes, learned from earlier ratings, predict later ones", () => {
    const real = genreGain(rating);
    expect(real.withGenres).toBeLessThan(real.userMean * 0.98);
    const control = genreGain(new Random(2).shuffle(Uint8Array.from(rating)));
    expect(control.withGenres).toBeGreaterThan(control.userMean * 0.995);
  });

  it('movies sharing a main genre have closer factor vectors (genre = cluster)', () => {
    const cos = (a: number, b: number) => {
      let d = 0;
      let na = 0;
      let nb = 0;
      for (let f = 0; f < K; f++) {
        const x = truth.movieVec[a * K + f] as number;
        const y = truth.movieVec[b * K + f] as number;
        d += x * y;
        na += x * x;
        nb += y * y;
      }
      return d / Math.sqrt(na * nb);
    };
    const rng = new Random(3);
    let same = 0;
    let sameN = 0;
    let other = 0;
    let otherN = 0;
    for (let p = 0; p < 20_000; p++) {
      const a = rng.int(ds.movies.length);
      const b = rng.int(ds.movies.length);
      if (a === b) continue;
      if (truth.cluster[a] === truth.cluster[b]) {
        same += cos(a, b);
        sameN++;
      } else {
        other += cos(a, b);
        otherN++;
      }
    }
    expect(same / sameN).toBeGreaterThan(other / otherN + 0.3);
  });

  it("which movies a user rates follows the user's favourite genre", () => {
    // Share of each user's later movies whose main genre is the user's most
    // frequent main genre so far, against the same share for random ratings.
    let hits = 0;
    let base = 0;
    let n = 0;
    const rng = new Random(4);
    for (let u = 0; u < ds.users.length; u++) {
      const from = userOffsets[u] as number;
      const to = userOffsets[u + 1] as number;
      const cut = from + Math.floor((to - from) * 0.8);
      const counts = new Int32Array(ds.genres.length);
      for (let r = from; r < cut; r++) counts[truth.cluster[movie[r] as number] as number]! += 1;
      const top = counts.indexOf(Math.max(...counts));
      for (let r = cut; r < to; r++) {
        if (truth.cluster[movie[r] as number] === top) hits++;
        if (truth.cluster[movie[rng.int(movie.length)] as number] === top) base++;
        n++;
      }
    }
    expect(hits / n).toBeGreaterThan((base / n) * 1.5);
  });
});
