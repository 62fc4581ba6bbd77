/** The automatic build's decisions and its one percent over both steps (pure). */
import { describe, expect, it } from 'vitest';
import {
  autoBuildAllowed,
  buildPlan,
  embedFraction,
  learningText,
  needsBuild,
  overallPercent,
  rankerFraction,
  RANKER_SHARE,
} from '../../../src/ui/lib/auto-build.ts';
import type { EmbedWorkerProgress } from '../../../workers/embed-protocol.ts';

describe('what a dataset still needs', () => {
  it('builds both for a fresh dataset', () => {
    expect(buildPlan([], [])).toEqual({ ranker: true, embedding: true });
    expect(needsBuild(buildPlan([], []))).toBe(true);
  });

  it('needs the ranker until a personal model is stored, whatever else is', () => {
    const trained = [{ protocol: 'ncf-loo' as const }, { protocol: 'sparrow-ctr' as const }];
    expect(buildPlan(trained, [{}]).ranker).toBe(true);
    expect(buildPlan([...trained, { protocol: 'personal' as const }], [{}])).toEqual({
      ranker: false,
      embedding: false,
    });
  });

  it('needs the embedding only when there is none (one trained in the Lab counts)', () => {
    const personal = [{ protocol: 'personal' as const }];
    expect(buildPlan(personal, [])).toEqual({ ranker: false, embedding: true });
    expect(needsBuild(buildPlan(personal, [{ auto: false }]))).toBe(false);
  });

  it('is on unless turned off', () => {
    expect(autoBuildAllowed(null)).toBe(true);
    expect(autoBuildAllowed('on')).toBe(true);
    expect(autoBuildAllowed('off')).toBe(false);
  });
});

describe('one percent over both steps', () => {
  const both = { ranker: true, embedding: true };

  it('gives the ranker its share, then the embedding the rest', () => {
    expect(overallPercent(both, 'ranker', 0)).toBe(0);
    expect(overallPercent(both, 'ranker', 1)).toBeCloseTo(100 * RANKER_SHARE);
    expect(overallPercent(both, 'embedding', 0)).toBeCloseTo(100 * RANKER_SHARE);
    expect(overallPercent(both, 'embedding', 1)).toBe(100);
  });

  it('runs one step over the whole bar when it is the only one', () => {
    expect(overallPercent({ ranker: true, embedding: false }, 'ranker', 0.5)).toBe(50);
    expect(overallPercent({ ranker: false, embedding: true }, 'embedding', 0.5)).toBe(50);
    expect(overallPercent(both, 'ranker', 7)).toBeCloseTo(100 * RANKER_SHARE);
    expect(overallPercent(both, 'ranker', -1)).toBe(0);
  });

  it('never goes back through the ranker’s stages', () => {
    const reports = [
      { stage: 'read', done: 0, total: 1 },
      { stage: 'read', done: 1, total: 1 },
      { stage: 'fitting', done: 0, total: 610 },
      { stage: 'fitting', done: 305, total: 610 },
      { stage: 'fitting', done: 610, total: 610 },
      { stage: 'save', done: 0, total: 1 },
      { stage: 'save', done: 1, total: 1 },
    ];
    const f = reports.map(rankerFraction);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1]!);
    expect(f[0]).toBe(0);
    expect(f.at(-1)).toBe(1);
    // A stage with no total yet reads as its start.
    expect(rankerFraction({ stage: 'fitting', done: 0, total: 0 })).toBeCloseTo(0.1);
  });

  it('never goes back through the embedding’s stages', () => {
    const reports: EmbedWorkerProgress[] = [
      { stage: 'probe', done: 0, total: 1 },
      { stage: 'probe', done: 1, total: 1, engine: 'wasm-simd' },
      { stage: 'train', done: 0, total: 100 },
      { stage: 'train', done: 50, total: 100 },
      { stage: 'train', done: 100, total: 100 },
      { stage: 'evaluate', done: 3, total: 4 },
      { stage: 'index', done: 1, total: 1 },
      { stage: 'map', done: 0, total: 10 },
      { stage: 'map', done: 10, total: 10 },
    ];
    const f = reports.map(embedFraction);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1]!);
    expect(f[0]).toBe(0);
    expect(f.at(-1)).toBe(1);
    // Training is most of it.
    expect(embedFraction({ stage: 'train', done: 100, total: 100 }) - f[1]!).toBeGreaterThan(0.5);
  });
});

describe('the words', () => {
  it('says how many ratings it learns from, with the percent once known', () => {
    expect(learningText(100_836, 40.7)).toBe('Learning from 100,836 ratings… 40%');
    expect(learningText(100_836, null)).toBe('Learning from 100,836 ratings…');
    expect(learningText(1, 0)).toBe('Learning from 1 rating… 0%');
  });

  it('adds the time left once known, for this step where another follows', () => {
    expect(learningText(25_000_095, 62.4, { seconds: 130 })).toBe(
      'Learning from 25,000,095 ratings… 62% · 2 min 10 s left',
    );
    expect(learningText(25_000_095, 12, { seconds: 39.2, step: [1, 2] })).toBe(
      'Learning from 25,000,095 ratings… 12% · step 1 of 2, 40 s left',
    );
    expect(learningText(1_000, 90, { seconds: 0.2, step: [2, 2] })).toBe(
      'Learning from 1,000 ratings… 90% · 1 s left',
    );
    expect(learningText(1_000, 5, { seconds: null, step: [1, 2] })).toBe(
      'Learning from 1,000 ratings… 5%',
    );
  });
});
