/**
 * Lays a model diagram out top to bottom, in the spirit of Sugiyama et al.
 * (1981): each box on the row after the longest path from an input (inputs
 * just above their first reader); an arrow
 * that skips rows passes through a gap of its own on each row it crosses;
 * rows ordered by the mean position of their neighbours to untangle arrows;
 * each row then placed as close to its neighbours as its boxes allow (an
 * isotonic regression, solved by pooling adjacent violators). Pure: text
 * widths are estimated from character counts, so it runs in tests.
 */
import type { DiagramBox, ModelDiagram } from '../../core/models/diagram-graph.ts';

export interface LayoutOptions {
  /** Label and detail font sizes (px, in the drawing's own units). */
  labelSize: number;
  detailSize: number;
  /** Inside a box: padding left/right and top/bottom. */
  padX: number;
  padY: number;
  /** Between boxes on a row, and between rows (where the arrows run). */
  gapX: number;
  gapY: number;
  /** Room an arrow passing through a row keeps. */
  laneWidth: number;
  margin: number;
}

export const LAYOUT_DEFAULTS: LayoutOptions = {
  labelSize: 13,
  detailSize: 11,
  padX: 9,
  padY: 6,
  gapX: 12,
  gapY: 26,
  laneWidth: 6,
  margin: 4,
};

export interface TextLine {
  text: string;
  /** Baseline, and the line's horizontal centre. */
  y: number;
  x: number;
  part: 'label' | 'detail';
}

export interface PlacedBox extends DiagramBox {
  /** Top-left corner, width and height. */
  x: number;
  y: number;
  w: number;
  h: number;
  row: number;
  lines: TextLine[];
}

export type Point = [number, number];

export interface PlacedEdge {
  from: string;
  to: string;
  /**
   * Where the arrow goes, top to bottom: pairs of points in one row's band are joined by a
   * straight line, pairs across the gap between rows by an S-curve.
   */
  points: Point[];
  /** SVG path data through `points`. */
  path: string;
}

export interface DiagramLayout {
  width: number;
  height: number;
  boxes: PlacedBox[];
  edges: PlacedEdge[];
}

/** A box or a waypoint of an arrow that skips rows, during layout. */
interface Slot {
  box: DiagramBox | null;
  w: number;
  h: number;
  row: number;
  /** Centre x. */
  x: number;
  up: Slot[];
  down: Slot[];
}

/**
 * Each box's row: one below the lowest box it reads; an input, just above the first box that
 * reads it. Throws on a cycle or an arrow to a box that is not there.
 */
export function rows(d: ModelDiagram): Map<string, number> {
  const ids = new Set(d.boxes.map((b) => b.id));
  if (ids.size !== d.boxes.length) throw new Error(`${d.model}: two boxes share an id`);
  for (const e of d.edges)
    if (!ids.has(e.from) || !ids.has(e.to))
      throw new Error(`${d.model}: the arrow ${e.from} → ${e.to} names a box that is not there`);
  const indeg = new Map(d.boxes.map((b) => [b.id, 0]));
  for (const e of d.edges) indeg.set(e.to, indeg.get(e.to)! + 1);
  const row = new Map<string, number>();
  const ready = d.boxes.filter((b) => indeg.get(b.id) === 0).map((b) => b.id);
  for (const id of ready) row.set(id, 0);
  while (ready.length) {
    const id = ready.shift()!;
    for (const e of d.edges.filter((x) => x.from === id)) {
      row.set(e.to, Math.max(row.get(e.to) ?? 0, row.get(id)! + 1));
      indeg.set(e.to, indeg.get(e.to)! - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  if (row.size !== d.boxes.length) throw new Error(`${d.model}: the arrows make a cycle`);
  // An input sits just above the first box that reads it, so arrows from late inputs stay short.
  for (const b of d.boxes) {
    if (d.edges.some((e) => e.to === b.id)) continue;
    const next = d.edges.filter((e) => e.from === b.id).map((e) => row.get(e.to)!);
    if (next.length) row.set(b.id, Math.min(...next) - 1);
  }
  return row;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** Character widths in em, by class, close to DejaVu Sans (wider than most system fonts). */
const CHAR_EM: [RegExp, number][] = [
  [/[ .,:;'’·!|ijlI]/, 0.32],
  [/[()[\]⟨⟩\-/ftrᵀ²¹⁻ₜ]/, 0.4],
  [/[mwMW½]/, 0.95],
  [/[×→⊙★≥+=&]/, 0.84],
  [/[A-Z]/, 0.74],
  [/[0-9]/, 0.64],
];

/** Estimated width of `text` at `size` px: the layout measures no DOM, so it runs anywhere. */
export function textWidth(text: string, size: number, bold: boolean): number {
  let em = 0;
  for (const ch of text) em += CHAR_EM.find(([re]) => re.test(ch))?.[1] ?? 0.62;
  return em * size * (bold ? 1.1 : 1);
}

const LABEL_LEADING = 1.25;
const DETAIL_LEADING = 1.3;

function boxSize(b: DiagramBox, o: LayoutOptions): { w: number; h: number } {
  const text = Math.max(
    textWidth(b.label, o.labelSize, true),
    ...b.detail.map((l) => textWidth(l, o.detailSize, false)),
  );
  const h = o.labelSize * LABEL_LEADING + b.detail.length * o.detailSize * DETAIL_LEADING;
  return { w: Math.ceil(text + 2 * o.padX), h: Math.ceil(h + 2 * o.padY) };
}

/** The box's label and detail lines, centred, baselines about 3/4 down each line. */
function textLines(b: DiagramBox, x: number, y: number, w: number, o: LayoutOptions): TextLine[] {
  const cx = round(x + w / 2);
  const lh = o.labelSize * LABEL_LEADING;
  const dh = o.detailSize * DETAIL_LEADING;
  return [
    { text: b.label, x: cx, y: round(y + o.padY + lh * 0.78), part: 'label' },
    ...b.detail.map((text, i) => ({
      text,
      x: cx,
      y: round(y + o.padY + lh + i * dh + dh * 0.76),
      part: 'detail' as const,
    })),
  ];
}

/** Mean position of a slot's neighbours above (or below), or null when it has none. */
function barycentre(s: Slot, order: Map<Slot, number>, dir: 'up' | 'down'): number | null {
  const n = s[dir];
  if (n.length === 0) return null;
  return n.reduce((a, t) => a + order.get(t)!, 0) / n.length;
}

/** Reorders each row by its neighbours' mean position, sweeping down then up a few times. */
function untangle(byRow: Slot[][]): void {
  const order = new Map<Slot, number>();
  const index = (): void => byRow.forEach((r) => r.forEach((s, i) => order.set(s, i)));
  index();
  for (let pass = 0; pass < 4; pass++) {
    const dir = pass % 2 === 0 ? 'up' : 'down';
    const seq = dir === 'up' ? byRow.slice(1) : byRow.slice(0, -1).reverse();
    for (const r of seq) {
      const key = new Map(r.map((s, i) => [s, barycentre(s, order, dir) ?? i]));
      r.sort((a, b) => key.get(a)! - key.get(b)!);
      r.forEach((s, i) => order.set(s, i));
    }
  }
}

/**
 * Centres as near `want` as possible (least squares) with consecutive centres at least `sep[i]`
 * apart: substituting y_i = x_i − Σ sep makes it isotonic regression, solved by pooling
 * adjacent violators.
 */
export function closestSpaced(want: number[], sep: number[]): number[] {
  const offset = want.map((_, i) => sep.slice(0, i).reduce((a, b) => a + b, 0));
  const blocks: { sum: number; n: number }[] = [];
  want.forEach((w, i) => {
    blocks.push({ sum: w - offset[i]!, n: 1 });
    while (blocks.length > 1) {
      const b = blocks.at(-1)!;
      const a = blocks.at(-2)!;
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(-2, 2, { sum: a.sum + b.sum, n: a.n + b.n });
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) out.push(b.sum / b.n + offset[out.length]!);
  return out;
}

/** Places each row's slots near the mean centre of their neighbours, sweeping down and up. */
function place(byRow: Slot[][], o: LayoutOptions): void {
  const gap = (a: Slot, b: Slot): number =>
    (a.w + b.w) / 2 + (a.box && b.box ? o.gapX : o.gapX / 2);
  for (const r of byRow) {
    let x = 0;
    r.forEach((s, i) => {
      if (i > 0) x += gap(r[i - 1]!, s);
      s.x = x;
    });
  }
  for (let pass = 0; pass < 6; pass++) {
    const dir = pass % 2 === 0 ? 'up' : 'down';
    const seq = dir === 'up' ? byRow.slice(1) : byRow.slice(0, -1).reverse();
    for (const r of seq) {
      const want = r.map((s) =>
        s[dir].length ? s[dir].reduce((a, t) => a + t.x, 0) / s[dir].length : s.x,
      );
      const xs = closestSpaced(
        want,
        r.slice(1).map((s, i) => gap(r[i]!, s)),
      );
      r.forEach((s, i) => (s.x = xs[i]!));
    }
  }
}

/** Path data through `points`: straight within a row's band, an S-curve across a gap. */
function pathThrough(points: Point[]): string {
  let d = `M${points[0]![0]},${points[0]![1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    const m = (y0 + y1) / 2;
    d += x0 === x1 ? ` L${x1},${y1}` : ` C${x0},${m} ${x1},${m} ${x1},${y1}`;
  }
  return d;
}

export function layoutDiagram(d: ModelDiagram, opts: Partial<LayoutOptions> = {}): DiagramLayout {
  const o = { ...LAYOUT_DEFAULTS, ...opts };
  const row = rows(d);
  const slots = new Map<string, Slot>();
  for (const b of d.boxes)
    slots.set(b.id, { box: b, ...boxSize(b, o), row: row.get(b.id)!, x: 0, up: [], down: [] });
  const depth = Math.max(...row.values()) + 1;
  const byRow: Slot[][] = Array.from({ length: depth }, () => []);
  for (const s of slots.values()) byRow[s.row]!.push(s);
  // Each arrow as a chain of slots, one per row it crosses.
  const chains = d.edges.map((e) => {
    const chain = [slots.get(e.from)!];
    for (let r = chain[0]!.row + 1; r < slots.get(e.to)!.row; r++) {
      const lane: Slot = { box: null, w: o.laneWidth, h: 0, row: r, x: 0, up: [], down: [] };
      byRow[r]!.push(lane);
      chain.push(lane);
    }
    chain.push(slots.get(e.to)!);
    for (let i = 1; i < chain.length; i++) {
      chain[i - 1]!.down.push(chain[i]!);
      chain[i]!.up.push(chain[i - 1]!);
    }
    return chain;
  });
  untangle(byRow);
  place(byRow, o);
  // Shift right of the margin, and rows top-aligned in bands as tall as their tallest box.
  const left = Math.min(...[...byRow.flat()].map((s) => s.x - s.w / 2));
  const shift = o.margin - left;
  const top: number[] = [];
  const bottom: number[] = [];
  let y = o.margin;
  for (const r of byRow) {
    top.push(y);
    y += Math.max(0, ...r.map((s) => s.h));
    bottom.push(y);
    y += o.gapY;
  }
  const boxes: PlacedBox[] = d.boxes.map((b) => {
    const s = slots.get(b.id)!;
    const x = round(s.x - s.w / 2 + shift);
    const y = top[s.row]!;
    return { ...b, x, y, w: s.w, h: s.h, row: s.row, lines: textLines(b, x, y, s.w, o) };
  });
  const placed = new Map(boxes.map((b) => [b.id, b]));
  // Arrows into one box enter its top spread out, in the order of where they come from.
  const entry = new Map<string, number>();
  for (const b of boxes) {
    const ins = chains.filter((c) => c.at(-1)!.box!.id === b.id);
    ins.sort((a, c) => a.at(-2)!.x - c.at(-2)!.x);
    ins.forEach((c, k) =>
      entry.set(`${c[0]!.box!.id}>${b.id}`, b.x + (b.w * (k + 1)) / (ins.length + 1)),
    );
  }
  const edges: PlacedEdge[] = d.edges.map((e, i) => {
    const chain = chains[i]!;
    const src = placed.get(e.from)!;
    const points: Point[] = [
      [src.x + src.w / 2, src.y + src.h],
      [src.x + src.w / 2, bottom[src.row]!],
    ];
    for (const lane of chain.slice(1, -1))
      points.push([lane.x + shift, top[lane.row]!], [lane.x + shift, bottom[lane.row]!]);
    points.push([entry.get(`${e.from}>${e.to}`)!, placed.get(e.to)!.y]);
    const rounded = points.map(([px, py]) => [round(px), round(py)] as Point);
    return { from: e.from, to: e.to, points: rounded, path: pathThrough(rounded) };
  });
  const right = Math.max(...byRow.flat().map((s) => s.x + shift + s.w / 2));
  const width = Math.ceil(right + o.margin);
  return { width, height: Math.ceil(y - o.gapY + o.margin), boxes, edges };
}
