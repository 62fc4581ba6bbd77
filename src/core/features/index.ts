/** Features: sequences, the time split, movie and user features, samples. */
export * from './sequences.ts';
export * from './split.ts';
export * from './movie-features.ts';
export * from './user-features.ts';
export * from './samples.ts';
