/**
 * `wren train --protocol sparrow-ctr`: a CTR model on the time-split samples, with its
 * classification metrics; `wren eval --protocol ctr-random --model …`: the same on RecBole's random
 * 8:1:1 split, beside logistic regression.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import type { Dataset } from '../core/data/types.ts';
import { WrenError } from '../core/errors.ts';
import { compareCtr, evaluateCtr } from '../core/eval/ctr.ts';
import { movieMetaFromMovies, type MovieMeta } from '../core/features/movie-features.ts';
import { applyPairs } from '../core/models/config-check.ts';
import { rowUsers, sparrowCtrSplit, type CtrData } from '../core/models/ctr-data.ts';
import { CTR_MODELS, ctrRandomConfig } from '../core/models/ctr-info.ts';
import { ctrRandomSplit } from '../core/models/ctr-random.ts';
import { encodeModel } from '../core/models/serialize.ts';
import type { FitOptions, SavedModel } from '../core/models/types.ts';
import { nodeInput } from './node-input.ts';
import type { TrainArgs } from './train-command.ts';

/**
 * The backend set, the CTR models loaded (tfjs with them), the dataset imported and its split
 * built, with the seconds the split's features took.
 */
async function openCtr<S>(
  path: string,
  backend: TrainArgs['backend'],
  splitOf: (ds: Dataset, meta: MovieMeta) => S,
) {
  await useBackend(backend);
  const { CtrModel } = await import('../core/models/ctr.ts');
  const ds = await importMovieLens(await nodeInput(path), {
    name: basename(path).replace(/\.zip$/i, ''),
  });
  const t0 = performance.now();
  const split = splitOf(ds, movieMetaFromMovies(ds.movies, ds.genres));
  return { CtrModel, ds, split, featureSeconds: (performance.now() - t0) / 1000 };
}

/**
 * Fits a CTR model on a split and times it; with a `status` prefix (a terminal), its progress is
 * written on stderr's status line as "prefix stage 40%".
 */
async function fitCtr<M extends { fit(split: CtrData, opts: FitOptions): Promise<void> }>(
  model: M,
  split: CtrData,
  status: string | null,
): Promise<{ model: M; seconds: number }> {
  const t = performance.now();
  await model.fit(split, {
    onProgress: (p) => {
      if (status !== null)
        process.stderr.write(
          `\r${status}${p.stage} ${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%   `,
        );
    },
  });
  return { model, seconds: (performance.now() - t) / 1000 };
}

export async function runCtr(
  path: string,
  args: TrainArgs,
  opts: { json: boolean; save?: string },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const { CtrModel, ds, split, featureSeconds } = await openCtr(path, args.backend, (d, meta) =>
      sparrowCtrSplit(d.ratings, meta),
    );
    const { model, seconds: fitSeconds } = await fitCtr(
      new CtrModel(args.model as 'lr', args.config),
      split,
      tty ? '' : null,
    );
    if (tty) process.stderr.write('\n');
    const t2 = performance.now();
    const { metrics, roc, pr } = evaluateCtr(split.test.labels, model.predict(split.test), 20);
    const evalSeconds = (performance.now() - t2) / 1000;
    const samples = model.epochLog.reduce((a, r) => a + r.samples, 0);
    const out = {
      dataset: ds.name,
      model: args.model,
      protocol: 'sparrow-ctr',
      backend: args.backend,
      config: model.config,
      metrics,
      trainRows: split.train.rows,
      testRows: split.test.rows,
      epochs: model.epochLog.map((r) => ({ ...r, loss: round(r.loss), seconds: round(r.seconds) })),
      featureSeconds: round(featureSeconds),
      fitSeconds: round(fitSeconds),
      evalSeconds: round(evalSeconds),
      samplesPerSecond: Math.round(samples / Math.max(fitSeconds, 1e-9)),
      roc,
      pr,
    };
    if (opts.save) {
      // The SavedModel the app keeps in IndexedDB (the Models page's worker), in a file.
      const extra = {
        protocol: 'sparrow-ctr',
        seed: model.config.seed,
        dataset: ds.name,
        backend: args.backend,
        metrics,
      };
      await writeFile(opts.save, encodeModel(model.save(), extra));
    }
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number): string => x.toFixed(4);
      process.stdout.write(
        [
          `${ds.name}: ${args.model} on sparrow-ctr (${split.train.rows.toLocaleString('en')} train, ${split.test.rows.toLocaleString('en')} test rows; ${(100 * metrics.positiveRate).toFixed(1)}% positive)`,
          `  logloss ${f(metrics.logloss)}  accuracy ${f(metrics.accuracy)}  ROC-AUC ${f(metrics.rocAuc)}  PR-AUC ${f(metrics.prAuc)}`,
          `  features ${featureSeconds.toFixed(2)} s; fit ${fitSeconds.toFixed(2)} s (${out.samplesPerSecond.toLocaleString('en')} samples/s); evaluation ${evalSeconds.toFixed(2)} s`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

/**
 * `wren eval` on a saved CTR model: rebuilds the sparrow-ctr split (a time split: no seed changes
 * it), loads the model without training and prints the metrics train printed.
 */
export async function runCtrEval(
  path: string,
  saved: SavedModel,
  extra: Record<string, unknown>,
  opts: { json: boolean; protocol?: string; seed?: string; backend?: string },
): Promise<number> {
  try {
    const protocol =
      opts.protocol ?? (extra.protocol === 'ctr-random' ? 'ctr-random' : 'sparrow-ctr');
    if (protocol !== 'sparrow-ctr' && protocol !== 'ctr-random')
      throw new WrenError(
        'invalid-settings',
        `${saved.model} is a CTR model: it evaluates on --protocol sparrow-ctr or ctr-random; found "${opts.protocol}"`,
      );
    // sparrow-ctr's split is by time, so --seed (checked, for the same flags as ranking models)
    // changes nothing there: the model's own seed is the one reported. ctr-random's split takes it
    // (default: the seed it was saved with).
    if (opts.seed !== undefined && !Number.isInteger(Number(opts.seed)))
      throw new WrenError('invalid-settings', `--seed takes a whole number; found "${opts.seed}"`);
    const seed =
      protocol === 'ctr-random' && opts.seed !== undefined
        ? Number(opts.seed)
        : Number(extra.seed ?? saved.config.seed ?? 1);
    const backend = opts.backend ?? (typeof extra.backend === 'string' ? extra.backend : 'wasm');
    if (backend !== 'wasm' && backend !== 'cpu')
      throw new WrenError(
        'invalid-settings',
        `--backend takes wasm or cpu in node; found "${backend}"`,
      );
    let layout: { tables?: unknown; cats?: unknown; numNames?: unknown };
    try {
      layout = JSON.parse(String(saved.config.layout)) as typeof layout;
    } catch {
      throw new WrenError(
        'invalid-data',
        `Cannot load this ${saved.model} model: its field layout is not JSON.`,
      );
    }
    const ds = await importMovieLens(await nodeInput(path), {
      name: basename(path).replace(/\.zip$/i, ''),
    });
    const users = ds.ratings.userOffsets.length - 1;
    const other = String(extra.dataset ?? 'another dataset');
    // The tables keep a padding row after the last user and movie.
    if (saved.userCount !== users + 1 || saved.itemCount !== ds.movies.length + 1)
      throw new WrenError(
        'invalid-data',
        `This model was trained on ${saved.userCount - 1} users × ${saved.itemCount - 1} movies (${other}); ${ds.name} has ${users} × ${ds.movies.length}.`,
      );
    await useBackend(backend);
    const { CtrModel } = await import('../core/models/ctr.ts');
    const model = CtrModel.load(saved);
    const t0 = performance.now();
    const meta = movieMetaFromMovies(ds.movies, ds.genres);
    const split =
      protocol === 'ctr-random'
        ? ctrRandomSplit(ds.ratings, meta, ds.users, seed)
        : sparrowCtrSplit(ds.ratings, meta);
    const featureSeconds = (performance.now() - t0) / 1000;
    const shape = (l: typeof layout): string =>
      JSON.stringify([
        l.tables,
        (
          l.cats as { name: string; table: string; vocab: number; width: number }[] | undefined
        )?.map((c) => [c.name, c.table, c.vocab, c.width]),
        l.numNames,
      ]);
    if (shape(layout) !== shape({ ...split, cats: split.train.cats }))
      throw new WrenError(
        'invalid-data',
        `This model's features (${other}) do not match ${ds.name}'s ${protocol} features (tables ${JSON.stringify(layout.tables)}, here ${JSON.stringify(split.tables)}).`,
      );
    const t1 = performance.now();
    const probs = model.predict(split.test);
    const { metrics, roc, pr } = evaluateCtr(split.test.labels, probs, 20);
    const evalSeconds = (performance.now() - t1) / 1000;
    const out = {
      dataset: ds.name,
      model: saved.model,
      protocol,
      backend,
      seed,
      metrics: {
        ...metrics,
        ...(protocol === 'ctr-random' && {
          groupAuc: compareCtr(split.test.labels, probs, rowUsers(split.test)).groupAuc,
        }),
      },
      trainRows: split.train.rows,
      testRows: split.test.rows,
      featureSeconds: round(featureSeconds),
      evalSeconds: round(evalSeconds),
      roc,
      pr,
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number): string => x.toFixed(4);
      process.stdout.write(
        [
          `${ds.name}: ${saved.model} (saved, seed ${seed}) on ${protocol} (${split.train.rows.toLocaleString('en')} train, ${split.test.rows.toLocaleString('en')} test rows; ${(100 * metrics.positiveRate).toFixed(1)}% positive)`,
          `  logloss ${f(metrics.logloss)}  accuracy ${f(metrics.accuracy)}  ROC-AUC ${f(metrics.rocAuc)}  PR-AUC ${f(metrics.prAuc)}`,
          `  features ${featureSeconds.toFixed(2)} s; evaluation ${evalSeconds.toFixed(2)} s`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json);
  }
}

export interface CtrRandomArgs {
  model: (typeof CTR_MODELS)[number]['name'];
  seed: number;
  /** The model's defaults under CTR_RANDOM_SETTINGS, then --set and --epochs. */
  config: Record<string, number>;
  backend: 'wasm' | 'cpu';
}

/** Reads --model, --seed, --epochs, --set and --backend for ctr-random; returns what is wrong otherwise. */
export function ctrRandomArgsFrom(v: {
  model?: string;
  seed?: string;
  epochs?: string;
  set?: string[];
  backend?: string;
}): CtrRandomArgs | string {
  const info = CTR_MODELS.find((m) => m.name === v.model);
  if (!info)
    return `ctr-random evaluates the CTR models: --model takes ${CTR_MODELS.map((m) => m.name).join(', ')}; found "${v.model ?? ''}"`;
  const seed = Number(v.seed ?? 1);
  if (!Number.isInteger(seed) || seed < 0)
    return `--seed takes a whole number of 0 or more; found "${v.seed}"`;
  const pairs = (v.set ?? []).flatMap((s) => s.split(','));
  if (v.epochs !== undefined) pairs.push(`epochs=${v.epochs}`);
  const config = applyPairs(info.name, info.settings, ctrRandomConfig(info, seed), pairs);
  if (typeof config === 'string') return config;
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu')
    return `--backend takes wasm or cpu in node; found "${backend}"`;
  return { model: info.name, seed, config, backend };
}

/**
 * `wren eval --protocol ctr-random --model <ctr model>`: RecBole's context-aware split (seeded),
 * the model trained with early stopping on its validation part, and its test metrics (logloss,
 * accuracy, ROC-AUC, PR-AUC, GAUC); for a model other than LR, logistic regression is trained on
 * the same split too and the ROC-AUC difference comes with a 95% interval (paired bootstrap over
 * test users).
 */
export async function runCtrRandom(
  path: string,
  args: CtrRandomArgs,
  opts: { json: boolean; save?: string },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const { CtrModel, ds, split, featureSeconds } = await openCtr(path, args.backend, (d, meta) =>
      ctrRandomSplit(d.ratings, meta, d.users, args.seed),
    );
    const train = (name: CtrRandomArgs['model'], config: Record<string, number>) =>
      fitCtr(new CtrModel(name, config), split, tty ? `${name} ` : null);
    const { model, seconds: fitSeconds } = await train(args.model, args.config);
    const lrInfo = CTR_MODELS.find((m) => m.name === 'lr')!;
    const lr = args.model === 'lr' ? null : await train('lr', ctrRandomConfig(lrInfo, args.seed));
    if (tty) process.stderr.write('\n');
    const t2 = performance.now();
    const { labels } = split.test;
    const probs = model.predict(split.test);
    const { roc, pr } = evaluateCtr(labels, probs, 20);
    const report = compareCtr(labels, probs, rowUsers(split.test), lr?.model.predict(split.test), {
      seed: args.seed,
    });
    const evalSeconds = (performance.now() - t2) / 1000;
    const samples = model.epochLog.reduce((a, r) => a + r.samples, 0);
    const { metrics, groupAuc, vsLr } = report;
    const out = {
      dataset: ds.name,
      model: args.model,
      protocol: 'ctr-random',
      seed: args.seed,
      backend: args.backend,
      config: model.config,
      metrics: { ...metrics, groupAuc },
      ...(vsLr && {
        vsLr: {
          rocAuc: vsLr.diff,
          ci95: [vsLr.lo, vsLr.hi],
          rounds: vsLr.rounds,
          lrRocAuc: metrics.rocAuc - vsLr.diff,
        },
      }),
      trainRows: split.train.rows,
      validRows: split.valid.rows,
      testRows: split.test.rows,
      dropped3Stars: split.info.dropped,
      fields: split.info.fields,
      epochs: model.epochLog.map((r) => ({ ...r, loss: round(r.loss), seconds: round(r.seconds) })),
      featureSeconds: round(featureSeconds),
      fitSeconds: round(fitSeconds),
      ...(lr && { lrFitSeconds: round(lr.seconds) }),
      evalSeconds: round(evalSeconds),
      samplesPerSecond: Math.round(samples / Math.max(fitSeconds, 1e-9)),
      roc,
      pr,
    };
    if (opts.save) {
      const extra = { protocol: 'ctr-random', seed: args.seed, dataset: ds.name, metrics };
      await writeFile(opts.save, encodeModel(model.save(), { ...extra, backend: args.backend }));
    }
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number): string => x.toFixed(4);
      const sign = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(4);
      process.stdout.write(
        [
          `${ds.name}: ${args.model} on ctr-random (seed ${args.seed}; ${split.train.rows.toLocaleString('en')} train, ${split.valid.rows.toLocaleString('en')} validation, ${split.test.rows.toLocaleString('en')} test rows, ${split.info.dropped.toLocaleString('en')} ratings of 3 stars dropped; ${(100 * metrics.positiveRate).toFixed(1)}% positive)`,
          `  fields: ${split.info.fields.join(', ')}`,
          `  logloss ${f(metrics.logloss)}  accuracy ${f(metrics.accuracy)}  ROC-AUC ${f(metrics.rocAuc)}  PR-AUC ${f(metrics.prAuc)}  GAUC ${f(groupAuc)}`,
          ...(vsLr
            ? [
                `  vs logistic regression: ROC-AUC ${sign(vsLr.diff)} [${sign(vsLr.lo)}, ${sign(vsLr.hi)}] (95%, paired bootstrap over test users)`,
              ]
            : []),
          `  features ${featureSeconds.toFixed(2)} s; fit ${fitSeconds.toFixed(2)} s (${out.samplesPerSecond.toLocaleString('en')} samples/s, ${model.epochLog.length} epochs); evaluation ${evalSeconds.toFixed(2)} s`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

/** Loads tfjs with the wasm backend registered and switches to `name`. */
async function useBackend(name: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name)))
    throw new WrenError('backend', `tfjs backend ${name} did not start.`);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
