/**
 * For You's session: your profile matched to one open dataset, the stored models you may rank
 * with and the one in force, and what is built from them — your list, a movie as it concerns
 * you, a dataset user laid open through each channel and ranker, the next onboarding movies.
 * Pure: the recommendations worker reads the dataset and the stored models and hands them in,
 * with the loaders that make a stored model a ranker (for-you-models.ts).
 */
import { WrenError } from '../errors.ts';
import type { Catalog } from './catalog.ts';
import { CHANNELS, recallChannel, type ChannelName } from './channels.ts';
import {
  ctrModels,
  importedRankable,
  personalModel,
  rankableModels,
  ranksDatasetUsers,
  StoredRankers,
  type RankerLoaders,
  type StoredModel,
} from './for-you-models.ts';
import { onboardingPicks, RATED_LOW } from './onboarding.ts';
import {
  DEFAULT_PIPELINE,
  mainReason,
  reasonText,
  recommend,
  type PipelineContext,
  type PipelineOptions,
  type PipelineStage,
} from './pipeline.ts';
import { predictRating } from './predict.ts';
import { LIKED, type ResolvedProfile } from './profile.ts';
import { embeddingRanker, type Ranker } from './rankers.ts';
import { UserState, type MovieVectors } from './user-state.ts';

export interface ForYouItem {
  /** Movie index in the open dataset. */
  movie: number;
  /** The ranker's score (its own scale: a logit, a cosine, a fused rank). */
  score: number;
  /** The strongest reason, as a sentence: "Because you liked Heat". */
  reason: string;
  /** Every channel that found it. */
  channels: ChannelName[];
}

export interface ForYouResult {
  items: ForYouItem[];
  stage: PipelineStage;
  /** The ranker that ordered the list (fusion until there is enough signal). */
  ranker: string;
  rankerTitle: string;
  perChannel: Record<ChannelName, number>;
  candidates: number;
  /** Milliseconds per stage of this list. */
  ms: { recall: number; rank: number; rerank: number; total: number };
  rated: number;
  liked: number;
  /** Profile entries this dataset does not have. */
  unmatched: number;
  /** The embedding behind the embedding channels, if any. */
  embedding: string | null;
  /** The rankers you can choose ('auto': the best stored model on validation, else the embedding). */
  rankers: RankerChoice[];
  /** The choice in force. */
  choice: string;
}

export interface RankerChoice {
  /** 'auto', 'fusion', 'embedding' or a stored model's id. */
  id: string;
  title: string;
  /** ncf-loo NDCG@10 of a stored model. */
  ndcg?: number;
}

/** Your change since the last list. */
export type ProfileChange =
  | { kind: 'rate'; movie: number; rating: number; at: number }
  | { kind: 'unrate'; movie: number }
  | { kind: 'not-interested'; movie: number; on: boolean };

/** A movie as it concerns you: the movie page's predicted rating and "because you liked". */
export interface MovieForYou {
  movie: number;
  yourRating: number | null;
  /** Your ratings in this dataset. */
  rated: number;
  /** The predicted rating in stars (src/core/recommend/predict.ts) and its parts. */
  predicted: number;
  movieBaseline: number;
  yourOffset: number;
  neighbourPull: number;
  /** The movies you rated that are most like it (at most 5), most similar first. */
  neighbours: { movie: number; similarity: number; rating: number }[];
  /** The embedding behind the neighbours; null: the prediction is the baselines alone. */
  embedding: string | null;
  /** When you liked it: the movies closest to it you have not rated. */
  because: number[];
}

/** Your ratings as matched to the open dataset, oldest first. */
export interface YourHistory {
  history: { movie: number; rating: number; at: number }[];
  unmatched: number;
}

/** A dataset user laid open: the teaching view. */
export interface DatasetUserView {
  userId: number;
  /** Users in the dataset, and this one's position among them (0-based). */
  users: number;
  index: number;
  /** Their ratings, oldest first (stars; times in seconds). */
  history: { movie: number; rating: number; at: number }[];
  demographics: { gender: string | null; age: number | null; occupation: string | null } | null;
  /** Each channel alone: its best movies for them. */
  channels: { channel: ChannelName; movies: number[]; reasons: string[] }[];
  /** The whole pipeline with each ranker: fusion, the embedding's cosine, every stored ncf-loo model. */
  rankers: { name: string; title: string; stage: PipelineStage; movies: number[]; ms: number }[];
  embedding: string | null;
}

export type ForYouOptions = Pick<
  PipelineOptions,
  'k' | 'diversity' | 'freshness' | 'sizes' | 'minRatings'
> & {
  /** A RankerChoice id; 'auto' when absent. */
  ranker?: string;
};

/** A dataset user's stored ratings: their index, and per rating the movie, half-stars and time. */
export interface DatasetUserRatings {
  index: number;
  movie: ArrayLike<number>;
  /** Half-stars, as the dataset stores them. */
  rating: ArrayLike<number>;
  timestamp: ArrayLike<number>;
}

/** The dataset's user columns, for the demographics (null columns: the dataset has none). */
export interface DatasetUsers {
  userIds: ArrayLike<number>;
  gender?: readonly (string | null)[] | null;
  age?: readonly (number | null)[] | null;
  occupation?: readonly (string | null)[] | null;
}

/** What opening a dataset for you reads: its catalogue, embedding, stored models and your profile. */
export interface ForYouInput {
  datasetId: string;
  catalog: Catalog;
  /** The chosen embedding's vectors, if they are stored. */
  embedding: MovieVectors | null;
  /** The chosen embedding's name. */
  embeddingName: string | null;
  /** Your profile matched to this dataset. */
  profile: Pick<ResolvedProfile, 'history' | 'notInterested' | 'unmatched'>;
  options: ForYouOptions;
  /** The dataset's rating scale in stars. */
  scale: { min: number; max: number };
  /** Every model stored for this dataset. */
  stored: readonly StoredModel[];
  /** The dataset's genre list (the vocabulary CTR models were trained with). */
  genres: readonly string[];
}

/** The open dataset with your profile, and the ranker choice in force. */
export class ForYouSession {
  readonly datasetId: string;
  readonly ctx: PipelineContext;
  readonly state: UserState;
  readonly notInterested: Set<number>;
  readonly unmatched: number;
  /** The chosen embedding's name. */
  readonly embedding: string | null;
  options: PipelineOptions;
  /** The dataset's rating scale in stars. */
  readonly scale: { min: number; max: number };
  /** Stored ncf-loo models, best NDCG@10 first, then servable sparrow-ctr ones, best ROC-AUC first. */
  readonly models: readonly StoredModel[];
  /** The automatic build's model (For You's default ranker), the newest one. */
  readonly personal: StoredModel | undefined;
  readonly genres: readonly string[];
  choice = 'auto';

  private constructor(
    input: ForYouInput,
    models: readonly StoredModel[],
    private readonly rankers: StoredRankers,
  ) {
    const { catalog, embedding, profile } = input;
    this.datasetId = input.datasetId;
    this.ctx = { catalog, embedding, ranker: null };
    this.state = UserState.from(catalog, embedding, profile.history);
    this.notInterested = profile.notInterested;
    this.unmatched = profile.unmatched;
    this.embedding = input.embeddingName;
    this.options = { ...DEFAULT_PIPELINE, ...input.options };
    this.scale = input.scale;
    this.models = models;
    this.personal = personalModel(input.stored);
    this.genres = [...input.genres];
  }

  /**
   * A session on the input's dataset, its stored models in For You's order, choosing 'auto' until
   * `choose` is called. CTR models are read (`saved`) to keep only those that can serve it.
   */
  static async create(
    input: ForYouInput,
    rankers: StoredRankers,
    saved: RankerLoaders['saved'],
  ): Promise<ForYouSession> {
    const models = [
      ...rankableModels(input.stored),
      ...importedRankable(input.stored),
      ...(await ctrModels(input.stored, input.catalog, saved)),
    ];
    return new ForYouSession(input, models, rankers);
  }

  /** The best stored ncf-loo model ('auto' without a personal model), if any. */
  bestModel(): StoredModel | undefined {
    return this.models.find((m) => m.protocol === 'ncf-loo');
  }

  /** Puts a ranker choice in force; a model that is gone falls back to 'auto'. */
  async choose(choice: string): Promise<void> {
    const known = choice === 'auto' || choice === 'fusion' || choice === 'embedding';
    const stored = this.models.some((m) => m.id === choice) || this.personal?.id === choice;
    const c = known || stored ? choice : 'auto';
    this.ctx.ranker = await this.chosenRanker(c);
    this.choice = c;
  }

  /**
   * The ranker for a choice ('fusion': none): 'auto' is the automatic build's personal ranker,
   * else the best stored ncf-loo model, else the embedding's cosine. A stored model that can't
   * rank gives the cosine under 'auto', none when chosen by name.
   */
  private async chosenRanker(choice: string): Promise<Ranker | null> {
    const { catalog, embedding } = this.ctx;
    const cosine = embedding ? embeddingRanker(embedding) : null;
    if (choice === 'fusion') return null;
    if (choice === 'embedding') return cosine;
    if (choice === 'auto' && this.personal) {
      const personal = await this.rankers.of(this.personal, catalog, this.genres);
      if (personal) return personal;
    }
    const row =
      choice === 'auto'
        ? this.bestModel()
        : choice === this.personal?.id
          ? this.personal
          : this.models.find((m) => m.id === choice);
    if (!row) {
      if (choice !== 'auto') throw new WrenError('not-found', 'That model is not stored any more.');
      return cosine;
    }
    return (
      (await this.rankers.of(row, catalog, this.genres)) ?? (choice === 'auto' ? cosine : null)
    );
  }

  /** The rankers you can choose, 'auto' first, titled with what it stands for. */
  choices(): RankerChoice[] {
    const best = this.bestModel();
    return [
      {
        id: 'auto',
        title: this.personal
          ? `Wren's default (${this.personal.title})`
          : best
            ? `Best on validation (${best.title})`
            : this.ctx.embedding
              ? 'Best available (embedding similarity)'
              : 'Best available (channel fusion)',
      },
      { id: 'fusion', title: 'Channel fusion' },
      ...(this.ctx.embedding ? [{ id: 'embedding', title: 'Embedding similarity' }] : []),
      ...this.models.map((m) =>
        m.protocol === 'sparrow-ctr' || m.protocol === 'imported'
          ? { id: m.id, title: m.title }
          : { id: m.id, title: m.title, ndcg: m.metrics.ndcg },
      ),
    ];
  }

  /** Your list as it stands. */
  forYou(): ForYouResult {
    const r = recommend(this.ctx, { state: this.state }, this.options, this.notInterested);
    const c = this.ctx.catalog;
    return {
      items: r.items.map((x) => ({
        movie: x.movie,
        score: x.score,
        reason: reasonText(c, mainReason(x.hits)),
        channels: CHANNELS.filter((ch) => x.hits.some((h) => h.channel === ch)),
      })),
      stage: r.stage,
      ranker: r.ranker,
      rankerTitle: r.ranker === this.ctx.ranker?.name ? this.ctx.ranker.title : 'Channel fusion',
      perChannel: r.perChannel,
      candidates: r.candidates,
      ms: r.ms,
      rated: this.state.count,
      liked: this.state.positives().length,
      unmatched: this.unmatched,
      embedding: this.embedding,
      rankers: this.choices(),
      choice: this.choice,
    };
  }

  /** Applies one change to your real-time features and returns the new list. */
  change(change: ProfileChange): ForYouResult {
    if (change.kind === 'rate')
      this.state.rate({ movie: change.movie, rating: change.rating, at: change.at });
    else if (change.kind === 'unrate') this.state.unrate(change.movie);
    else if (change.on) this.notInterested.add(change.movie);
    else this.notInterested.delete(change.movie);
    return this.forYou();
  }

  /** New pipeline settings (and ranker choice), same profile. */
  async configure(options: ForYouOptions): Promise<ForYouResult> {
    if (options.ranker !== undefined && options.ranker !== this.choice)
      await this.choose(options.ranker);
    this.options = { ...this.options, ...options };
    return this.forYou();
  }

  /** A movie as it concerns you: its predicted rating and, when you liked it, what is close to it. */
  explain(movie: number): MovieForYou {
    const { catalog, embedding } = this.ctx;
    if (!Number.isInteger(movie) || movie < 0 || movie >= catalog.count)
      throw new WrenError('not-found', `There is no movie ${movie} in this dataset.`);
    const p = predictRating(catalog, embedding, this.state.ratings.values(), movie, {
      min: this.scale.min,
      max: this.scale.max,
    });
    const yours = this.state.ratings.get(movie)?.rating ?? null;
    let because: number[] = [];
    if (yours !== null && yours >= LIKED && embedding) {
      const one = new UserState(catalog, embedding);
      one.rate({ movie, rating: yours, at: 0 });
      // Rare movies are not trusted as neighbours (unless you asked for hidden gems).
      const seen = (m: number): boolean =>
        this.state.ratings.has(m) ||
        this.notInterested.has(m) ||
        catalog.ratingCount[m]! < (this.options.minRatings ?? 0);
      because = recallChannel(this.ctx, one, 'because', 12, seen).movies;
    }
    return {
      movie,
      yourRating: yours,
      rated: this.state.count,
      predicted: p.rating,
      movieBaseline: p.movieBaseline,
      yourOffset: p.yourOffset,
      neighbourPull: p.neighbourPull,
      neighbours: p.neighbours.slice(0, 5),
      embedding: embedding ? this.embedding : null,
      because,
    };
  }

  /** Your ratings matched to the open dataset. */
  history(): YourHistory {
    return { history: this.state.history(), unmatched: this.unmatched };
  }

  /**
   * A dataset user through each channel alone and through the whole pipeline with each ranker:
   * fusion, the embedding's cosine, Wren's default model, then the stored models (at most eight
   * model columns; those that can't rank are left out). `ratings` null: there is no such user.
   */
  async datasetUser(
    userId: number,
    k: number,
    ratings: DatasetUserRatings | null,
    users: DatasetUsers | undefined,
  ): Promise<DatasetUserView> {
    const { catalog, embedding } = this.ctx;
    const r = ratings;
    if (!r) throw new WrenError('not-found', `There is no user ${userId} in this dataset.`);
    const history = Array.from(r.movie, (movie, i) => ({
      movie,
      rating: r.rating[i]! / 2,
      at: r.timestamp[i]!,
    }));
    const state = UserState.from(catalog, embedding, history);
    const seen = (m: number): boolean => state.ratings.has(m);
    const channels = CHANNELS.filter(
      (ch) =>
        (embedding || (ch !== 'embedding' && ch !== 'because')) &&
        (ch !== 'tower' || this.ctx.ranker?.retrieve),
    ).map((channel) => {
      const found = recallChannel(this.ctx, state, channel, k, seen, r.index);
      return {
        channel,
        movies: found.movies,
        reasons: found.hits.map((h) => reasonText(catalog, h, 'they')),
      };
    });
    const rankers: { name: string; title: string; ranker: Ranker | null }[] = [
      { name: 'fusion', title: 'Channel fusion', ranker: null },
    ];
    if (embedding)
      rankers.push({
        name: 'embedding',
        title: 'Embedding similarity',
        ranker: embeddingRanker(embedding),
      });
    // An imported model whose user rows are not this dataset's users can't rank one by their row.
    const rows = [...(this.personal ? [this.personal] : []), ...this.models];
    for (const row of rows.filter(ranksDatasetUsers).slice(0, 8)) {
      const ranker = await this.rankers.of(row, catalog, this.genres);
      if (ranker) rankers.push({ name: row.id, title: row.title, ranker });
    }
    const options = { ...this.options, k, minForModel: 0 };
    const lists = rankers.map(({ name, title, ranker }) => {
      const t0 = performance.now();
      const out = recommend({ catalog, embedding, ranker }, { state, user: r.index }, options);
      return {
        name,
        title,
        stage: out.stage,
        movies: out.items.map((x) => x.movie),
        ms: performance.now() - t0,
      };
    });
    return {
      userId,
      users: users?.userIds.length ?? 0,
      index: r.index,
      history,
      demographics:
        users && (users.gender || users.age || users.occupation)
          ? {
              gender: users.gender?.[r.index] ?? null,
              age: users.age?.[r.index] ?? null,
              occupation: users.occupation?.[r.index] ?? null,
            }
          : null,
      channels,
      rankers: lists,
      embedding: embedding ? this.embedding : null,
    };
  }

  /**
   * The next `n` onboarding movies (onboarding.ts), following your liked and low-rated movies and
   * away from `passed`; never one of `shown`, one you rated or marked not interested.
   */
  onboarding(shown: readonly number[], passed: readonly number[], n: number): number[] {
    const { catalog } = this.ctx;
    const state = this.state;
    const valid = (m: number): boolean => Number.isInteger(m) && m >= 0 && m < catalog.count;
    const rated = [...state.ratings.values()];
    const ranker = this.ctx.ranker?.retrieve ? this.ctx.ranker : null;
    const seen = new Set(shown.filter(valid));
    const skip = (m: number): boolean =>
      state.ratings.has(m) || this.notInterested.has(m) || seen.has(m);
    return onboardingPicks(
      catalog,
      {
        liked: rated.filter((r) => r.rating >= LIKED).map((r) => r.movie),
        low: rated.filter((r) => r.rating <= RATED_LOW).map((r) => r.movie),
        passed: passed.filter((m) => valid(m) && !state.ratings.has(m)),
        shown: [...seen],
        exclude: (m) => state.ratings.has(m) || this.notInterested.has(m),
        // A model that retrieves from the whole catalogue (two-tower) brings its own scores.
        score: ranker
          ? () => {
              const found = ranker.retrieve!({ state }, 300, skip);
              const out = new Float32Array(catalog.count).fill(-Infinity);
              found.movies.forEach((m, i) => (out[m] = found.scores[i]!));
              return out;
            }
          : undefined,
      },
      Math.max(0, Math.min(100, Math.floor(n))),
    );
  }
}

/**
 * For You in one worker: the open session, and the stored models' rankers, kept while the same
 * dataset is opened again (a new profile, new settings) and dropped when another one is.
 */
export class ForYou {
  private current: ForYouSession | null = null;
  private readonly rankers: StoredRankers;

  constructor(private readonly loaders: RankerLoaders) {
    this.rankers = new StoredRankers(loaders);
  }

  /** Opens a dataset with your profile, puts `options.ranker` (else 'auto') in force, and lists. */
  async open(input: ForYouInput): Promise<ForYouResult> {
    if (this.current?.datasetId !== input.datasetId) this.rankers.clear();
    const s = await ForYouSession.create(input, this.rankers, this.loaders.saved);
    this.current = s;
    await s.choose(input.options.ranker ?? 'auto');
    return s.forYou();
  }

  /** The open session; throws when no dataset is open. */
  session(): ForYouSession {
    if (!this.current) throw new WrenError('not-found', 'No dataset is open for recommendations.');
    return this.current;
  }
}
