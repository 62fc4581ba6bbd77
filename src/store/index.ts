/** The store: the only code that touches IndexedDB. */
export * from './db.ts';
export * from './datasets.ts';
export * from './read.ts';
export * from './write.ts';
export * from './storage.ts';
export * from './embeddings.ts';
export * from './models.ts';
export * from './profile.ts';
export * from './profile-copy.ts';
export * from './import-check.ts';
