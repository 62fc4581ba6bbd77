#!/usr/bin/env node
// `npm test`: every check, read-only — quality gate, unit tests, build, browser tests.
// Ends with one line "N passed, N failed" counting vitest's tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const results = [];
const step = (name, cmd, args, env = {}) => {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  console.log(`${ok ? '✔' : '✘'} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return ok;
};

if (!existsSync('node_modules/.package-lock.json'))
  step('install', 'npm', ['ci', '--no-audit', '--no-fund']);
mkdirSync('test/e2e/.artifacts', { recursive: true });
step('typecheck', 'npx', [
  'svelte-check',
  '--tsconfig',
  './tsconfig.json',
  '--fail-on-warnings',
  '--output',
  'human',
]);
step('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
step('format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']);
const counts = { passed: 0, failed: 0, skipped: 0 };
const vitest = (project) => {
  const out = `test/e2e/.artifacts/vitest-${project}.json`;
  const ok = step(`${project} tests`, 'npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    counts.passed += j.numPassedTests;
    counts.failed += j.numFailedTests;
    counts.skipped += j.numPendingTests + (j.numTodoTests ?? 0);
  } else if (!ok) counts.failed++;
};
vitest('unit');
if (step('build', 'npx', ['vite', 'build', '--logLevel', 'warn'])) vitest('e2e');

console.log('\nSummary:');
for (const r of results)
  console.log(`  ${r.ok ? '✔' : '✘'} ${r.name.padEnd(12)} ${r.seconds.toFixed(1)} s`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
