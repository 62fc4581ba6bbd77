import { describe, expect, it } from 'vitest';
import { homeIndexes, orderGenres } from '../../../src/ui/lib/home.ts';

describe('Home helpers', () => {
  it('lists every Home movie once, in row order', () => {
    const home = {
      topRated: [3, 1],
      mostRated: [1, 2],
      byGenre: { Drama: [2, 5], Comedy: [3, 4] },
      genreSizes: { Drama: 2, Comedy: 2 },
    };
    expect(homeIndexes(home)).toEqual([3, 1, 2, 5, 4]);
  });

  it('orders genres by size, skipping empty and pseudo-genres', () => {
    const order = orderGenres({
      topRated: [],
      mostRated: [],
      byGenre: {
        Action: [0],
        Drama: [1, 2, 3],
        Comedy: [1, 2, 3, 4],
        '(no genres listed)': [0, 1],
        Western: [],
      },
      genreSizes: { Action: 9, Drama: 3, Comedy: 4, '(no genres listed)': 20, Western: 1 },
    });
    expect(order).toEqual(['Action', 'Comedy', 'Drama']);
  });
});
