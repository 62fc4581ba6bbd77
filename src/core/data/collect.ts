/**
 * Collects the parsed files of each family as they arrive (in any order) and
 * picks the family that has both movies and ratings.
 */
import { WrenError } from '../errors.ts';
import type { Parts } from './builder.ts';
import type { Detected, Family, Role } from './detect.ts';
import type { Link } from './links-parser.ts';
import type { RawMovie } from './movies-parser.ts';
import type { RatingRows } from './rating-rows.ts';
import type { RawTag } from './tags-parser.ts';
import type { RawUser } from './users-parser.ts';

interface FamilyParts {
  movies?: { file: string; rows: RawMovie[] };
  ratings?: RatingRows;
  users?: RawUser[];
  tags?: { file: string; rows: RawTag[] };
  links?: Map<number, Link>;
  genres?: string[];
  roles: Set<Role>;
}

/** The files each family needs, for messages. */
const NEEDED: Record<Family, { movies: string; ratings: string }> = {
  'ml-csv': { movies: 'movies.csv', ratings: 'ratings.csv' },
  'ml-dat': { movies: 'movies.dat', ratings: 'ratings.dat' },
  'ml-100k': { movies: 'u.item', ratings: 'u.data' },
};

export class Collected {
  private readonly families = new Map<Family, FamilyParts>();
  private readonly seen: string[] = [];

  /** Notes a file and what it was taken for (null: not MovieLens data, or a second copy). */
  saw(file: string, d: Detected | null, used: boolean): void {
    this.seen.push(
      d && used
        ? `${file} (${d.role})`
        : d
          ? `${file} (a second ${d.role} file, not used)`
          : `${file} (not used)`,
    );
  }

  /** True when a file of this family and role was taken already. */
  has(d: Detected): boolean {
    return this.families.get(d.family)?.roles.has(d.role) ?? false;
  }

  /** Reserves the role before parsing, so that a second copy is skipped. */
  take(d: Detected): FamilyParts {
    let f = this.families.get(d.family);
    if (!f) this.families.set(d.family, (f = { roles: new Set() }));
    f.roles.add(d.role);
    return f;
  }

  /**
   * The Parts of the first family with movies and ratings; throws
   * 'no-movielens-files' when none has both. `subject` starts the message
   * ("ml.zip holds", "The selected files hold").
   */
  parts(subject: string, name: string): Parts {
    for (const [family, f] of this.families) {
      if (f.movies && f.ratings)
        return {
          family,
          name,
          movies: f.movies,
          ratings: f.ratings,
          users: f.users,
          tags: f.tags,
          links: f.links,
          genreNames: f.genres,
        };
    }
    const missing: string[] = [];
    for (const [family, f] of this.families) {
      if (!f.movies && !f.ratings) continue;
      missing.push(
        `${f.movies ? NEEDED[family].ratings : NEEDED[family].movies} (${f.movies ? 'ratings' : 'movies'})`,
      );
    }
    const shown =
      this.seen.slice(0, 12).join(', ') +
      (this.seen.length > 12 ? `, and ${this.seen.length - 12} more` : '');
    const found = this.seen.length > 0 ? `found ${shown}` : 'found no files';
    const need =
      missing.length > 0
        ? `missing ${missing.join(' or ')}`
        : 'a dataset needs a movies file and a ratings file: movies.csv and ratings.csv (ml-latest, ml-20m, ml-25m, ml-32m), movies.dat and ratings.dat (ml-1m, ml-10m), or u.item and u.data (ml-100k)';
    throw new WrenError(
      'no-movielens-files',
      `${subject} no complete MovieLens dataset: ${found}; ${need}.`,
    );
  }
}

export type { FamilyParts };
