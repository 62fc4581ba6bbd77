/**
 * Bad rows: strict by default (the first one stops the import), or skipped
 * and counted up to a limit. Builds the dataset's SkipReport.
 */
import { WrenError } from '../errors.ts';
import type { RowIssue, SkipReport } from './types.ts';

/** How many issues are kept for display. */
export const MAX_SAMPLES = 20;

export class Issues {
  badRows = 0;
  unknownMovies = 0;
  duplicates = 0;
  readonly samples: RowIssue[] = [];

  /** `maxBadRows`: how many malformed rows may be skipped (0 = none). */
  constructor(readonly maxBadRows: number = 0) {}

  /**
   * Records a malformed row: skips it while under the limit, else throws
   * 'bad-row' (strict mode) or 'too-many-bad-rows'.
   */
  bad(file: string, line: number, reason: string): void {
    const count = this.badRows + 1;
    if (this.maxBadRows <= 0)
      throw new WrenError('bad-row', `${file} line ${line}: ${reason}`, {
        file,
        line,
        badRows: count,
      });
    if (count > this.maxBadRows)
      throw new WrenError(
        'too-many-bad-rows',
        `${file} line ${line}: ${reason}. That is bad row ${count}, more than the ${this.maxBadRows} allowed.`,
        { file, line, badRows: count },
      );
    this.badRows = count;
    this.note({ file, line, reason });
  }

  /** Keeps an issue for display (the first MAX_SAMPLES only). */
  note(issue: RowIssue): void {
    if (this.samples.length < MAX_SAMPLES) this.samples.push(issue);
  }

  report(): SkipReport {
    return {
      badRows: this.badRows,
      unknownMovies: this.unknownMovies,
      duplicates: this.duplicates,
      samples: this.samples.slice(),
    };
  }
}

/** Shows a found value in a message: quoted, and shortened when long. */
export function shown(value: string): string {
  const v = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(v);
}
