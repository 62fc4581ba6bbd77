/** `wren train --protocol sparrow-ctr`: a CTR model on the time-split samples, with its classification metrics. */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import { WrenError } from '../core/errors.ts';
import { evaluateCtr } from '../core/eval/ctr.ts';
import { movieMetaFromMovies } from '../core/features/movie-features.ts';
import { sparrowCtrSplit } from '../core/models/ctr-data.ts';
import { encodeModel } from '../core/models/serialize.ts';
import type { SavedModel } from '../core/models/types.ts';
import { nodeInput } from './node-input.ts';
import type { TrainArgs } from './train-command.ts';

export async function runCtr(
  path: string,
  args: TrainArgs,
  opts: { json: boolean; save?: string },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  try {
    await useBackend(args.backend);
    const { CtrModel } = await import('../core/models/ctr.ts');
    const ds = await importMovieLens(await nodeInput(path), {
      name: basename(path).replace(/\.zip$/i, ''),
    });
    const t0 = performance.now();
    const split = sparrowCtrSplit(ds.ratings, movieMetaFromMovies(ds.movies, ds.genres));
    const featureSeconds = (performance.now() - t0) / 1000;
    const model = new CtrModel(args.model as 'lr', args.config);
    const t1 = performance.now();
    await model.fit(split, {
      onProgress: (p) => {
        if (tty)
          process.stderr.write(
            `\r${p.stage} ${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%   `,
          );
      },
    });
    const fitSeconds = (performance.now() - t1) / 1000;
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
    if (opts.protocol !== undefined && opts.protocol !== 'sparrow-ctr')
      throw new WrenError(
        'invalid-settings',
        `${saved.model} is a CTR model: it evaluates on --protocol sparrow-ctr; found "${opts.protocol}"`,
      );
    // The split is by time, so --seed (checked, for the same flags as ranking models) changes
    // nothing: the model's own seed is the one reported.
    if (opts.seed !== undefined && !Number.isInteger(Number(opts.seed)))
      throw new WrenError('invalid-settings', `--seed takes a whole number; found "${opts.seed}"`);
    const seed = Number(saved.config.seed ?? extra.seed ?? 1);
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
    const split = sparrowCtrSplit(ds.ratings, movieMetaFromMovies(ds.movies, ds.genres));
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
        `This model's features (${other}) do not match ${ds.name}'s sparrow-ctr features (tables ${JSON.stringify(layout.tables)}, here ${JSON.stringify(split.tables)}).`,
      );
    const t1 = performance.now();
    const { metrics, roc, pr } = evaluateCtr(split.test.labels, model.predict(split.test), 20);
    const evalSeconds = (performance.now() - t1) / 1000;
    const out = {
      dataset: ds.name,
      model: saved.model,
      protocol: 'sparrow-ctr',
      backend,
      seed,
      metrics,
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
          `${ds.name}: ${saved.model} (saved, seed ${seed}) on sparrow-ctr (${split.train.rows.toLocaleString('en')} train, ${split.test.rows.toLocaleString('en')} test rows; ${(100 * metrics.positiveRate).toFixed(1)}% positive)`,
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

/** Loads tfjs with the wasm backend registered and switches to `name`. */
async function useBackend(name: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name)))
    throw new WrenError('backend', `tfjs backend ${name} did not start.`);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
