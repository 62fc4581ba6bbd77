/** What every command does when it fails: one line on stderr, or `{ error }` as JSON. Returns exit code 1. */
import { WrenError } from '../core/errors.ts';

export function reportFailure(e: unknown, json: boolean, tty = false): number {
  if (tty) process.stderr.write('\n');
  const err = WrenError.from(e);
  if (json) process.stdout.write(JSON.stringify({ error: err.toData() }) + '\n');
  else process.stderr.write(`wren: ${err.message}\n`);
  return 1;
}

/** A progress line on stderr, rewritten in place; shown only on a terminal and never with --json. */
export function statusLine(json: boolean): { tty: boolean; say(s: string): void; end(): void } {
  const tty = process.stderr.isTTY && !json;
  return {
    tty,
    say: (s) => {
      if (tty) process.stderr.write(`\r${s}`.padEnd(60));
    },
    end: () => {
      if (tty) process.stderr.write('\n');
    },
  };
}
