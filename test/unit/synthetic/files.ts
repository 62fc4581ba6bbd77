import type { OutFile } from '../../../src/core/data/write-movielens.ts';

/** All of a file's chunks, joined. */
export function bytesOf(file: OutFile): Uint8Array {
  const parts = [...file.chunks()];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function fileNamed(files: OutFile[], name: string): OutFile {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} among ${files.map((x) => x.name).join(', ')}`);
  return f;
}

export const utf8 = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);
export const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Lines of a text that must end with a line feed (the last, empty piece dropped). */
export function linesOf(text: string): string[] {
  if (!text.endsWith('\n')) throw new Error('text does not end with a line feed');
  return text.slice(0, -1).split('\n');
}

/** A strict RFC 4180 reader (LF records) for checking what the writer quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"' && field === '') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\n')
        throw new Error(`text after a closing quote at ${i}`);
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      if (c === '"') throw new Error(`bare quote at ${i}`);
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record has no line feed');
  return rows;
}
