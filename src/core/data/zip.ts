/**
 * Streaming unzip on fflate's `Unzip`: entries come out in archive order,
 * their bytes streamed; the input goes through fflate 64 KB at a time, so
 * only that much compressed data's output is held at once. fflate neither checks CRCs nor notices an archive that
 * stops between entries, so this reader also
 *  - reads each local header itself and checks the entry's size and CRC-32
 *    as soon as the entry ends (entries with a data descriptor: at the end),
 *  - keeps the archive's last bytes and, at the end, requires the end of
 *    central directory record, and checks the central directory against
 *    what was unpacked (names, sizes, CRCs, count).
 * A stream that ends early is 'truncated'; anything else wrong is 'corrupt-zip'.
 * What is unpacked is bounded (limits.ts): an entry whose local header lists
 * too large a size or an absurd compression ratio is refused before it is
 * inflated, and every entry's unpacked bytes are counted as they come (against
 * its listed size, the limits, and the compressed bytes read since it began),
 * so a header that lies, or an entry with a data descriptor, is stopped within
 * one piece of input; those are 'too-large'.
 * Inputs that can be read at any offset (files, blobs) go through the
 * central directory instead (zip-central.ts), which needs no such guessing.
 */
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { WrenError, throwIfAborted } from '../errors.ts';
import { crc32 } from './crc32.ts';
import type { SourceFile } from './sources.ts';
import {
  type LocalHeader,
  readArchiveEnd,
  readLocalHeader,
  SIG_CENTRAL,
  SIG_END,
  SIG_END64,
  u32,
} from './zip-records.ts';
import { concat } from './lines.ts';
import { type ImportLimits, limitsOf, sizeError, tooManyEntries } from './limits.ts';

/** An entry being read: a SourceFile, plus a way to finish it and check it. */
export interface ZipEntry extends SourceFile {
  /**
   * Reads what is left of this entry and checks it (for an entry with a data
   * descriptor, reads to the end of the archive). Throws 'corrupt-zip' or
   * 'truncated' when it is damaged; use it before blaming the entry's contents.
   */
  verify(): Promise<void>;
}

/** Bytes of the archive's end kept for the final checks. */
const TAIL = 1 << 20;
/**
 * Compressed bytes pushed into fflate per step: its output for one step is
 * what the reader holds at most (MovieLens text inflates about 4 to 1).
 */
const PIECE = 64 * 1024;

interface EntryState {
  name: string;
  local: LocalHeader | null;
  out: number;
  crc: number;
  ended: boolean;
  /** The archive position its compressed bytes start at, or a little before. */
  inAt: number;
  /** Its bytes are not kept: junk, already handed over and left, or drained. */
  skip: boolean;
  /** Unpacked bytes not read yet. */
  chunks: Uint8Array[];
}

/** True for entries that are never data: folders, macOS resource forks, dot files. */
export function isJunkEntry(name: string): boolean {
  if (name.endsWith('/') || name.endsWith('\\')) return true;
  const parts = name.split(/[\\/]/);
  if (parts.includes('__MACOSX')) return true;
  return parts[parts.length - 1]!.startsWith('.');
}

/**
 * Streams the entries of the zip archive `name` whose bytes are `chunks`.
 * Folders, `__MACOSX/` and dot files are left out. Read each entry's chunks
 * (or none of them) before asking for the next entry.
 */
export function unzipEntries(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
  limits?: Partial<ImportLimits>,
): AsyncGenerator<ZipEntry> {
  return new ZipReader(name, chunks, signal, limitsOf(limits)).entries();
}

class ZipReader {
  private readonly unzip: Unzip;
  private readonly input: AsyncIterator<Uint8Array>;
  /** Entries found and not handed over yet. */
  private readonly found: EntryState[] = [];
  private readonly all: EntryState[] = [];
  private failure: WrenError | null = null;
  private eof = false;
  private draining = false;
  private got = 0;
  private endThrew = false;
  /** The input chunk being pushed, from `at`. */
  private current: Uint8Array | null = null;
  private at = 0;
  private tail: Uint8Array[] = [];
  private tailLength = 0;
  // local header tracking: where the next header starts (-1: no longer known)
  private nextHeader = 0;
  private pending: Uint8Array | null = null;
  private pendingAt = 0;
  private readonly locals: (LocalHeader | null)[] = [];
  /** Where the piece being pushed starts and ends in the archive. */
  private pieceStart = 0;
  private pieceEnd = 0;
  /** Unpacked bytes of all entries so far, and their listed sizes. */
  private unpacked = 0;
  private listed = 0;

  constructor(
    private readonly zipName: string,
    chunks: AsyncIterable<Uint8Array>,
    private readonly signal: AbortSignal | undefined,
    private readonly limits: ImportLimits,
  ) {
    this.input = chunks[Symbol.asyncIterator]();
    this.unzip = new Unzip((f) => this.onFile(f));
    this.unzip.register(UnzipInflate);
  }

  async *entries(): AsyncGenerator<ZipEntry> {
    try {
      for (;;) {
        while (this.found.length === 0) {
          if (this.eof) return;
          await this.pump();
        }
        const st = this.found.shift()!;
        if (st.skip) continue;
        yield this.entryFile(st);
        st.skip = true;
        st.chunks.length = 0;
      }
    } finally {
      if (!this.eof) await this.input.return?.();
    }
  }

  private entryFile(st: EntryState): ZipEntry {
    let read = false;
    const next = (): Promise<Uint8Array | null> => this.nextOf(st);
    return {
      name: st.name,
      size: st.local && !st.local.dataDescriptor ? st.local.size : -1,
      chunks: async function* () {
        if (read) throw new Error(`${st.name}: an entry can be read once`);
        read = true;
        for (let c = await next(); c; c = await next()) yield c;
      },
      verify: async () => {
        while (await this.nextOf(st));
        if (st.local && !st.local.dataDescriptor) return;
        // Its CRC is only in the central directory: read to the end, keeping nothing.
        this.draining = true;
        for (const e of this.all) {
          e.skip = true;
          e.chunks.length = 0;
        }
        while (!this.eof) await this.pump();
      },
    };
  }

  /** The next unpacked bytes of `st`, or null once it has ended. */
  private async nextOf(st: EntryState): Promise<Uint8Array | null> {
    for (;;) {
      const c = st.chunks.shift();
      if (c) return c;
      if (st.ended || this.eof) return null;
      await this.pump();
    }
  }

  /** Pushes the next piece of input through fflate, reading a chunk when needed. */
  private async pump(): Promise<void> {
    throwIfAborted(this.signal);
    if (this.failure) throw this.failure;
    if (!this.current || this.at >= this.current.length) {
      const r = await this.input.next();
      if (r.done) return this.end();
      this.current = r.value;
      this.at = 0;
      this.keepTail(r.value);
      this.trackHeaders(r.value, this.got);
      this.got += r.value.length;
    }
    const piece = this.current.subarray(this.at, this.at + PIECE);
    this.pieceStart = this.got - this.current.length + this.at;
    this.at += piece.length;
    this.pieceEnd = this.pieceStart + piece.length;
    try {
      this.unzip.push(piece);
    } catch (e) {
      this.fail(`it cannot be unpacked (${message(e)})`);
    }
    if (this.failure) throw this.failure;
  }

  private end(): void {
    this.eof = true;
    this.current = null;
    try {
      this.unzip.push(new Uint8Array(0), true);
    } catch {
      this.endThrew = true;
    }
    this.checkEnd();
  }

  private onFile(f: UnzipFile): void {
    const index = this.all.length;
    const local = this.locals[index] ?? null;
    const st: EntryState = {
      name: f.name,
      local,
      out: 0,
      crc: 0,
      ended: false,
      inAt: this.pieceStart,
      skip: this.draining || isJunkEntry(f.name),
      chunks: [],
    };
    this.all.push(st);
    if (this.all.length > this.limits.maxEntries)
      return this.refuse(tooManyEntries(this.zipName, null, this.limits.maxEntries));
    if (local && local.name !== f.name) return this.fail(`entry ${index + 1} has two names`);
    if (f.compression !== 0 && f.compression !== 8)
      return this.fail(
        `${f.name} uses compression method ${f.compression}; only stored and deflate are supported`,
      );
    if (local && (local.flags & 1) !== 0) return this.fail(`${f.name} is encrypted`);
    if (local && !local.dataDescriptor && !this.checkListed(local)) return;
    this.found.push(st);
    f.ondata = (err, data, final) => {
      if (this.failure) return;
      if (err) return this.fail(`${f.name} cannot be unpacked (${err.message})`);
      if (data.length > 0) {
        st.out += data.length;
        this.unpacked += data.length;
        if (!this.checkCount(st)) return;
        st.crc = crc32(st.crc, data);
        if (!st.skip) st.chunks.push(data);
      }
      if (final) this.endEntry(st);
    };
    f.start();
  }

  /** Refuses an entry whose local header lists too much, before it is inflated. */
  private checkListed(l: LocalHeader): boolean {
    this.listed += l.size;
    const e = sizeError(this.zipName, l.name, l.size, l.compressedSize, this.listed, this.limits);
    if (e) this.refuse(e);
    return this.failure === null;
  }

  /** Counts what `st` has unpacked: no more than listed, nor than the limits allow. */
  private checkCount(st: EntryState): boolean {
    const l = st.local;
    if (l && !l.dataDescriptor && st.out > l.size) {
      this.fail(`${st.name} unpacks to more than ${l.size} bytes`);
      return false;
    }
    const packed = this.pieceEnd - st.inAt;
    const e = sizeError(this.zipName, st.name, st.out, packed, this.unpacked, this.limits);
    if (e) this.refuse(e);
    return this.failure === null;
  }

  private refuse(e: WrenError): void {
    this.failure ??= e;
  }

  private endEntry(st: EntryState): void {
    st.ended = true;
    const l = st.local;
    if (l && !l.dataDescriptor && (st.out !== l.size || st.crc !== l.crc))
      this.fail(damaged(st.name, l.size, st.out));
  }

  /** Follows the local headers through the raw bytes (until a data descriptor hides the next one). */
  private trackHeaders(chunk: Uint8Array, offset: number): void {
    if (this.nextHeader < 0) return;
    let buf = chunk;
    let bufAt = offset;
    if (this.pending) {
      buf = concat(this.pending, chunk);
      bufAt = this.pendingAt;
      this.pending = null;
    }
    while (this.nextHeader >= 0 && this.nextHeader < bufAt + buf.length) {
      const rel = this.nextHeader - bufAt;
      const h = readLocalHeader(buf, rel);
      if (h === 'short') {
        this.pending = buf.subarray(rel);
        this.pendingAt = this.nextHeader;
        return;
      }
      if (h === null) {
        const sig = buf.length - rel >= 4 ? u32(buf, rel) : 0;
        if (sig !== SIG_CENTRAL && sig !== SIG_END && sig !== SIG_END64)
          this.fail(`there is no file header where one should start (byte ${this.nextHeader})`);
        this.nextHeader = -1;
        return;
      }
      this.locals.push(h);
      this.nextHeader = h.dataDescriptor ? -1 : this.nextHeader + h.headerLength + h.compressedSize;
    }
  }

  private keepTail(chunk: Uint8Array): void {
    this.tail.push(chunk);
    this.tailLength += chunk.length;
    while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= TAIL)
      this.tailLength -= this.tail.shift()!.length;
  }

  /** At the end of the input: is the archive whole, and did every entry unpack to what it lists? */
  private checkEnd(): void {
    if (this.failure) throw this.failure;
    let tail: Uint8Array = new Uint8Array(0);
    for (const c of this.tail) tail = tail.length === 0 ? c : concat(tail, c);
    this.tail = [];
    const end = readArchiveEnd(tail, this.got - tail.length);
    const open = this.endThrew || this.all.some((e) => !e.ended);
    if (end === null)
      throw new WrenError(
        'truncated',
        `${this.zipName} ends early: the archive is truncated (got ${this.got} bytes). Download it again.`,
        { file: this.zipName },
      );
    if (end === 'trailing') this.fail('there are stray bytes after its end');
    else if (open) this.fail('an entry runs past the end of the data');
    else if (end.cdOffset + end.cdSize !== end.cdEnd || end.count !== this.all.length)
      this.fail(`it lists ${end.count} entries but ${this.all.length} were found`);
    else if (end.entries) {
      if (end.entries.length !== this.all.length)
        this.fail(`its directory has ${end.entries.length} entries instead of ${end.count}`);
      for (let i = 0; i < end.entries.length && !this.failure; i++) {
        const c = end.entries[i]!;
        const st = this.all[i];
        if (!st || st.name !== c.name) this.fail(`entry ${i + 1} is not ${c.name}`);
        else if (st.out !== c.size || st.crc !== c.crc) this.fail(damaged(c.name, c.size, st.out));
      }
    }
    if (this.failure) throw this.failure;
  }

  private fail(what: string): void {
    this.failure ??= new WrenError(
      'corrupt-zip',
      `${this.zipName} is damaged: ${what}. Download it again.`,
      {
        file: this.zipName,
      },
    );
  }
}

/** Says how an entry that unpacked to the wrong bytes is wrong. */
export function damaged(name: string, expected: number, got: number): string {
  return expected === got
    ? `${name} does not match its checksum`
    : `${name} unpacks to ${got} bytes instead of ${expected}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
