/**
 * The stored models For You can rank with: which ones it offers, in which order, and each one
 * as a ranker, loaded once. Storage and tfjs stay outside: the recommendations worker hands in
 * the loaders that read a model's saved arrays and turn them into a ranker.
 */
import { CTR_MODELS } from '../models/ctr-info.ts';
import type { SavedModel } from '../models/types.ts';
import type { Catalog } from './catalog.ts';
import { RANKABLE, type Ranker } from './rankers.ts';

/** What For You needs to know of a stored model (the store's model rows have these fields). */
export interface StoredModel {
  id: string;
  /** Registry name: itemknn, ease, neumf, lr, deepfm… */
  model: string;
  title: string;
  /**
   * 'ncf-loo', 'sparrow-ctr', 'personal' (the automatic build's), 'imported' (from a safetensors
   * file: trained elsewhere, not evaluated here), or another protocol.
   */
  protocol: string;
  /** An imported model: whether its user rows are the dataset's users, in order. */
  usersMatch?: boolean;
  metrics: Record<string, number>;
  createdAt: number;
}

/** How stored models are read and made into rankers (neural and CTR ones need tfjs). */
export interface RankerLoaders {
  /** A stored model's saved arrays; undefined when it is not stored any more. */
  saved(id: string): Promise<SavedModel | undefined>;
  /** A stored ranking model (an ncf-loo one) as a ranker. */
  model(saved: SavedModel, title: string): Promise<Ranker>;
  /** The automatic build's model as For You's personal ranker. */
  personal(saved: SavedModel, catalog: Catalog, title: string): Ranker | Promise<Ranker>;
  /** A stored sparrow-ctr model as a ranker; `genres` is the dataset's genre list it was trained on. */
  ctr(
    saved: SavedModel,
    catalog: Catalog,
    genres: readonly string[],
    title: string,
  ): Promise<Ranker>;
}

/**
 * The stored CTR models For You may rank with: sparrow-ctr ones of a known CTR kind, only. A
 * ctr-random model is left out: its fields (the users' attributes, the release year as a token,
 * liked movies of a random training part) are not the features For You builds from your ratings.
 */
export function forYouCtrRows<T extends { protocol: string; model: string }>(
  stored: readonly T[],
): T[] {
  const names: readonly string[] = CTR_MODELS.map((m) => m.name);
  return stored.filter((r) => r.protocol === 'sparrow-ctr' && names.includes(r.model));
}

/** Whether a stored sparrow-ctr model can rank this catalogue: it kept its serving data. */
export function ctrServable(saved: SavedModel, catalog: Catalog): boolean {
  const nums = saved.arrays['movie:nums'];
  return !!saved.arrays['norm:mean'] && !!nums && nums.length === catalog.count * 4;
}

/** The automatic build's newest model among a dataset's stored models. */
export function personalModel<T extends StoredModel>(stored: readonly T[]): T | undefined {
  const rows = stored.filter((r) => r.protocol === 'personal');
  return rows.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** The stored models that can rank: ncf-loo ones of a ranking model, best NDCG@10 first. */
export function rankableModels<T extends StoredModel>(stored: readonly T[]): T[] {
  const rows = stored.filter((r) => r.protocol === 'ncf-loo' && RANKABLE.includes(r.model));
  return rows.sort((a, b) => (b.metrics.ndcg ?? 0) - (a.metrics.ndcg ?? 0));
}

/**
 * The stored models imported from safetensors files that can rank, newest first. They have no
 * metrics from Wren, so they are never 'auto' and are titled as imported and not evaluated.
 */
export function importedRankable<T extends StoredModel>(stored: readonly T[]): T[] {
  const rows = stored.filter((r) => r.protocol === 'imported' && RANKABLE.includes(r.model));
  return rows
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((r) => ({ ...r, title: `${r.title} — not evaluated here` }));
}

/**
 * Whether a stored model ranks a dataset user by their own row: not an imported model whose user
 * rows are another set of users (or in another order) than the dataset's.
 */
export function ranksDatasetUsers(row: StoredModel): boolean {
  return row.protocol !== 'imported' || row.usersMatch === true;
}

/**
 * The stored sparrow-ctr models that can rank For You (forYouCtrRows: never ctr-random's; those
 * saved with their standardization and movie features), best ROC-AUC first, titled with it.
 */
export async function ctrModels(
  stored: readonly StoredModel[],
  catalog: Catalog,
  saved: RankerLoaders['saved'],
): Promise<StoredModel[]> {
  const rows = forYouCtrRows(stored);
  const ok = await Promise.all(
    rows.map(async (r) => {
      const data = await saved(r.id);
      return !!data && ctrServable(data, catalog);
    }),
  );
  return rows
    .filter((_, i) => ok[i])
    .sort((a, b) => (b.metrics.rocAuc ?? 0) - (a.metrics.rocAuc ?? 0))
    .map((r) => ({ ...r, title: `${r.title} (ROC-AUC ${(r.metrics.rocAuc ?? 0).toFixed(3)})` }));
}

/**
 * Stored models as rankers, each loaded once by id (the dataset-user view asks for every one of
 * them, and a choice may come back to one). A model that is gone, or can't rank this catalogue
 * (trained on other movies; a CTR model without its serving data), gives null.
 */
export class StoredRankers {
  private readonly loaded = new Map<string, Promise<Ranker | null>>();

  constructor(private readonly load: RankerLoaders) {}

  /** Forgets every loaded ranker (another dataset is open). */
  clear(): void {
    this.loaded.clear();
  }

  /** The ranker of a stored model, loaded on its first call. */
  of(row: StoredModel, catalog: Catalog, genres: readonly string[]): Promise<Ranker | null> {
    let r = this.loaded.get(row.id);
    if (!r) {
      r = this.load
        .saved(row.id)
        .then((saved) =>
          !saved
            ? null
            : row.protocol === 'sparrow-ctr'
              ? ctrServable(saved, catalog)
                ? this.load.ctr(saved, catalog, genres, row.title)
                : null
              : saved.itemCount !== catalog.count
                ? null
                : row.protocol === 'personal'
                  ? this.load.personal(saved, catalog, row.title)
                  : this.load.model(saved, row.title),
        );
      this.loaded.set(row.id, r);
    }
    return r;
  }
}
