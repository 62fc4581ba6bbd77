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
}

export class WrenError extends Error {
  override readonly name = 'WrenError';
  readonly code: WrenErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly badRows: number | undefined;

  constructor(
    code: WrenErrorCode,
    message: string,
    where: { file?: string; line?: number; badRows?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.badRows = where.badRows;
  }

  toData(): WrenErrorData {
    const d: WrenErrorData = { name: 'WrenError', code: this.code, message: this.message };
    if (this.file !== undefined) d.file = this.file;
    if (this.line !== undefined) d.line = this.line;
    if (this.badRows !== undefined) d.badRows = this.badRows;
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

/** Throws a 'cancelled' WrenError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WrenError('cancelled', 'Cancelled.');
}
