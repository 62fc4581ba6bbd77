/**
 * User files: ml-1m's users.dat (`UserID::Gender::Age::Occupation::Zip-code`,
 * age a bucket code, occupation a code) and ml-100k's u.user
 * (`user id|age|gender|occupation|zip code`, age in years, occupation a name).
 */
import type { Family } from './detect.ts';
import { parseCount, parseGender, parseId } from './fields.ts';
import { shown } from './issues.ts';
import { readKeyedRows } from './keyed-rows.ts';
import type { TextParseOptions } from './movies-parser.ts';
import { ML1M_OCCUPATIONS } from './occupations.ts';

export interface RawUser {
  userId: number;
  gender: 'M' | 'F' | null;
  age: number | null;
  occupation: string | null;
  zip: string | null;
  line: number;
}

/** Parses users.dat (family 'ml-dat') or u.user ('ml-100k'). User ids must be unique. */
export async function parseUsers(
  file: string,
  family: Family,
  chunks: AsyncIterable<Uint8Array>,
  opts: TextParseOptions,
): Promise<RawUser[]> {
  const row = family === 'ml-100k' ? userLine100k : userLineDat;
  // User files have no header line.
  return readKeyedRows(file, chunks, 'user', row, (u) => u.userId, { ...opts, header: false });
}

function userLineDat(text: string, line: number): RawUser | string {
  const f = text.split('::');
  if (f.length !== 5)
    return `expected 5 fields (UserID::Gender::Age::Occupation::Zip-code), found ${f.length}: ${shown(text)}`;
  const [id, g, a, o, zip] = f as [string, string, string, string, string];
  const userId = parseId(id);
  if (userId === null) return `expected a positive whole number as the user id, found ${shown(id)}`;
  const gender = parseGender(g);
  if (gender === null) return `expected the gender M or F, found ${shown(g)}`;
  const age = parseCount(a);
  if (age === null) return `expected an age code, found ${shown(a)}`;
  const code = parseCount(o);
  const occupation = code === null ? undefined : ML1M_OCCUPATIONS[code];
  if (occupation === undefined)
    return `expected an occupation code from 0 to ${ML1M_OCCUPATIONS.length - 1}, found ${shown(o)}`;
  return { userId, gender, age, occupation, zip: zip.trim() || null, line };
}

function userLine100k(text: string, line: number): RawUser | string {
  const f = text.split('|');
  if (f.length !== 5)
    return `expected 5 fields (user id|age|gender|occupation|zip code), found ${f.length}: ${shown(text)}`;
  const [id, a, g, o, zip] = f as [string, string, string, string, string];
  const userId = parseId(id);
  if (userId === null) return `expected a positive whole number as the user id, found ${shown(id)}`;
  const age = parseCount(a);
  if (age === null) return `expected an age in years, found ${shown(a)}`;
  const gender = parseGender(g);
  if (gender === null) return `expected the gender M or F, found ${shown(g)}`;
  return { userId, gender, age, occupation: o.trim() || null, zip: zip.trim() || null, line };
}
