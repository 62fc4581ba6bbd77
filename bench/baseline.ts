/**
 * bench/baseline: an earlier commit's build run beside the current one, so a
 * browser bench can measure both in the same run, alternately, and print the
 * ratio (a regression then shows as a number rather than as the noise between
 * two runs minutes apart on a shared machine).
 *
 *   const base = await prepareBaseline('c232124');     // worktree, deps, vite build
 *   const sides = [await currentSide(), base];
 *   for (const { side, round } of alternate(sides, 3)) { ...serveSide(side)... }
 *   const s = sideBySide(samples, ['seconds']);         // medians and ratios
 *
 * The commit is checked out with `git worktree add` into
 * bench/.cache/baseline-<sha> (git-ignored) and built there with its own
 * vite.config.ts. Its node_modules is a link to this checkout's when every
 * package its package-lock.json installs is locked here at the same version
 * (nearly always: then nothing is downloaded); otherwise `npm ci` runs there.
 * Both are kept for the next run; delete bench/.cache/baseline-* (and run
 * `git worktree prune`) to free the space.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { previewServer, root, type Server } from '../test/e2e/harness.ts';

export const BASELINE_CACHE = join(root, 'bench/.cache');

/** One build the bench runs: this checkout's, or a commit's in its worktree. */
export interface Side {
  /** 'current' or 'baseline'. */
  label: 'current' | 'baseline';
  /** The commit's full hash (for the current side, HEAD's). */
  commit: string;
  /** The current side only: the working tree differs from HEAD in what is built. */
  dirty?: boolean;
  /** The checkout it is built from (its vite.config.ts serves it). */
  dir: string;
  /** Its built app. */
  dist: string;
}

function git(args: string[], cwd = root): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** What the app is built from: a change elsewhere (docs, bench results) does not count. */
const BUILT = [
  'src',
  'workers',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'package-lock.json',
];

/**
 * This checkout as a side; `build`: run `vite build` first (default: only when
 * dist/ is missing). Its dist/ is copied to bench/.cache/current-dist and
 * served from there, so a build run meanwhile in this checkout (a test, a
 * colleague) cannot change or remove it in the middle of the bench.
 */
export function currentSide(opts: { build?: boolean } = {}): Side {
  const built = join(root, 'dist');
  if (opts.build || !existsSync(join(built, 'index.html')))
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  const dirty = git(['status', '--porcelain', '--', ...BUILT]) !== '';
  const dist = join(BASELINE_CACHE, 'current-dist');
  rmSync(dist, { recursive: true, force: true });
  cpSync(built, dist, { recursive: true });
  return { label: 'current', commit: git(['rev-parse', 'HEAD']), dirty, dir: root, dist };
}

/**
 * True when every package `baseLock` installs is locked in `currentLock` at
 * the same version, so the current node_modules can build the old commit.
 * Extraneous entries (left in a lock by an earlier install) do not count.
 */
export function sameDependencies(baseLock: string, currentLock: string): boolean {
  type Lock = { packages?: Record<string, { version?: string; extraneous?: boolean }> };
  const base = (JSON.parse(baseLock) as Lock).packages ?? {};
  const cur = (JSON.parse(currentLock) as Lock).packages ?? {};
  return Object.entries(base).every(
    ([path, p]) => path === '' || p.extraneous === true || cur[path]?.version === p.version,
  );
}

/**
 * `ref` (a commit, tag or branch) checked out in bench/.cache/baseline-<sha>,
 * its dependencies in place and its app built; reused when already there.
 */
export function prepareBaseline(ref: string, log: (s: string) => void = console.error): Side {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = join(BASELINE_CACHE, `baseline-${commit}`);
  const dist = join(dir, 'dist');
  const built = join(dir, '.wren-baseline-built');
  mkdirSync(BASELINE_CACHE, { recursive: true });
  if (!existsSync(join(dir, '.git'))) {
    git(['worktree', 'prune']);
    log(`baseline: git worktree add ${dir} ${commit.slice(0, 7)}`);
    git(['worktree', 'add', '--detach', dir, commit]);
  } else if (git(['rev-parse', 'HEAD'], dir) !== commit) {
    throw new Error(`${dir} is not at ${commit}: remove it and run \`git worktree prune\`.`);
  }
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules) && !isLink(modules)) {
    const lock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    if (sameDependencies(lock, readFileSync(join(root, 'package-lock.json'), 'utf8'))) {
      log('baseline: its package-lock matches this one: node_modules linked');
      symlinkSync(join(root, 'node_modules'), modules, 'dir');
    } else {
      log('baseline: its package-lock differs: npm ci');
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    }
  }
  if (!existsSync(built) || !existsSync(join(dist, 'index.html'))) {
    log(`baseline: vite build in ${dir}`);
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit' });
    writeFileSync(built, `${commit}\n`);
  }
  return { label: 'baseline', commit, dir, dist };
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Serves a side's built app with `vite preview` run in its own checkout, so
 * each commit is served with the headers its own vite.config.ts sets.
 */
export function serveSide(side: Side): Promise<Server> {
  return previewServer(side.dist, side.dir);
}

/** current, baseline, current, baseline… `repeat` rounds of every side, in that order. */
export function* alternate<S>(sides: S[], repeat: number): Generator<{ side: S; round: number }> {
  for (let round = 0; round < repeat; round++) for (const side of sides) yield { side, round };
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export interface SideBySide {
  /** Median of each figure over the current side's runs. */
  current: Record<string, number>;
  /** Median of each figure over the baseline's runs. */
  baseline: Record<string, number>;
  /** current / baseline of the medians (< 1: the current build is faster or smaller). */
  ratio: Record<string, number>;
}

/** Medians per side and their ratio, for each figure in `keys`. */
export function sideBySide(
  current: Record<string, number>[],
  baseline: Record<string, number>[],
  keys: string[],
): SideBySide {
  const out: SideBySide = { current: {}, baseline: {}, ratio: {} };
  for (const k of keys) {
    const c = median(current.map((r) => r[k]!).filter(Number.isFinite));
    const b = median(baseline.map((r) => r[k]!).filter(Number.isFinite));
    out.current[k] = round(c, 2);
    out.baseline[k] = round(b, 2);
    out.ratio[k] = round(c / b, 3);
  }
  return out;
}

/** The side-by-side figures as a small table for the terminal. */
export function formatSideBySide(title: string, s: SideBySide, sides: Side[]): string {
  const [cur, base] = sides;
  const head = ['figure', `current ${cur?.commit.slice(0, 7) ?? ''}${cur?.dirty ? '+' : ''}`];
  head.push(`baseline ${base?.commit.slice(0, 7) ?? ''}`, 'current/baseline');
  const rows = Object.keys(s.ratio).map((k) => [
    k,
    String(s.current[k]),
    String(s.baseline[k]),
    s.ratio[k]!.toFixed(3),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [title, line(head), ...rows.map(line)].join('\n');
}
