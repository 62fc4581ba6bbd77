/**
 * The automatic build: For You's model for a dataset, trained with no
 * choice asked of the person — EASE on the liked ratings of everyone, its λ
 * searched on validation new users (a new-user split of the dataset's own
 * users, at most 2,000 of them, scored by the personal ranker's blend,
 * personal-ranker.ts).
 */
import { chooseNewUsers, newUserSplit, positivesOf, type NewUserSplit } from '../eval/new-user.ts';
import type { InteractionData } from '../eval/protocols.ts';
import { Ease } from '../models/ease.ts';
import type { FitOptions } from '../models/types.ts';
import type { Catalog } from './catalog.ts';
import { evaluateNewUsersAcross, withSpec } from './parallel-new-users.ts';
import { PERSONAL_PARAMS, personalList } from './personal-ranker.ts';

/** Where the automatic build's search for EASE's λ starts (the references' λ). */
export const PERSONAL_LAMBDA = 400;
/** Each step of the search multiplies or divides λ by this. */
const LAMBDA_STEP = 2.5;
/** At most this many validation fits in the search. */
const LAMBDA_TRIES = 5;
/**
 * At most this many validation new users, so scoring a try costs no more as
 * the dataset grows (20% of ml-25m's users would be 32,500). Below it (ml-1m's
 * 20% is 1,208) the cap changes nothing.
 */
export const VALIDATION_USERS = 2000;

export interface PersonalFitOptions {
  /** EASE's λ; absent: chosen on validation new users when `catalog` is given, else 400. */
  lambda?: number;
  /** The catalogue (genres) the personal blend reads: needed to choose λ. */
  catalog?: Catalog;
  /** The largest matrix side EASE inverts (ease.ts). */
  maxDim?: number;
}

/**
 * The automatic build's model: EASE on the liked ratings (≥ 3.5 stars) of
 * `data`. Where both the users and the movies exceed `maxDim`, EASE keeps a
 * column only for the `maxDim` most-liked movies (ease.ts), so its inverse
 * stays within a tab's memory and time; the others score below them.
 *
 * λ is chosen like every default here, on validation new users: a seeded 20%
 * of `data`'s users, at most VALIDATION_USERS, become new, EASE is fitted on
 * the rest, and the personal blend's mean NDCG@10 over k = 1, 3, 5, 10, 20
 * (new-user-k) decides — starting at 400 and stepping ×2.5 up (or ÷2.5 down)
 * while it improves, at most LAMBDA_TRIES tries. The tries share one Gram
 * matrix (Ease.atEachLambda): only λ on its diagonal differs. Denser datasets
 * (ml-100k's fewer users with more ratings each) move it further up than
 * ml-latest-small.
 */
export async function fitPersonalModel(
  data: InteractionData,
  opts: FitOptions = {},
  fit: PersonalFitOptions = {},
): Promise<Ease> {
  const maxDim = fit.maxDim ?? 4000;
  const positives = positivesOf(data);
  const lambda =
    fit.lambda ??
    (fit.catalog
      ? await chooseLambda(data, positives, fit.catalog, maxDim, opts)
      : PERSONAL_LAMBDA);
  const model = new Ease({ lambda, maxDim });
  await model.fit(positives, opts);
  return model;
}

/**
 * The search's validation new users: newUserSplit(data, 1)'s seeded 20%, at
 * most VALIDATION_USERS of them (the first of the same seeded order). It
 * splits the liked ratings (`positives`) alone — the liked part of the split
 * of every rating, and all the search reads — so `data` is not copied.
 */
export function validationSplit(
  data: InteractionData,
  positives: InteractionData = positivesOf(data),
): NewUserSplit {
  return newUserSplit(positives, 1, 0.2, chooseNewUsers(data, 1, 0.2, VALIDATION_USERS));
}

async function chooseLambda(
  data: InteractionData,
  positives: InteractionData,
  catalog: Catalog,
  maxDim: number,
  opts: FitOptions,
): Promise<number> {
  const val = validationSplit(data, positives);
  if (val.users.length < 10) return PERSONAL_LAMBDA;
  // One Gram matrix for every try: only λ on its diagonal changes.
  const fitAt = await Ease.atEachLambda(val.positives, { maxDim }, opts);
  const tried = new Map<number, number>();
  const at = async (lambda: number): Promise<number> => {
    const known = tried.get(lambda);
    if (known !== undefined) return known;
    const stage = `choosing λ on validation new users: ${Math.round(lambda)}`;
    const m = await fitAt(lambda, stage);
    const list = withSpec(personalList(m, catalog, val.catalogue), {
      kind: 'personal',
      saved: m.save(),
      catalog,
      ranked: val.catalogue,
      params: PERSONAL_PARAMS,
    });
    const rows = await evaluateNewUsersAcross(val, list, catalog, {
      signal: opts.signal,
      pool: opts.pool,
      threads: opts.threads,
    });
    const mean = rows.reduce((s, r) => s + r.ndcg, 0) / rows.length;
    tried.set(lambda, mean);
    return mean;
  };
  let best = PERSONAL_LAMBDA;
  const step = (await at(best * LAMBDA_STEP)) > (await at(best)) ? LAMBDA_STEP : 1 / LAMBDA_STEP;
  while (tried.size < LAMBDA_TRIES && (await at(best * step)) > (await at(best))) best *= step;
  return best;
}
