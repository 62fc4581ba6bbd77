/**
 * Every model refuses an unknown setting and a value out of range when it is
 * built, wherever that happens (not only in the CLI or the Models page); a
 * saved model's settings from another Wren load with unknown keys dropped.
 */
import { describe, expect, it } from 'vitest';
import { settingsOf } from '../../../src/core/models/config-check.ts';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { CtrModel, type CtrKind } from '../../../src/core/models/ctr.ts';
import { Ease } from '../../../src/core/models/ease.ts';
import { MODELS } from '../../../src/core/models/index.ts';
import { ItemKnn } from '../../../src/core/models/item-knn.ts';

describe('model settings', () => {
  it('merges the given values over the defaults', () => {
    expect(settingsOf('X', { a: 1, epochs: 2 }, { epochs: 5 })).toEqual({ a: 1, epochs: 5 });
  });

  it('refuses an unknown key, naming what the model takes', () => {
    expect(() => settingsOf('ItemKNN', { neighbours: 100, shrink: 0 }, { neighbors: 5 })).toThrow(
      'ItemKNN has no setting "neighbors"; it takes neighbours, shrink.',
    );
  });

  it('drops an unknown key from a stored model, and still refuses a bad value there', () => {
    expect(settingsOf('EASE', { lambda: 400 }, { lambda: 50, old: 1 }, true)).toEqual({
      lambda: 50,
    });
    expect(() => settingsOf('EASE', { lambda: 400 }, { lambda: -1 }, true)).toThrow(
      'EASE: lambda takes a number at least 0; found -1.',
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
