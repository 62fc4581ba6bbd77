/** `wren <command>`: the command line over the same core the browser uses. */
import { parseArgs } from 'node:util';
import { ABTEST_OPTIONS, abtestArgsFrom, runAbtest } from './abtest-command.ts';
import {
  EMBED_OPTIONS,
  embedImportArgsFrom,
  embedSettingsFrom,
  runEmbed,
  runEmbedImport,
} from './embed-command.ts';
import { ctrRandomArgsFrom, runCtrRandom } from './ctr-command.ts';
import { EXPORT_OPTIONS, exportArgsFrom, runExport } from './export-command.ts';
import { runImport } from './import-command.ts';
import { alternatives, CTR_NAMES, RANKING_NAMES, runModels } from './models-command.ts';
import { RANKER_NAMES } from './ranker-setup.ts';
import { NEW_USER_PROTOCOLS, newUserArgsFrom, runNewUserEval } from './new-user-command.ts';
import { RECOMMEND_OPTIONS, recommendArgsFrom, runRecommend } from './recommend-command.ts';
import { isSafetensors, runEval, runTrain, TRAIN_OPTIONS, trainArgsFrom } from './train-command.ts';

const USAGE = `Usage: wren <command> [options]

Commands:
  models [--json]
      Every model Wren has (the registry): what it can do, its structure, and
      its settings with their defaults, ranges and what each does.

  import <zip|dir|file> [--json] [--skip-bad N]
      Parse a MovieLens dataset (ml-latest(-small), ml-20m/25m/32m, ml-1m, ml-10m,
      ml-100k) and print counts, skipped rows and timings.

  export --data <zip|dir|file> --format parquet --out <dir> [--json]
      Write the dataset and its features as Parquet files (SNAPPY) that pandas,
      Spark, DuckDB and Polars read: ratings, movies, users (with demographics),
      tags, movie_features and samples (sparrow-ctr's user features per rating),
      with MovieLens ids. Prints each file's rows and bytes; docs/parquet.md
      has the schema.

  embed --data <zip|dir|file> [--method item2vec|deepwalk|node2vec] [--json]
        [--dim N] [--epochs N] [--window N] [--negatives N] [--lr X] [--subsample X]
        [--exponent X] [--seed N] [--walks N] [--walk-length N] [--p X] [--q X]
        [--engine wasm-simd|wasm-threads|js|tfjs-wasm|tfjs-cpu|auto] [--threads N]
        [--out <vectors.txt>]
      Train movie embeddings on the next-item protocol's training corpus and print
      HR@10 / NDCG@10 (against popularity), genre coherence, ANN recall and
      query time, and training throughput (item tokens per second).
      wasm-threads trains on --threads threads (default: every core) sharing one
      copy of the vectors (Hogwild); its results vary slightly from run to run.
      --out writes the vectors as word2vec text keyed by MovieLens movie id
      (gensim: KeyedVectors.load_word2vec_format(path, binary=False)).

  embed --data <zip|dir|file> --import <vectors.txt> [--seed N] [--json]
      Evaluate vectors trained elsewhere (gensim, Spark, an earlier --out) on the
      same next-item protocol instead of training, and print the same fields,
      with what the file held: vectors used, ids not in the dataset (skipped)
      and movies without a vector. The file is word2vec text with its header
      line "count dim"; each line a MovieLens movie id and dim numbers.

${alternatives([...RANKING_NAMES, ...CTR_NAMES], '  train --data <zip|dir|file> --model ', '        ')}
        [--protocol ncf-loo|msr-100k|full-rank|sparrow-ctr] [--seed N] [--epochs N]
        [--set key=value] [--backend wasm|cpu] [--threads N] [--save <model file>] [--json]
      Split the ratings by the protocol (DESIGN.md), train the model and print
      its metrics (ncf-loo: HR@10, NDCG@10; msr-100k and full-rank: NDCG@10,
      Recall@10, Precision@10, Hit@10, MRR@10, coverage; sparrow-ctr, for the CTR
      models: logloss, accuracy, ROC-AUC, PR-AUC) and timings.
      --set takes model settings (wren models lists each model's, with defaults and
      ranges), e.g. --set neighbours=50, --set factors=32 or --set lambda=400.
      Neural models train with tfjs on --backend (default wasm) and print
      samples/s. --threads N (default 1) splits EASE's fit, GMF/MLP/NeuMF's
      training (Hogwild: not repeatable run to run) and the per-user scoring
      across N threads. --save writes the trained model to a file; a name ending
      in .safetensors writes a ranking model as safetensors keyed by MovieLens id
      (docs/safetensors.md; scripts/wren_model.py scores it with numpy).

  eval --data <zip|dir|file> --model-file <file> [--protocol …] [--seed N] [--threads N] [--json]
      Load a model saved by train --save and evaluate it again on its protocol's
      split (or the one given), without training, and print train's metrics.
      Ranking models and CTR models (lr … dien, on sparrow-ctr: logloss,
      accuracy, ROC-AUC, PR-AUC; its split is by time, so --seed leaves it as
      it is; or on ctr-random, with GAUC, its split seeded as saved unless
      --seed says). A file saved from another dataset or a damaged file is an error.

  eval --protocol ctr-random --data <zip|dir|file> --model ${CTR_NAMES.join('|')}
       [--seed N] [--epochs N] [--set key=value] [--backend wasm|cpu] [--save <model file>] [--json]
      RecBole's context-aware split (DESIGN.md 8): ratings of 3 stars dropped, label
      rating >= 4 stars, the rest split at random 8:1:1 (seeded) into train,
      validation (early stopping on ROC-AUC) and test; fields: user, movie, genres,
      year, and age, gender, occupation, zip where the dataset has users (ml-100k,
      ml-1m). Trains the CTR model and prints logloss, accuracy, ROC-AUC, PR-AUC and
      GAUC on the test part, and, beside logistic regression trained on the same
      split, the ROC-AUC difference with a 95% interval (bootstrap over users).

  eval --protocol new-user-k --data <zip|dir|file> [--k 1,3,5,10,20] [--seed N]
       [--embedding item2vec|none] [--threads N] [--json]
      20% of the users (seeded) are new: each reveals the first k movies they
      liked in time order, and the movies they liked later are the target.
      Prints, for each k, Recall@10, NDCG@10 and Steck's miscalibration for
      the default pipeline (what For You does after the automatic build) and
      the references: popularity, ItemKNN (cosine) and EASE (λ 400).
      --threads N (default 1) fits EASE and the automatic build and serves
      the new users across N threads, with the same figures as one thread.

  eval --protocol taste-probe --data <zip|dir|file> [--threads N] [--json]
      For every genre with at least 100 movies, a new person likes its 5
      most-rated movies: the share of the top 10 in the genre and the share
      with fewer than 10 ratings, for the same rankers.

  recommend --data <zip|dir|file> --user <id>
${alternatives(RANKER_NAMES, '        [--model ', '         ')}]
        [--model-file <file.safetensors>] [--embedding item2vec|none] [--k N] [--seed N] [--json]
      "For You" for one dataset user: train the ranker's model (default personal, For You's)
      and item2vec (Wren's defaults) on all the dataset's ratings, run the
      pipeline (recall → rank → re-rank) from all the user's ratings and print
      the list: rank, title, score, why (the channels that found each movie),
      and the time of each stage. --model-file ranks with a model imported from
      safetensors (saved by train --save, or trained elsewhere in the same layout)
      instead of training one.

  abtest --data <zip|dir|file> --a <ranker> --b <ranker> [--protocol ncf-loo|full-rank]
         [--embedding item2vec|none] [--seed N] [--json]
      Compare two pipelines (a ranker: fusion, embedding or a model name) on the
      held-out users of the split: an A/B split (each user sees their variant;
      means, B − A with 95% CI and p-value) and team-draft interleaving (each
      user sees both merged; wins, preference with 95% CI), and how many users
      each needed before its CI excluded 0.

Options:
  --json         print one JSON object instead of text
  --skip-bad N   skip up to N malformed rows instead of stopping at the first
  -h, --help     show this help
`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'skip-bad': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
        ...EMBED_OPTIONS,
        ...TRAIN_OPTIONS,
        ...RECOMMEND_OPTIONS,
        ...ABTEST_OPTIONS,
        ...EXPORT_OPTIONS,
      },
    });
  } catch (e) {
    process.stderr.write(`wren: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, path] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'models') return runModels(values.json);
  if (command === 'embed') {
    const data = values.data ?? path;
    if (!data) {
      process.stderr.write(`wren: embed needs --data <zip|dir|file>\n\n${USAGE}`);
      return 2;
    }
    if (values.import !== undefined) {
      const args = embedImportArgsFrom(values);
      if (typeof args === 'string') {
        process.stderr.write(`wren: ${args}\n`);
        return 2;
      }
      return runEmbedImport(data, values.import, { json: values.json, seed: args.seed });
    }
    const settings = embedSettingsFrom(values);
    if (typeof settings === 'string') {
      process.stderr.write(`wren: ${settings}\n`);
      return 2;
    }
    return runEmbed(data, settings, {
      json: values.json,
      engine: values.engine ?? 'wasm-simd',
      threads: values.threads,
      out: values.out,
    });
  }
  if (command === 'export') {
    const data = values.data ?? path;
    const args = exportArgsFrom(values);
    if (!data || typeof args === 'string') {
      const why = data ? args : 'export needs --data <zip|dir|file>';
      process.stderr.write(`wren: ${why}\n\n${USAGE}`);
      return 2;
    }
    return runExport(data, args, { json: values.json });
  }
  if (command === 'train') {
    const data = values.data ?? path;
    if (!data) {
      process.stderr.write(`wren: train needs --data <zip|dir|file>\n\n${USAGE}`);
      return 2;
    }
    const args = trainArgsFrom(values);
    if (typeof args === 'string') {
      process.stderr.write(`wren: ${args}\n`);
      return 2;
    }
    if (values.save && isSafetensors(values.save) && args.protocol === 'sparrow-ctr') {
      process.stderr.write(
        `wren: --save ${values.save}: safetensors holds ranking models; save a CTR model without .safetensors (Wren's own format)\n`,
      );
      return 2;
    }
    return runTrain(data, args, { json: values.json, save: values.save });
  }
  if (command === 'eval' && NEW_USER_PROTOCOLS.some((p) => p === values.protocol)) {
    const data = values.data ?? path;
    if (!data) {
      process.stderr.write(`wren: eval needs --data <zip|dir|file>\n\n${USAGE}`);
      return 2;
    }
    const args = newUserArgsFrom(values);
    if (typeof args === 'string') {
      process.stderr.write(`wren: ${args}\n`);
      return 2;
    }
    return runNewUserEval(data, args, { json: values.json });
  }
  if (command === 'eval' && values.protocol === 'ctr-random' && !values['model-file']) {
    const data = values.data ?? path;
    const args = ctrRandomArgsFrom(values);
    if (!data || typeof args === 'string') {
      process.stderr.write(`wren: ${data ? args : 'eval needs --data <zip|dir|file>'}\n\n${USAGE}`);
      return 2;
    }
    return runCtrRandom(data, args, { json: values.json, save: values.save });
  }
  if (command === 'eval') {
    const data = values.data ?? path;
    const file = values['model-file'];
    if (!data || !file) {
      process.stderr.write(
        `wren: eval needs --data <zip|dir|file> and --model-file <file>\n\n${USAGE}`,
      );
      return 2;
    }
    return runEval(data, file, {
      json: values.json,
      protocol: values.protocol,
      seed: values.seed,
      backend: values.backend,
      threads: values.threads,
    });
  }
  if (command === 'recommend' || command === 'abtest') {
    const data = values.data ?? path;
    if (!data) {
      process.stderr.write(`wren: ${command} needs --data <zip|dir|file>\n\n${USAGE}`);
      return 2;
    }
    const args = command === 'recommend' ? recommendArgsFrom(values) : abtestArgsFrom(values);
    if (typeof args === 'string') {
      process.stderr.write(`wren: ${args}\n`);
      return 2;
    }
    return 'user' in args
      ? runRecommend(data, args, { json: values.json })
      : runAbtest(data, args, { json: values.json });
  }
  if (command !== 'import' || !path) {
    process.stderr.write(`wren: unknown command or missing path\n\n${USAGE}`);
    return 2;
  }
  const maxBadRows = Number(values['skip-bad']);
  if (!Number.isInteger(maxBadRows) || maxBadRows < 0) {
    process.stderr.write(`wren: --skip-bad takes a whole number, found "${values['skip-bad']}"\n`);
    return 2;
  }
  return runImport(path, { json: values.json, maxBadRows });
}
