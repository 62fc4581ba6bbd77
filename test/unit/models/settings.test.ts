/**
 * Every model refuses an unknown setting and a value out of range when it is
 * built, wherever that happens (not only in the CLI or the Models page); a
 * saved model's settings from another Wren load with unknown keys dropped.
 */
import { describe, expect, it } from 'vitest';
import {
  allows,
  applyPairs,
  rangeOf,
  settingsOf,
  type Setting,
} from '../../../src/core/models/config-check.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { CtrModel, type CtrKind } from '../../../src/core/models/ctr.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { MODELS, REGISTRY } from '../../../src/core/models/index.ts';
import { ItemKnn, ITEMKNN_SETTINGS } from '../../../src/core/models/item-knn.ts';

describe('model settings', () => {
  const lambda: Setting = { default: 400, kind: 'number', min: 0, doc: 'λ' };

  it('merges the given values over the defaults', () => {
    const schema = {
      a: { default: 1, kind: 'whole', doc: 'a' },
      epochs: { default: 2, kind: 'whole', min: 1, doc: 'e' },
    } as const;
    expect(settingsOf('X', schema, { epochs: 5 })).toEqual({ a: 1, epochs: 5 });
  });

  it('refuses an unknown key, naming what the model takes', () => {
    expect(() => settingsOf('ItemKNN', ITEMKNN_SETTINGS, { neighbors: 5 })).toThrow(
      'ItemKNN has no setting "neighbors"; it takes neighbours, shrink.',
    );
  });

  it('drops an unknown key from a stored model, and still refuses a bad value there', () => {
    expect(settingsOf('EASE', { lambda }, { lambda: 50, old: 1 }, true)).toEqual({
      lambda: 50,
    });
    expect(() => settingsOf('EASE', { lambda }, { lambda: -1 }, true)).toThrow(
      'EASE: lambda takes a number at least 0; found -1.',
    );
  });

  it('checks each kind of setting by its range, and says the range in words', () => {
    const rate: Setting = { default: 0.1, kind: 'number', min: 0, above: true, doc: '' };
    const share: Setting = { default: 0.5, kind: 'number', min: 0, max: 1, doc: '' };
    const on: Setting = { default: 1, kind: 'switch', doc: '' };
    const count: Setting = { default: 3, kind: 'whole', min: 1, doc: '' };
    expect([0, 1e-9, 2].map((x) => allows(rate, x))).toEqual([false, true, true]);
    expect([-0.1, 0, 1, 1.01].map((x) => allows(share, x))).toEqual([false, true, true, false]);
    expect([0, 1, 0.5, 2].map((x) => allows(on, x))).toEqual([true, true, false, false]);
    expect([0, 1, 2.5, Infinity, NaN].map((x) => allows(count, x))).toEqual([
      false,
      true,
      false,
      false,
      false,
    ]);
    expect([rate, share, on, count].map(rangeOf)).toEqual([
      'a number above 0',
      'a number from 0 to 1',
      '0 (off) or 1 (on)',
      'a whole number at least 1',
    ]);
  });

  it('declares every setting of every model, ranking and CTR, with its default in range and a doc', () => {
    for (const info of REGISTRY) {
      for (const [key, s] of Object.entries(info.settings)) {
        expect(allows(s, s.default), `${info.name}.${key} default`).toBe(true);
        expect(s.doc.length, `${info.name}.${key} doc`).toBeGreaterThan(10);
        expect(info.defaults[key]).toBe(s.default);
      }
      expect(Object.keys(info.defaults)).toEqual(Object.keys(info.settings));
    }
    // A CTR model's own defaults change the shared schema's default, not its range.
    const lr = CTR_MODELS.find((m) => m.name === 'lr')!;
    expect(lr.settings.learningRate!.default).toBe(0.01);
    expect(CTR_MODELS.find((m) => m.name === 'fm')!.settings.learningRate!.default).toBe(0.001);
  });

  it('parses --set pairs against a model’s schema, refusing what it does not take', () => {
    const knn = MODELS.find((m) => m.name === 'itemknn')!;
    expect(applyPairs('itemknn', knn.settings, knn.defaults, ['neighbours=7'])).toEqual({
      neighbours: 7,
      shrink: 0,
    });
    expect(applyPairs('itemknn', knn.settings, knn.defaults, ['k=7'])).toBe(
      '--set takes key=value with a key of itemknn: neighbours, shrink; found "k=7"',
    );
    expect(applyPairs('itemknn', knn.settings, knn.defaults, ['shrink=x'])).toBe(
      '--set shrink takes a number; found "x"',
    );
    expect(applyPairs('itemknn', knn.settings, knn.defaults, ['neighbours=0.5'])).toBe(
      '--set neighbours takes a whole number at least 1; found 0.5',
    );
  });

  it('every registered model refuses both when built', async () => {
    for (const info of MODELS) {
      if (!Object.keys(info.defaults).length) continue; // popularity takes no settings
      await expect(info.create({ ...info.defaults, nonsense: 1 }), info.name).rejects.toThrow(
        /has no setting "nonsense"/,
      );
      const key = 'seed' in info.defaults ? 'seed' : Object.keys(info.defaults)[0]!;
      await expect(info.create({ ...info.defaults, [key]: -3.5 }), info.name).rejects.toThrow(
        new RegExp(`${key} takes`),
      );
    }
    for (const info of CTR_MODELS) {
      expect(() => new CtrModel(info.name as CtrKind, { epochs: 0 })).toThrow(/epochs takes/);
      expect(() => new CtrModel(info.name as CtrKind, { nonsense: 1 })).toThrow(/no setting/);
    }
    // Built directly too, not only through the registry.
    expect(() => new Ease({ lambda: Number.NaN })).toThrow(/lambda takes/);
    expect(() => new ItemKnn({ neighbours: 0 })).toThrow(/neighbours takes/);
  });

  it('a saved model loads again, its settings as saved', async () => {
    const knn = new ItemKnn({ neighbours: 7 });
    const saved = knn.save();
    const loaded = await MODELS.find((m) => m.name === 'itemknn')!.load({
      ...saved,
      config: { ...saved.config, retired: 3 },
    });
    expect(loaded.config).toEqual({ neighbours: 7, shrink: 0 });
  });
});
