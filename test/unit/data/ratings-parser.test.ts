import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Issues } from '../../../src/core/data/issues.ts';
import { parseRatings, type RatingsSep } from '../../../src/core/data/ratings-parser.ts';
import type { RatingRows } from '../../../src/core/data/rating-rows.ts';
import { pieces, utf8, wrenError } from './helpers.ts';

interface Row {
  user: number;
  movie: number;
  half: number;
  ts: number;
}

async function parse(
  text: string | Uint8Array,
  opts: { sep?: RatingsSep; header?: boolean; sizes?: number | number[]; maxBadRows?: number } = {},
): Promise<{ rows: Row[]; raw: RatingRows; issues: Issues }> {
  const issues = new Issues(opts.maxBadRows ?? 0);
  const data = typeof text === 'string' ? utf8(text) : text;
  const raw = await parseRatings('ratings.csv', pieces(data, opts.sizes ?? 1 << 20), {
    sep: opts.sep ?? ',',
    hasHeader: opts.header ?? true,
    issues,
  });
  const rows: Row[] = [];
  const c = raw.columns();
  for (let i = 0; i < c.userId.length; i++)
    rows.push({
      user: c.userId[i]!,
      movie: c.movieId[i]!,
      half: c.rating[i]!,
      ts: c.timestamp[i]!,
    });
  return { rows, raw, issues };
}

const H = 'userId,movieId,rating,timestamp';

describe('parseRatings', () => {
  it('reads CSV ratings as half stars, with LF or CRLF, with or without a final newline', async () => {
    const expected = [
      { user: 1, movie: 1, half: 8, ts: 964982703 },
      { user: 1, movie: 3, half: 1, ts: 964981247 },
      { user: 610, movie: 193609, half: 10, ts: 1537799250 },
    ];
    const body = ['1,1,4.0,964982703', '1,3,0.5,964981247', '610,193609,5.0,1537799250'];
    for (const eol of ['\n', '\r\n'])
      for (const last of ['', eol])
        for (const sizes of [1, 3, 17, 1 << 20])
          expect((await parse([H, ...body].join(eol) + last, { sizes })).rows).toEqual(expected);
  });

  it('reads the ml-1m/ml-10m "::" layout and the ml-100k tab layout, without a header', async () => {
    const dat = '1::1193::5::978300760\n1::661::3.5::978302109\n';
    expect((await parse(dat, { sep: '::', header: false, sizes: 5 })).rows).toEqual([
      { user: 1, movie: 1193, half: 10, ts: 978300760 },
      { user: 1, movie: 661, half: 7, ts: 978302109 },
    ]);
    const tab = '196\t242\t3\t881250949\n186\t302\t3\t891717742';
    expect((await parse(tab, { sep: '\t', header: false, sizes: 4 })).rows).toEqual([
      { user: 196, movie: 242, half: 6, ts: 881250949 },
      { user: 186, movie: 302, half: 6, ts: 891717742 },
    ]);
  });

  it('accepts rating spellings 4, 4.0, 4.5, 4.50 and skips blank lines', async () => {
    const text = `${H}\n1,1,4,10\n\n1,2,4.5,11\r\n  \n1,3,4.50,12\n1,4,0.5,13\n`;
    expect((await parse(text)).rows.map((r) => r.half)).toEqual([8, 9, 9, 1]);
  });

  const bad: [string, string][] = [
    ['1,1,7,964982703', 'expected a rating from 0.5 to 5 in steps of 0.5, found "7"'],
    ['1,1,4.2,964982703', 'expected a rating from 0.5 to 5 in steps of 0.5, found "4.2"'],
    ['1,1,0,964982703', 'found "0"'],
    ['1,1,,964982703', 'expected a rating'],
    ['0,1,4.0,964982703', 'expected a positive whole number as the user id, found "0"'],
    ['x,1,4.0,964982703', 'user id, found "x"'],
    ['1,-5,4.0,964982703', 'movie id, found "-5"'],
    ['1,1,4.0,96498x703', 'expected a timestamp in whole seconds since 1970, found "96498x703"'],
    ['1,1,4.0,99999999999', 'timestamp'],
    ['1,1,4.0', 'expected 4 fields'],
    ['1,1,4.0,964982703,9', 'expected 4 fields'],
    ['"1",1,4.0,964982703', 'user id'],
  ];
  for (const [line, reason] of bad)
    it(`rejects ${JSON.stringify(line)} naming the file and line`, async () => {
      const text = `${H}\r\n1,1,4.0,964982703\r\n\r\n${line}\r\n1,2,3.0,964982704\r\n`;
      const e = await wrenError(() => parse(text, { sizes: 5 }), 'bad-row');
      expect(e.message).toMatch(/^ratings\.csv line 4: /);
      expect(e.message).toContain(reason);
      expect(e.file).toBe('ratings.csv');
      expect(e.line).toBe(4);
      expect(e.badRows).toBe(1);
    });

  it('skips up to maxBadRows bad rows, keeps samples, then stops with too-many-bad-rows', async () => {
    const lines = [H];
    for (let i = 1; i <= 30; i++) lines.push(`${i},1,9,1`, `${i},2,3.0,2`);
    const text = lines.join('\n');
    const { rows, issues, raw } = await parse(text, { maxBadRows: 30 });
    expect(rows).toHaveLength(30);
    expect(issues.badRows).toBe(30);
    expect(issues.samples).toHaveLength(20);
    expect(issues.samples[0]).toEqual({
      file: 'ratings.csv',
      line: 2,
      reason: 'expected a rating from 0.5 to 5 in steps of 0.5, found "9"',
    });
    expect(raw.lineOf(0)).toBe(3);
    expect(raw.lineOf(29)).toBe(61);
    const e = await wrenError(() => parse(text, { maxBadRows: 29 }), 'too-many-bad-rows');
    expect(e.message).toMatch(/^ratings\.csv line 60: .*more than the 29 allowed/);
    expect(e.badRows).toBe(30);
  });

  it('says a ratings file with only a header is empty', async () => {
    const e = await wrenError(() => parse(`${H}\r\n`), 'empty-file');
    expect(e.message).toContain('ratings.csv');
    await wrenError(() => parse(''), 'empty-file');
  });

  it('reads back any valid ratings written as CSV, whatever the chunking', async () => {
    const row = fc.record({
      user: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      movie: fc.integer({ min: 1, max: 300000 }),
      half: fc.integer({ min: 1, max: 10 }),
      ts: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 200 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom<RatingsSep>(',', '::', '\t'),
        async (rows, eol, finalEol, sizes, sep) => {
          const stars = (h: number) => (h % 2 ? `${(h - 1) / 2}.5` : `${h / 2}.0`);
          const lines = rows.map((r) => [r.user, r.movie, stars(r.half), r.ts].join(sep));
          const header = sep === ',';
          const text = (header ? [H, ...lines] : lines).join(eol) + (finalEol ? eol : '');
          const got = await parse(text, { sep, header, sizes });
          expect(got.rows).toEqual(rows);
          for (let i = 0; i < rows.length; i++)
            expect(got.raw.lineOf(i)).toBe(i + (header ? 2 : 1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('parses garbage lines or reports them at the right line, never failing otherwise', async () => {
    const valid = /^(\d{1,10}),(\d{1,10}),(\d{1,2}(?:\.(?:0+|50*))?),(\d{1,10})$/;
    const isValid = (line: string): boolean => {
      const m = valid.exec(line);
      if (!m) return false;
      const [u, mv, r, t] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!];
      return u > 0 && u < 2 ** 31 && mv > 0 && mv < 2 ** 31 && r >= 0.5 && r <= 5 && t < 2 ** 32;
    };
    const piece = fc.constantFrom(
      '1',
      '2',
      '0',
      '5',
      '.',
      ',',
      ' ',
      'x',
      '"',
      '-',
      ':',
      '\t',
      'é',
      '4.5',
      '12,',
      '\r',
    );
    const line = fc.oneof(
      fc.string({ unit: piece, maxLength: 12 }),
      fc
        .tuple(fc.nat(20), fc.nat(20), fc.nat(12), fc.nat())
        .map(([u, m, r, t]) => `${u},${m},${r / 2},${t}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 40 }),
        fc.integer({ min: 1, max: 16 }),
        async (lines, size) => {
          const text = [H, ...lines].join('\n');
          let result: Awaited<ReturnType<typeof parse>>;
          try {
            result = await parse(text, { sizes: size, maxBadRows: 1000 });
          } catch (e) {
            expect((e as { code?: string }).code).toBe('empty-file');
            expect(lines.some((l) => isValid(l.replace(/\r$/, '')))).toBe(false);
            return;
          }
          const expectedBad: number[] = [];
          const expectedRows: number[] = [];
          lines.forEach((l0, i) => {
            const l = l0.replace(/\r$/, '');
            if (isValid(l)) expectedRows.push(i + 2);
            else if (l.trim() !== '') expectedBad.push(i + 2);
          });
          expect(result.issues.badRows).toBe(expectedBad.length);
          expect(result.issues.samples.map((s) => s.line)).toEqual(expectedBad.slice(0, 20));
          expect(result.rows.map((_, i) => result.raw.lineOf(i))).toEqual(expectedRows);
        },
      ),
      { numRuns: 200 },
    );
  });
});
