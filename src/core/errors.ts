/**
 * Errors that cross the worker boundary as data and are rebuilt on the other
 * side. Messages say what was expected and what was found, and name the file
 * and line where that applies.
 */
export type WrenErrorCode =
  | 'not-a-zip'
  | 'corrupt-zip'
  | 'truncated'
  | 'no-movielens-files'
  | 'empty-file'
  | 'bad-header'
  | 'bad-row'
  | 'too-many-bad-rows'
  /** An archive or file far larger than any MovieLens release (a zip bomb, endless rows). */
  | 'too-large'
  | 'quota'
  | 'cancelled'
  | 'fetch-failed'
  | 'storage'
  | 'invalid-settings'
  | 'invalid-data'
  | 'not-found'
  | 'backend'
  | 'internal';

export interface WrenErrorData {
  name: 'WrenError';
  code: WrenErrorCode;
  message: string;
  file?: string;
  line?: number;
  /** Bad rows seen so far, for 'bad-row' and 'too-many-bad-rows'. */
  badRows?: number;
  /**
   * What a failed write left of the stored data, checked after the failure
   * ("Nothing was changed…", or what was lost and what was restored).
   */
  aftermath?: string;
}

export class WrenError extends Error {
  override readonly name = 'WrenError';
  readonly code: WrenErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly badRows: number | undefined;
  readonly aftermath: string | undefined;

  constructor(
    code: WrenErrorCode,
    message: string,
    where: { file?: string; line?: number; badRows?: number; aftermath?: string } = {},
  ) {
    super(message);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.badRows = where.badRows;
    this.aftermath = where.aftermath;
  }

  /** This error with what the failure left of the stored data. */
  withAftermath(aftermath: string): WrenError {
    return new WrenError(this.code, this.message, { ...this.toData(), aftermath });
  }

  toData(): WrenErrorData {
    const d: WrenErrorData = { name: 'WrenError', code: this.code, message: this.message };
    if (this.file !== undefined) d.file = this.file;
    if (this.line !== undefined) d.line = this.line;
    if (this.badRows !== undefined) d.badRows = this.badRows;
    if (this.aftermath !== undefined) d.aftermath = this.aftermath;
    return d;
  }

  static fromData(d: WrenErrorData): WrenError {
    return new WrenError(d.code, d.message, d);
  }

  /** Wraps anything thrown into a WrenError, keeping WrenErrors as they are. */
  static from(e: unknown): WrenError {
    if (e instanceof WrenError) return e;
    if (isWrenErrorData(e)) return WrenError.fromData(e);
    if (e instanceof DOMException && e.name === 'AbortError')
      return new WrenError('cancelled', 'Cancelled.');
    const msg = e instanceof Error ? e.message : String(e);
    return new WrenError('internal', msg);
  }
}

export function isWrenErrorData(e: unknown): e is WrenErrorData {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'WrenError' &&
    typeof (e as { code?: unknown }).code === 'string'
  );
}

/** The one message for a full disk or a full quota, with what to free. */
export const STORAGE_FULL_MESSAGE =
  'Storage is full: the browser refused to store more data for this site. ' +
  'Free space and try again: delete a dataset, an embedding or a model on the Data page, ' +
  "or free disk space on this device (the browser's storage shares the disk).";

/**
 * True for the errors a browser's storage raises when the disk or the
 * origin's quota is full, whatever shape they come in:
 * - `QuotaExceededError` (a DOMException, or Dexie's error of that name);
 * - `DataError` "Failed to write blobs (IOError)" (Chromium writing a large value to disk);
 * - `UnknownError` (Chromium's LevelDB failing to write: "Internal error…", IO errors);
 * - a Dexie `BulkError` whose failures are any of these, or `AbortError`s (the
 *   requests after the first failing one abort with their transaction);
 * - any of these as the `inner` or `cause` of another error.
 * A bare `AbortError` is not counted here: it is also what a cancelled fetch
 * throws. A write that knows it was not cancelled asks `isStorageFullError(e, true)`.
 */
export function isStorageFullError(e: unknown, abortIsStorage = false): boolean {
  for (let x: unknown = e, i = 0; x && typeof x === 'object' && i < 5; i++) {
    const { name, message } = x as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (name === 'QuotaExceededError' || name === 'UnknownError') return true;
    if (name === 'DataError' && /failed to write blobs|IOError/i.test(text)) return true;
    if (name === 'AbortError' && abortIsStorage) return true;
    if (name === 'BulkError') {
      const failures = (x as { failures?: unknown }).failures;
      if (Array.isArray(failures) && failures.some((f) => isStorageFullError(f, true))) return true;
    }
    x = (x as { inner?: unknown }).inner ?? (x as { cause?: unknown }).cause;
  }
  return false;
}

/** Throws a 'cancelled' WrenError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WrenError('cancelled', 'Cancelled.');
}
