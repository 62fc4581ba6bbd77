/**
 * Generated cover art: a deterministic poster described as plain data (the
 * Cover component draws it as SVG). The palette comes from the first genre,
 * the shapes from a hash of the movie id and title; the title is set in it.
 */
import { splitTitle } from '../../core/search.ts';

export const COVER_W = 200;
export const COVER_H = 300;

export type Shape =
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string; opacity: number }
  | {
      kind: 'ring';
      cx: number;
      cy: number;
      r: number;
      stroke: string;
      width: number;
      opacity: number;
    }
  | { kind: 'band'; y: number; h: number; angle: number; fill: string; opacity: number }
  | { kind: 'triangle'; points: string; fill: string; opacity: number };

export interface CoverArt {
  bgFrom: string;
  bgTo: string;
  ink: string;
  shapes: Shape[];
  /** Title lines (at most 4) and their font size in viewBox units. */
  lines: string[];
  fontSize: number;
  /** Where the title block sits: near the top or the bottom. */
  titleAt: 'top' | 'bottom';
  year: string;
}

/** Base hue and saturation per genre (MovieLens' 20 names + ml-1m's "Children's"). */
const GENRE_HUES: Record<string, [number, number]> = {
  Action: [0, 65],
  Adventure: [20, 70],
  Animation: [280, 50],
  Children: [95, 45],
  "Children's": [95, 45],
  Comedy: [330, 55],
  Crime: [220, 35],
  Documentary: [160, 40],
  Drama: [205, 45],
  Fantasy: [255, 45],
  'Film-Noir': [220, 6],
  Horror: [350, 30],
  IMAX: [185, 60],
  Musical: [305, 45],
  Mystery: [240, 30],
  Romance: [340, 60],
  'Sci-Fi': [175, 55],
  Thriller: [15, 45],
  War: [70, 25],
  Western: [35, 45],
};

/** 32-bit FNV-1a hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small seeded generator (mulberry32): numbers in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hsl = (h: number, s: number, l: number): string =>
  `hsl(${Math.round(((h % 360) + 360) % 360)} ${Math.round(s)}% ${Math.round(l)}%)`;

/** Breaks a title into at most `maxLines` lines of about `width` characters. */
export function wrapTitle(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.replace(/[\s,:;.-]+$/, '')}…`;
  return kept;
}

/** The poster for one movie; equal inputs always give equal art. */
export function coverArt(movieId: number, title: string, genres: string[]): CoverArt {
  const rnd = random(hashString(`${movieId}\u0000${title}`));
  const [hue, sat] = GENRE_HUES[genres[0] ?? ''] ?? [210, 12];
  const h = hue + (rnd() - 0.5) * 24;
  const bgFrom = hsl(h, sat, 16 + rnd() * 8);
  const bgTo = hsl(h + (rnd() - 0.5) * 30, sat * 0.9, 32 + rnd() * 10);
  const accents = [hsl(h + 180, sat * 0.8, 62), hsl(h - 30, sat, 55), hsl(h + 40, sat, 70)];
  const pick = (): string => accents[Math.floor(rnd() * accents.length)]!;
  const titleAt = rnd() < 0.5 ? 'top' : 'bottom';
  // Shapes stay mostly away from the title block.
  const yLo = titleAt === 'top' ? 120 : 20;
  const yHi = titleAt === 'top' ? 300 : 200;
  const shapes: Shape[] = [];
  const count = 3 + Math.floor(rnd() * 4);
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(rnd() * 4);
    const cx = rnd() * COVER_W;
    const cy = yLo + rnd() * (yHi - yLo);
    const opacity = 0.25 + rnd() * 0.45;
    if (kind === 0)
      shapes.push({ kind: 'circle', cx, cy, r: 12 + rnd() * 60, fill: pick(), opacity });
    else if (kind === 1)
      shapes.push({
        kind: 'ring',
        cx,
        cy,
        r: 20 + rnd() * 70,
        stroke: pick(),
        width: 2 + rnd() * 8,
        opacity,
      });
    else if (kind === 2)
      shapes.push({
        kind: 'band',
        y: cy,
        h: 6 + rnd() * 26,
        angle: (rnd() - 0.5) * 50,
        fill: pick(),
        opacity,
      });
    else {
      const s = 30 + rnd() * 70;
      const pts = [
        [cx, cy - s],
        [cx + s * 0.9, cy + s * 0.6],
        [cx - s * 0.9, cy + s * 0.6],
      ];
      shapes.push({
        kind: 'triangle',
        points: pts.map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' '),
        fill: pick(),
        opacity,
      });
    }
  }
  const { name, year } = splitTitle(title);
  // Shorter titles get bigger type; long ones wrap onto up to four lines.
  const width = name.length <= 12 ? 12 : name.length <= 40 ? 14 : 17;
  const lines = wrapTitle(name, width, 4);
  const longest = Math.max(...lines.map((l) => l.length), 1);
  // Bold system fonts average up to 0.68 em per character; keep 16 units of margin a side.
  const fontSize = Math.max(14, Math.min(30, (COVER_W - 32) / (longest * 0.68)));
  return {
    bgFrom,
    bgTo,
    ink: hsl(h, 30, 96),
    shapes,
    lines,
    fontSize,
    titleAt,
    year: year === null ? '' : String(year),
  };
}
