/** Files from a drop: plain files and, where the browser allows, whole folders. */
import type { ImportSource } from '../../../workers/protocol.ts';

/** True while a drag carries files (not text or links). */
export function dragHasFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false;
}

/** Every file in a drop, walking into dropped folders. */
export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dt.files);
  const out: File[] = [];
  for (const e of entries) await collect(e, out);
  return out;
}

async function collect(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the folder in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) return;
    for (const e of batch) await collect(e, out);
  }
}

/** One file → a 'file' source (a zip or a single CSV); several → 'files'. */
export function sourceFromFiles(files: File[]): ImportSource | null {
  if (files.length === 0) return null;
  if (files.length === 1) return { kind: 'file', file: files[0]! };
  return { kind: 'files', files };
}
