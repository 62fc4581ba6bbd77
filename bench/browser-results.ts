/** Result lines of the browser benches: printed, and appended to bench/results/<file>. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../test/e2e/harness.ts';

const RESULTS = join(root, 'bench/results');

export function browserRecorder(file: string): (r: Record<string, unknown>) => void {
  return (r) => {
    const line = { ...r, browser: 'headless Chromium', date: new Date().toISOString() };
    console.log(JSON.stringify(line));
    mkdirSync(RESULTS, { recursive: true });
    appendFileSync(join(RESULTS, file), JSON.stringify(line) + '\n');
  };
}
