/**
 * bench/hostile: peak memory while Wren refuses (or imports) hostile
 * archives at full size, through the command line and, with --browser, the
 * built app in headless Chromium.
 *
 *   npm run bench:hostile [-- --only repeated-row,one-line] [-- --browser] [-- --no-cli]
 *
 * Each archive is generated once into bench/.cache/hostile/, streamed to
 * disk through zlib's raw deflate and the small zip writer below (nothing of
 * gigabyte size is held in memory). The command line runs
 * `node bin/wren.mjs import <archive> --json` under `/usr/bin/time` with a
 * 180 s timeout: peakMemoryMB is the largest process's peak resident memory
 * (the node process; tsx's esbuild helper is far smaller). In Chromium (a
 * fresh profile, no automatic model build) the archive is handed to the
 * import file picker and the memory of the browser's whole process tree is
 * polled every 200 ms: peakMemoryMB is the highest sum of the processes'
 * proportional set sizes (shared pages split between their sharers), and
 * tree.peakRssSumMB the highest sum of their VmRSS, which counts the pages
 * Chromium's processes share once per process and so stands near 1 GB before
 * any import. Prints a table and appends one JSON line per case and
 * runner to bench/results/hostile.jsonl.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { crc32 } from '../src/core/data/crc32.ts';
import { Random } from '../src/core/random.ts';
import { AUTO_BUILD_KEY } from '../src/ui/lib/auto-build.ts';
import { DATASETS, root, serve } from '../test/e2e/harness.ts';

const CACHE = join(root, 'bench/.cache/hostile');
const RESULTS = join(root, 'bench/results');
const TIMEOUT_S = 180;
/** The memory every archive must stay within. */
const BOUND_MB = 1024;
/** The size of the bombs' unpacked ratings: 2.3 GB, beyond the 2 GiB a single entry may be. */
const BOMB_BYTES = 2_300_000_000;

const MOVIES = 'movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n2,Heat (1995),Action\n';
const HEADER = 'userId,movieId,rating,timestamp\n';
const ROW = '1,1,5.0,964982703\n';

// ---------------------------------------------------------------- zip writer

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

interface EntryOptions {
  /** 8 deflate (the default), 0 stored. */
  method?: 0 | 8;
  /** The unpacked size the headers declare, in place of the true one. */
  declaredSize?: number;
  /** zlib's deflate level: 9 unless given. */
  level?: number;
}

/**
 * Writes a zip file front to back: each entry's local header carries its
 * sizes and CRC (written when they are known, over a placeholder), then the
 * central directory and the end record, with a zip64 end record when there
 * are more than 65,535 entries. Small pieces are gathered and written 1 MiB
 * at a time.
 */
class ZipWriter {
  private at = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private central: Buffer[] = [];
  private count = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w'));
  }

  /** A small entry, whole in memory. */
  async addBytes(name: string, data: Uint8Array, opts: EntryOptions = {}): Promise<void> {
    const method = opts.method ?? 8;
    const packed = method === 8 ? deflateRawSync(data, { level: 9 }) : data;
    const e = {
      name,
      method,
      crc: crc32(0, data),
      compressed: packed.length,
      size: opts.declaredSize ?? data.length,
    };
    const offset = this.at;
    await this.put(localHeader(e));
    await this.put(packed);
    this.addCentral(e, offset);
  }

  /** A large entry, deflated as it is read from `source`. */
  async addStream(name: string, source: Source, opts: EntryOptions = {}): Promise<void> {
    await this.flush();
    const offset = this.at;
    const nameBytes = Buffer.from(name);
    this.at += 30 + nameBytes.length;
    let crc = 0;
    let size = 0;
    const counted = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        crc = crc32(crc, chunk);
        size += chunk.length;
        yield chunk;
      }
    };
    const start = this.at;
    const fh = this.fh;
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const pos = this.at;
        this.at += chunk.length;
        fh.write(chunk, 0, chunk.length, pos).then(() => done(), done);
      },
    });
    await pipeline(Readable.from(counted()), createDeflateRaw({ level: opts.level ?? 9 }), sink);
    const e = {
      name,
      method: 8,
      crc,
      compressed: this.at - start,
      size: opts.declaredSize ?? size,
    };
    const header = localHeader(e);
    await fh.write(header, 0, header.length, offset);
    this.addCentral(e, offset);
  }

  /** The central directory and end records; closes the file. */
  async end(): Promise<void> {
    const cdOffset = this.at;
    for (const c of this.central) await this.put(c);
    const cdSize = this.at - cdOffset;
    if (this.count > 0xffff) {
      const end64 = Buffer.alloc(56);
      end64.writeUInt32LE(0x06064b50, 0);
      end64.writeBigUInt64LE(44n, 4);
      end64.writeUInt16LE(45, 12);
      end64.writeUInt16LE(45, 14);
      end64.writeBigUInt64LE(BigInt(this.count), 24);
      end64.writeBigUInt64LE(BigInt(this.count), 32);
      end64.writeBigUInt64LE(BigInt(cdSize), 40);
      end64.writeBigUInt64LE(BigInt(cdOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(this.at), 8);
      locator.writeUInt32LE(1, 16);
      await this.put(end64);
      await this.put(locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(this.count, 0xffff), 8);
    end.writeUInt16LE(Math.min(this.count, 0xffff), 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdOffset, 16);
    await this.put(end);
    await this.flush();
    await this.fh.close();
  }

  private addCentral(e: Entry, offset: number): void {
    const name = Buffer.from(e.name);
    const c = Buffer.alloc(46 + name.length);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt16LE(DOS_TIME, 12);
    c.writeUInt16LE(DOS_DATE, 14);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.compressed, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    name.copy(c, 46);
    this.central.push(c);
    this.count++;
  }

  private async put(b: Uint8Array): Promise<void> {
    this.pending.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.pendingBytes += b.length;
    this.at += b.length;
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const all = Buffer.concat(this.pending);
    const pos = this.at - all.length;
    this.pending = [];
    this.pendingBytes = 0;
    await this.fh.write(all, 0, all.length, pos);
  }
}

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressed: number;
  size: number;
}

/** 2020-01-01 00:00 in MS-DOS form. */
const DOS_TIME = 0;
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

function localHeader(e: Entry): Buffer {
  const name = Buffer.from(e.name);
  const h = Buffer.alloc(30 + name.length);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.compressed, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(name.length, 26);
  name.copy(h, 30);
  return h;
}

// ---------------------------------------------------------------- contents

/** `head`, then `unit` repeated until `bytes` bytes in all, in pieces of about 1 MiB. */
function* repeated(head: string, unit: string, bytes: number): Generator<Uint8Array> {
  const first = Buffer.from(head);
  yield first;
  const piece = Buffer.from(unit.repeat(Math.ceil((1 << 20) / unit.length)));
  let left = bytes - first.length;
  while (left > 0) {
    const n = Math.min(left, piece.length);
    yield piece.subarray(0, n);
    left -= n;
  }
}

/** Numbers in [0, 1) from the project's seeded generator, so the generated files are the same on every run. */
function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

/** Rows of users `first`.. (`users` of them) and movies 1..`movies`, each pair once, with varying ratings and times. */
function validRows(users: number, movies: number, random: () => number, first = 1): string {
  let s = '';
  for (let u = first; u < first + users; u++)
    for (let m = 1; m <= movies; m++)
      s += `${u},${m},${(1 + Math.floor(random() * 9)) / 2},${964982703 + Math.floor(random() * 1e7)}\n`;
  return s;
}

function moviesCsv(count: number): string {
  let s = 'movieId,title,genres\n';
  for (let m = 1; m <= count; m++) s += `${m},Movie ${m} (1995),Drama\n`;
  return s;
}

/** `rows` ratings over `users` × `movies` pairs, repeated in turn, with times and ratings that vary. */
function* duplicateRows(rows: number, users: number, movies: number): Generator<Uint8Array> {
  yield Buffer.from(HEADER);
  const random = rng(7);
  const pairs = users * movies;
  let t = 964982703;
  for (let i = 0; i < rows;) {
    const parts: string[] = [];
    for (const end = Math.min(rows, i + 50_000); i < end; i++) {
      const p = i % pairs;
      t += 1 + Math.floor(random() * 600);
      parts.push(
        `${1 + Math.floor(p / movies)},${1 + (p % movies)},${(1 + Math.floor(random() * 9)) / 2},${t}\n`,
      );
    }
    yield Buffer.from(parts.join(''));
  }
}

/** Movies in the at-the-limits archive: 200,000 users × 320 movies = 64,000,000 ratings, each pair once. */
const LIMIT_MOVIES = 320;

/** Every (user, movie) pair of `users` × `movies` once, with varying ratings and times. */
function* distinctRows(users: number, movies: number): Generator<Uint8Array> {
  yield Buffer.from(HEADER);
  const random = rng(11);
  for (let u = 1; u <= users; u += 200) {
    const parts: string[] = [];
    for (let v = u; v < Math.min(users + 1, u + 200); v++)
      for (let m = 1; m <= movies; m++)
        parts.push(
          `${v},${m},${(1 + Math.floor(random() * 9)) / 2},${964982703 + Math.floor(random() * 1e8)}\n`,
        );
    yield Buffer.from(parts.join(''));
  }
}

/** Valid rows, then a line of `length` random digits, then more valid rows. */
function* longLineRatings(length: number): Generator<Uint8Array> {
  const random = rng(3);
  yield Buffer.from(HEADER + validRows(20, 50, random));
  for (let left = length; left > 0; left -= 1 << 20) {
    // A new buffer each time: deflate may still hold the one yielded before.
    const digits = Buffer.alloc(Math.min(left, 1 << 20));
    for (let i = 0; i < digits.length; i++) digits[i] = 48 + Math.floor(random() * 10);
    yield digits;
  }
  yield Buffer.from('\n' + validRows(20, 50, random, 21));
}

// ---------------------------------------------------------------- cases

interface Case {
  name: string;
  what: string;
  /** Writes the archive to `path`; null when it cannot be made here (with the reason). */
  make: (path: string) => Promise<string | null>;
}

/** A dataset zip: a valid movies.csv, then ratings.csv from `ratings`. */
async function datasetZip(
  path: string,
  dir: string,
  ratings: Source,
  opts: EntryOptions = {},
  movies = MOVIES,
): Promise<null> {
  const zip = await ZipWriter.create(path);
  await zip.addBytes(`${dir}/movies.csv`, Buffer.from(movies));
  await zip.addStream(`${dir}/ratings.csv`, ratings, opts);
  await zip.end();
  return null;
}

const CASES: Case[] = [
  {
    name: 'repeated-row',
    what: 'ratings.csv: one row repeated to 2.3 GB',
    make: (path) => datasetZip(path, 'ml-bomb', repeated(HEADER, ROW, BOMB_BYTES)),
  },
  {
    name: 'one-line',
    what: 'ratings.csv: one 2.3 GB line, no newline',
    make: (path) =>
      datasetZip(path, 'ml-line', repeated(HEADER.trimEnd(), `,${ROW.trimEnd()}`, BOMB_BYTES)),
  },
  {
    name: 'long-line',
    what: 'a 10 MB line inside a valid ratings.csv',
    make: (path) => datasetZip(path, 'ml-long', longLineRatings(10_000_000), {}, moviesCsv(50)),
  },
  {
    name: 'lying-header',
    what: 'headers say 1 MB, the data inflates to 2.3 GB',
    make: (path) =>
      datasetZip(path, 'ml-liar', repeated(HEADER, ROW, BOMB_BYTES), { declaredSize: 1_000_000 }),
  },
  {
    name: 'many-entries',
    what: '200,000 tiny entries beside valid files',
    make: async (path) => {
      const zip = await ZipWriter.create(path);
      await zip.addBytes('ml-many/movies.csv', Buffer.from(moviesCsv(50)));
      await zip.addBytes('ml-many/ratings.csv', Buffer.from(HEADER + validRows(20, 50, rng(5))));
      const tiny = Buffer.from('x\n');
      for (let i = 0; i < 200_000; i++)
        await zip.addBytes(`ml-many/extra/${String(i).padStart(6, '0')}.txt`, tiny, { method: 0 });
      await zip.end();
      return null;
    },
  },
  {
    name: 'mostly-duplicates',
    what: '5M rows over 1,000 (user, movie) pairs',
    make: (path) =>
      datasetZip(path, 'ml-dupes', duplicateRows(5_000_000, 10, 100), {}, moviesCsv(100)),
  },
  {
    name: 'at-the-limits',
    what: '64,000,000 distinct ratings (the most allowed), 1.6 GB unpacked',
    make: (path) =>
      datasetZip(
        path,
        'ml-limits',
        distinctRows(200_000, LIMIT_MOVIES),
        { level: 6 },
        moviesCsv(LIMIT_MOVIES),
      ),
  },
  {
    name: 'truncated',
    what: 'ml-latest-small.zip cut in half',
    make: async (path) => {
      const src = join(DATASETS, 'ml-latest-small.zip');
      if (!existsSync(src)) return `${src} is missing`;
      const all = readFileSync(src);
      const fh = await open(path, 'w');
      await fh.write(all, 0, Math.floor(all.length / 2));
      await fh.close();
      return null;
    },
  },
  {
    name: 'not-a-zip',
    what: '20 MB of random bytes named .zip',
    make: async (path) => {
      const fh = await open(path, 'w');
      for (let i = 0; i < 20; i++) await fh.write(randomBytes(1_000_000));
      await fh.close();
      return null;
    },
  },
];

/** The case's archive, generated unless it is already in the cache; a string says why not. */
async function archive(c: Case): Promise<{ path: string } | { skip: string }> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${c.name}.zip`);
  if (existsSync(path)) return { path };
  const t0 = performance.now();
  const skip = await c.make(`${path}.part`);
  if (skip) {
    rmSync(`${path}.part`, { force: true });
    return { skip };
  }
  renameSync(`${path}.part`, path);
  const mb = statSync(path).size / 1e6;
  console.error(
    `generated ${path} (${mb.toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { path };
}

// ---------------------------------------------------------------- running

/** What one run of one archive came to. */
interface Outcome {
  /** 'refused' (a WrenError other than 'internal'), 'imported', 'raw-error', 'timeout' or 'crashed'. */
  outcome: string;
  exitCode: number | null;
  peakMemoryMB: number;
  seconds: number;
  errorCode?: string;
  message?: string;
  counts?: Record<string, unknown>;
  /** In Chromium: the tree's summed VmRSS at its peak, and both sums just before the import. */
  tree?: { peakRssSumMB: number; beforeImportPssMB: number; beforeImportRssSumMB: number };
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (s: string) => (stdout += s));
    p.on('error', fail);
    p.on('close', (code) => ok({ code, stdout }));
  });
}

/** `wren import <archive> --json` under /usr/bin/time and a timeout. */
async function runCli(path: string): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wren-hostile-'));
  const timeFile = join(dir, 'time');
  try {
    const { code, stdout } = await run('/usr/bin/time', [
      '-o',
      timeFile,
      '-f',
      '%M %e',
      'timeout',
      '-k',
      '5',
      String(TIMEOUT_S),
      process.execPath,
      'bin/wren.mjs',
      'import',
      path,
      '--json',
    ]);
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [kb, secs] = last.split(' ').map(Number);
    const base = {
      exitCode: code,
      peakMemoryMB: Math.round((kb ?? 0) / 1024),
      seconds: secs ?? 0,
    };
    if (code === 124 || code === 137) return { ...base, outcome: 'timeout' };
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      /* no JSON: a crash */
    }
    if (!json) return { ...base, outcome: 'crashed', message: stdout.slice(0, 160) };
    const error = json.error as { code?: string; message?: string } | undefined;
    if (error) {
      return {
        ...base,
        outcome: error.code === 'internal' ? 'raw-error' : 'refused',
        errorCode: error.code,
        message: (error.message ?? '').slice(0, 160),
      };
    }
    const counts: Record<string, unknown> = {};
    for (const k of ['ratings', 'users', 'movies', 'tags', 'skipped']) counts[k] = json[k];
    return { ...base, outcome: 'imported', counts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every process below `pid` (and `pid`), from /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * The process tree's resident memory in MB: `rss`, VmRSS summed (pages
 * shared between Chromium's processes count once per process), and `pss`,
 * proportional set sizes summed (each shared page split between its sharers,
 * so the sum is the tree's real footprint).
 */
function treeMemoryMB(pid: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) rss += Number(m[1]);
      const q = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (q) pss += Number(q[1]);
    } catch {
      /* gone */
    }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

/** The browser's main process: the one started with `dir` as its profile and no --type. */
function browserPid(dir: string): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.includes(dir)) && !cmd.some((a) => a.startsWith('--type=')))
        return Number(d);
    } catch {
      /* gone */
    }
  }
  return null;
}

const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The archive handed to the built app's file picker in headless Chromium, with a fresh profile. */
async function runBrowser(url: string, path: string): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wren-hostile-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: BROWSER_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  // No automatic model build after an import: only the import is measured.
  await context.addInitScript((key) => localStorage.setItem(key, 'off'), AUTO_BUILD_KEY);
  const peak = { rss: 0, pss: 0 };
  let timer: NodeJS.Timeout | undefined;
  try {
    const pid = browserPid(dir);
    if (pid === null) throw new Error('the Chromium process was not found');
    const sample = (): { rss: number; pss: number } => {
      const now = treeMemoryMB(pid);
      peak.rss = Math.max(peak.rss, now.rss);
      peak.pss = Math.max(peak.pss, now.pss);
      return now;
    };
    timer = setInterval(sample, 200);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.getByTestId('import-file').first().waitFor({ state: 'attached' });
    const before = sample();
    const t0 = performance.now();
    await page.getByTestId('import-file').first().setInputFiles(path);
    const error = page.locator('[data-testid="import-error"] .message');
    const done = page.getByTestId('dataset-name');
    let outcome: string;
    try {
      await error
        .or(done)
        .first()
        .waitFor({ timeout: TIMEOUT_S * 1000 });
      outcome = (await error.count()) > 0 ? 'refused' : 'imported';
    } catch {
      outcome = 'timeout';
    }
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    sample();
    const base = {
      exitCode: null,
      peakMemoryMB: Math.round(peak.pss),
      seconds,
      tree: {
        peakRssSumMB: Math.round(peak.rss),
        beforeImportPssMB: Math.round(before.pss),
        beforeImportRssSumMB: Math.round(before.rss),
      },
    };
    if (outcome === 'refused') {
      const message = (await error.first().innerText()).trim();
      return { ...base, outcome, message: message.slice(0, 160) };
    }
    if (outcome === 'imported')
      return { ...base, outcome, counts: { dataset: (await done.first().innerText()).trim() } };
    return { ...base, outcome };
  } finally {
    if (timer) clearInterval(timer);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

function resultLine(
  c: Case,
  path: string,
  o: Outcome,
  runner: 'cli' | 'browser',
): Record<string, unknown> {
  const { peakMemoryMB, seconds, ...rest } = o;
  return {
    suite: 'hostile',
    name: c.name,
    dataset: `${c.name}.zip`,
    backend: runner,
    metrics: {
      ...rest,
      what: c.what,
      archiveMB: Math.round(statSync(path).size / 1e5) / 10,
      boundMB: BOUND_MB,
      withinBound: o.peakMemoryMB <= BOUND_MB,
    },
    seconds,
    peakMemoryMB,
    ...(runner === 'browser' ? { browser: 'chromium' } : { node: process.version }),
    date: new Date().toISOString(),
  };
}

function printTable(rows: { c: Case; runner: string; o: Outcome }[]): void {
  const cells = rows.map(({ c, runner, o }) => [
    c.name,
    runner,
    o.exitCode === null ? '' : String(o.exitCode),
    String(o.peakMemoryMB),
    o.tree ? `${o.tree.beforeImportPssMB} / ${o.tree.peakRssSumMB}` : '',
    o.seconds.toFixed(1),
    o.outcome,
    o.errorCode ?? '',
    (o.message ?? (o.counts ? JSON.stringify(o.counts) : '')).slice(0, 160),
  ]);
  const header = [
    'case',
    'runner',
    'exit',
    'peak MB',
    'before / RSS sum',
    's',
    'outcome',
    'code',
    'message',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  for (const r of [header, ...cells])
    console.log(r.map((s, i) => (i === r.length - 1 ? s : s.padEnd(widths[i]!))).join('  '));
  const over = rows.filter((r) => r.o.peakMemoryMB > BOUND_MB);
  console.log(
    over.length
      ? `Over ${BOUND_MB} MB: ${over.map((r) => `${r.c.name} (${r.runner}, ${r.o.peakMemoryMB} MB)`).join(', ')}`
      : `Every run stayed within ${BOUND_MB} MB.`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      browser: { type: 'boolean', default: false },
      'no-cli': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',');
  const cases = CASES.filter((c) => !only || only.includes(c.name));
  mkdirSync(RESULTS, { recursive: true });
  let server: { url: string; stop(): void } | null = null;
  if (values.browser) {
    if (!existsSync(join(root, 'dist/index.html')) || process.env.BENCH_BUILD !== '0')
      await run('npx', ['vite', 'build', '--logLevel', 'warn']);
    server = await serve();
  }
  const rows: { c: Case; runner: string; o: Outcome }[] = [];
  try {
    for (const c of cases) {
      const a = await archive(c);
      if ('skip' in a) {
        console.error(`${c.name}: skipped (${a.skip})`);
        continue;
      }
      const runners: ('cli' | 'browser')[] = [];
      if (!values['no-cli']) runners.push('cli');
      if (server) runners.push('browser');
      for (const runner of runners) {
        const o = runner === 'cli' ? await runCli(a.path) : await runBrowser(server!.url, a.path);
        rows.push({ c, runner, o });
        const line = JSON.stringify(resultLine(c, a.path, o, runner));
        console.error(line);
        if (!values['no-write']) appendFileSync(join(RESULTS, 'hostile.jsonl'), line + '\n');
      }
    }
  } finally {
    server?.stop();
  }
  printTable(rows);
}

await main();
