import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EMBED_SETTINGS,
  defaultSettingsFor,
  SPARROW_WALKS,
} from '../../../src/core/embeddings/embed.ts';
import { SPARROW_DEFAULTS, validateSgnsSettings } from '../../../src/core/embeddings/sgns.ts';
import {
  FIELDS,
  matchingPreset,
  parseSettingsForm,
  PRESETS,
  settingsToForm,
  switchMethod,
  walkTokens,
  type NumericField,
} from '../../../src/ui/lib/lab-settings.ts';

const form = (
  values: Partial<Record<NumericField, string>>,
  method = DEFAULT_EMBED_SETTINGS.method,
) => {
  const f = settingsToForm({ ...DEFAULT_EMBED_SETTINGS, method });
  return { ...f, values: { ...f.values, ...values } };
};

describe('lab settings form', () => {
  it('round-trips every preset, for every method, through the form', () => {
    for (const p of PRESETS) {
      for (const m of ['item2vec', 'deepwalk', 'node2vec'] as const) {
        const settings = p.settings(m);
        expect(settings.method).toBe(m);
        expect(parseSettingsForm(settingsToForm(settings))).toEqual({ ok: true, settings });
        // Presets may coincide; the match is one with equal settings.
        expect(matchingPreset(settings)?.settings(m)).toEqual(settings);
      }
    }
  });

  it('has SparrowRecSys at 10 dims with its walks, and Wren default equal to the core defaults', () => {
    const preset = (id: string) => PRESETS.find((p) => p.id === id)!;
    const sparrow = preset('sparrow').settings('deepwalk');
    expect(sparrow).toMatchObject({ dim: 10, window: SPARROW_DEFAULTS.window, ...SPARROW_WALKS });
    expect(preset('gensim').settings('item2vec').dim).toBe(32);
    expect(preset('wren').settings('item2vec')).toEqual(DEFAULT_EMBED_SETTINGS);
    expect(preset('wren').settings('node2vec')).toEqual(defaultSettingsFor('node2vec'));
    expect(matchingPreset({ ...DEFAULT_EMBED_SETTINGS, dim: 33 })).toBeNull();
  });

  it('switches a preset to the same preset of the new method, and keeps typed values', () => {
    const wren = settingsToForm(DEFAULT_EMBED_SETTINGS);
    const dw = switchMethod(wren, 'deepwalk');
    expect(dw.method).toBe('deepwalk');
    expect(dw.values.epochs).toBe(String(defaultSettingsFor('deepwalk').epochs));
    expect(switchMethod(dw, 'item2vec').values.epochs).toBe(String(DEFAULT_EMBED_SETTINGS.epochs));
    const typed = { ...wren, values: { ...wren.values, epochs: '7' } };
    const kept = switchMethod(typed, 'node2vec');
    expect(kept.method).toBe('node2vec');
    expect(kept.values.epochs).toBe('7');
  });

  it('estimates the walk corpus of an epoch', () => {
    const s = { ...DEFAULT_EMBED_SETTINGS, numWalks: 10, walkLength: 40 };
    expect(walkTokens({ ...s, method: 'item2vec' }, 1000)).toBeNull();
    expect(walkTokens({ ...s, method: 'deepwalk', walkStart: 'every-node' }, 1000)).toBe(400_000);
    expect(walkTokens({ ...s, method: 'node2vec', walkStart: 'frequency' }, 1000)).toBe(400);
  });

  it('names each bad field with a clear message', () => {
    const r = parseSettingsForm(
      form({
        dim: '1',
        window: '',
        negatives: 'abc',
        learningRate: '0',
        subsample: '1',
        seed: '1.5',
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.dim).toBe('Dimensions must be a whole number 2–512.');
    expect(r.errors.window).toBe('Window is empty.');
    expect(r.errors.negatives).toMatch(/must be a number/);
    expect(r.errors.learningRate).toMatch(/above 0/);
    expect(r.errors.subsample).toMatch(/below 1/);
    expect(r.errors.seed).toMatch(/whole number/);
    expect(r.errors.epochs).toBeUndefined();
  });

  it('checks the final learning rate against the learning rate', () => {
    const r = parseSettingsForm(form({ learningRate: '0.01', minLearningRate: '0.02' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors)).toEqual(['minLearningRate']);
  });

  it('checks walk fields only for the walk methods, and p, q only for Node2vec', () => {
    const bad = { numWalks: '0', walkLength: '1', p: '0', q: '-1' };
    expect(parseSettingsForm(form(bad, 'item2vec')).ok).toBe(true);
    const dw = parseSettingsForm(form(bad, 'deepwalk'));
    expect(dw.ok ? [] : Object.keys(dw.errors).sort()).toEqual(['numWalks', 'walkLength']);
    const nv = parseSettingsForm(form(bad, 'node2vec'));
    expect(nv.ok ? [] : Object.keys(nv.errors).sort()).toEqual([
      'numWalks',
      'p',
      'q',
      'walkLength',
    ]);
    const ok = parseSettingsForm(
      form({ numWalks: '500', walkLength: '8', p: '0.5', q: '2' }, 'node2vec'),
    );
    expect(ok.ok && ok.settings).toMatchObject({
      method: 'node2vec',
      numWalks: 500,
      walkLength: 8,
      p: 0.5,
      q: 2,
    });
  });

  it('accepts exactly what validateSgnsSettings accepts for the skip-gram fields', () => {
    const num = fc.oneof(
      fc.integer({ min: -5, max: 1200 }),
      fc.double({ min: -2, max: 3, noNaN: true }),
      fc.constantFrom(0, 1, 2, 512, 513, 0.75, 1e-3),
    );
    fc.assert(
      fc.property(
        fc.record({
          dim: num,
          window: num,
          negatives: num,
          epochs: num,
          learningRate: num,
          minLearningRate: num,
          subsample: num,
          negativeExponent: num,
        }),
        (vals) => {
          const values = Object.fromEntries(Object.entries(vals).map(([k, v]) => [k, String(v)]));
          const r = parseSettingsForm(form(values));
          let valid = true;
          try {
            validateSgnsSettings({ ...DEFAULT_EMBED_SETTINGS, ...vals });
          } catch {
            valid = false;
          }
          expect(r.ok).toBe(valid);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('lists every numeric setting of EmbedSettings once', () => {
    const keys = FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    const numeric = Object.entries(DEFAULT_EMBED_SETTINGS)
      .filter(([, v]) => typeof v === 'number')
      .map(([k]) => k)
      .sort();
    expect([...keys].sort()).toEqual(numeric);
  });
});
