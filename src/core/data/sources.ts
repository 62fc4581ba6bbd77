/**
 * Where import bytes come from. Everything here streams: a file is read as a
 * sequence of Uint8Array chunks, or in pieces at given offsets, never held
 * whole. The node CLI builds its own sources from fs streams and file reads;
 * these helpers cover browsers, workers and tests.
 */

/** One file's bytes, streamed. `size` is -1 when unknown (a zip entry with a data descriptor). */
export interface SourceFile {
  name: string;
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

/**
 * One blob: a zip or a single file. `read`, when the blob allows random access
 * (a File or Blob, a file on disk; not a download stream), returns `length`
 * bytes at `offset` (fewer only at its end); a zip is then read through its
 * central directory. With `read`, `size` must be exact.
 */
export interface BlobImport {
  kind: 'blob';
  name: string;
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
  read?(offset: number, length: number): Promise<Uint8Array>;
}

/** What the user gave us: one blob (a zip, or a single file) or several extracted files (a folder or multi-select). */
export type ImportInput = BlobImport | { kind: 'files'; files: SourceFile[] };

/** Size of the pieces read from a Blob. */
export const BLOB_PIECE = 2 * 1024 * 1024;

/** Reads a Blob in `piece`-sized slices (bounded memory, works in browsers, workers and node). */
export async function* blobChunks(blob: Blob, piece = BLOB_PIECE): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < blob.size; at += piece) {
    const buf = await blob.slice(at, Math.min(blob.size, at + piece)).arrayBuffer();
    yield new Uint8Array(buf);
  }
}

/** A Blob (or File) as an import input: a zip or a single MovieLens file. */
export function blobInput(blob: Blob, name?: string): ImportInput {
  const n = name ?? (isFile(blob) ? blob.name : 'data');
  return {
    kind: 'blob',
    name: n,
    size: blob.size,
    chunks: () => blobChunks(blob),
    read: async (offset, length) =>
      new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/**
 * Files picked in a browser (a folder or a multi-select). Names keep the
 * folder path (`webkitRelativePath`) when the browser gives one.
 */
export function filesInput(files: File[]): ImportInput {
  return {
    kind: 'files',
    files: files.map((f) => ({
      name: relativePath(f),
      size: f.size,
      chunks: () => blobChunks(f),
    })),
  };
}

/** An in-memory file, cut into `chunkSize` pieces (tests, generated data). */
export function bytesFile(name: string, data: Uint8Array, chunkSize = 1 << 20): SourceFile {
  return { name, size: data.length, chunks: () => sliced(data, chunkSize) };
}

/** In-memory bytes as a 'blob' input (a zip or a single file), with random access. */
export function bytesInput(name: string, data: Uint8Array, chunkSize = 1 << 20): ImportInput {
  return {
    kind: 'blob',
    name,
    size: data.length,
    chunks: () => sliced(data, chunkSize),
    read: (offset, length) => Promise.resolve(data.subarray(offset, offset + length)),
  };
}

/** The last part of a slash-separated path: "ml-100k/u.data" → "u.data". */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

async function* sliced(data: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  const step = Math.max(1, chunkSize);
  for (let at = 0; at < data.length; at += step) yield data.subarray(at, at + step);
}

function isFile(b: Blob): b is File {
  return typeof (b as { name?: unknown }).name === 'string';
}

function relativePath(f: File): string {
  const rel = (f as { webkitRelativePath?: string }).webkitRelativePath;
  return rel !== undefined && rel !== '' ? rel : f.name;
}
