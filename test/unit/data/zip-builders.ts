/**
 * Zips for the central-directory reader's tests: written the way streaming
 * zippers write them (data descriptors), rewritten as zip64, and the byte
 * patterns that fool a reader which looks for signatures in entry data.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { readArchiveEnd, type ArchiveEnd } from '../../../src/core/data/zip-records.ts';

/** A local header, a data descriptor and a central directory signature, in one run. */
export const SIGNATURES = new Uint8Array([
  0x50, 0x4b, 3, 4, 0x50, 0x4b, 7, 8, 0x50, 0x4b, 1, 2, 0, 0, 0, 0, 0x50, 0x4b, 7, 8,
]);

/** Joins byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A zip written by fflate's streaming `Zip`: every entry has a data
 * descriptor. 'stored' uses ZipPassThrough (method 0); 'deflate-0' deflates
 * at level 0 (method 8 made of stored blocks, so the entry's bytes appear as
 * they are in the compressed data); 'deflate' at level 6. Each entry is pushed
 * in pieces of `piece` bytes.
 */
export function streamZip(
  entries: Record<string, Uint8Array>,
  mode: 'stored' | 'deflate-0' | 'deflate',
  piece = 4096,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  for (const [name, data] of Object.entries(entries)) {
    const e =
      mode === 'stored'
        ? new ZipPassThrough(name)
        : new ZipDeflate(name, { level: mode === 'deflate' ? 6 : 0 });
    e.mtime = new Date(2020, 0, 1);
    zip.add(e);
    for (let at = 0; at < data.length; at += piece) e.push(data.subarray(at, at + piece));
    e.push(new Uint8Array(0), true);
  }
  zip.end();
  return join(parts);
}

/** The end records of a whole zip. */
export function archiveEnd(zip: Uint8Array): ArchiveEnd {
  const end = readArchiveEnd(zip, 0);
  if (end === null || end === 'trailing' || end.entries === null) throw new Error('not a zip');
  return end;
}

/**
 * The same zip with zip64 records: every central entry's sizes and offset
 * moved to a zip64 extra field, and a zip64 end record and locator before an
 * end record whose fields are all 0xFF.
 */
export function toZip64(zip: Uint8Array): Uint8Array {
  const end = archiveEnd(zip);
  const cd = zip.subarray(end.cdOffset, end.cdOffset + end.cdSize);
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const records: Uint8Array[] = [];
  for (let at = 0; at < cd.length;) {
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const fixed = cd.slice(at, at + 46);
    const fv = new DataView(fixed.buffer);
    const extra = new DataView(new ArrayBuffer(28));
    extra.setUint16(0, 1, true);
    extra.setUint16(2, 24, true);
    extra.setBigUint64(4, BigInt(fv.getUint32(24, true)), true);
    extra.setBigUint64(12, BigInt(fv.getUint32(20, true)), true);
    extra.setBigUint64(20, BigInt(fv.getUint32(42, true)), true);
    for (const f of [20, 24, 42]) fv.setUint32(f, 0xffffffff, true);
    fv.setUint16(30, extraLen + 28, true);
    const name = cd.subarray(at + 46, at + 46 + nameLen);
    const rest = cd.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen + commentLen);
    records.push(fixed, name, new Uint8Array(extra.buffer), rest);
    at += 46 + nameLen + extraLen + commentLen;
  }
  const dir = join(records);
  const recordAt = end.cdOffset + dir.length;
  const rec = new DataView(new ArrayBuffer(56));
  rec.setUint32(0, 0x06064b50, true);
  rec.setBigUint64(4, 44n, true);
  rec.setUint16(12, 45, true);
  rec.setBigUint64(24, BigInt(end.count), true);
  rec.setBigUint64(32, BigInt(end.count), true);
  rec.setBigUint64(40, BigInt(dir.length), true);
  rec.setBigUint64(48, BigInt(end.cdOffset), true);
  const loc = new DataView(new ArrayBuffer(20));
  loc.setUint32(0, 0x07064b50, true);
  loc.setBigUint64(8, BigInt(recordAt), true);
  loc.setUint32(16, 1, true);
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, 0xffff, true);
  eocd.setUint16(10, 0xffff, true);
  eocd.setUint32(12, 0xffffffff, true);
  eocd.setUint32(16, 0xffffffff, true);
  return join([
    zip.subarray(0, end.cdOffset),
    dir,
    new Uint8Array(rec.buffer),
    new Uint8Array(loc.buffer),
    new Uint8Array(eocd.buffer),
  ]);
}

/** Where the first occurrence of `needle` starts in `hay` (-1: none). */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
