/**
 * docs/benchmarks.md is rendered from bench/results/*.jsonl by scripts/bench-report.mjs: the
 * committed file must be what the committed lines render (so `npm test` fails when it is stale),
 * the renderer must show the latest run of a configuration and fail its check when a figure
 * changes, and every relative link in README.md and docs/ must reach a file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './cli-harness.ts';

const root = resolve(import.meta.dirname, '../..');
const script = join(root, 'scripts/bench-report.mjs');

function report(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A result line in DESIGN.md's format. */
const line = (over: Record<string, unknown>): string =>
  JSON.stringify({
    suite: 'models-quality',
    name: 'ease',
    dataset: 'ml-latest-small',
    backend: 'js',
    metrics: { protocol: 'ncf-loo', seed: 1, hr: 0.7541, ndcg: 0.5158, users: 610, k: 10 },
    seconds: 3.37,
    samplesPerSecond: null,
    peakMemoryMB: 272,
    node: 'v20.20.2',
    date: '2026-12-02T03:00:00.000Z',
    ...over,
  });

/** The table row whose first cells are these, split into cells. */
function row(markdown: string, ...first: string[]): string[] | undefined {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((cells) => cells.slice(1, -1))
    .find((cells) => first.every((f, i) => cells[i] === f));
}

describe('docs/benchmarks.md', () => {
  it('is what bench/results/*.jsonl render (run `npm run bench:report` after a bench)', () => {
    const r = report('--check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('shows every results file, and a figure of the latest line of each', () => {
    const doc = readFileSync(join(root, 'docs/benchmarks.md'), 'utf8');
    for (const file of readdirSync(join(root, 'bench/results')).filter((f) => f.endsWith('.jsonl')))
      expect(doc, file).toContain(`bench/results/${file}`);
    // The latest EASE line on ncf-loo, ml-latest-small, is a row of the ncf-loo table.
    const lines = readFileSync(join(root, 'bench/results/models.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            name: string;
            dataset: string;
            date: string;
            metrics: { protocol?: string; hr?: number };
          },
      )
      .filter(
        (l) =>
          l.name === 'ease' && l.dataset === 'ml-latest-small' && l.metrics.protocol === 'ncf-loo',
      )
      .sort((a, b) => a.date.localeCompare(b.date));
    const latest = lines.at(-1)!;
    expect(doc).toContain(`| ${String(latest.metrics.hr)} `);
  });
});

describe('scripts/bench-report.mjs on fixtures', () => {
  function fixture(lines: string[], other: string[] = []): string {
    const dir = tempDir('wren-bench-report-');
    mkdirSync(join(dir, 'bench/results'), { recursive: true });
    writeFileSync(join(dir, 'bench/results/models.jsonl'), lines.join('\n') + '\n');
    if (other.length) writeFileSync(join(dir, 'bench/results/zzz.jsonl'), other.join('\n') + '\n');
    return dir;
  }

  it('renders the latest run of a configuration as a row, with its date and command', () => {
    const dir = fixture(
      [
        line({ date: '2026-12-02T03:00:00.000Z' }),
        line({
          date: '2026-12-05T03:00:00.000Z',
          metrics: { protocol: 'ncf-loo', seed: 1, hr: 0.7777, ndcg: 0.5, users: 610 },
        }),
        line({
          date: '2026-12-01T03:00:00.000Z',
          metrics: { protocol: 'ncf-loo', seed: 1, hr: 0.1111, ndcg: 0.1, users: 610 },
        }),
      ],
      [
        JSON.stringify({
          suite: 'brand-new',
          dataset: 'd',
          speed: 12345,
          date: '2026-12-03T00:00:00Z',
        }),
      ],
    );
    const r = report('--root', dir);
    expect(r.code).toBe(0);
    const doc = readFileSync(join(dir, 'docs/benchmarks.md'), 'utf8');
    const ease = row(doc, 'ml-latest-small', 'ease');
    expect(ease).toBeDefined();
    expect(ease).toContain('0.7777');
    expect(ease).toContain('2026-12-05');
    expect(doc).not.toContain('0.7541');
    expect(doc).not.toContain('0.1111');
    expect(doc).toContain(
      '`npm run bench:models -- --only quality --cases ncf-loo:ml-latest-small --models ease`',
    );
    // A suite the renderer has no table for still shows, with every figure.
    expect(doc).toContain('`brand-new`');
    expect(row(doc, '', 'd')).toContain('12,345');
    // Rendering is deterministic: the same lines give the same file.
    expect(report('--root', dir, '--check').code).toBe(0);
  });

  it('fails its check, with a plain message, when a figure changes or the file is missing', () => {
    const dir = fixture([line({})]);
    expect(report('--root', dir, '--check')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/missing/),
    });
    expect(report('--root', dir).code).toBe(0);
    expect(report('--root', dir, '--check').code).toBe(0);
    writeFileSync(
      join(dir, 'bench/results/models.jsonl'),
      line({ metrics: { protocol: 'ncf-loo', hr: 0.76 } }) + '\n',
    );
    const stale = report('--root', dir, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/docs\/benchmarks\.md is stale.*npm run bench:report/);
  });

  it('renders bench:scale as a stage × size table and a log-log plot, cut stages as lower bounds', () => {
    const scale = (name: string, ratings: number, f: Record<string, unknown>): string =>
      JSON.stringify({
        suite: 'scale',
        name,
        dataset: `d-${ratings}`,
        ratings,
        command: 'npm run bench:scale',
        peakRssMB: 900,
        peakRendererMB: 700,
        browser: 'headless Chromium',
        date: '2026-12-07T00:00:00.000Z',
        ...f,
      });
    const dir = fixture([line({})]);
    writeFileSync(
      join(dir, 'bench/results/scale.jsonl'),
      [
        scale('import', 1_000_000, { seconds: 10.5 }),
        scale('import', 25_000_095, { seconds: 301 }),
        scale('build', 1_000_000, { seconds: 130, buildSeconds: 132.6 }),
        scale('build', 25_000_095, {
          seconds: 900,
          finished: false,
          error: 'not finished within 900 s',
        }),
      ].join('\n') + '\n',
    );
    expect(report('--root', dir).code).toBe(0);
    const doc = readFileSync(join(dir, 'docs/benchmarks.md'), 'utf8');
    expect(row(doc, 'import, s')).toEqual(['import, s', '10.5 · 900 MB', '301 · 900 MB']);
    expect(row(doc, 'automatic build, s (timed by the app)')?.[2]).toBe(
      '> 900 s (not finished) · 900 MB',
    );
    const svg = readFileSync(join(dir, 'docs/scale.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('fill="#fff" stroke="#d62728"');
    expect(report('--root', dir, '--check').code).toBe(0);
    writeFileSync(join(dir, 'docs/scale.svg'), '<svg/>');
    expect(report('--root', dir, '--check').stderr).toMatch(/docs\/scale\.svg is stale/);
  });

  it('names the place of a line that is not JSON', () => {
    const dir = fixture([line({}), '{"suite": "models-quality",']);
    const r = report('--root', dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('models.jsonl:2: not JSON');
  });
});

describe('README.md and docs/', () => {
  it('link only to files that exist', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    expect(pages.length).toBeGreaterThan(2);
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
        const file = target!.split('#')[0]!;
        if (!existsSync(join(root, dirname(page), decodeURI(file))))
          broken.push(`${page} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
