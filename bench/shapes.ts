/** Generated stand-ins for datasets that ../shared/datasets lacks, shared by the benches. */
import type { SyntheticOptions } from '../src/core/data/synthetic.ts';

/** ml-1m's shape: 1,000,209 whole-star ratings by 6,040 users of 3,706 movies. */
export const ML_1M_SHAPE: SyntheticOptions = {
  ratings: 1_000_209,
  users: 6_040,
  movies: 3_706,
  seed: 1,
  halfStars: false,
};
