/**
 * The automatic build after an import, its pure parts: what a dataset still
 * needs (For You's personal model, a default embedding), one percent over
 * both steps, and the words the indicator shows.
 */
import type { ModelRow } from '../../store/db.ts';
import type { EmbedWorkerProgress } from '../../../workers/embed-protocol.ts';
import type { AutoBuildProgress } from '../../../workers/models-protocol.ts';
import { formatSeconds, plural } from './format.ts';

/**
 * localStorage key: 'off' keeps Wren from building by itself (for browser
 * tests and benchmarks that measure something else). Anything else: on.
 */
export const AUTO_BUILD_KEY = 'wren:auto-build';

export function autoBuildAllowed(stored: string | null): boolean {
  return stored !== 'off';
}

export interface BuildPlan {
  /** No stored model with protocol 'personal': fit one. */
  ranker: boolean;
  /** No stored embedding at all: train the default Item2Vec. */
  embedding: boolean;
}

/** What the automatic build still has to do for a dataset with these stored models and embeddings. */
export function buildPlan(
  models: readonly Pick<ModelRow, 'protocol'>[],
  embeddings: readonly unknown[],
): BuildPlan {
  return {
    ranker: !models.some((m) => m.protocol === 'personal'),
    embedding: embeddings.length === 0,
  };
}

export const needsBuild = (p: BuildPlan): boolean => p.ranker || p.embedding;

export type BuildStep = 'ranker' | 'embedding';

/**
 * The bar's share for the ranker when both steps run: it is the quicker one
 * (about 1 s against 20 s for the embedding on ml-latest-small), but it is
 * what For You needs, so it shows.
 */
export const RANKER_SHARE = 0.25;

const part = (p: { done: number; total: number }): number =>
  p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;

/** 0..1 through the ranker step: reading the ratings, fitting, saving. */
export function rankerFraction(p: AutoBuildProgress): number {
  if (p.stage === 'read') return 0.1 * part(p);
  if (p.stage === 'save') return 0.95 + 0.05 * part(p);
  return 0.1 + 0.85 * part(p);
}

/** Where each stage of an embedding run starts and ends, 0..1 (Item2Vec has no walks). */
const EMBED_STAGES: Record<EmbedWorkerProgress['stage'], [number, number]> = {
  probe: [0, 0.08],
  walks: [0.08, 0.08],
  train: [0.08, 0.8],
  evaluate: [0.8, 0.88],
  index: [0.88, 0.94],
  map: [0.94, 1],
};

/** 0..1 through the embedding step. */
export function embedFraction(p: EmbedWorkerProgress): number {
  const [a, b] = EMBED_STAGES[p.stage];
  return a + (b - a) * part(p);
}

/** The whole build's percent (0..100) at `fraction` of `step`. */
export function overallPercent(plan: BuildPlan, step: BuildStep, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction));
  const both = plan.ranker && plan.embedding;
  const at = !both
    ? f
    : step === 'ranker'
      ? RANKER_SHARE * f
      : RANKER_SHARE + (1 - RANKER_SHARE) * f;
  return 100 * at;
}

/**
 * "Learning from 100,836 ratings… 40%" (no percent before the first report),
 * then the time left once it can be estimated: "· 2 min left", or "· step 1
 * of 2, 20 s left" where a step follows whose time is not known yet.
 */
export function learningText(
  ratings: number,
  percent: number | null,
  left: { seconds: number | null; step?: [number, number] } = { seconds: null },
): string {
  const head = `Learning from ${plural(ratings, 'rating')}…`;
  if (percent === null) return head;
  const pct = `${head} ${Math.floor(percent)}%`;
  if (left.seconds === null) return pct;
  const s = Math.max(1, Math.ceil(left.seconds));
  const time = `${s < 60 ? `${s} s` : formatSeconds(s)} left`;
  const [at, of] = left.step ?? [1, 1];
  return at < of ? `${pct} · step ${at} of ${of}, ${time}` : `${pct} · ${time}`;
}

export const READY_TEXT = 'Your recommendations are ready';
