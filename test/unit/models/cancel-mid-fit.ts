/** A fit cancelled at its first progress report from inside the work (some done, some left). */
import type { FitOptions } from '../../../src/core/models/types.ts';

export interface MidFitCancel {
  /** The share done when the cancel came; null when no report came from inside the work. */
  at: number | null;
  /** Progress reports after the cancel. */
  after: number;
  /** What the fit rejected with; undefined when it resolved. */
  error: unknown;
}

export async function cancelMidFit(
  fit: (opts: FitOptions) => Promise<unknown>,
): Promise<MidFitCancel> {
  const ctrl = new AbortController();
  const out: MidFitCancel = { at: null, after: 0, error: undefined };
  try {
    await fit({
      signal: ctrl.signal,
      onProgress: (p) => {
        if (out.at !== null) out.after++;
        else if (p.done > 0 && p.done < p.total) {
          out.at = p.done / p.total;
          ctrl.abort(new Error('stop'));
        }
      },
    });
  } catch (e) {
    out.error = e;
  }
  return out;
}
