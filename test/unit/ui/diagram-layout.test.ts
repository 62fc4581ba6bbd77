import { describe, expect, it } from 'vitest';
import { CTR_MODELS } from '../../../src/core/models/ctr-info.ts';
import { DiagramDraft, type ModelDiagram } from '../../../src/core/models/diagram-graph.ts';
import { modelDiagram } from '../../../src/core/models/diagrams.ts';
import { MODELS } from '../../../src/core/models/index.ts';
import {
  closestSpaced,
  layoutDiagram,
  rows,
  textWidth,
  type DiagramLayout,
  type PlacedBox,
  type Point,
} from '../../../src/ui/lib/diagram-layout.ts';

const NAMES = [...MODELS, ...CTR_MODELS].map((m) => m.name);

/** Points along an arrow as drawn: straight where x stays, else the S-curve of `pathThrough`. */
function sample(points: Point[], steps = 24): Point[] {
  const out: Point[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    const m = (y0 + y1) / 2;
    for (let k = 1; k <= steps; k++) {
      const t = k / steps;
      const u = 1 - t;
      if (x0 === x1) out.push([x0, y0 + (y1 - y0) * t]);
      else
        out.push([
          u ** 3 * x0 + 3 * u * u * t * x0 + 3 * u * t * t * x1 + t ** 3 * x1,
          u ** 3 * y0 + 3 * u * u * t * m + 3 * u * t * t * m + t ** 3 * y1,
        ]);
    }
  }
  return out;
}

const inside = ([x, y]: Point, b: PlacedBox): boolean =>
  x > b.x + 0.5 && x < b.x + b.w - 0.5 && y > b.y + 0.5 && y < b.y + b.h - 0.5;

/** Checks the layout's geometry; returns it for further checks. */
function checkLayout(d: ModelDiagram): DiagramLayout {
  const l = layoutDiagram(d);
  expect(l.boxes.map((b) => b.id)).toEqual(d.boxes.map((b) => b.id));
  for (const b of l.boxes) {
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.y).toBeGreaterThanOrEqual(0);
    expect(b.x + b.w).toBeLessThanOrEqual(l.width);
    expect(b.y + b.h).toBeLessThanOrEqual(l.height);
  }
  // No two boxes overlap, and none touch: at least 4 px apart one way or the other.
  for (let i = 0; i < l.boxes.length; i++)
    for (let j = i + 1; j < l.boxes.length; j++) {
      const a = l.boxes[i]!;
      const b = l.boxes[j]!;
      const apartX = Math.max(b.x - (a.x + a.w), a.x - (b.x + b.w));
      const apartY = Math.max(b.y - (a.y + a.h), a.y - (b.y + b.h));
      expect(Math.max(apartX, apartY), `${a.id} and ${b.id}`).toBeGreaterThanOrEqual(4);
    }
  const byId = new Map(l.boxes.map((b) => [b.id, b]));
  expect(l.edges.map((e) => `${e.from}>${e.to}`)).toEqual(d.edges.map((e) => `${e.from}>${e.to}`));
  for (const e of l.edges) {
    const src = byId.get(e.from)!;
    const dst = byId.get(e.to)!;
    const first = e.points[0]!;
    const last = e.points.at(-1)!;
    // Forward: out of the bottom of its source, into the top of its target on a lower row,
    // never going back up on the way.
    expect(dst.row).toBeGreaterThan(src.row);
    expect(dst.y).toBeGreaterThan(src.y + src.h);
    expect(first[1]).toBe(src.y + src.h);
    expect(first[0]).toBeGreaterThanOrEqual(src.x);
    expect(first[0]).toBeLessThanOrEqual(src.x + src.w);
    expect(last[1]).toBe(dst.y);
    expect(last[0]).toBeGreaterThan(dst.x);
    expect(last[0]).toBeLessThan(dst.x + dst.w);
    for (let i = 1; i < e.points.length; i++)
      expect(e.points[i]![1]).toBeGreaterThanOrEqual(e.points[i - 1]![1]);
    // Through no box, its own included: arrows run around boxes, never over them.
    for (const p of sample(e.points))
      for (const b of l.boxes) expect(inside(p, b), `${e.from}→${e.to} over ${b.id}`).toBe(false);
    expect(e.path.startsWith(`M${first[0]},${first[1]}`)).toBe(true);
  }
  return l;
}

describe('diagram layout', () => {
  it.each(NAMES)('%s: boxes apart, arrows forward and around boxes', (name) => {
    const l = checkLayout(modelDiagram(name)!);
    // Small enough for a laptop column and, scaled by at most a third, a 390 px phone.
    expect(l.width).toBeLessThanOrEqual(420);
  });

  it('gives every box room for its text', () => {
    for (const name of NAMES)
      for (const b of layoutDiagram(modelDiagram(name)!).boxes) {
        expect(b.w).toBeGreaterThanOrEqual(textWidth(b.label, 13, true));
        for (const line of b.detail) expect(b.w).toBeGreaterThanOrEqual(textWidth(line, 11, false));
        expect(b.lines.map((t) => t.text)).toEqual([b.label, ...b.detail]);
        for (const t of b.lines) {
          expect(t.y).toBeGreaterThan(b.y);
          expect(t.y).toBeLessThan(b.y + b.h);
        }
      }
  });

  it('routes an arrow that skips rows through a lane of its own on each row', () => {
    const d = new DiagramDraft('chain');
    const a = d.add('a', 'input', 'a');
    const b = d.add('b', 'layer', 'a wide layer in the way', [], [a]);
    const c = d.add('c', 'layer', 'another wide one', [], [b]);
    d.add('out', 'output', 'out', [], [c, a]);
    const l = checkLayout(d.done());
    const skip = l.edges.find((e) => e.from === 'a' && e.to === 'out')!;
    // Out of a, down its row, then the top and bottom of a lane on each of b's and c's rows.
    expect(skip.points).toHaveLength(2 + 2 * 2 + 1);
    expect(l.boxes.find((x) => x.id === 'out')!.row).toBe(3);
  });

  it('puts an input just above the first box that reads it', () => {
    const d = new DiagramDraft('late');
    const a = d.add('a', 'input', 'a');
    const b = d.add('b', 'layer', 'b', [], [a]);
    const c = d.add('c', 'layer', 'c', [], [b]);
    const late = d.add('late', 'input', 'late');
    d.add('out', 'output', 'out', [], [c, late]);
    const r = rows(d.done());
    expect([r.get('a'), r.get('b'), r.get('c'), r.get('late'), r.get('out')]).toEqual([
      0, 1, 2, 2, 3,
    ]);
  });

  it('refuses a cycle, a repeated id and an arrow to nowhere', () => {
    const cycle: ModelDiagram = {
      model: 'cycle',
      boxes: [
        { id: 'a', kind: 'input', label: 'a', detail: [] },
        { id: 'b', kind: 'layer', label: 'b', detail: [] },
        { id: 'c', kind: 'layer', label: 'c', detail: [] },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
      ],
    };
    expect(() => layoutDiagram(cycle)).toThrow(/cycle/);
    expect(() => rows({ ...cycle, boxes: [...cycle.boxes, cycle.boxes[0]!] })).toThrow(/share/);
    expect(() => rows({ ...cycle, edges: [{ from: 'a', to: 'x' }] })).toThrow(/not there/);
  });

  it('spaces a row as near its wanted centres as the gaps allow (least squares)', () => {
    expect(closestSpaced([0, 100], [10])).toEqual([0, 100]);
    expect(closestSpaced([0, 0, 0], [10, 10])).toEqual([-10, 0, 10]);
    // 5 and 0 cannot both stay: they move apart equally to 10 apart.
    expect(closestSpaced([5, 0], [10])).toEqual([-2.5, 7.5]);
    // Only the violating pair pools; the third keeps its place.
    expect(closestSpaced([5, 0, 100], [10, 10])).toEqual([-2.5, 7.5, 100]);
  });

  it('estimates wider text for more, wider and bolder characters', () => {
    expect(textWidth('MW', 13, false)).toBeGreaterThan(textWidth('il', 13, false));
    expect(textWidth('dense', 13, true)).toBeGreaterThan(textWidth('dense', 13, false));
    expect(textWidth('dense layer', 11, false)).toBeGreaterThan(textWidth('dense', 11, false));
  });
});
