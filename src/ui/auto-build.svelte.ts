/**
 * The automatic build: after an import, and whenever the app opens a dataset
 * that lacks them, Wren fits For You's personal model (first: For You needs
 * it most) and then trains the default embedding, in their own workers, with
 * one percent for both, and cancel. One build at a time (across tabs too, by
 * a Web Lock); a build for a dataset that is no longer active is cancelled.
 * Each finished step re-opens For You, the Models page and the Lab where
 * they show that dataset, so they switch to it without a reload.
 */
import { defaultSettingsFor } from '../core/embeddings/embed.ts';
import { WrenError } from '../core/errors.ts';
import { listDatasets, listEmbeddings, listModels, type DatasetRow } from '../store/index.ts';
import {
  AUTO_BUILD_KEY,
  autoBuildAllowed,
  buildPlan,
  embedFraction,
  needsBuild,
  overallPercent,
  rankerFraction,
  type BuildPlan,
  type BuildStep,
} from './lib/auto-build.ts';
import { closeAutoEmbedding, startAutoEmbedding } from './lib/embedder.ts';
import { closeAutoRanker, startAutoRanker } from './lib/modeller.ts';
import { ProgressMeter } from './lib/progress.ts';
import type { Job } from './lib/worker-client.ts';
import { lab } from './lab.svelte.ts';
import { models } from './models.svelte.ts';
import { you } from './profile.svelte.ts';
import { db } from './state.svelte.ts';

export type AutoBuildStatus =
  | { state: 'idle' }
  | {
      state: 'running';
      datasetId: string;
      ratings: number;
      step: BuildStep;
      /** 0..100 over both steps, never going back; null before the first report. */
      percent: number | null;
      /** Seconds left in this step (at its recent pace); null until it can be estimated. */
      secondsLeft: number | null;
      /** This step's place among the steps of this build: [1, 2] while the ranker runs before the embedding. */
      stepOf: [number, number];
      cancelling: boolean;
    }
  | { state: 'done'; datasetId: string; seconds: number }
  | { state: 'cancelled'; datasetId: string }
  | { state: 'failed'; datasetId: string; error: string };

/** How long "ready" (or "stopped") stays before it fades away, ms. */
const SHOW_MS = 6000;
const LOCK = 'wren-auto-build';

function allowed(): boolean {
  try {
    return autoBuildAllowed(globalThis.localStorage?.getItem(AUTO_BUILD_KEY) ?? null);
  } catch {
    return true;
  }
}

/** Runs `fn` holding the build lock (waiting while another tab builds); without Web Locks, at once. */
function withLock(signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn();
  return locks.request(LOCK, { signal }, fn);
}

interface Run {
  datasetId: string;
  controller: AbortController;
  /** Cancelled by the person (×), not because another dataset became active. */
  byPerson: boolean;
  job: Job<unknown> | null;
}

class AutoBuildState {
  status = $state.raw<AutoBuildStatus>({ state: 'idle' });

  private run: Run | null = null;
  /** The active dataset as last told to `ensure`. */
  private wanted: DatasetRow | null = null;
  /** Datasets whose build the person stopped: not started again until the next visit. */
  private stopped = new Set<string>();
  private hideTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Called with the active dataset whenever it changes (start-up, an import
   * done, another dataset chosen, one deleted): cancels a build for a dataset
   * that is no longer active and starts one for this dataset if it lacks the
   * personal model or any embedding.
   */
  ensure(ds: DatasetRow | null): void {
    this.wanted = ds;
    if (this.run) {
      // The running build ends first; its end starts the one for `ds` (see below).
      if (this.run.datasetId !== ds?.id) this.stop(this.run, false);
      return;
    }
    if (!ds || ds.status !== 'ready' || this.stopped.has(ds.id) || !allowed()) return;
    const run: Run = {
      datasetId: ds.id,
      controller: new AbortController(),
      byPerson: false,
      job: null,
    };
    this.run = run;
    void this.build(ds, run).finally(() => {
      this.run = null;
      const next = this.wanted;
      if (next && next.id !== run.datasetId) this.ensure(next);
    });
  }

  /** The person's ×: stops the build (nothing half-built is stored); it is done again on the next visit. */
  cancel(): void {
    const s = this.status;
    if (this.run && s.state === 'running') {
      this.status = { ...s, cancelling: true };
      this.stop(this.run, true);
    } else if (s.state !== 'running') this.dismiss();
  }

  dismiss(): void {
    if (this.status.state === 'running') return;
    this.clearHide();
    this.status = { state: 'idle' };
  }

  private stop(run: Run, byPerson: boolean): void {
    run.byPerson ||= byPerson;
    if (byPerson) this.stopped.add(run.datasetId);
    run.controller.abort(new WrenError('cancelled', 'Cancelled.'));
    run.job?.cancel();
  }

  private async build(ds: DatasetRow, run: Run): Promise<void> {
    const { signal } = run.controller;
    const t0 = performance.now();
    let built = false;
    try {
      await withLock(signal, async () => {
        const plan = buildPlan(await listModels(db, ds.id), await listEmbeddings(db, ds.id));
        // Another tab may have built while this one waited for the lock: show its results here.
        if (!needsBuild(plan)) return refreshViews(ds);
        signal.throwIfAborted();
        this.clearHide();
        this.status = {
          state: 'running',
          datasetId: ds.id,
          ratings: ds.counts.ratings,
          step: plan.ranker ? 'ranker' : 'embedding',
          percent: null,
          secondsLeft: null,
          stepOf: [1, plan.ranker && plan.embedding ? 2 : 1],
          cancelling: false,
        };
        if (plan.ranker) {
          await this.step(run, plan, 'ranker', (report) =>
            startAutoRanker(ds.id, (p) => report(rankerFraction(p))),
          ).finally(closeAutoRanker);
          refreshViews(ds);
        }
        // A person may have trained an embedding in the Lab meanwhile: then it is not needed.
        if (plan.embedding && (await listEmbeddings(db, ds.id)).length === 0) {
          signal.throwIfAborted();
          await this.step(run, plan, 'embedding', (report) =>
            startAutoEmbedding(
              { datasetId: ds.id, settings: defaultSettingsFor('item2vec'), engine: 'auto' },
              (p) => report(embedFraction(p)),
            ),
          ).finally(closeAutoEmbedding);
          refreshViews(ds);
        }
        built = true;
      });
      if (built)
        this.finish({ state: 'done', datasetId: ds.id, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      const error = WrenError.from(signal.aborted ? signal.reason : e);
      if (!run.byPerson && signal.aborted) {
        // Superseded by another dataset (or it was deleted): say nothing.
        if (this.status.state === 'running' && this.status.datasetId === ds.id)
          this.status = { state: 'idle' };
      } else if (error.code === 'cancelled') this.finish({ state: 'cancelled', datasetId: ds.id });
      else if (error.code === 'not-found' || !(await stillThere(ds.id)))
        // The dataset was deleted under the build: nothing to say.
        this.status = { state: 'idle' };
      else {
        this.clearHide();
        this.status = { state: 'failed', datasetId: ds.id, error: error.message };
      }
    }
  }

  /** Runs one step's job, folding its progress into the one percent (painted once per frame). */
  private async step(
    run: Run,
    plan: BuildPlan,
    step: BuildStep,
    start: (report: (fraction: number) => void) => Job<unknown>,
  ): Promise<void> {
    let latest = overallPercent(plan, step, 0);
    let frame = 0;
    // The time left in this step, at its pace over the last few seconds.
    const meter = new ProgressMeter();
    let secondsLeft: number | null = null;
    const both = plan.ranker && plan.embedding;
    const stepOf: [number, number] = both ? [step === 'ranker' ? 1 : 2, 2] : [1, 1];
    const paint = (): void => {
      frame = 0;
      const s = this.status;
      if (s.state === 'running' && s.datasetId === run.datasetId)
        this.status = {
          ...s,
          step,
          stepOf,
          secondsLeft,
          percent: Math.max(s.percent ?? 0, latest),
        };
    };
    paint();
    const job = start((fraction) => {
      secondsLeft = meter.update(
        { stage: step, done: Math.round(fraction * 10_000), total: 10_000 },
        performance.now(),
      ).secondsLeft;
      latest = overallPercent(plan, step, fraction);
      if (!frame) frame = requestAnimationFrame(paint);
    });
    run.job = job;
    // Cancelled between the check and the start: stop it at once.
    if (run.controller.signal.aborted) job.cancel();
    try {
      await job.done;
    } finally {
      cancelAnimationFrame(frame);
      run.job = null;
    }
    run.controller.signal.throwIfAborted();
    latest = overallPercent(plan, step, 1);
    paint();
  }

  /** Shows a closing state for a few seconds, then nothing. */
  private finish(s: AutoBuildStatus): void {
    this.clearHide();
    this.status = s;
    this.hideTimer = setTimeout(() => {
      this.hideTimer = null;
      if (this.status === s) this.status = { state: 'idle' };
    }, SHOW_MS);
  }

  private clearHide(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.hideTimer = null;
  }
}

/** Whether the dataset is still stored (a build's error after it was deleted is not worth showing). */
async function stillThere(id: string): Promise<boolean> {
  try {
    return (await listDatasets(db)).some((d) => d.id === id);
  } catch {
    return true;
  }
}

/**
 * What re-opens the views of a dataset after a model or an embedding was
 * added: For You (the recommendations worker re-opens when the stored models
 * or the chosen embedding changed, see ProfileState.open), the Models page's
 * table and the Lab's list.
 */
function refreshViews(ds: DatasetRow): void {
  if (you.forYouDataset === ds.id) void you.open(ds);
  if (models.datasetId === ds.id) void models.refresh(ds.id);
  if (lab.datasetId === ds.id) void lab.refresh(ds.id);
}

export const autoBuild = new AutoBuildState();
