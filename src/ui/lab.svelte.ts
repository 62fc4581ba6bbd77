/**
 * The Lab's state, kept outside the page so a training run (and the form)
 * survives moving to other pages: stored embeddings and the chosen one,
 * the running training job with its progress, the feature set and its job.
 */
import { DEFAULT_EMBED_SETTINGS, type EmbedSettings } from '../core/embeddings/embed.ts';
import { WrenError } from '../core/errors.ts';
import {
  chooseEmbedding,
  chosenEmbedding,
  deleteEmbedding,
  getFeatureSet,
  listEmbeddings,
  type EmbeddingRow,
  type FeatureSetRow,
} from '../store/index.ts';
import type { EmbedWorkerProgress } from '../../workers/embed-protocol.ts';
import {
  listEngines,
  startFeatures,
  startTraining,
  startVectorsImport,
  type Job,
} from './lib/embedder.ts';
import { settingsToForm, type SettingsForm } from './lib/lab-settings.ts';
import { embeddingCache } from './lib/similar.ts';
import { ProgressMeter } from './lib/progress.ts';
import { foldProgress, initialTrainView, type TrainView } from './lib/train-progress.ts';
import { db } from './state.svelte.ts';

export type TrainingStatus =
  | { state: 'idle' }
  | {
      state: 'running';
      datasetId: string;
      settings: EmbedSettings;
      view: TrainView;
      cancelling: boolean;
    }
  | { state: 'failed'; datasetId: string; error: WrenError }
  | { state: 'cancelled'; datasetId: string }
  | { state: 'done'; datasetId: string; row: EmbeddingRow };

/** Importing a word2vec text file: reading it, then the evaluation's stages. */
export type VectorsImportStatus =
  | { state: 'idle' }
  | {
      state: 'running';
      datasetId: string;
      file: string;
      stage: 'read' | 'evaluate' | 'index' | 'map';
      percent: number | null;
      cancelling: boolean;
    }
  | { state: 'failed'; datasetId: string; file: string; error: WrenError }
  | { state: 'done'; datasetId: string; row: EmbeddingRow };

export type FeaturesStatus =
  | { state: 'idle' }
  | {
      state: 'running';
      datasetId: string;
      percent: number | null;
      stage: string;
      /** Seconds left in this stage at its recent pace; null until it can be estimated. */
      secondsLeft: number | null;
    }
  | { state: 'failed'; datasetId: string; error: WrenError };

class LabState {
  /** Stored embeddings of `datasetId`, newest first. */
  embeddings = $state.raw<EmbeddingRow[]>([]);
  chosenId = $state<string | null>(null);
  /** The dataset the lists were read for (null before the first read). */
  datasetId = $state<string | null>(null);
  /** undefined: not read yet; null: none stored. */
  featureSet = $state.raw<FeatureSetRow | null | undefined>(undefined);
  /** Engine names of the worker, null until it answered. */
  engines = $state.raw<string[] | null>(null);
  training = $state.raw<TrainingStatus>({ state: 'idle' });
  features = $state.raw<FeaturesStatus>({ state: 'idle' });
  vectorsImport = $state.raw<VectorsImportStatus>({ state: 'idle' });
  form = $state<SettingsForm>(settingsToForm(DEFAULT_EMBED_SETTINGS));
  engineChoice = $state('auto');
  /** Set when a list could not be read. */
  readError = $state<string | null>(null);

  private trainJob: Job<EmbeddingRow> | null = null;
  private featuresJob: Job<FeatureSetRow> | null = null;
  private importJob: Job<EmbeddingRow> | null = null;
  private enginesAsked = false;

  get running(): boolean {
    return this.training.state === 'running';
  }

  /** Reads the stored embeddings, the chosen one and the feature set of a dataset. */
  async refresh(datasetId: string): Promise<void> {
    try {
      const [rows, chosen, fs] = await Promise.all([
        listEmbeddings(db, datasetId),
        chosenEmbedding(db, datasetId),
        getFeatureSet(db, datasetId),
      ]);
      this.embeddings = rows;
      this.chosenId = chosen?.id ?? null;
      this.featureSet = fs ?? null;
      this.datasetId = datasetId;
      this.readError = null;
    } catch (e) {
      this.readError = WrenError.from(e).message;
    }
  }

  /** Asks the worker (once) which trainers it has. */
  loadEngines(): void {
    if (this.enginesAsked) return;
    this.enginesAsked = true;
    listEngines().then(
      (names) => (this.engines = names),
      () => (this.engines = []),
    );
  }

  /** Starts training unless a run is going on. */
  train(datasetId: string, settings: EmbedSettings, engine: string): void {
    if (this.trainJob) return;
    let view = initialTrainView();
    let frame = 0;
    const paint = (): void => {
      frame = 0;
      const s = this.training;
      if (s.state === 'running') this.training = { ...s, view };
    };
    this.training = { state: 'running', datasetId, settings, view, cancelling: false };
    const meter = new ProgressMeter();
    const job = startTraining({ datasetId, settings, engine }, (p: EmbedWorkerProgress) => {
      const next = foldProgress(view, p);
      if (next !== view && next.stage === p.stage)
        next.secondsLeft = meter.update(p, performance.now()).secondsLeft;
      view = next;
      // Events may come faster than frames: paint the latest once per frame.
      if (!frame) frame = requestAnimationFrame(paint);
    });
    this.trainJob = job;
    job.done.then(
      async (row) => {
        cancelAnimationFrame(frame);
        this.trainJob = null;
        this.training = { state: 'done', datasetId, row };
        await this.refresh(datasetId);
      },
      async (e: unknown) => {
        cancelAnimationFrame(frame);
        this.trainJob = null;
        const error = WrenError.from(e);
        this.training =
          error.code === 'cancelled'
            ? { state: 'cancelled', datasetId }
            : { state: 'failed', datasetId, error };
        await this.refresh(datasetId);
      },
    );
  }

  cancelTraining(): void {
    const s = this.training;
    if (!this.trainJob || s.state !== 'running') return;
    this.training = { ...s, cancelling: true };
    this.trainJob.cancel();
  }

  dismissTraining(): void {
    if (!this.running) this.training = { state: 'idle' };
  }

  /** Whether vectors are being imported. */
  get importing(): boolean {
    return this.vectorsImport.state === 'running';
  }

  /**
   * Imports a word2vec text file as an embedding of the dataset: read,
   * evaluated on next-item in the worker, stored and chosen (nothing is
   * stored when the file is bad or the import is cancelled).
   */
  importVectors(datasetId: string, file: File): void {
    if (this.importJob) return;
    const base = { state: 'running', datasetId, file: file.name, cancelling: false } as const;
    this.vectorsImport = { ...base, stage: 'read', percent: 0 };
    const job = startVectorsImport({ datasetId, file, name: file.name }, (p) => {
      const s = this.vectorsImport;
      if (s.state !== 'running' || p.stage === 'walks' || p.stage === 'train') return;
      const percent = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : null;
      this.vectorsImport = { ...s, stage: p.stage, percent };
    });
    this.importJob = job;
    job.done.then(
      async (row) => {
        this.importJob = null;
        this.vectorsImport = { state: 'done', datasetId, row };
        // The last training run's note says it is in use: no longer true.
        if (this.training.state === 'done') this.training = { state: 'idle' };
        await this.refresh(datasetId);
      },
      (e: unknown) => {
        this.importJob = null;
        const error = WrenError.from(e);
        this.vectorsImport =
          error.code === 'cancelled'
            ? { state: 'idle' }
            : { state: 'failed', datasetId, file: file.name, error };
      },
    );
  }

  cancelVectorsImport(): void {
    const s = this.vectorsImport;
    if (!this.importJob || s.state !== 'running') return;
    this.vectorsImport = { ...s, cancelling: true };
    this.importJob.cancel();
  }

  dismissVectorsImport(): void {
    if (!this.importing) this.vectorsImport = { state: 'idle' };
  }

  async choose(datasetId: string, id: string): Promise<void> {
    await chooseEmbedding(db, datasetId, id);
    this.chosenId = id;
  }

  async remove(datasetId: string, id: string): Promise<void> {
    await deleteEmbedding(db, id);
    embeddingCache.forget(id);
    await this.refresh(datasetId);
  }

  /** Computes the sparrow-ctr feature set unless it is being computed. */
  computeFeatures(datasetId: string): void {
    if (this.featuresJob) return;
    this.features = {
      state: 'running',
      datasetId,
      percent: null,
      stage: 'read',
      secondsLeft: null,
    };
    const meter = new ProgressMeter();
    const job = startFeatures(datasetId, (p) => {
      const percent = p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : null;
      const { secondsLeft } = meter.update(p, performance.now());
      this.features = { state: 'running', datasetId, percent, stage: p.stage, secondsLeft };
    });
    this.featuresJob = job;
    job.done.then(
      async () => {
        this.featuresJob = null;
        this.features = { state: 'idle' };
        await this.refresh(datasetId);
      },
      (e: unknown) => {
        this.featuresJob = null;
        const error = WrenError.from(e);
        this.features =
          error.code === 'cancelled' ? { state: 'idle' } : { state: 'failed', datasetId, error };
      },
    );
  }

  cancelFeatures(): void {
    this.featuresJob?.cancel();
  }
}

export const lab = new LabState();
