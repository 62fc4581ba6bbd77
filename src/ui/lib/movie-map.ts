/**
 * Geometry of the movie map: fitting 2-D coordinates into a canvas, pan and
 * zoom, finding the point under the pointer (a uniform grid, so a hover
 * over 62k points costs a few cells), and one colour per first genre.
 * Pure: the canvas drawing lives in MovieMap.svelte.
 */

export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Screen = data · scale + offset (y grows downwards on screen and in the data alike). */
/** Marks drawn over the map: movies (by embedding row) liked (1) or not (0), and a taste's position. */
export interface MapOverlay {
  rows: Int32Array;
  liked: Uint8Array;
  you: [number, number] | null;
  youLabel: string;
}

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

/** The bounds of the finite points of `xy` (x, y pairs); a unit box when there are none. */
export function mapBounds(xy: Float32Array): Bounds {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < xy.length; i += 2) {
    const x = xy[i]!;
    const y = xy[i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (minX > maxX) return { minX: 0, maxX: 1, minY: 0, maxY: 1 };
  return { minX, maxX, minY, maxY };
}

/** The view that fits `b` centred in a width × height box with `pad` pixels around it. */
export function fitView(b: Bounds, width: number, height: number, pad = 12): View {
  const w = Math.max(1, width - 2 * pad);
  const h = Math.max(1, height - 2 * pad);
  const dx = b.maxX - b.minX;
  const dy = b.maxY - b.minY;
  const scale = Math.min(dx > 0 ? w / dx : Infinity, dy > 0 ? h / dy : Infinity);
  const s = Number.isFinite(scale) ? scale : 1;
  return {
    scale: s,
    tx: width / 2 - ((b.minX + b.maxX) / 2) * s,
    ty: height / 2 - ((b.minY + b.maxY) / 2) * s,
  };
}

export const toScreen = (v: View, x: number, y: number): [number, number] => [
  x * v.scale + v.tx,
  y * v.scale + v.ty,
];

export const toData = (v: View, sx: number, sy: number): [number, number] => [
  (sx - v.tx) / v.scale,
  (sy - v.ty) / v.scale,
];

/**
 * Zooms by `factor` keeping screen point (sx, sy) fixed; the scale stays
 * within [minScale, maxScale].
 */
export function zoomAt(
  v: View,
  factor: number,
  sx: number,
  sy: number,
  minScale = 0,
  maxScale = Infinity,
): View {
  const scale = Math.min(maxScale, Math.max(minScale, v.scale * factor));
  const k = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * k, ty: sy - (sy - v.ty) * k };
}

export const panBy = (v: View, dx: number, dy: number): View => ({
  scale: v.scale,
  tx: v.tx + dx,
  ty: v.ty + dy,
});

/** Points bucketed in a uniform grid over their bounds, for nearest-point queries. */
export interface PointGrid {
  bounds: Bounds;
  cols: number;
  rows: number;
  cellW: number;
  cellH: number;
  /** Points of cell c: order[start[c] .. start[c + 1] − 1]. */
  start: Int32Array;
  order: Int32Array;
  xy: Float32Array;
}

/** Builds the grid (about `perCell` points a cell on average). */
export function buildGrid(xy: Float32Array, perCell = 4): PointGrid {
  const n = Math.floor(xy.length / 2);
  const bounds = mapBounds(xy);
  const side = Math.max(1, Math.min(1024, Math.round(Math.sqrt(n / perCell))));
  const cols = side;
  const rows = side;
  const cellW = (bounds.maxX - bounds.minX) / cols || 1;
  const cellH = (bounds.maxY - bounds.minY) / rows || 1;
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i]!;
    const y = xy[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      cellOf[i] = -1;
      continue;
    }
    const cx = Math.min(cols - 1, Math.max(0, Math.floor((x - bounds.minX) / cellW)));
    const cy = Math.min(rows - 1, Math.max(0, Math.floor((y - bounds.minY) / cellH)));
    const c = cy * cols + cx;
    cellOf[i] = c;
    start[c + 1]!++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, cols * rows);
  const order = new Int32Array(start[cols * rows]!);
  for (let i = 0; i < n; i++) {
    const c = cellOf[i]!;
    if (c >= 0) order[fill[c]!++] = i;
  }
  return { bounds, cols, rows, cellW, cellH, start, order, xy };
}

/**
 * The point nearest to data point (x, y) within `radius` (data units), or
 * -1. `accept` can leave points out (e.g. those of hidden genres).
 */
export function nearestPoint(
  g: PointGrid,
  x: number,
  y: number,
  radius: number,
  accept?: (i: number) => boolean,
): number {
  const { bounds, cols, rows, cellW, cellH, start, order, xy } = g;
  const c0 = Math.max(0, Math.floor((x - radius - bounds.minX) / cellW));
  const c1 = Math.min(cols - 1, Math.floor((x + radius - bounds.minX) / cellW));
  const r0 = Math.max(0, Math.floor((y - radius - bounds.minY) / cellH));
  const r1 = Math.min(rows - 1, Math.floor((y + radius - bounds.minY) / cellH));
  let best = -1;
  let bestD = radius * radius;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * cols + c;
      for (let k = start[cell]!; k < start[cell + 1]!; k++) {
        const i = order[k]!;
        const dx = xy[2 * i]! - x;
        const dy = xy[2 * i + 1]! - y;
        const d = dx * dx + dy * dy;
        if ((d < bestD || (d === bestD && i < best)) && (!accept || accept(i))) {
          bestD = d;
          best = i;
        }
      }
    }
  }
  return best;
}

/** Colours of first genres, chosen to stay apart from each other in light and dark themes. */
export const GENRE_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#1f9e89',
  '#d37295',
  '#8cd17d',
  '#b6992d',
  '#499894',
  '#86bcb6',
  '#e17c05',
  '#a0cbe8',
  '#cc6677',
  '#6a3d9a',
  '#fabfd2',
];
export const OTHER_COLOUR = '#9aa0a6';
const NO_GENRE = '(no genres listed)';

/**
 * One colour per genre: the most common first genres get palette colours in
 * order (ties by name); the rest and "(no genres listed)" share grey.
 */
export function genreColours(counts: ReadonlyMap<string, number>): Map<string, string> {
  const named = [...counts.entries()]
    .filter(([g]) => g !== NO_GENRE)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Map<string, string>();
  named.forEach(([g], i) => out.set(g, GENRE_PALETTE[i] ?? OTHER_COLOUR));
  if (counts.has(NO_GENRE)) out.set(NO_GENRE, OTHER_COLOUR);
  return out;
}

/**
 * Point indexes grouped by code (counting sort), so drawing sets each fill
 * colour once: group k is order[start[k] .. start[k + 1] − 1].
 */
export function groupByCode(
  codes: ArrayLike<number>,
  groups: number,
): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < codes.length; i++) start[Math.min(codes[i]!, groups - 1) + 1]!++;
  for (let k = 0; k < groups; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, groups);
  const order = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) order[fill[Math.min(codes[i]!, groups - 1)]!++] = i;
  return { start, order };
}

export type Rgb = [number, number, number];

/** '#rgb', '#rrggbb', 'rgb(r, g, b)' or 'rgb(r g b / a)' as [r, g, b]; null for anything else. */
export function parseColour(css: string): Rgb | null {
  const s = css.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const h = hex[1]!;
    const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
    return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (rgb) return [1, 2, 3].map((i) => Math.round(Number(rgb[i]))) as Rgb;
  return null;
}

/** `c` over `bg` at opacity `alpha` (an opaque colour that looks the same). */
export function mixColour(c: Rgb, bg: Rgb, alpha: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(c[i]! * alpha + bg[i]! * (1 - alpha))) as Rgb;
}

/** An opaque colour as one 32-bit pixel of a little-endian ImageData view (every browser). */
export const packColour = (c: Rgb): number =>
  ((255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;

/** Pixels of a canvas-sized buffer (device pixels), as a Uint32Array view of ImageData. */
export interface Raster {
  data: Uint32Array;
  width: number;
  height: number;
}

/**
 * Draws points `order[from..to)` as `size`-pixel squares centred on their
 * screen positions (view in CSS pixels, times `dpr` for device pixels),
 * clipped to the raster. Writing pixels directly costs a few ms for 62k
 * points where one fillRect each costs over 100 ms on a software canvas.
 */
export function drawSquares(
  r: Raster,
  xy: Float32Array,
  order: ArrayLike<number>,
  from: number,
  to: number,
  view: View,
  dpr: number,
  size: number,
  colour: number,
): void {
  const { data, width, height } = r;
  const s = Math.max(1, Math.round(size));
  const half = s / 2;
  const k = view.scale * dpr;
  const ox = view.tx * dpr - half;
  const oy = view.ty * dpr - half;
  for (let j = from; j < to; j++) {
    const i = order[j]!;
    const x0 = Math.round(xy[2 * i]! * k + ox);
    const y0 = Math.round(xy[2 * i + 1]! * k + oy);
    if (!(x0 > -s && y0 > -s && x0 < width && y0 < height)) continue; // also drops NaN
    const xa = Math.max(0, x0);
    const xb = Math.min(width, x0 + s);
    const yb = Math.min(height, y0 + s);
    for (let y = Math.max(0, y0); y < yb; y++) {
      const row = y * width;
      for (let x = xa; x < xb; x++) data[row + x] = colour;
    }
  }
}
