/**
 * The automatic build's validation new users (personal.ts): below
 * VALIDATION_USERS they are newUserSplit(data, 1)'s, with the same liked
 * histories, catalogue and liked training ratings, so the λ chosen on a small
 * dataset does not change; above it a seeded sample of at most that many,
 * drawn from the same order.
 */
import { describe, expect, it } from 'vitest';
import { newUserSplit } from '../../../src/core/eval/new-user.ts';
import type { InteractionData } from '../../../src/core/eval/protocols.ts';
import { Random } from '../../../src/core/random.ts';
import { VALIDATION_USERS, validationSplit } from '../../../src/core/recommend/personal.ts';

/** `users` users, each rating 1–6 of 300 movies, about half of them liked (≥ 3.5 stars); every 50th rates nothing. */
function ratings(users: number): InteractionData {
  const rng = new Random(3, 4);
  const offsets = [0];
  const items: number[] = [];
  const stars: number[] = [];
  for (let u = 0; u < users; u++) {
    const n = u % 50 === 0 ? 0 : 1 + rng.int(6);
    for (let j = 0; j < n; j++) {
      items.push(rng.int(300));
      stars.push(2 + rng.int(9));
    }
    offsets.push(items.length);
  }
  return {
    userCount: users,
    itemCount: 300,
    train: { offsets: Int32Array.from(offsets), items: Int32Array.from(items) },
    trainRatings: Uint8Array.from(stars),
    trainTimes: Uint32Array.from(items, (_, i) => i),
    catalogue: new Uint8Array(300).fill(1),
  };
}

describe('validationSplit', () => {
  it('below the cap is newUserSplit(data, 1) on what the search reads', () => {
    const data = ratings(3_000);
    const before = newUserSplit(data, 1);
    const now = validationSplit(data);
    expect(before.users.length).toBe(588);
    expect(now.users).toEqual(before.users);
    expect(now.liked).toEqual(before.liked);
    expect(now.catalogue).toEqual(before.catalogue);
    expect(now.positives.train).toEqual(before.positives.train);
    expect(now.positives.trainRatings).toEqual(before.positives.trainRatings);
  });

  it('above the cap takes a seeded sample of VALIDATION_USERS, the rest all train', () => {
    const data = ratings(15_000);
    const uncapped = newUserSplit(data, 1).users;
    expect(uncapped.length).toBeGreaterThan(VALIDATION_USERS);
    const val = validationSplit(data);
    expect(val.users).toHaveLength(VALIDATION_USERS);
    expect(validationSplit(data).users).toEqual(val.users);
    const isUncapped = new Set(uncapped);
    for (const u of val.users) expect(isUncapped.has(u)).toBe(true);
    // Every other user's liked ratings train the search's EASE.
    const isNew = new Set(val.users);
    const { offsets } = val.positives.train;
    let liked = 0;
    for (let u = 0; u < data.userCount; u++) {
      if (isNew.has(u)) expect(offsets[u + 1]).toBe(offsets[u]);
      else
        for (let i = data.train.offsets[u]!; i < data.train.offsets[u + 1]!; i++)
          if (data.trainRatings[i]! >= 7) liked++;
    }
    expect(val.positives.train.items.length).toBe(liked);
    expect(val.liked).toHaveLength(VALIDATION_USERS);
  });
});
