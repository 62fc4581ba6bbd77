/** Turns a path (a zip, a single file or a folder of extracted files) into an ImportInput. */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImportInput, SourceFile } from '../core/data/sources.ts';

async function* readChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    yield chunk as Buffer;
  }
}

function fileSource(path: string, size: number): SourceFile {
  return { name: basename(path), size, chunks: () => readChunks(path) };
}

export async function nodeInput(path: string): Promise<ImportInput> {
  const st = await stat(path);
  if (!st.isDirectory()) {
    return { kind: 'blob', name: basename(path), size: st.size, chunks: () => readChunks(path) };
  }
  const files: SourceFile[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = join(path, entry.name);
    files.push(fileSource(p, (await stat(p)).size));
  }
  return { kind: 'files', files };
}
