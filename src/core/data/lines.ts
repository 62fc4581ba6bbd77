/**
 * Splitting streamed bytes into lines. Parsers get "runs": stretches of a
 * buffer that hold whole lines only, each ending with '\n' (a last line
 * without one gets one added), so they never see a line cut in two by a
 * chunk boundary and never read past a run's end.
 */
import { WrenError, throwIfAborted } from '../errors.ts';

/** Called with b[start..end): whole lines, each ending with '\n' (CR before it left in place). */
export type RunFn = (b: Uint8Array, start: number, end: number) => void;

export interface SplitOptions {
  /** File name for messages. */
  file: string;
  /** The line number the parser is at, for the message about an overlong line. */
  lineAt: () => number;
  signal?: AbortSignal | undefined;
  /** Longest line accepted, in bytes (default 1 MiB). */
  maxLine?: number;
}

const NL = 10;

/**
 * Feeds `chunks` to `onRun` as runs of whole lines. Strips a UTF-8 byte-order
 * mark at the start. Checks `signal` between chunks. A line longer than
 * `maxLine` is a 'bad-row' error wherever it lies: across chunks, or inside
 * one (the lines before it are fed first, so the error names its line).
 */
export async function splitLines(
  chunks: AsyncIterable<Uint8Array>,
  onRun: RunFn,
  opts: SplitOptions,
): Promise<void> {
  const maxLine = opts.maxLine ?? 1 << 20;
  let carry: Uint8Array | null = null;
  let head: Uint8Array | null = new Uint8Array(0);
  const feed = (input: Uint8Array): void => {
    let chunk = input;
    if (carry) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        carry = concat(carry, chunk);
        checkLength(carry.length, maxLine, opts);
        return;
      }
      checkLength(carry.length + nl, maxLine, opts);
      const joined = concat(carry, chunk.subarray(0, nl + 1));
      carry = null;
      onRun(joined, 0, joined.length);
      chunk = chunk.subarray(nl + 1);
    }
    const long = longLine(chunk, maxLine);
    if (long >= 0) {
      if (long > 0) onRun(chunk, 0, long);
      checkLength(maxLine + 1, maxLine, opts);
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= 0) onRun(chunk, 0, last + 1);
    if (last + 1 < chunk.length) {
      carry = chunk.subarray(last + 1);
      checkLength(carry.length, maxLine, opts);
    }
  };
  for await (const chunk of chunks) {
    throwIfAborted(opts.signal);
    if (head) {
      // Hold the first bytes until there are three, to see a byte order mark.
      head = concat(head, chunk);
      if (head.length < 3) continue;
      feed(stripBom(head));
      head = null;
    } else feed(chunk);
  }
  throwIfAborted(opts.signal);
  if (head) feed(stripBom(head));
  if (carry && (carry as Uint8Array).length > 0) {
    const c: Uint8Array = carry;
    const end = new Uint8Array(c.length + 1);
    end.set(c);
    end[c.length] = NL;
    onRun(end, 0, end.length);
  }
}

function stripBom(b: Uint8Array): Uint8Array {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/**
 * Where the first line longer than `maxLine` bytes that ends (or runs off) in
 * `b` starts, or -1. Jumps a line's length at a time, from the last newline
 * within `maxLine` bytes of each line start, so it reads little of `b`.
 * A line cut off at the end of `b`, not yet too long, is left to the caller.
 */
export function longLine(b: Uint8Array, maxLine: number): number {
  let p = 0;
  while (p + maxLine < b.length) {
    const nl = b.lastIndexOf(NL, p + maxLine);
    if (nl < p) return p;
    p = nl + 1;
  }
  return -1;
}

function checkLength(n: number, maxLine: number, opts: SplitOptions): void {
  if (n <= maxLine) return;
  const line = opts.lineAt();
  throw new WrenError(
    'bad-row',
    `${opts.file} line ${line}: found a line longer than ${maxLine} bytes; this is not a MovieLens text file`,
    { file: opts.file, line },
  );
}

/** Joins two byte arrays into a new one. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** windows-1252's characters for the bytes 0x80-0x9f (the rest is latin-1); node's TextDecoder lacks them. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Decodes windows-1252 (the superset of latin-1 that browsers use for "latin1"). */
export function decodeCp1252(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += c >= 0x80 && c < 0xa0 ? CP1252_HIGH[c - 0x80]! : String.fromCharCode(c);
  }
  return s;
}

/** Decodes bytes as strict UTF-8, or as windows-1252 (latin-1) when they are not valid UTF-8. */
export function decodeText(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    return decodeCp1252(b);
  }
}

/**
 * Decodes a run of lines and calls `onLine` with each line's text (CR/LF
 * removed) and number, starting at `firstLine`. A run that is valid UTF-8 is
 * decoded in one go; otherwise each line is decoded on its own, falling back
 * to windows-1252 for the lines that are not UTF-8. Returns the next line number.
 */
export function forEachTextLine(
  b: Uint8Array,
  start: number,
  end: number,
  firstLine: number,
  onLine: (text: string, line: number) => void,
): number {
  let line = firstLine;
  let text: string | null;
  try {
    text = utf8.decode(b.subarray(start, end));
  } catch {
    text = null;
  }
  if (text !== null) {
    let at = 0;
    for (;;) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) break;
      onLine(text.slice(at, nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl), line++);
      at = nl + 1;
    }
    return line;
  }
  let at = start;
  while (at < end) {
    let nl = b.indexOf(NL, at);
    if (nl < 0 || nl >= end) nl = end;
    onLine(stripCr(decodeText(b.subarray(at, nl))), line++);
    at = nl + 1;
  }
  return line;
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/**
 * Reads a text file line by line. `onLine` gets each line's text (decoded as
 * in `forEachTextLine`) and its 1-based number.
 */
export async function readTextLines(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  onLine: (text: string, line: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  let line = 1;
  await splitLines(
    chunks,
    (b, s, e) => {
      line = forEachTextLine(b, s, e, line, onLine);
    },
    { file, lineAt: () => line, signal },
  );
}

/**
 * The data rows of a text file: blank lines are passed over and, when
 * `header` is true, so is the first non-blank line; `onRow` gets the rest
 * with their 1-based line numbers.
 */
export async function readDataRows(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  header: boolean,
  onRow: (text: string, line: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  let headerPending = header;
  await readTextLines(
    file,
    chunks,
    (text, line) => {
      if (text.trim() === '') return;
      if (headerPending) {
        headerPending = false;
        return;
      }
      onRow(text, line);
    },
    signal,
  );
}

/** What `peek` read: the first bytes and the whole stream again, from the start. */
export interface Peeked {
  /** The bytes read so far (at least one whole non-blank line unless the file is shorter or `maxBytes` was reached). */
  head: Uint8Array;
  /** Every chunk from the start: the ones already read, then the rest. */
  chunks: AsyncIterable<Uint8Array>;
  /** Stops reading (when the file is not needed). */
  close(): Promise<void>;
}

/** Reads the first chunks of a stream, enough to see its first non-blank line. */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  maxBytes = 64 * 1024,
): Promise<Peeked> {
  const it = source[Symbol.asyncIterator]();
  const read: Uint8Array[] = [];
  let size = 0;
  let done = false;
  let head: Uint8Array = new Uint8Array(0);
  while (size < maxBytes) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    read.push(r.value);
    size += r.value.length;
    head = read.length === 1 ? r.value : concat(head, r.value);
    if (hasNonBlankLine(head)) break;
  }
  let started = false;
  return {
    head,
    close: async () => {
      if (!done) await it.return?.();
    },
    chunks: {
      [Symbol.asyncIterator]: async function* () {
        if (started) throw new Error('peek: the stream can be read once');
        started = true;
        try {
          yield* read;
          read.length = 0;
          while (!done) {
            const r = await it.next();
            if (r.done) done = true;
            else yield r.value;
          }
        } finally {
          if (!done) {
            done = true;
            await it.return?.();
          }
        }
      },
    },
  };
}

function hasNonBlankLine(b: Uint8Array): boolean {
  let nonBlank = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === NL) {
      if (nonBlank) return true;
    } else if (c !== 13 && c !== 32 && c !== 9) nonBlank = true;
  }
  return false;
}

/** The first non-blank line of `head`, decoded, without BOM and CR; null when there is none. */
export function firstLine(head: Uint8Array): string | null {
  let b = head;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  let at = 0;
  while (at < b.length) {
    let nl = b.indexOf(NL, at);
    if (nl < 0) nl = b.length;
    const text = stripCr(decodeText(b.subarray(at, nl)));
    if (text.trim() !== '') return text;
    at = nl + 1;
  }
  return null;
}
