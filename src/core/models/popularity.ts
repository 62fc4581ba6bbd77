/** TopPop: every user gets the items with the most training interactions. */
import type { InteractionData } from '../eval/protocols.ts';
import { pick, type Recommender, type SavedModel } from './types.ts';

export class Popularity implements Recommender {
  readonly model = 'popularity';
  readonly config = {};
  private counts: Float32Array = new Float32Array(0);
  private userCount = 0;

  async fit(data: InteractionData): Promise<void> {
    this.userCount = data.userCount;
    this.counts = new Float32Array(data.itemCount);
    for (let i = 0; i < data.train.items.length; i++) this.counts[data.train.items[i]!]!++;
  }

  score(_user: number, items: Int32Array | null, out: Float32Array): void {
    pick(this.counts, items, out);
  }

  save(): SavedModel {
    return {
      model: this.model,
      config: this.config,
      userCount: this.userCount,
      itemCount: this.counts.length,
      arrays: { counts: this.counts },
    };
  }

  static load(s: SavedModel): Popularity {
    const m = new Popularity();
    m.counts = s.arrays.counts as Float32Array;
    m.userCount = s.userCount;
    return m;
  }
}
