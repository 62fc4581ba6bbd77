/**
 * Trainer engines and the measured probe that picks one. An engine is a
 * skip-gram kernel: 'wasm-simd', 'js', or tfjs on a backend ('tfjs-webgpu',
 * 'tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu'). The probe runs each on a slice of
 * the real corpus for a fixed time and keeps the fastest, so a machine with a
 * GPU picks tfjs and one without picks WebAssembly — measured, not assumed.
 */
import { WrenError } from '../errors.ts';
import type { Sequences } from '../features/sequences.ts';
import { prepareKernelInput, type KernelFactory } from './sgns-driver.ts';
import type { SgnsSettings } from './sgns.ts';

export interface EngineSpec {
  name: string;
  /** Makes the engine ready (e.g. sets the tfjs backend); false when unavailable here. */
  activate(): Promise<boolean>;
  kernel: KernelFactory;
}

export interface EngineMeasure {
  engine: string;
  /** Training throughput on the probe corpus; null when the engine is unavailable or failed. */
  tokensPerSecond: number | null;
  /** Seconds to set it up (backend start-up, compile). */
  startSeconds: number;
  /** Threads the engine trained on, when more than one. */
  threads?: number;
  error?: string;
}

/** The first sequences of `corpus`, up to about `tokens` items. */
export function probeCorpus(corpus: Sequences, tokens: number): Sequences {
  let s = 0;
  const sentences = corpus.offsets.length - 1;
  while (s < sentences && corpus.offsets[s + 1]! <= tokens) s++;
  s = Math.max(1, Math.min(sentences, s));
  return {
    offsets: corpus.offsets.slice(0, s + 1),
    items: corpus.items.slice(0, corpus.offsets[s]),
  };
}

/**
 * Measures each engine on `corpus` (train for up to `ms` after one warm-up
 * sentence batch) and returns them fastest first.
 */
export async function probeEngines(
  engines: EngineSpec[],
  corpus: Sequences,
  itemCount: number,
  settings: SgnsSettings,
  ms = 400,
): Promise<EngineMeasure[]> {
  const sample = probeCorpus(corpus, 20_000);
  const out: EngineMeasure[] = [];
  for (const e of engines) {
    const t0 = performance.now();
    try {
      if (!(await e.activate())) {
        out.push({ engine: e.name, tokensPerSecond: null, startSeconds: 0, error: 'unavailable' });
        continue;
      }
      const input = prepareKernelInput(sample, itemCount, { ...settings, epochs: 1 });
      const kernel = await e.kernel(input);
      try {
        const sentences = sample.offsets.length - 1;
        const total = sample.items.length * 1000;
        const team = kernel.team;
        // A team trains its own share here while its helpers loop over theirs.
        const [first, last] = team ? team.own : [0, sentences];
        if (last > first) kernel.trainSentences(first, first + 1, 0, total);
        const startSeconds = (performance.now() - t0) / 1000;
        team?.start(1_000_000, total);
        // Trains for `warm` ms (V8 moves a hot wasm function to its optimising tier while it
        // runs, in every thread) before the `ms` that are counted.
        const warm = Math.min(150, ms / 2);
        let tokens = 0;
        let s = first;
        const all = (): number => tokens + (team ? team.tokens() : 0);
        let base = 0;
        let t1 = performance.now();
        let warming = true;
        for (;;) {
          const now = performance.now();
          if (warming && now - t1 >= warm) {
            warming = false;
            base = all();
            t1 = now;
          } else if (!warming && now - t1 >= ms) break;
          if (last <= first) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          const before = tokens;
          tokens = kernel.trainSentences(s, s + 1, tokens, total);
          if (tokens === before && sentences <= 1) break;
          s = s + 1 < last ? s + 1 : first;
        }
        const sec = (performance.now() - t1) / 1000;
        const measured = all() - base;
        if (team) {
          team.stop();
          await team.done();
        }
        out.push({
          engine: e.name,
          tokensPerSecond: measured / sec,
          startSeconds,
          ...(team && { threads: team.threads }),
        });
      } finally {
        kernel.dispose();
      }
    } catch (err) {
      out.push({
        engine: e.name,
        tokensPerSecond: null,
        startSeconds: (performance.now() - t0) / 1000,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return out.sort((a, b) => (b.tokensPerSecond ?? -1) - (a.tokensPerSecond ?? -1));
}

/** The fastest measured engine's spec; throws when none ran. */
export function fastestEngine(measures: EngineMeasure[], engines: EngineSpec[]): EngineSpec {
  const best = measures.find((m) => m.tokensPerSecond !== null);
  const spec = best && engines.find((e) => e.name === best.engine);
  if (!spec) throw new WrenError('backend', 'No trainer could run in this browser.');
  return spec;
}
