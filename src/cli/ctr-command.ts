/** `wren train --protocol sparrow-ctr`: a CTR model on the time-split samples, with its classification metrics. */
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import { WrenError } from '../core/errors.ts';
import { evaluateCtr } from '../core/eval/ctr.ts';
import { movieMetaFromMovies } from '../core/features/movie-features.ts';
import { sparrowCtrSplit } from '../core/models/ctr-data.ts';
import { nodeInput } from './node-input.ts';
import type { TrainArgs } from './train-command.ts';

export async function runCtr(
  path: string,
  args: TrainArgs,
  opts: { json: boolean },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(args.backend)))
      throw new WrenError('backend', `tfjs backend ${args.backend} did not start.`);
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

const round = (x: number): number => Math.round(x * 1000) / 1000;
