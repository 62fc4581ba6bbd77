/**
 * CSV fields as in RFC 4180: comma-separated, a field may be double-quoted,
 * and a quote inside a quoted field is written twice. Fields never span
 * lines here (MovieLens files have none); an unclosed quote is an error.
 */

/** The fields of one line, or `error` when its quoting is broken. */
export type CsvResult =
  { fields: string[]; error?: undefined } | { fields?: undefined; error: string };

/** Splits one CSV line into fields. A quote inside an unquoted field is kept as a character. */
export function splitCsv(line: string): CsvResult {
  if (!line.includes('"')) return { fields: line.split(',') };
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line.charCodeAt(at) === 34) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) return { error: `a quoted field is not closed (it starts at column ${at + 1})` };
        value += line.slice(from, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        at = q + 1;
        break;
      }
      fields.push(value);
      if (at === line.length) return { fields };
      if (line.charCodeAt(at) !== 44)
        return { error: `unexpected text after a closing quote at column ${at + 1}` };
      at++;
    } else {
      const comma = line.indexOf(',', at);
      if (comma < 0) {
        fields.push(line.slice(at));
        return { fields };
      }
      fields.push(line.slice(at, comma));
      at = comma + 1;
    }
  }
}

/** Writes one CSV field, quoting it when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
