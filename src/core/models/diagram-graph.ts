/**
 * A model's structure as a small graph for drawing: boxes (inputs, embeddings,
 * layers, operations, the output) and arrows between them. Pure data, built by
 * diagrams.ts and ctr-diagrams.ts from the models' default configs, so a
 * drawing always shows the sizes the model trains with.
 */

/** What a box stands for (the drawing colours each kind). */
export type DiagramKind = 'input' | 'embedding' | 'layer' | 'op' | 'output';

export interface DiagramBox {
  /** Unique within its diagram. */
  id: string;
  kind: DiagramKind;
  /** What it is, short: "user id", "MLP", "⊙", "σ". */
  label: string;
  /** Sizes and settings, one short line each: "32-d", "64 → 32 → 16 → 8", "ReLU". */
  detail: string[];
}

export interface DiagramEdge {
  from: string;
  to: string;
}

export interface ModelDiagram {
  /** The model's registry name. */
  model: string;
  /** Boxes in reading order (inputs first). */
  boxes: DiagramBox[];
  edges: DiagramEdge[];
}

/** A diagram being built: each box names the boxes it reads from. */
export class DiagramDraft {
  readonly boxes: DiagramBox[] = [];
  readonly edges: DiagramEdge[] = [];

  constructor(readonly model: string) {}

  /** Adds a box fed by `from`, and returns its id. */
  add(
    id: string,
    kind: DiagramKind,
    label: string,
    detail: (string | false)[] = [],
    from: string[] = [],
  ): string {
    this.boxes.push({ id, kind, label, detail: detail.filter((d) => d !== false) });
    for (const f of from) this.edges.push({ from: f, to: id });
    return id;
  }

  done(): ModelDiagram {
    return { model: this.model, boxes: [...this.boxes], edges: [...this.edges] };
  }
}

/** A whole number with thousands separators, the same on every machine: 10,000. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Widths of a stack of layers: "64 → 32 → 16". */
export function widths(sizes: readonly (number | string)[]): string {
  return sizes.map((s) => (typeof s === 'number' ? count(s) : s)).join(' → ');
}

/** The diagram in words, for screen readers: every box with its sizes and what it reads. */
export function describeDiagram(d: ModelDiagram): string {
  const byId = new Map(d.boxes.map((b) => [b.id, b]));
  const name = (id: string): string => byId.get(id)?.label ?? id;
  return d.boxes
    .map((b) => {
      const sizes = b.detail.length ? ` (${b.detail.join(', ')})` : '';
      const from = d.edges.filter((e) => e.to === b.id).map((e) => name(e.from));
      const role = b.kind === 'input' ? 'Input' : b.kind === 'output' ? 'Output' : '';
      const reads = from.length ? ` from ${from.join(' and ')}` : '';
      return `${role ? `${role}: ` : ''}${b.label}${sizes}${reads}.`;
    })
    .join(' ');
}
