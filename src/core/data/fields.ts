/** Small field checks shared by the text parsers. Each returns null when the field is wrong. */

const MAX_ID = 2147483647;

/** The value of 1 to `maxDigits` decimal digits, spaces around allowed; -1 when it is anything else. */
function digits(s: string, maxDigits: number): number {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  if (b === a || b - a > maxDigits) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** A MovieLens id: a whole number from 1 to 2^31 - 1. */
export function parseId(s: string): number | null {
  const v = digits(s, 10);
  return v > 0 && v <= MAX_ID ? v : null;
}

/** A whole number of seconds since 1970 that fits in 32 bits. */
export function parseTimestamp(s: string): number | null {
  const v = digits(s, 10);
  return v >= 0 && v <= 4294967295 ? v : null;
}

/** A non-negative whole number. */
export function parseCount(s: string): number | null {
  const v = digits(s, 9);
  return v >= 0 ? v : null;
}

/** 'M' or 'F'. */
export function parseGender(s: string): 'M' | 'F' | null {
  const t = s.trim().toUpperCase();
  return t === 'M' || t === 'F' ? t : null;
}
