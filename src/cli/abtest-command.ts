/**
 * `wren abtest`: two pipelines (rankers A and B) compared on the held-out
 * users of a protocol's split, by an A/B split and by team-draft
 * interleaving (src/core/recommend/abtest.ts). Models and the embedding
 * train on the split's training interactions only.
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
import { makeSplit } from '../core/eval/protocols.ts';
import {
  abTest,
  type AbMetric,
  type AbTestResult,
  type Estimate,
  type MeanCi,
} from '../core/recommend/abtest.ts';
import { trainingCatalog } from '../core/recommend/offline.ts';
import { Replayer, replayUsers } from '../core/recommend/replay.ts';

export const ABTEST_OPTIONS = {
  a: { type: 'string' },
  b: { type: 'string' },
} as const;

const ABTEST_PROTOCOLS = ['ncf-loo', 'full-rank'] as const;

export interface AbtestArgs {
  a: string;
  b: string;
  protocol: (typeof ABTEST_PROTOCOLS)[number];
  seed: number;
  embedding: EmbeddingChoice;
}

/** Parses and checks the flags; returns a message saying what is wrong otherwise. */
export function abtestArgsFrom(v: {
  a?: string;
  b?: string;
  protocol?: string;
  seed?: string;
  embedding?: string;
}): AbtestArgs | string {
  const problem = rankerFlagsProblem({ a: v.a, b: v.b }, v.embedding);
  if (problem) return problem;
  const protocol = (v.protocol ?? 'ncf-loo') as AbtestArgs['protocol'];
  if (!ABTEST_PROTOCOLS.includes(protocol))
    return `--protocol takes ${ABTEST_PROTOCOLS.join(', ')} for abtest; found "${v.protocol}"`;
  const seed = wholeNumber('seed', v.seed, 1, 0);
  if (typeof seed === 'string') return seed;
  return {
    a: v.a!,
    b: v.b!,
    protocol,
    seed,
    embedding: (v.embedding as EmbeddingChoice | undefined) ?? 'item2vec',
  };
}

export async function runAbtest(
  path: string,
  args: AbtestArgs,
  opts: { json: boolean },
): Promise<number> {
  const { tty, say, end } = statusLine(opts.json);
  try {
    const ds = await loadDataset(path);
    const split = makeSplit(ds.ratings, args.protocol, args.seed, { itemCount: ds.movies.length });
    const emb = await trainEmbeddingFor(split.data, args.embedding, args.seed, say);
    const catalog = trainingCatalog(ds.movies, split.data);
    const train = (name: string) =>
      trainInNode(name, split.data, { seed: args.seed, say, catalog, embedding: emb.embedding });
    const a = await train(args.a);
    const b = args.b === args.a ? a : await train(args.b);
    const replayer = new Replayer(split.data, { catalog, embedding: emb.embedding });
    const users = replayUsers(split).map((u) => ({ ...u, id: ds.users[u.user]!.userId }));
    const experiment = `${args.a}-vs-${args.b}`;
    const t0 = performance.now();
    const r = abTest(users, replayer.lister(a.ranker), replayer.lister(b.ranker), {
      experiment,
      seed: args.seed,
      onProgress: (done, total) => say(`replaying ${done}/${total} users`),
    });
    const replaySeconds = (performance.now() - t0) / 1000;
    end();
    const out = {
      dataset: ds.name,
      protocol: args.protocol,
      seed: args.seed,
      a: args.a,
      b: args.b,
      embedding: args.embedding,
      ...r,
      trainSeconds: {
        a: round(a.seconds),
        b: round(args.b === args.a ? 0 : b.seconds),
        embedding: round(emb.seconds),
      },
      replaySeconds: round(replaySeconds),
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else process.stdout.write(report(ds.name, args, r, replaySeconds));
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

const LABELS: Record<AbMetric, string> = {
  hit: 'Hit',
  ndcg: 'NDCG',
  recall: 'Recall',
  recalled: 'recalled',
};

function report(dataset: string, args: AbtestArgs, r: AbTestResult, seconds: number): string {
  const f = (x: number): string => x.toFixed(4);
  const signed = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(4);
  const ci = (m: MeanCi): string => `${f(m.mean)} [${f(m.lo)}, ${f(m.hi)}]`;
  const diff = (d: Estimate | null): string =>
    d
      ? `${signed(d.value)} [${signed(d.lo)}, ${signed(d.hi)}]  p ${d.p < 1e-4 ? d.p.toExponential(1) : d.p.toFixed(4)}`
      : '(too few users)';
  const label = (m: AbMetric): string =>
    `${m === 'hit' && args.protocol === 'ncf-loo' ? 'HR' : LABELS[m]}@${r.k}`;
  const primary = r.ab.find((m) => m.metric === r.primary)!;
  const il = r.interleaving;
  const settled = (n: number | null): string =>
    n === null ? 'never (the CI still covers 0)' : `${n} users`;
  const a = r.ab[0]!;
  return (
    [
      `${dataset}: A = ${args.a}, B = ${args.b} on ${args.protocol} (seed ${args.seed}; ${r.users} users; experiment "${r.experiment}")`,
      '',
      `A/B split: each user sees their variant (A ${a.a.n} users, B ${a.b.n}); means with 95% CIs, B − A by Welch`,
      `  ${'metric'.padEnd(10)}  ${'A'.padEnd(26)}  ${'B'.padEnd(26)}  B − A`,
      ...r.ab.map(
        (m) =>
          `  ${label(m.metric).padEnd(10)}  ${ci(m.a).padEnd(26)}  ${ci(m.b).padEnd(26)}  ${diff(m.diff)}`,
      ),
      '',
      `Team-draft interleaving: every user sees both, merged (top ${r.k}); a held-out movie is a click for the team that placed it`,
      `  wins A ${il.winsA}, wins B ${il.winsB}, ties ${il.ties}`,
      `  preference Δ = (B − A) / (A + B)  ${diff(il.preference)}`,
      '',
      `Users until the 95% CI excluded 0 for good: A/B (${label(primary.metric)}) ${settled(primary.usersToSignificance)}; interleaving ${settled(il.usersToSignificance)}`,
      `  replay ${seconds.toFixed(2)} s`,
    ].join('\n') + '\n'
  );
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
