/**
 * One zip entry's bytes, read at known offsets: the compressed bytes are read
 * a few MiB at a time (after a small first read, the next read already under
 * way while the current one is unpacked), pushed through fflate's streaming `Inflate` in smaller pieces
 * so that little unpacked data is held at once, and checked against the
 * central directory's size and CRC-32 before the last piece is handed over.
 */
import { Inflate } from 'fflate';
import { crc32 } from './crc32.ts';
import { damaged } from './zip.ts';
import type { ZipSource } from './zip-central.ts';

/** Where an entry's compressed bytes lie, and what they must unpack to. */
export interface EntrySpan {
  name: string;
  /** 0: stored, 8: deflate. */
  method: number;
  crc: number;
  /** Unpacked size. */
  size: number;
  /** The compressed bytes: from `start` up to `end` (exclusive). */
  start: number;
  end: number;
}

/** Bytes read at once. */
export const READ = 2 * 1024 * 1024;
/** An entry's first read is small: many entries are only peeked at. */
const FIRST_READ = 64 * 1024;
/**
 * Compressed bytes pushed into the inflater at once (fflate's, or the native
 * one's): its output for one push (MovieLens text inflates about 4 to 1) is
 * what is handed over, and held, at once. Neither inflater stops within a
 * push, and the unpacked bytes are counted only after it, so this bounds the
 * memory a zip bomb can take before it is noticed: deflate inflates at most
 * about 1,030 to 1, some 66 MB for 64 KiB.
 */
const PIECE = 64 * 1024;

/** Reports the archive position reached, never going back. */
export class Advance {
  private at = 0;

  constructor(private readonly onBytes: ((n: number) => void) | undefined) {}

  /** The archive's bytes before `position` have been passed. */
  to(position: number): void {
    if (position <= this.at) return;
    this.onBytes?.(position - this.at);
    this.at = position;
  }
}

/** Whether the platform has a native raw-deflate decompressor (browsers, Node ≥ 20). */
const NATIVE_INFLATE = (() => {
  try {
    new DecompressionStream('deflate-raw');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Entries at least this large (compressed) use the native decompressor. Its
 * pipe reads ahead eagerly, which costs little on the big entries (ratings,
 * read through anyway) but would defeat peeking at small skipped ones.
 */
const NATIVE_MIN = 4 * 1024 * 1024;

/**
 * Streams the unpacked bytes of the entry at `span`. Deflated entries go
 * through the native `DecompressionStream('deflate-raw')` where there is one
 * (about twice as fast as fflate, measured on a 5M-rating ratings.csv), else
 * fflate. Throws 'corrupt-zip'
 * (naming the entry) when it does not inflate, or when its size or CRC-32
 * differs from the directory's: at the latest before its last bytes are
 * given, and as soon as it grows past its size.
 */
export function entryBytes(
  src: ZipSource,
  span: EntrySpan,
  advance: Advance | null,
  inflater: 'auto' | 'native' | 'fflate' = 'auto',
): AsyncGenerator<Uint8Array> {
  const native =
    inflater === 'native' ||
    (inflater === 'auto' && NATIVE_INFLATE && span.end - span.start >= NATIVE_MIN);
  return span.method === 8 && native
    ? nativeEntryBytes(src, span, advance)
    : fflateEntryBytes(src, span, advance);
}

/** The compressed bytes of `span`, read with one read ahead once the entry is being read through. */
async function* compressed(
  src: ZipSource,
  span: EntrySpan,
): AsyncGenerator<{ buf: Uint8Array; at: number }> {
  let pos = span.start;
  let step = FIRST_READ;
  let next: Promise<Uint8Array> | null = null;
  while (pos < span.end) {
    const buf = await (next ?? readAhead(src, pos, Math.min(step, span.end - pos)));
    const at = pos;
    pos += buf.length;
    next =
      step === READ && pos < span.end ? readAhead(src, pos, Math.min(READ, span.end - pos)) : null;
    step = READ;
    yield { buf, at };
  }
}

async function* nativeEntryBytes(
  src: ZipSource,
  span: EntrySpan,
  advance: Advance | null,
): AsyncGenerator<Uint8Array> {
  const input = compressed(src, span);
  let readError: unknown = null;
  // The read being passed on, a PIECE at a time.
  let buf: Uint8Array<ArrayBuffer> | null = null;
  let bufAt = 0;
  let used = 0;
  const source = new ReadableStream<BufferSource>(
    {
      async pull(ctrl) {
        try {
          if (!buf || used >= buf.length) {
            const r = await input.next();
            if (r.done) return ctrl.close();
            buf = r.value.buf as Uint8Array<ArrayBuffer>; // reads return fresh ArrayBuffers
            bufAt = r.value.at;
            used = 0;
          }
          const piece = buf.subarray(used, used + PIECE);
          used += piece.length;
          advance?.to(bufAt + used);
          ctrl.enqueue(piece);
        } catch (e) {
          readError = e;
          ctrl.error(e);
        }
      },
      cancel: () => void input.return(undefined),
    },
    { highWaterMark: 0 },
  );
  const reader = source.pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  let size = 0;
  let crc = 0;
  // Hold one chunk back so the size and CRC are checked before the last bytes are handed over.
  let held: Uint8Array | null = null;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (readError) throw readError;
        throw src.corrupt(
          `${span.name} cannot be unpacked (${e instanceof Error ? e.message : String(e)})`,
        );
      }
      if (r.done) break;
      size += r.value.length;
      if (size > span.size)
        throw src.corrupt(`${span.name} unpacks to more than ${span.size} bytes`);
      crc = crc32(crc, r.value);
      if (held) yield held;
      held = r.value;
    }
    if (size !== span.size || crc !== span.crc)
      throw src.corrupt(damaged(span.name, span.size, size));
    if (held) yield held;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function* fflateEntryBytes(
  src: ZipSource,
  span: EntrySpan,
  advance: Advance | null,
): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let size = 0;
  let crc = 0;
  const take = (d: Uint8Array): void => {
    if (d.length === 0) return;
    size += d.length;
    crc = crc32(crc, d);
    out.push(d);
  };
  const inflater = span.method === 8 ? new Inflate((d) => take(d)) : null;
  const check = (): void => {
    if (size !== span.size || crc !== span.crc)
      throw src.corrupt(damaged(span.name, span.size, size));
  };
  for await (const { buf, at } of compressed(src, span)) {
    const pos = at + buf.length;
    for (let i = 0; i < buf.length; i += PIECE) {
      const piece = buf.subarray(i, i + PIECE);
      const last = pos === span.end && i + PIECE >= buf.length;
      if (inflater) inflate(src, span, inflater, piece, last);
      else take(piece);
      if (size > span.size)
        throw src.corrupt(`${span.name} unpacks to more than ${span.size} bytes`);
      if (last) check();
      advance?.to(at + i + piece.length);
      while (out.length > 0) yield out.shift()!;
    }
  }
  if (span.start === span.end) check();
}

/**
 * Starts a read that is awaited later. Its failure counts as handled until
 * then, so that a read nobody waits for any more (the entry was left) is no
 * unhandled rejection; awaiting it still throws.
 */
function readAhead(src: ZipSource, offset: number, length: number): Promise<Uint8Array> {
  const p = src.read(offset, length);
  p.catch(() => undefined);
  return p;
}

function inflate(
  src: ZipSource,
  span: EntrySpan,
  inflater: Inflate,
  piece: Uint8Array,
  last: boolean,
): void {
  try {
    inflater.push(piece, last);
  } catch (e) {
    throw src.corrupt(
      `${span.name} cannot be unpacked (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}
