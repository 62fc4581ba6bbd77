/**
 * Byte-level helpers for writing large text files as a stream of ~1 MB
 * chunks, and for zipping such streams with bounded memory.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** One file of a dataset export, produced lazily chunk by chunk (re-iterable). */
export interface OutFile {
  name: string;
  chunks(): Iterable<Uint8Array>;
}

const CHUNK = 1 << 20;
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);

/**
 * Appends text to a byte buffer; `full` says when a ~1 MB chunk is ready to
 * `take()`. Text is encoded as UTF-8, or as ISO-8859-1 (latin-1) with `?`
 * for characters latin-1 lacks.
 */
export class ChunkWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly latin1 = false,
    private readonly size = CHUNK,
  ) {
    this.buf = new Uint8Array(size + 4096);
  }

  /** True once at least `size` bytes are waiting. */
  get full(): boolean {
    return this.pos >= this.size;
  }

  /** Hands over the bytes written so far and starts a fresh buffer. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.size + 4096);
    this.pos = 0;
    return out;
  }

  private room(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** One byte (an ASCII code). */
  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A non-negative integer (below 2^53) in decimal. */
  uint(n: number): void {
    this.room(20);
    let digits = 1;
    while (digits < 16 && n >= (POW10[digits] as number)) digits++;
    let p = this.pos + digits;
    let x = n;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      this.buf[--p] = 48 + x - q * 10;
      x = q;
    }
    this.buf[p - 1] = 48 + x;
    this.pos += digits;
  }

  /** Text in the writer's encoding. */
  text(s: string): void {
    this.room(s.length * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c;
      else if (this.latin1) buf[p++] = c <= 0xff ? c : 63;
      else {
        p += this.encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
        break;
      }
    }
    this.pos = p;
  }
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Streams rows by calling `row(i, w)` for i = 0..n-1, after an optional header line. */
export function rowsFile(
  name: string,
  n: number,
  row: (i: number, w: ChunkWriter) => void,
  opts: { header?: string; latin1?: boolean } = {},
): OutFile {
  return {
    name,
    *chunks() {
      const w = new ChunkWriter(opts.latin1 ?? false);
      if (opts.header !== undefined) w.text(`${opts.header}\n`);
      for (let i = 0; i < n; i++) {
        row(i, w);
        if (w.full) yield w.take();
      }
      yield w.take();
    },
  };
}

/** A file whose whole content is one string (READMEs and other small files). */
export function textFile(name: string, content: () => string, latin1 = false): OutFile {
  return {
    name,
    *chunks() {
      const w = new ChunkWriter(latin1);
      w.text(content());
      yield w.take();
    },
  };
}

/** Local 2018-09-26 12:00, so the zip's DOS times are the same in every time zone. */
const ZIP_TIME = new Date(2018, 8, 26, 12, 0, 0);

/**
 * Streams a zip of `files` under one top folder (`topFolder/name`), as
 * GroupLens's downloads are laid out, with a directory entry first. Each
 * file is deflated as its chunks arrive, so memory stays bounded however
 * large the files. The bytes depend only on the input (fixed timestamps).
 * @param level deflate level 0–9; default 1 (fast).
 */
export async function* zipMovieLens(
  files: OutFile[],
  topFolder: string,
  level = 1,
): AsyncIterable<Uint8Array> {
  if (!Number.isInteger(level) || level < 0 || level > 9)
    throw new RangeError(`zipMovieLens: level must be an integer 0–9, got ${level}`);
  const ready: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else ready.push(data);
  });
  function* drain() {
    if (failure) throw failure;
    while (ready.length > 0) yield ready.shift() as Uint8Array;
  }
  const dir = new ZipPassThrough(`${topFolder}/`);
  dir.mtime = ZIP_TIME;
  zip.add(dir);
  dir.push(new Uint8Array(0), true);
  yield* drain();
  for (const f of files) {
    const entry = new ZipDeflate(`${topFolder}/${f.name}`, {
      level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9,
    });
    entry.mtime = ZIP_TIME;
    zip.add(entry);
    for (const chunk of f.chunks()) {
      entry.push(chunk);
      yield* drain();
    }
    entry.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}
