/**
 * The CTR models' feature columns over ctr-data.ts' fields: which table each
 * categorical field looks up (one table per id space: user, movie, genre;
 * fields of one space share it), where its ids sit in that table's batch
 * lookups, and a run of rows as batch inputs: ids per table, numeric
 * features, labels. Every structure reads the same columns.
 */
import type { CatField, CtrRows } from '../ctr-data.ts';

/** What the network's shape depends on besides the config: the split's tables, fields, numerics. */
export interface CtrLayout {
  /** Vocabulary size of each shared table (padding included). */
  tables: Record<string, number>;
  cats: Pick<CatField, 'name' | 'table' | 'vocab' | 'width'>[];
  numNames: string[];
}

/** A categorical field: its table, its width, and its offset in that table's lookups per row. */
export interface CtrField {
  table: number;
  width: number;
  offset: number;
}

/**
 * A table of one network part's own, after the shared ones, looked up once per row from several
 * fields (Wide&Deep's crossed feature).
 */
export interface CtrOwnTable {
  name: string;
  rows: number;
  dim: number;
  /** The row that each of the rows `order[from..]` looks up, into `out` (one per row). */
  ids(data: CtrRows, order: Int32Array, from: number, out: Int32Array, columns: CtrColumns): void;
}

/** One batch's inputs: per table, every row's ids; per row, the numeric inputs; the labels. */
export interface CtrInputs {
  idx: Int32Array[];
  nums: Float32Array;
  labels: Float32Array;
}

export class CtrColumns {
  readonly layout: CtrLayout;
  /** The shared tables (the layout's, in its order), then the parts' own. */
  readonly tableNames: string[];
  /** How many of the tables are shared. */
  readonly shared: number;
  readonly fields: CtrField[];
  readonly numCount: number;
  /** The candidate movie's field, the history's (lastPositives), and the history's padding id. */
  readonly movie: number;
  readonly history: number;
  readonly padding: number;
  /**
   * Whether the numeric inputs carry the history's mask (1: a liked movie, 0: padding) after the
   * features, for the structures that read the history in order.
   */
  readonly masked: boolean;
  /** Numeric inputs per row. */
  readonly inputWidth: number;
  /** Ids per row of each table. */
  readonly perRow: number[];
  private readonly own: readonly CtrOwnTable[];

  constructor(layout: CtrLayout, own: readonly CtrOwnTable[], masked: boolean) {
    this.layout = {
      tables: { ...layout.tables },
      cats: layout.cats.map(({ name, table, vocab, width }) => ({ name, table, vocab, width })),
      numNames: [...layout.numNames],
    };
    const shared = Object.keys(layout.tables);
    this.shared = shared.length;
    this.tableNames = [...shared, ...own.map((t) => t.name)];
    this.own = own;
    const perTable = new Map<number, number>();
    this.fields = layout.cats.map((f) => {
      const table = shared.indexOf(f.table);
      const offset = perTable.get(table) ?? 0;
      perTable.set(table, offset + f.width);
      return { table, width: f.width, offset };
    });
    this.numCount = layout.numNames.length;
    this.movie = this.index('movie');
    this.history = this.index('lastPositives');
    this.padding = layout.cats[this.history]!.vocab - 1;
    this.masked = masked;
    this.inputWidth = this.numCount + (masked ? layout.cats[this.history]!.width : 0);
    this.perRow = this.tableNames.map((_, t) => (t < this.shared ? 0 : 1));
    for (const f of this.fields) this.perRow[f.table]! += f.width;
  }

  /** The field called `name` (-1 where the layout has none). */
  index(name: string): number {
    return this.layout.cats.findIndex((c) => c.name === name);
  }

  /** The inputs of rows `order[from..to)`: per table, every field's ids, field after field. */
  inputs(data: CtrRows, order: Int32Array, from: number, to: number): CtrInputs {
    const B = to - from;
    // Row-major per table: row s holds every field's ids at the field's offset.
    const idx = this.perRow.map((w) => new Int32Array(B * w));
    this.fields.forEach((f, fi) => {
      const values = data.cats[fi]!.values;
      const out = idx[f.table]!;
      const w = this.perRow[f.table]!;
      for (let s = 0; s < B; s++) {
        const r = order[from + s]!;
        for (let j = 0; j < f.width; j++) out[s * w + f.offset + j] = values[r * f.width + j]!;
      }
    });
    this.own.forEach((t, k) => t.ids(data, order, from, idx[this.shared + k]!, this));
    const D = this.numCount;
    const X = this.inputWidth;
    const nums = new Float32Array(B * X);
    const labels = new Float32Array(B);
    const hist = this.masked ? data.cats[this.history]! : null;
    for (let s = 0; s < B; s++) {
      const r = order[from + s]!;
      nums.set(data.nums.subarray(r * D, r * D + D), s * X);
      labels[s] = data.labels[r]!;
      if (hist)
        for (let j = 0; j < hist.width; j++)
          nums[s * X + D + j] = hist.values[r * hist.width + j] === this.padding ? 0 : 1;
    }
    return { idx, nums, labels };
  }
}
