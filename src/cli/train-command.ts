/** `wren train`: train a model on a protocol's split in node and print its metrics. */
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import { WrenError } from '../core/errors.ts';
import { makeSplit, PROTOCOLS, type ProtocolName } from '../core/eval/protocols.ts';
import { evaluateModel } from '../core/eval/parallel-eval.ts';
import { nodePool, threadsArg } from './node-pool.ts';
import type { ThreadPool } from '../core/parallel/pool.ts';
import { CTR_MODELS } from '../core/models/ctr-info.ts';
import { MODELS, modelInfo } from '../core/models/index.ts';
import { scoreAllMs } from '../core/models/score-time.ts';
import { applyPairs } from '../core/models/config-check.ts';
import { decodeModel, encodeModel } from '../core/models/serialize.ts';
import { modelToSafetensors } from '../core/models/model-safetensors.ts';
import { nodeInput } from './node-input.ts';
import { runCtr, runCtrEval } from './ctr-command.ts';
import { readFile, writeFile } from 'node:fs/promises';

export const TRAIN_OPTIONS = {
  model: { type: 'string' },
  protocol: { type: 'string' },
  set: { type: 'string', multiple: true },
  backend: { type: 'string' },
  threads: { type: 'string' },
  save: { type: 'string' },
  'model-file': { type: 'string' },
} as const;

export interface TrainArgs {
  model: string;
  protocol: ProtocolName | 'sparrow-ctr';
  seed: number;
  config: Record<string, number>;
  /** tfjs backend for neural models: wasm (default) or cpu. */
  backend: 'wasm' | 'cpu';
  /** Threads for the fits and evaluations that split (EASE; GMF, MLP, NeuMF; per-user scoring): 1 by default. */
  threads: number;
}

/** Parses and checks the flags; returns a message saying what is wrong otherwise. */
export function trainArgsFrom(v: {
  model?: string;
  protocol?: string;
  seed?: string;
  epochs?: string;
  set?: string[];
  backend?: string;
  threads?: string;
}): TrainArgs | string {
  const ctr = CTR_MODELS.find((m) => m.name === v.model);
  const info = modelInfo(v.model ?? '') ?? ctr;
  if (!info)
    return `--model takes ${[...MODELS, ...CTR_MODELS].map((m) => m.name).join(', ')}; found "${v.model ?? ''}"`;
  const protocol = (v.protocol ?? (ctr ? 'sparrow-ctr' : 'ncf-loo')) as TrainArgs['protocol'];
  if (protocol !== 'sparrow-ctr' && !PROTOCOLS.includes(protocol))
    return `--protocol takes ${[...PROTOCOLS, 'sparrow-ctr'].join(', ')}; found "${v.protocol}"`;
  if (Boolean(ctr) !== (protocol === 'sparrow-ctr'))
    return ctr
      ? `${info.name} is a CTR model: it trains on --protocol sparrow-ctr`
      : `sparrow-ctr trains ${CTR_MODELS.map((m) => m.name).join(', ')}; ${info.name} ranks (ncf-loo, msr-100k, full-rank)`;
  const seed = Number(v.seed ?? 1);
  if (!Number.isInteger(seed)) return `--seed takes a whole number; found "${v.seed}"`;
  const pairs = (v.set ?? []).flatMap((s) => s.split(','));
  if (v.epochs !== undefined) pairs.push(`epochs=${v.epochs}`);
  if ('seed' in info.settings && v.seed !== undefined) pairs.push(`seed=${seed}`);
  const config = applyPairs(info.name, info.settings, info.defaults, pairs);
  if (typeof config === 'string') return config;
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu')
    return `--backend takes wasm or cpu in node; found "${backend}"`;
  const threads = threadsArg(v.threads);
  if (typeof threads === 'string') return threads;
  return { model: info.name, protocol, seed, config, backend, threads };
}

export async function runTrain(
  path: string,
  args: TrainArgs,
  opts: { json: boolean; save?: string },
): Promise<number> {
  if (args.protocol === 'sparrow-ctr') return runCtr(path, args, opts);
  const protocol = args.protocol;
  const tty = process.stderr.isTTY && !opts.json;
  const pool = args.threads > 1 ? nodePool(args.threads - 1) : null;
  const parallel = pool ? { pool, threads: args.threads } : {};
  try {
    const ds = await importMovieLens(await nodeInput(path), {
      name: basename(path).replace(/\.zip$/i, ''),
    });
    const t0 = performance.now();
    const split = makeSplit(ds.ratings, protocol, args.seed, { itemCount: ds.movies.length });
    const splitSeconds = (performance.now() - t0) / 1000;
    const info = modelInfo(args.model)!;
    if (info.neural) await useTfBackend(args.backend);
    const model = await info.create(args.config);
    const t1 = performance.now();
    await model.fit(split.data, {
      ...parallel,
      onProgress: (p) => {
        if (tty)
          process.stderr.write(
            `\r${p.stage} ${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%   `,
          );
      },
    });
    const fitSeconds = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    const metrics = await evaluateModel(split, model, parallel);
    const evalSeconds = (performance.now() - t2) / 1000;
    const scoreMs = scoreAllMs(
      model,
      split.data.itemCount,
      [0, 1, 2, 3, 4].map((i) => i % split.data.userCount),
    );
    if (tty) process.stderr.write('\n');
    const interactions = split.data.train.items.length;
    // Neural models see every interaction plus sampled negatives, epoch after epoch.
    const samples = model.epochLog?.reduce((a, r) => a + r.samples, 0) ?? interactions;
    const out = {
      dataset: ds.name,
      model: args.model,
      protocol: args.protocol,
      ...(info.neural && { backend: args.backend }),
      threads: args.threads,
      seed: args.seed,
      config: model.config,
      metrics,
      trainInteractions: interactions,
      trainSamples: samples,
      ...(model.epochLog && {
        epochs: model.epochLog.map((r) => ({
          ...r,
          loss: round(r.loss),
          seconds: round(r.seconds),
        })),
      }),
      seconds: round(splitSeconds + fitSeconds + evalSeconds),
      fitSeconds: round(fitSeconds),
      evalSeconds: round(evalSeconds),
      samplesPerSecond: Math.round(samples / Math.max(fitSeconds, 1e-9)),
      scoreAllMs: round(scoreMs),
    };
    if (opts.save) {
      const extra = { protocol: args.protocol, seed: args.seed, dataset: ds.name, metrics };
      await writeFile(
        opts.save,
        isSafetensors(opts.save)
          ? modelToSafetensors(
              model.save(),
              { movieIds: ds.movies.map((m) => m.movieId), userIds: ds.users.map((u) => u.userId) },
              {
                dataset: ds.name,
                protocol: args.protocol,
                seed: String(args.seed),
                metrics: JSON.stringify(metrics),
              },
            )
          : encodeModel(model.save(), extra),
      );
    }
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number | undefined): string => (x ?? NaN).toFixed(4);
      const line =
        protocol === 'ncf-loo'
          ? `HR@10 ${f(metrics.hr)}  NDCG@10 ${f(metrics.ndcg)}`
          : `NDCG@10 ${f(metrics.ndcg)}  Recall@10 ${f(metrics.recall)}  Precision@10 ${f(metrics.precision)}  Hit@10 ${f(metrics.hit)}  MRR@10 ${f(metrics.mrr)}  coverage ${f(metrics.coverage)}`;
      process.stdout.write(
        [
          `${ds.name}: ${args.model} on ${args.protocol} (seed ${args.seed}; ${metrics.users} users)`,
          `  ${line}`,
          `  fit ${fitSeconds.toFixed(2)} s, ${samples.toLocaleString('en')} samples (${Math.round(samples / Math.max(fitSeconds, 1e-9)).toLocaleString('en')}/s) from ${interactions.toLocaleString('en')} interactions; evaluation ${evalSeconds.toFixed(2)} s; scoring all ${split.data.itemCount.toLocaleString('en')} movies for a user ${scoreMs.toFixed(2)} ms`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  } finally {
    pool?.close();
  }
}

/** A `--save` or `--model-file` name that asks for safetensors (Wren's own format otherwise). */
export function isSafetensors(file: string): boolean {
  return /\.safetensors$/i.test(file);
}

/** Loads tfjs with the wasm backend registered and switches to `name`. */
export async function useTfBackend(name: string): Promise<string> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name)))
    throw new WrenError('backend', `tfjs backend ${name} did not start.`);
  return tf.getBackend();
}

/** `wren eval`: re-evaluates a saved model on its protocol's split, without training. */
export async function runEval(
  path: string,
  modelFile: string,
  opts: { json: boolean; protocol?: string; seed?: string; backend?: string; threads?: string },
): Promise<number> {
  let pool: ThreadPool | null = null;
  try {
    const threads = threadsArg(opts.threads);
    if (typeof threads === 'string') throw new WrenError('invalid-settings', threads);
    const bytes = await readFile(modelFile).catch((e: NodeJS.ErrnoException) => {
      throw new WrenError(
        'not-found',
        `Cannot read the model file ${modelFile} (${e.code ?? e.message}).`,
      );
    });
    const { saved, extra } = decodeModel(new Uint8Array(bytes));
    if (CTR_MODELS.some((m) => m.name === saved.model))
      return await runCtrEval(path, saved, extra, opts);
    const info = modelInfo(saved.model);
    if (!info)
      throw new WrenError('invalid-data', `The file holds an unknown model "${saved.model}".`);
    const protocol = (opts.protocol ?? extra.protocol ?? 'ncf-loo') as ProtocolName;
    if (!PROTOCOLS.includes(protocol))
      throw new WrenError(
        'invalid-settings',
        `--protocol takes ${PROTOCOLS.join(', ')}; found "${protocol}"`,
      );
    const seed = Number(opts.seed ?? extra.seed ?? 1);
    const ds = await importMovieLens(await nodeInput(path), {
      name: basename(path).replace(/\.zip$/i, ''),
    });
    const users = ds.ratings.userOffsets.length - 1;
    if (ds.movies.length !== saved.itemCount || users !== saved.userCount)
      throw new WrenError(
        'invalid-data',
        `This model was trained on ${saved.userCount} users × ${saved.itemCount} movies (${String(extra.dataset ?? 'another dataset')}); ${ds.name} has ${users} × ${ds.movies.length}.`,
      );
    if (info.neural) await useTfBackend(opts.backend ?? 'wasm');
    const model = await info.load(saved);
    const split = makeSplit(ds.ratings, protocol, seed, { itemCount: ds.movies.length });
    const t0 = performance.now();
    pool = threads > 1 ? nodePool(threads - 1) : null;
    const metrics = await evaluateModel(split, model, pool ? { pool, threads } : {});
    const out = {
      dataset: ds.name,
      model: saved.model,
      protocol,
      seed,
      metrics,
      evalSeconds: round((performance.now() - t0) / 1000),
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `${ds.name}: ${saved.model} (saved) on ${protocol} (seed ${seed}; ${metrics.users} users)\n  ` +
          Object.entries(metrics)
            .filter(([k]) => k !== 'users' && k !== 'k')
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join('  ') +
          '\n',
      );
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json);
  } finally {
    pool?.close();
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
