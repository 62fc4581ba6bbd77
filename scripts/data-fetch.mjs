#!/usr/bin/env node
// `npm run data:fetch [-- --from DIR]`: puts ml-latest-small.zip into public/datasets/
// (downloaded from GroupLens, or copied from DIR), checks its size and sha256, and
// writes public/datasets/index.json, which the app reads to offer the bundled dataset.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const DATASET = {
  name: 'MovieLens Latest Small',
  file: 'ml-latest-small.zip',
  url: 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip',
  bytes: 978_033,
  sha256: 'bae43bdb22a0b1e227cc86fb401306abf2f768e351ecdf38e09d7bc2fa3aa2c1',
};

const { values } = parseArgs({ options: { from: { type: 'string' } } });
let bytes;
if (values.from) {
  const path = join(values.from, DATASET.file);
  console.log(`Copying ${path}`);
  bytes = readFileSync(path);
} else {
  console.log(`Downloading ${DATASET.url}`);
  const res = await fetch(DATASET.url).catch((e) => {
    console.error(
      `Download failed: ${e.message}. Use --from DIR with a folder that holds ${DATASET.file}.`,
    );
    process.exit(1);
  });
  if (!res.ok) {
    console.error(`Download failed: ${res.status} ${res.statusText}`);
    process.exit(1);
  }
  bytes = Buffer.from(await res.arrayBuffer());
}
const sha = createHash('sha256').update(bytes).digest('hex');
if (bytes.length !== DATASET.bytes || sha !== DATASET.sha256) {
  console.error(
    `${DATASET.file} does not match: expected ${DATASET.bytes} bytes, sha256 ${DATASET.sha256}; ` +
      `got ${bytes.length} bytes, sha256 ${sha}. Nothing was written.`,
  );
  process.exit(1);
}
mkdirSync('public/datasets', { recursive: true });
writeFileSync(join('public/datasets', DATASET.file), bytes);
const index = [{ name: DATASET.name, file: DATASET.file, bytes: DATASET.bytes }];
writeFileSync('public/datasets/index.json', JSON.stringify(index, null, 2) + '\n');
console.log(
  `Wrote public/datasets/${DATASET.file} (${bytes.length} bytes, sha256 ok) and index.json.`,
);
