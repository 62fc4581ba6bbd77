/**
 * The models page's state, kept outside the page so a training queue survives
 * moving to other pages: stored models, the running queue with its progress
 * and live curves, the backend probe.
 */
import { WrenError } from '../core/errors.ts';
import type { ProtocolName } from '../core/eval/protocols.ts';
import type { CtrProtocol } from '../core/models/ctr-info.ts';
import { modelInfo } from '../core/models/index.ts';
import { deleteModel, listModels, type ModelRow } from '../store/index.ts';
import type { BackendMeasure } from '../../workers/models-protocol.ts';
import { ProgressMeter } from './lib/progress.ts';
import { emptyView, foldModelsProgress, type RunView } from './lib/model-run.ts';
import { probeBackends, startModels } from './lib/modeller.ts';
import type { Job } from './lib/worker-client.ts';
import { db } from './state.svelte.ts';

export type QueueStatus =
  | { state: 'idle' }
  | { state: 'running'; datasetId: string; view: RunView; cancelling: boolean; saved: number }
  | { state: 'failed'; datasetId: string; error: WrenError; saved: number }
  | { state: 'cancelled'; datasetId: string; saved: number }
  | { state: 'done'; datasetId: string; saved: number };

export type ProbeStatus =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; measures: BackendMeasure[] }
  | { state: 'failed'; error: string };

export interface ModelsForm {
  protocol: ProtocolName | CtrProtocol;
  seed: number;
  chosen: string[];
  /**
   * Most epochs for neural models and for the CTR models on ctr-random
   * (validation stops them earlier); null: each model's own default
   * (NeuMF 20, SASRec 60, ctr-random 30, ...).
   */
  epochs: number | null;
  /** null: each model's own default. */
  learningRate: number | null;
  backend: string;
  /** NeuMF starts from a GMF and an MLP trained first. */
  pretrain: boolean;
}

class ModelsState {
  rows = $state.raw<ModelRow[]>([]);
  datasetId = $state<string | null>(null);
  readError = $state<string | null>(null);
  queue = $state.raw<QueueStatus>({ state: 'idle' });
  probe = $state.raw<ProbeStatus>({ state: 'idle' });
  form = $state<ModelsForm>({
    protocol: 'ncf-loo',
    seed: 1,
    chosen: ['popularity', 'itemknn', 'puresvd', 'ease', 'neumf', 'lr', 'fm', 'emb-mlp'],
    epochs: null,
    learningRate: null,
    backend: 'auto',
    pretrain: false,
  });

  private job: Job<ModelRow[]> | null = null;

  get running(): boolean {
    return this.queue.state === 'running';
  }

  async refresh(datasetId: string): Promise<void> {
    try {
      this.rows = await listModels(db, datasetId);
      this.datasetId = datasetId;
      this.readError = null;
    } catch (e) {
      this.readError = e instanceof Error ? e.message : String(e);
    }
  }

  train(datasetId: string, models: { name: string; config: Record<string, number> }[]): void {
    if (this.running || models.length === 0) return;
    // Each model's epoch budget, for the validation curve's axis.
    const maxEpochs = models.map((m) => m.config.epochs ?? modelInfo(m.name)?.defaults.epochs ?? 1);
    let saved = 0;
    this.queue = {
      state: 'running',
      datasetId,
      view: emptyView(models.length, models[0]!.name),
      cancelling: false,
      saved,
    };
    const meter = new ProgressMeter();
    const job = startModels(
      {
        datasetId,
        protocol: this.form.protocol,
        seed: this.form.seed,
        models,
        backend: this.form.backend,
      },
      (p) => {
        const q = this.queue;
        if (q.state !== 'running' || q.datasetId !== datasetId) return;
        if (p.saved) {
          saved++;
          this.rows = [...this.rows, p.saved];
        }
        const view = foldModelsProgress(q.view, p, maxEpochs[p.index] ?? 1);
        // The time left in this model's stage, at its pace over the last few seconds.
        view.secondsLeft = meter.update(
          { stage: `${p.index}:${p.stage}`, done: p.done, total: p.total },
          performance.now(),
        ).secondsLeft;
        this.queue = { ...q, view, saved };
      },
    );
    this.job = job;
    job.done
      .then(
        () => {
          this.queue = { state: 'done', datasetId, saved };
        },
        (e: unknown) => {
          const err = WrenError.from(e);
          this.queue =
            err.code === 'cancelled'
              ? { state: 'cancelled', datasetId, saved }
              : { state: 'failed', datasetId, error: err, saved };
        },
      )
      .finally(() => {
        this.job = null;
        void this.refresh(datasetId);
      });
  }

  cancel(): void {
    const q = this.queue;
    if (q.state !== 'running' || !this.job) return;
    this.queue = { ...q, cancelling: true };
    this.job.cancel();
  }

  async remove(id: string): Promise<void> {
    await deleteModel(db, id);
    this.rows = this.rows.filter((r) => r.id !== id);
  }

  measureBackends(): void {
    if (this.probe.state === 'running') return;
    this.probe = { state: 'running' };
    probeBackends().done.then(
      (measures) => (this.probe = { state: 'done', measures }),
      (e: unknown) => (this.probe = { state: 'failed', error: WrenError.from(e).message }),
    );
  }
}

export const models = new ModelsState();
