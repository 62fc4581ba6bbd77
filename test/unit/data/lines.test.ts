import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/core/data/crc32.ts';
import { csvField, splitCsv } from '../../../src/core/data/csv.ts';
import {
  decodeText,
  firstLine,
  forEachTextLine,
  peek,
  readTextLines,
  splitLines,
} from '../../../src/core/data/lines.ts';
import { latin1, pieces, readAll, utf8, wrenError } from './helpers.ts';

/** Lines as splitLines + forEachTextLine see them. */
async function linesOf(data: Uint8Array, sizes: number | number[]): Promise<[string, number][]> {
  const out: [string, number][] = [];
  await readTextLines('f.txt', pieces(data, sizes), (t, n) => out.push([t, n]));
  return out;
}

describe('splitLines', () => {
  it('hands over whole lines whatever the chunk boundaries, each run ending with a newline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ',', ' ', 'é') }), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        async (lines, eol, finalEol, sizes) => {
          const text = lines.join(eol) + (finalEol && lines.length > 0 ? eol : '');
          const runs: string[] = [];
          await splitLines(
            pieces(utf8(text), sizes),
            (b, s, e) => {
              expect(b[e - 1]).toBe(10);
              runs.push(new TextDecoder().decode(b.subarray(s, e)));
            },
            { file: 'f', lineAt: () => 0 },
          );
          const expected = text === '' ? '' : text.endsWith(eol) ? text : text + '\n';
          expect(runs.join('')).toBe(expected);
        },
      ),
    );
  });

  it('numbers lines from 1, strips CR, keeps a last line without a newline', async () => {
    const expected = [
      ['a', 1],
      ['', 2],
      ['b c', 3],
      ['last', 4],
    ];
    for (const sizes of [1, 2, 3, 100]) {
      expect(await linesOf(utf8('a\r\n\r\nb c\nlast'), sizes)).toEqual(expected);
      expect(await linesOf(utf8('a\r\n\r\nb c\nlast\r\n'), sizes)).toEqual(expected);
    }
  });

  it('strips a UTF-8 byte order mark even when it is split across chunks', async () => {
    const data = utf8('\uFEFFmovieId,title\n1,x\n');
    expect(data[0]).toBe(0xef);
    expect(await linesOf(data, 1)).toEqual([
      ['movieId,title', 1],
      ['1,x', 2],
    ]);
  });

  it('rejects a line longer than the limit with the file and line', async () => {
    const e = await wrenError(
      () =>
        splitLines(pieces(utf8('ok\n' + 'x'.repeat(100)), 7), () => undefined, {
          file: 'ratings.csv',
          lineAt: () => 2,
          maxLine: 50,
        }),
      'bad-row',
    );
    expect(e.message).toMatch(/^ratings\.csv line 2: /);
    expect(e.line).toBe(2);
  });

  it('stops with "cancelled" once the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await wrenError(
      () =>
        splitLines(pieces(utf8('a\nb\n'), 1), () => undefined, {
          file: 'f',
          lineAt: () => 0,
          signal: ac.signal,
        }),
      'cancelled',
    );
  });
});

describe('text decoding', () => {
  it('reads UTF-8, and latin-1 where the bytes are not UTF-8, line by line', async () => {
    const data = new Uint8Array([
      ...utf8('Amélie\n'),
      ...latin1('Misérables, Les (1995)\n'),
      ...utf8('naïve\n'),
    ]);
    expect((await linesOf(data, 5)).map((l) => l[0])).toEqual([
      'Amélie',
      'Misérables, Les (1995)',
      'naïve',
    ]);
    expect(decodeText(latin1('Café'))).toBe('Café');
    expect(decodeText(utf8('Café'))).toBe('Café');
  });

  it('decodes windows-1252 punctuation in the 0x80-0x9f range', () => {
    expect(decodeText(new Uint8Array([0x93, 0x41, 0x94]))).toBe('\u201cA\u201d');
  });

  it('forEachTextLine returns the next line number', () => {
    const b = utf8('x\ny\n');
    const seen: number[] = [];
    expect(forEachTextLine(b, 0, b.length, 7, (_, n) => seen.push(n))).toBe(9);
    expect(seen).toEqual([7, 8]);
  });
});

describe('peek', () => {
  it('reads up to the first non-blank line and gives the whole stream back', async () => {
    const data = utf8('\n\r\nheader\nrow 1\nrow 2\n');
    const p = await peek(pieces(data, 3));
    expect(firstLine(p.head)).toBe('header');
    expect(p.head.length).toBeLessThan(data.length);
    expect(await readAll(p.chunks)).toEqual(data);
  });

  it('returns null as the first line of an empty or blank file', async () => {
    expect(firstLine((await peek(pieces(new Uint8Array(0), 1))).head)).toBeNull();
    expect(firstLine((await peek(pieces(utf8(' \r\n\n'), 2))).head)).toBeNull();
  });
});

describe('splitCsv', () => {
  it('splits plain and quoted fields (RFC 4180)', () => {
    expect(splitCsv('1,Toy Story (1995),Adventure|Animation').fields).toEqual([
      '1',
      'Toy Story (1995)',
      'Adventure|Animation',
    ]);
    expect(splitCsv('11,"American President, The (1995)",Comedy').fields).toEqual([
      '11',
      'American President, The (1995)',
      'Comedy',
    ]);
    expect(splitCsv('567,4552,"""artsy""",1525285878').fields).toEqual([
      '567',
      '4552',
      '"artsy"',
      '1525285878',
    ]);
    expect(splitCsv('a,,"",').fields).toEqual(['a', '', '', '']);
  });

  it('reports broken quoting', () => {
    expect(splitCsv('1,"Unclosed, title,Drama').error).toMatch(/not closed/);
    expect(splitCsv('1,"Closed" early,Drama').error).toMatch(/after a closing quote/);
  });

  it('reads back any fields written with csvField', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', 'é') }), { minLength: 1 }),
        (fields) => {
          expect(splitCsv(fields.map(csvField).join(',')).fields).toEqual(fields);
        },
      ),
    );
  });
});

describe('crc32', () => {
  it('matches the standard check value and continues across pieces', () => {
    expect(crc32(0, utf8('123456789'))).toBe(0xcbf43926);
    expect(crc32(0, new Uint8Array(0))).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(100), (data, cut) => {
        const at = Math.min(cut, data.length);
        expect(crc32(crc32(0, data.subarray(0, at)), data.subarray(at))).toBe(crc32(0, data));
      }),
    );
  });

  it('agrees with a bit-by-bit CRC-32', () => {
    const slow = (d: Uint8Array): number => {
      let c = 0xffffffff;
      for (const b of d) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (d) => {
        expect(crc32(0, d)).toBe(slow(d));
      }),
    );
  });
});
