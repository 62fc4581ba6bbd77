/** A name's safe form for a downloaded file: lower-case letters, digits and dashes (`fallback` when nothing is left). */
export const slug = (s: string, fallback = ''): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || fallback;
