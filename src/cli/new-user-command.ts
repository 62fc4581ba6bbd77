/**
 * `wren eval --protocol new-user-k|taste-probe`: the protocols that measure
 * what a new person sees (DESIGN.md 6 and 7), for the default pipeline and
 * each reference ranker, in node with the same core the app uses.
 */
import { NEW_USER_KS } from '../core/eval/new-user.ts';
import { runNewUserK, runTasteProbe, type NewUserRanker } from '../core/recommend/new-user-eval.ts';
import {
  EMBEDDINGS,
  loadDataset,
  trainEmbeddingFor,
  type EmbeddingChoice,
} from './ranker-setup.ts';
import { nodePool, threadsArg } from './node-pool.ts';
import { reportFailure, statusLine } from './report.ts';

export const NEW_USER_PROTOCOLS = ['new-user-k', 'taste-probe'] as const;
export type NewUserProtocol = (typeof NEW_USER_PROTOCOLS)[number];

export interface NewUserArgs {
  protocol: NewUserProtocol;
  ks: number[];
  seed: number;
  embedding: EmbeddingChoice;
  threads: number;
}

/** Reads --k (a comma-separated list), --seed and --embedding; returns what is wrong, or the arguments. */
export function newUserArgsFrom(v: {
  protocol?: string;
  k?: string;
  seed?: string;
  embedding?: string;
  threads?: string;
}): NewUserArgs | string {
  const protocol = v.protocol as NewUserProtocol;
  if (!NEW_USER_PROTOCOLS.includes(protocol))
    return `--protocol takes ${NEW_USER_PROTOCOLS.join(', ')} here; found "${v.protocol}"`;
  const ks = v.k === undefined ? [...NEW_USER_KS] : v.k.split(',').map((x) => Number(x.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1))
    return `--k takes whole numbers of at least 1, separated by commas (e.g. 1,3,5); found "${v.k}"`;
  const seed = Number(v.seed ?? 1);
  if (!Number.isInteger(seed)) return `--seed takes a whole number; found "${v.seed}"`;
  const embedding = (v.embedding ?? 'item2vec') as EmbeddingChoice;
  if (!EMBEDDINGS.includes(embedding))
    return `--embedding takes ${EMBEDDINGS.join(', ')}; found "${v.embedding}"`;
  const threads = threadsArg(v.threads);
  if (typeof threads === 'string') return threads;
  return { protocol, ks, seed, embedding, threads };
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export async function runNewUserEval(
  path: string,
  args: NewUserArgs,
  opts: { json: boolean },
): Promise<number> {
  const status = statusLine(opts.json);
  const pool = args.threads > 1 ? nodePool(args.threads - 1) : null;
  try {
    const ds = await loadDataset(path);
    const run = {
      ...(pool && { pool, threads: args.threads }),
      seed: args.seed,
      ks: args.ks,
      embed: async (data: Parameters<typeof trainEmbeddingFor>[0]) =>
        (await trainEmbeddingFor(data, args.embedding, args.seed)).embedding,
      onProgress: (stage: string, share: number) =>
        status.say(`${stage} ${Math.round(share * 100)}%`),
    };
    if (args.protocol === 'new-user-k') {
      const { rows } = await runNewUserK(ds, run);
      status.end();
      for (const row of rows) {
        const rankers = Object.fromEntries(
          Object.entries(row.rankers).map(([name, m]) => [
            name,
            { recall: r4(m.recall), ndcg: r4(m.ndcg), miscalibration: r4(m.miscalibration) },
          ]),
        );
        const versus = Object.fromEntries(
          Object.entries(row.versus ?? {}).map(([name, d]) => [
            name,
            { mean: r4(d.mean), lo: r4(d.lo), hi: r4(d.hi) },
          ]),
        );
        if (opts.json)
          process.stdout.write(
            JSON.stringify({ k: row.k, users: row.users, rankers, versus }) + '\n',
          );
        else
          process.stdout.write(
            `${ds.name} new-user-k, k = ${row.k} (${row.users} users): ` +
              Object.entries(rankers)
                .map(([n, m]) => `${n} ${m.recall.toFixed(3)} / ${m.ndcg.toFixed(3)}`)
                .join(', ') +
              '  (Recall@10 / NDCG@10)\n',
          );
      }
      return 0;
    }
    const probe = await runTasteProbe(ds, run);
    status.end();
    const rankers = Object.fromEntries(
      (Object.keys(probe.rankers) as NewUserRanker[]).map((name) => {
        const p = probe.rankers[name]!;
        return [
          name,
          {
            inGenre: r4(p.inGenre),
            rare: r4(p.rare),
            perGenre: Object.fromEntries(p.perGenre.map((g) => [g.genre, r4(g.inGenre)])),
          },
        ];
      }),
    );
    if (opts.json) process.stdout.write(JSON.stringify({ genres: probe.genres, rankers }) + '\n');
    else
      process.stdout.write(
        `${ds.name} taste probe (${probe.genres} genres): ` +
          Object.entries(rankers)
            .map(([n, m]) => `${n} ${m.inGenre.toFixed(2)} in genre, ${m.rare.toFixed(2)} rare`)
            .join('; ') +
          '\n',
      );
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, status.tty);
  } finally {
    pool?.close();
  }
}
