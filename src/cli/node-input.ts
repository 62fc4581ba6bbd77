/** Turns a path (a zip, a single file or a folder of extracted files) into an ImportInput. */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImportInput, SourceFile } from '../core/data/sources.ts';

async function* readChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    yield chunk as Buffer;
  }
}

/**
 * Reads `length` bytes at `offset` of the file at `path` (fewer at its end).
 * The file is opened for each read: reads are a few MiB, so this costs
 * nothing measurable, and no handle is left open when an import stops.
 */
export async function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === length ? buf : buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

function fileSource(path: string, size: number): SourceFile {
  return { name: basename(path), size, chunks: () => readChunks(path) };
}

/** A file becomes a 'blob' input with random access; a folder, its files. */
export async function nodeInput(path: string): Promise<ImportInput> {
  const st = await stat(path);
  if (!st.isDirectory()) {
    return {
      kind: 'blob',
      name: basename(path),
      size: st.size,
      chunks: () => readChunks(path),
      read: (offset, length) => readAt(path, offset, length),
    };
  }
  const files: SourceFile[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = join(path, entry.name);
    files.push(fileSource(p, (await stat(p)).size));
  }
  return { kind: 'files', files };
}
