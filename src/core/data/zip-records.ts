/**
 * The fixed records of a zip archive: local file headers, the end of central
 * directory and the central directory. The streaming reader checks them on
 * its own (early CRC checks; proof that the archive is complete and every
 * entry unpacked to the right bytes); the central-directory reader is built
 * on them. Zip64 sizes and offsets are understood.
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
export const SIG_END64 = 0x06064b50;
export const SIG_LOCATOR64 = 0x07064b50;

/** What a local file header says about its entry. */
export interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Header length: 30 + name + extra field. */
  headerLength: number;
  /** Sizes and CRC come after the data (general purpose flag bit 3). */
  dataDescriptor: boolean;
}

/** One central directory entry. */
export interface CentralEntry {
  name: string;
  /** General purpose flags (bit 0: encrypted; bit 3: data descriptor). */
  flags: number;
  /** Compression method: 0 stored, 8 deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
}

/** The end of the archive, as read from its last bytes. */
export interface ArchiveEnd {
  /** Entries the archive says it holds. */
  count: number;
  /** Where the central directory starts and how long it is. */
  cdOffset: number;
  cdSize: number;
  /** Where the directory should end: the (zip64) end record's offset. */
  cdEnd: number;
  /** The central directory, or null when it lies before the bytes kept. */
  entries: CentralEntry[] | null;
}

export function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

export function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

const utf8 = new TextDecoder();

/** Decodes an entry name the way fflate does: UTF-8 when flag bit 11 is set, else byte = char. */
export function entryName(b: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < b.length; i += 4096)
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  return s;
}

/**
 * Reads the local header at `at`: 'short' when more bytes are needed, null
 * when no local header signature is there.
 */
export function readLocalHeader(b: Uint8Array, at: number): LocalHeader | 'short' | null {
  if (b.length - at < 30) return 'short';
  if (u32(b, at) !== SIG_LOCAL) return null;
  const nameLen = u16(b, at + 26);
  const extraLen = u16(b, at + 28);
  const headerLength = 30 + nameLen + extraLen;
  if (b.length - at < headerLength) return 'short';
  const flags = u16(b, at + 6);
  const sizes = zip64Fields(
    b.subarray(at + 30 + nameLen, at + headerLength),
    u32(b, at + 22),
    u32(b, at + 18),
    0,
  );
  return {
    name: entryName(b.subarray(at + 30, at + 30 + nameLen), (flags & 0x800) !== 0),
    flags,
    method: u16(b, at + 8),
    crc: u32(b, at + 14),
    size: sizes.size,
    compressedSize: sizes.compressedSize,
    headerLength,
    dataDescriptor: (flags & 8) !== 0,
  };
}

interface Zip64Fields {
  size: number;
  compressedSize: number;
  offset: number;
}

/**
 * Sizes and local header offset, replacing 0xFFFFFFFF values with those in
 * the zip64 extra field (which holds only the replaced ones, in this order).
 */
function zip64Fields(
  extra: Uint8Array,
  size: number,
  compressedSize: number,
  offset: number,
): Zip64Fields {
  const out = { size, compressedSize, offset };
  const keys = (['size', 'compressedSize', 'offset'] as const).filter((k) => out[k] === 0xffffffff);
  if (keys.length === 0) return out;
  for (let i = 0; i + 4 <= extra.length;) {
    const id = u16(extra, i);
    const len = u16(extra, i + 2);
    if (id === 1) {
      let at = i + 4;
      for (const k of keys) {
        if (at + 8 > Math.min(extra.length, i + 4 + len)) break;
        out[k] = u64(extra, at);
        at += 8;
      }
      break;
    }
    i += 4 + len;
  }
  return out;
}

/**
 * Finds the end of central directory in the archive's last bytes: `tail`
 * holds the archive's bytes from `tailStart` to its end. Returns null when the archive does not end
 * with one (it is truncated), 'trailing' when one is there but followed by
 * bytes that do not belong to it.
 */
export function readArchiveEnd(
  tail: Uint8Array,
  tailStart: number,
): ArchiveEnd | 'trailing' | null {
  let at = -1;
  let trailing = false;
  let short = false;
  const lowest = Math.max(0, tail.length - 22 - 0xffff - 1024);
  for (let i = tail.length - 22; i >= lowest; i--) {
    if (u32(tail, i) !== SIG_END) continue;
    const comment = u16(tail, i + 20);
    const after = tail.length - i - 22;
    if (comment === after) {
      at = i;
      break;
    }
    // A comment cut short means a truncated archive; bytes beyond it, an archive with stray bytes.
    if (comment > after) short = true;
    else trailing = true;
  }
  if (at < 0) return trailing && !short ? 'trailing' : null;
  let count = u16(tail, at + 10);
  let cdSize = u32(tail, at + 12);
  let cdOffset = u32(tail, at + 16);
  let cdEnd = tailStart + at;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = at - 20;
    if (loc >= 0 && u32(tail, loc) === SIG_LOCATOR64) {
      const recAbs = u64(tail, loc + 8);
      const rec = recAbs - tailStart;
      if (rec >= 0 && rec + 56 <= tail.length && u32(tail, rec) === SIG_END64) {
        count = u64(tail, rec + 32);
        cdSize = u64(tail, rec + 40);
        cdOffset = u64(tail, rec + 48);
        cdEnd = recAbs;
      }
    }
  }
  const cdRel = cdOffset - tailStart;
  const entries =
    cdRel >= 0 && cdRel + cdSize <= tail.length
      ? readCentralDirectory(tail.subarray(cdRel, cdRel + cdSize))
      : null;
  return { count, cdOffset, cdSize, cdEnd, entries };
}

/** Parses a central directory; stops at the first record that is not an entry. */
export function readCentralDirectory(b: Uint8Array): CentralEntry[] {
  const out: CentralEntry[] = [];
  let at = 0;
  while (at + 46 <= b.length && u32(b, at) === SIG_CENTRAL) {
    const flags = u16(b, at + 8);
    const nameLen = u16(b, at + 28);
    const extraLen = u16(b, at + 30);
    const commentLen = u16(b, at + 32);
    const end = at + 46 + nameLen + extraLen + commentLen;
    if (end > b.length) break;
    const fields = zip64Fields(
      b.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen),
      u32(b, at + 24),
      u32(b, at + 20),
      u32(b, at + 42),
    );
    out.push({
      name: entryName(b.subarray(at + 46, at + 46 + nameLen), (flags & 0x800) !== 0),
      flags,
      method: u16(b, at + 10),
      crc: u32(b, at + 16),
      ...fields,
    });
    at = end;
  }
  return out;
}
