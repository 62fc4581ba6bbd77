/**
 * Which stored CTR models For You may rank with: sparrow-ctr ones only. A ctr-random model of the
 * same kind (trained on the Models page beside them) is never offered.
 */
import { describe, expect, it } from 'vitest';
import { forYouCtrRows } from '../../../src/core/recommend/for-you-models.ts';

const row = (id: string, model: string, protocol: string) => ({ id, model, protocol });

describe('For You’s CTR models', () => {
  it('keeps sparrow-ctr models and leaves out ctr-random ones and non-CTR models', () => {
    const stored = [
      row('a', 'lr', 'sparrow-ctr'),
      row('b', 'lr', 'ctr-random'),
      row('c', 'deepfm', 'ctr-random'),
      row('d', 'deepfm', 'sparrow-ctr'),
      row('e', 'ease', 'personal'),
      row('f', 'neumf', 'ncf-loo'),
      row('g', 'not-a-ctr-model', 'sparrow-ctr'),
    ];
    expect(forYouCtrRows(stored).map((r) => r.id)).toEqual(['a', 'd']);
    expect(forYouCtrRows(stored.filter((r) => r.protocol === 'ctr-random'))).toEqual([]);
  });
});
