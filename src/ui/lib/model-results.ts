/** Pure helpers for the models page: which metrics a protocol reports, ranking rows, chart bars. */
import type { ProtocolName } from '../../core/eval/protocols.ts';
import type { CtrProtocol } from '../../core/models/ctr-info.ts';
import type { ModelRow } from '../../store/db.ts';

export interface MetricColumn {
  key: string;
  label: string;
  /** Logloss: the best value is the lowest. */
  lowerIsBetter?: boolean;
  /** What the label stands for, where it is not plain. */
  title?: string;
}

export type TableProtocol = ProtocolName | CtrProtocol;
export const TABLE_PROTOCOLS: readonly TableProtocol[] = [
  'ncf-loo',
  'msr-100k',
  'full-rank',
  'sparrow-ctr',
  'ctr-random',
];

export const PROTOCOL_INFO: Record<TableProtocol, { title: string; about: string }> = {
  'ncf-loo': {
    title: 'ncf-loo (leave one out, 100 candidates)',
    about:
      'Each user’s latest rating is held out and ranked among 99 movies they never rated (He et al. 2017). HR@10: how often it lands in the top 10.',
  },
  'msr-100k': {
    title: 'msr-100k (75/25 random split)',
    about:
      'Each user’s ratings split 75/25 at random; the top 10 of every unseen movie is compared with the held-out ones (Microsoft Recommenders’ table).',
  },
  'full-rank': {
    title: 'full-rank (RecBole, 8:1:1)',
    about:
      'Ratings of 3 stars or more, split 8:1:1 per user at random; every movie the user has not trained on is ranked (RecBole’s ml-1m benchmark).',
  },
  'sparrow-ctr': {
    title: 'sparrow-ctr (will they like it? time split)',
    about:
      'Every rating is a sample, liked when rated 3.5 stars or more; the first 80% by time train, the rest test. Features as SparrowRecSys’, computed from the past only. ROC-AUC: how well liked ratings are told apart.',
  },
  'ctr-random': {
    title: 'ctr-random (will they like it? RecBole’s random 8:1:1 split)',
    about:
      'Ratings of 3 stars are dropped and 4 stars or more are liked, the rest shuffled and split 8:1:1 into train, validation and test, with the user’s attributes (age, gender, occupation, zip code, where the dataset has them) and the movie’s (genres, release year) as fields.',
  },
};

export function metricColumns(protocol: TableProtocol): MetricColumn[] {
  if (protocol === 'sparrow-ctr' || protocol === 'ctr-random')
    return [
      { key: 'rocAuc', label: 'ROC-AUC' },
      { key: 'prAuc', label: 'PR-AUC' },
      { key: 'logloss', label: 'Logloss', lowerIsBetter: true },
      { key: 'accuracy', label: 'Accuracy' },
      // Group AUC by user, as `wren eval --protocol ctr-random` reports it.
      ...(protocol === 'ctr-random'
        ? [
            {
              key: 'groupAuc',
              label: 'GAUC',
              title:
                'Group AUC: ROC-AUC within each user’s own test movies, averaged weighted by their rows',
            },
          ]
        : []),
    ];
  if (protocol === 'ncf-loo')
    return [
      { key: 'hr', label: 'HR@10' },
      { key: 'ndcg', label: 'NDCG@10' },
    ];
  if (protocol === 'msr-100k')
    return [
      { key: 'ndcg', label: 'nDCG@10' },
      { key: 'precision', label: 'P@10' },
      { key: 'recall', label: 'R@10' },
    ];
  return [
    { key: 'recall', label: 'Recall@10' },
    { key: 'ndcg', label: 'NDCG@10' },
    { key: 'hit', label: 'Hit@10' },
    { key: 'mrr', label: 'MRR@10' },
    { key: 'coverage', label: 'Coverage' },
  ];
}

/** The metric a protocol's table is sorted by and its chart shows. */
export function mainMetric(protocol: TableProtocol): MetricColumn {
  return metricColumns(protocol)[0]!;
}

export interface ProtocolTable {
  protocol: TableProtocol;
  columns: MetricColumn[];
  /** Best first by the main metric; `best` marks the top value of each column. */
  rows: ModelRow[];
  best: Record<string, number>;
}

/** Stored models grouped by protocol (in TABLE_PROTOCOLS order), best first by the main metric. */
export function protocolTables(rows: readonly ModelRow[]): ProtocolTable[] {
  return TABLE_PROTOCOLS.map((protocol) => {
    const columns = metricColumns(protocol);
    const main = mainMetric(protocol).key;
    const mine = rows
      .filter((r) => r.protocol === protocol)
      .sort((a, b) => (b.metrics[main] ?? 0) - (a.metrics[main] ?? 0) || a.createdAt - b.createdAt);
    const best: Record<string, number> = {};
    for (const c of columns) {
      const values = mine.map((r) => r.metrics[c.key] ?? NaN).filter((x) => !Number.isNaN(x));
      best[c.key] = c.lowerIsBetter ? Math.min(...values) : Math.max(...values);
    }
    return { protocol, columns, rows: mine, best };
  }).filter((t) => t.rows.length > 0);
}

/**
 * The automatic build's models (protocol 'personal'), newest first: trained
 * on every rating for For You, so they have no test metrics and stay out of
 * the protocol tables.
 */
export function personalModels(rows: readonly ModelRow[]): ModelRow[] {
  return rows.filter((r) => r.protocol === 'personal').sort((a, b) => b.createdAt - a.createdAt);
}

/** A short label for a stored model: "NeuMF · seed 1 · 12 epochs". */
export function modelLabel(r: ModelRow): string {
  const parts = [r.title];
  if (r.seed !== 1) parts.push(`seed ${r.seed}`);
  if (r.epochLog.length)
    parts.push(`${r.epochLog.length} epoch${r.epochLog.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/**
 * Models imported from safetensors files (protocol 'imported'), newest first: trained
 * elsewhere and not evaluated here, so they stay out of the protocol tables too.
 */
export function importedModels(rows: readonly ModelRow[]): ModelRow[] {
  return rows.filter((r) => r.protocol === 'imported').sort((a, b) => b.createdAt - a.createdAt);
}
