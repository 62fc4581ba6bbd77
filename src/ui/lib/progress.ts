/**
 * Turns progress events into what the import panel shows: a stage label, a
 * percent, rows per second and an estimate of the time left in the stage.
 * Rates are measured over a sliding window so they follow speed changes.
 */
import type { Progress } from '../../core/data/types.ts';

export interface ProgressView {
  stage: string;
  label: string;
  /** 0..100, or null when the total is unknown. */
  percent: number | null;
  rowsPerSecond: number | null;
  /** Seconds left in this stage, null until there is enough to estimate. */
  secondsLeft: number | null;
}

const LABELS: Record<string, string> = {
  read: 'Reading files',
  index: 'Indexing ratings',
  store: 'Saving in this browser',
  generate: 'Generating demo data',
};

/** A readable name for a stage ("store" → "Saving in this browser"). */
export function stageLabel(stage: string): string {
  return LABELS[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1);
}

interface Sample {
  t: number;
  done: number;
  rows: number | null;
}

const WINDOW_MS = 3000;
/** No estimate before this much of a stage has been seen. */
const MIN_MS = 500;

export class ProgressMeter {
  private stage = '';
  private samples: Sample[] = [];

  /** Feeds one event seen at `now` (ms) and returns the view to show. */
  update(p: Progress, now: number): ProgressView {
    if (p.stage !== this.stage) {
      this.stage = p.stage;
      this.samples = [];
    }
    // The store stage counts rows in `done`.
    const rows = p.rows ?? (p.stage === 'store' ? p.done : null);
    this.samples.push({ t: now, done: p.done, rows });
    while (this.samples.length > 2 && now - this.samples[1]!.t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (now - first.t) / 1000;
    const enough = now - first.t >= MIN_MS;
    const percent = p.total > 0 ? Math.min(100, Math.max(0, (p.done / p.total) * 100)) : null;
    let rowsPerSecond: number | null = null;
    if (enough && rows !== null && first.rows !== null && rows > first.rows) {
      rowsPerSecond = (rows - first.rows) / dt;
    }
    let secondsLeft: number | null = null;
    if (enough && p.total > 0 && p.done > first.done) {
      secondsLeft = Math.max(0, (p.total - p.done) / ((p.done - first.done) / dt));
    }
    return { stage: p.stage, label: stageLabel(p.stage), percent, rowsPerSecond, secondsLeft };
  }
}
