/** Number, size, time and rating formatting for the UI (English, fixed locale). */

const INT = new Intl.NumberFormat('en');
const ONE = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 100836 → "100,836". */
export function formatCount(n: number): string {
  return INT.format(Math.round(n));
}

/** "1 rating", "2 ratings". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** Bytes in decimal units: 1234567 → "1.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 || v >= 100 ? formatCount(v) : ONE.format(v)} ${units[u]}`;
}

/** Seconds as "0.4 s", "12 s", "3 min 5 s", "2 h 10 min". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 10) return `${ONE.format(s)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = Math.round(s - m * 60);
    return r > 0 ? `${m} min ${r} s` : `${m} min`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.round((s - h * 3600) / 60);
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}

/** Average stars with one decimal: 3.6842 → "3.7". */
export function formatStars(avg: number): string {
  return ONE.format(avg);
}

/** Half stars as stars: 7 → "3.5", 8 → "4". */
export function halfStarsLabel(h: number): string {
  return h % 2 === 0 ? String(h / 2) : ONE.format(h / 2);
}

/** A date like "23 Nov 2026". */
export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

/** Human names of dataset formats. */
export function formatName(format: string): string {
  const names: Record<string, string> = {
    'ml-csv': 'MovieLens CSV',
    'ml-dat': 'MovieLens .dat',
    'ml-100k': 'MovieLens 100K',
    synthetic: 'Generated',
  };
  return names[format] ?? format;
}
