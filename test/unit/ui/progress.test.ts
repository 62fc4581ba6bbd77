import { describe, expect, it } from 'vitest';
import { ProgressMeter, stageLabel } from '../../../src/ui/lib/progress.ts';

describe('ProgressMeter', () => {
  it('reports percent at once, and rates and time left after half a second', () => {
    const m = new ProgressMeter();
    const v0 = m.update({ stage: 'read', done: 0, total: 1000, rows: 0 }, 0);
    expect(v0).toMatchObject({
      label: 'Reading files',
      percent: 0,
      rowsPerSecond: null,
      secondsLeft: null,
    });
    const v1 = m.update({ stage: 'read', done: 100, total: 1000, rows: 5000 }, 200);
    expect(v1.percent).toBe(10);
    expect(v1.rowsPerSecond).toBeNull(); // too early to estimate
    const v2 = m.update({ stage: 'read', done: 250, total: 1000, rows: 12_500 }, 1000);
    expect(v2.percent).toBe(25);
    expect(v2.rowsPerSecond).toBeCloseTo(12_500, 5); // 12,500 rows in 1 s
    expect(v2.secondsLeft).toBeCloseTo(3, 5); // 750 left at 250/s
  });

  it('restarts its estimate when the stage changes and counts store rows from done', () => {
    const m = new ProgressMeter();
    m.update({ stage: 'read', done: 900, total: 1000, rows: 9000 }, 0);
    const a = m.update({ stage: 'store', done: 0, total: 2000 }, 5000);
    expect(a).toMatchObject({ stage: 'store', percent: 0, rowsPerSecond: null, secondsLeft: null });
    const b = m.update({ stage: 'store', done: 1000, total: 2000 }, 6000);
    expect(b.rowsPerSecond).toBeCloseTo(1000, 5);
    expect(b.secondsLeft).toBeCloseTo(1, 5);
  });

  it('follows speed changes over a sliding window', () => {
    const m = new ProgressMeter();
    // 10 s at 100/s, then 1,000/s: the rate must reflect the recent speed.
    for (let t = 0; t <= 10_000; t += 500)
      m.update({ stage: 'store', done: t / 10, total: 1e6 }, t);
    let v = m.update({ stage: 'store', done: 1000, total: 1e6 }, 10_000);
    for (let t = 10_500; t <= 14_000; t += 500) {
      v = m.update({ stage: 'store', done: 1000 + (t - 10_000), total: 1e6 }, t);
    }
    expect(v.rowsPerSecond).toBeGreaterThan(900);
  });

  it('has no percent when the total is unknown, and never goes past 100', () => {
    const m = new ProgressMeter();
    expect(m.update({ stage: 'index', done: 5, total: 0 }, 0).percent).toBeNull();
    expect(m.update({ stage: 'index', done: 12, total: 10 }, 1).percent).toBe(100);
  });

  it('names stages', () => {
    expect(stageLabel('store')).toBe('Saving in this browser');
    expect(stageLabel('generate')).toBe('Generating demo data');
    expect(stageLabel('features')).toBe('Features');
  });
});
