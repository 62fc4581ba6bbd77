import { describe, expect, it } from 'vitest';
import { coverArt, hashString, wrapTitle } from '../../../src/ui/lib/cover.ts';

describe('coverArt', () => {
  it('is deterministic and differs between movies', () => {
    const a = coverArt(1, 'Toy Story (1995)', ['Adventure', 'Animation']);
    expect(coverArt(1, 'Toy Story (1995)', ['Adventure', 'Animation'])).toEqual(a);
    const b = coverArt(2, 'Jumanji (1995)', ['Adventure']);
    expect(b.shapes).not.toEqual(a.shapes);
  });

  it('takes its palette from the first genre', () => {
    const hue = (c: string): number => Number(/hsl\((\d+)/.exec(c)![1]);
    const horror = coverArt(10, 'X (2000)', ['Horror']);
    const scifi = coverArt(10, 'X (2000)', ['Sci-Fi']);
    // Same hash, different genre: only the palette moves, by the genre hue difference.
    expect(Math.abs(hue(horror.bgFrom) - hue(scifi.bgFrom))).toBeGreaterThan(90);
    expect(horror.shapes.length).toBe(scifi.shapes.length);
  });

  it('sets the display title and year, never overflowing four lines', () => {
    const art = coverArt(11, 'American President, The (1995)', ['Comedy', 'Drama', 'Romance']);
    expect(art.lines.join(' ')).toBe('The American President');
    expect(art.year).toBe('1995');
    const long = coverArt(
      12,
      'Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1964)',
      ['Comedy'],
    );
    expect(long.lines.length).toBeLessThanOrEqual(4);
    expect(long.lines.join(' ').startsWith('Dr. Strangelove or: How I')).toBe(true);
    for (const l of long.lines) expect(l.length).toBeLessThanOrEqual(18);
  });

  it('keeps shapes inside sensible bounds', () => {
    for (let id = 0; id < 200; id++) {
      const art = coverArt(id, `Movie ${id} (2001)`, ['Drama']);
      expect(art.shapes.length).toBeGreaterThanOrEqual(3);
      expect(art.shapes.length).toBeLessThanOrEqual(6);
      for (const s of art.shapes) {
        expect(s.opacity).toBeGreaterThan(0);
        expect(s.opacity).toBeLessThanOrEqual(0.7);
      }
      expect(art.fontSize).toBeGreaterThanOrEqual(14);
      expect(art.fontSize).toBeLessThanOrEqual(30);
    }
  });
});

describe('wrapTitle / hashString', () => {
  it('wraps on word boundaries and ends a cut title with an ellipsis', () => {
    expect(wrapTitle('The Shawshank Redemption', 14, 4)).toEqual(['The Shawshank', 'Redemption']);
    expect(wrapTitle('a b c d e f', 3, 2)).toEqual(['a b', 'c d…']);
  });

  it('hashes strings to 32-bit values', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c); // FNV-1a reference value
    expect(hashString('ab')).not.toBe(hashString('ba'));
  });
});
