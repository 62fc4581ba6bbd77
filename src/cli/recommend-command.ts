/**
 * `wren recommend`: "For You" for one dataset user, in node. The ranker's
 * model and the item2vec embedding train on every rating of the dataset;
 * the pipeline (recall → rank → re-rank) then serves the user from all
 * their ratings, their trained row where the model has one.
 */
import { reportFailure, statusLine } from './report.ts';
import {
  loadDataset,
  rankerFlagsProblem,
  trainEmbeddingFor,
  trainInNode,
  wholeNumber,
  type EmbeddingChoice,
} from './ranker-setup.ts';
import { WrenError } from '../core/errors.ts';
import { buildCatalog, type Catalog } from '../core/recommend/catalog.ts';
import { CHANNELS, type Hit } from '../core/recommend/channels.ts';
import { historyOf, interactionsOf } from '../core/recommend/offline.ts';
import { DEFAULT_PIPELINE, mainReason, reasonText, recommend } from '../core/recommend/pipeline.ts';
import { UserState } from '../core/recommend/user-state.ts';
import { loadModel, modelInfo } from '../core/models/index.ts';
import { modelFromSafetensors } from '../core/models/model-safetensors.ts';
import { rankerFor } from '../core/recommend/rankers.ts';
import type { TrainedRanker } from '../core/recommend/train-ranker.ts';
import { readFile } from 'node:fs/promises';
import { useTfBackend } from './train-command.ts';

export const RECOMMEND_OPTIONS = {
  user: { type: 'string' },
  k: { type: 'string' },
  embedding: { type: 'string' },
} as const;

export interface RecommendArgs {
  user: number;
  ranker: string;
  /** A safetensors model file to rank with instead of training `ranker`. */
  modelFile?: string;
  embedding: EmbeddingChoice;
  k: number;
  seed: number;
}

/** Parses and checks the flags; returns a message saying what is wrong otherwise. */
export function recommendArgsFrom(v: {
  user?: string;
  model?: string;
  'model-file'?: string;
  embedding?: string;
  k?: string;
  seed?: string;
}): RecommendArgs | string {
  const modelFile = v['model-file'];
  if (modelFile !== undefined && v.model !== undefined)
    return '--model-file ranks with the file’s model; give it or --model, not both';
  if (modelFile !== undefined && !/\.safetensors$/i.test(modelFile))
    return `--model-file takes a .safetensors file (train --save model.safetensors writes one); found "${modelFile}"`;
  if (v.user === undefined) return 'recommend needs --user <id> (a userId of the dataset)';
  const user = Number(v.user);
  if (v.user.trim() === '' || !Number.isInteger(user))
    return `--user takes a userId (a whole number); found "${v.user}"`;
  const ranker = v.model ?? 'personal';
  const problem = rankerFlagsProblem({ model: ranker }, v.embedding);
  if (problem) return problem;
  const k = wholeNumber('k', v.k, DEFAULT_PIPELINE.k, 1);
  if (typeof k === 'string') return k;
  const seed = wholeNumber('seed', v.seed, 1, 0);
  if (typeof seed === 'string') return seed;
  return {
    user,
    ranker: modelFile !== undefined ? 'imported' : ranker,
    ...(modelFile !== undefined && { modelFile }),
    embedding: (v.embedding as EmbeddingChoice | undefined) ?? 'item2vec',
    k,
    seed,
  };
}

/**
 * A ranker from a safetensors model file, its movies moved to the dataset's order (`movieIds`:
 * the dataset's MovieLens id of each movie index). The file is checked first; a bad one is a
 * WrenError saying what is wrong.
 */
export async function importRanker(
  file: string,
  movieIds: readonly number[],
): Promise<TrainedRanker> {
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new WrenError(
      'not-found',
      `Cannot read the model file ${file} (${e.code ?? e.message}).`,
    );
  });
  const t0 = performance.now();
  const { saved } = modelFromSafetensors(new Uint8Array(bytes), movieIds);
  const info = modelInfo(saved.model)!;
  if (info.neural) await useTfBackend('wasm');
  const model = await loadModel(saved);
  const title = `${info.title} (imported)`;
  return {
    ranker: rankerFor(model, title),
    title,
    seconds: (performance.now() - t0) / 1000,
    model,
  };
}

/** Why a movie is here, main reason first, in words. */
export function reasons(catalog: Catalog, hits: readonly Hit[]): string[] {
  const main = mainReason(hits);
  const rest = hits.filter((h) => h !== main);
  return [...(main ? [main] : []), ...rest].map((h) => reasonText(catalog, h));
}

export async function runRecommend(
  path: string,
  args: RecommendArgs,
  opts: { json: boolean },
): Promise<number> {
  const { tty, say, end } = statusLine(opts.json);
  try {
    const ds = await loadDataset(path);
    const u = ds.users.findIndex((x) => x.userId === args.user);
    if (u < 0) {
      const ids = ds.users.map((x) => x.userId);
      throw new WrenError(
        'not-found',
        `No user ${args.user} in ${ds.name}: its user ids run from ${Math.min(...ids)} to ${Math.max(...ids)} (${ids.length.toLocaleString('en')} users).`,
      );
    }
    const data = interactionsOf(ds.ratings, ds.movies.length);
    const emb = await trainEmbeddingFor(data, args.embedding, args.seed, say);
    const catalog = buildCatalog(ds.movies);
    let trained: TrainedRanker;
    if (args.modelFile) {
      say(`importing ${args.modelFile}…`);
      trained = await importRanker(
        args.modelFile,
        ds.movies.map((m) => m.movieId),
      );
    } else {
      say(`training ${args.ranker}…`);
      trained = await trainInNode(args.ranker, data, {
        seed: args.seed,
        say,
        catalog,
        embedding: emb.embedding,
      });
    }
    end();
    const state = UserState.from(catalog, emb.embedding, historyOf(data, u));
    const r = recommend(
      { catalog, embedding: emb.embedding, ranker: trained.ranker },
      { state, user: u },
      { ...DEFAULT_PIPELINE, k: args.k },
    );
    const items = r.items.map((it, i) => ({
      rank: i + 1,
      movieId: catalog.movieIds[it.movie]!,
      title: catalog.titles[it.movie]!,
      score: it.score,
      reasons: reasons(catalog, it.hits),
      channels: it.hits.map((h) => ({
        channel: h.channel,
        rank: h.rank,
        score: h.score,
        ...(h.channel === 'because' && {
          likedMovieId: catalog.movieIds[h.via!],
          likedTitle: catalog.titles[h.via!],
        }),
        ...(h.channel === 'genre' && { genre: catalog.genres[h.via!] }),
      })),
    }));
    const out = {
      dataset: ds.name,
      user: { userId: args.user, index: u, ratings: state.count, liked: state.positives().length },
      ranker: args.modelFile ? trained.model!.model : args.ranker,
      ...(args.modelFile && { modelFile: args.modelFile }),
      embedding: args.embedding,
      stage: r.stage,
      k: args.k,
      items,
      candidates: r.candidates,
      perChannel: r.perChannel,
      ms: r.ms,
      trainSeconds: { model: round(trained.seconds), embedding: round(emb.seconds) },
      trainRatings: data.train.items.length,
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const ms = (x: number): string => `${x.toFixed(2)} ms`;
      const stageSays =
        r.stage === 'model'
          ? `ranked by ${trained.title}`
          : r.stage === 'fusion'
            ? `ranked by channel fusion${trained.ranker ? ` (fewer than ${DEFAULT_PIPELINE.minForModel} liked movies for ${args.ranker})` : ''}`
            : 'cold start: popular, top rated and genres';
      const width = Math.min(48, Math.max(...items.map((x) => x.title.length), 5));
      const lines = [
        `${ds.name}: For You for user ${args.user} (${state.count} ratings, ${out.user.liked} liked); ${stageSays}`,
        `   #  ${'title'.padEnd(width)}  ${'score'.padStart(8)}  why`,
        ...items.map(
          (x) =>
            `${String(x.rank).padStart(4)}  ${clip(x.title, width).padEnd(width)}  ${fmt(x.score).padStart(8)}  ${x.reasons.join(' · ')}`,
        ),
        `  recall ${ms(r.ms.recall)} (${r.candidates} candidates: ${CHANNELS.map((c) => `${c} ${r.perChannel[c]}`).join(', ')}), rank ${ms(r.ms.rank)}, re-rank ${ms(r.ms.rerank)}, total ${ms(r.ms.total)}`,
        `  trained in node on all ${data.train.items.length.toLocaleString('en')} ratings: ${
          [
            ...(trained.ranker && args.ranker !== 'embedding' && !args.modelFile
              ? [`${args.ranker} ${trained.seconds.toFixed(2)} s`]
              : []),
            ...(emb.embedding ? [`item2vec ${emb.seconds.toFixed(2)} s`] : []),
          ].join(', ') || 'nothing (fusion without an embedding)'
        }`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(4));
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
