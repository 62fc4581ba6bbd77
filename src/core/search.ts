/**
 * Title search: a small in-memory index over movie titles.
 *
 * - Case and diacritics are ignored ("Amélie" = "amelie"); apostrophes vanish
 *   ("Schindler's" = "schindlers"); hyphenated or dotted words are indexed as
 *   parts and joined ("Spider-Man" → spider, man, spiderman).
 * - Every query word must match a title word by prefix, in any order, so
 *   "the matrix" finds "Matrix, The (1999)".
 * - Query words of 5 letters or more also match with one typo (substitution,
 *   insertion, deletion or swap of two neighbours).
 * - Results are ranked by match quality, then popularity (rating count).
 *
 * Titles are MovieLens titles ("American President, The (1995)"); the helpers
 * `splitTitle` and `displayTitle` turn them into "The American President" +
 * 1995 for display.
 */

/** Trailing articles MovieLens moves to the end of a title ("Matrix, The"). */
const ARTICLES = new Set([
  'the', 'a', 'an', 'les', 'la', 'le', "l'", 'il', 'i', 'gli', 'lo', 'das', 'der', 'die', 'den',
  'det', 'el', 'los', 'las', 'un', 'una', 'une', 'uno', 'o', 'os', 'as', 'het', 'de', 'en', 'ett',
  'ein', 'eine',
]); // prettier-ignore

const TRAILING_ARTICLE = /^(.+), ([^\s,]+)$/;
const YEAR_SUFFIX = /\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$/;

/**
 * Moves a trailing article to the front: "American President, The" →
 * "The American President"; "Homme, L'" → "L'Homme". Other text is unchanged.
 */
export function fixArticle(name: string): string {
  const m = TRAILING_ARTICLE.exec(name);
  if (!m || !ARTICLES.has(m[2]!.toLowerCase())) return name;
  const article = m[2]!;
  return article.endsWith("'") ? article + m[1] : `${article} ${m[1]}`;
}

/**
 * Splits a MovieLens title into a display name and a year:
 * "City of Lost Children, The (Cité des enfants perdus, La) (1995)" →
 * { name: "The City of Lost Children (La Cité des enfants perdus)", year: 1995 }.
 */
export function splitTitle(title: string): { name: string; year: number | null } {
  const trimmed = title.trim();
  const y = YEAR_SUFFIX.exec(trimmed);
  const year = y ? Number(y[1]) : null;
  let rest = y ? trimmed.slice(0, y.index) : trimmed;
  // Alternate titles in parentheses: "Main, The (Alt, La) (a.k.a. Other)".
  const alts: string[] = [];
  for (let m = /\s*\(([^()]*)\)\s*$/.exec(rest); m && m.index > 0;) {
    alts.unshift(fixArticle(m[1]!.trim()));
    rest = rest.slice(0, m.index);
    m = /\s*\(([^()]*)\)\s*$/.exec(rest);
  }
  const name = [fixArticle(rest.trim()), ...alts.map((a) => `(${a})`)].join(' ');
  return { name: name || trimmed, year };
}

/** The title as people say it, without the year: "The American President". */
export function displayTitle(title: string): string {
  return splitTitle(title).name;
}

/** Lower case, no diacritics. */
function fold(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(/\p{M}+/gu, '') : lower;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Lower case, no diacritics, apostrophes removed ("Schindler's" → "schindlers"). */
export function normalize(text: string): string {
  return fold(text).replace(/['’`]/g, '');
}

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;
const ASCII_SPLIT = /[^a-z0-9]+/;

/** Splits folded text into letter/digit runs (the ASCII regex is much faster). */
function words(text: string): string[] {
  return text.split(NON_ASCII.test(text) ? WORD_SPLIT : ASCII_SPLIT).filter((w) => w.length > 0);
}

/** Query words: normalized, split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  return words(normalize(text));
}

/**
 * Index words of a title: the parts of each space-separated chunk and, for
 * "spider-man" or "l'avventura", the chunk joined ("spiderman", "lavventura").
 */
function titleWords(title: string): string[] {
  const out = new Set<string>();
  for (const chunk of fold(title).split(/\s+/)) {
    const parts = words(chunk);
    for (const p of parts) out.add(p);
    if (parts.length > 1) out.add(parts.join(''));
  }
  return [...out];
}

export interface SearchIndex {
  /** Number of titles indexed (title ids are 0..size-1). */
  size: number;
  /** Distinct words, sorted by code unit. */
  words: string[];
  /** Postings: title ids of words[i] are postings[offsets[i]..offsets[i+1]]. */
  offsets: Int32Array;
  postings: Int32Array;
  /** Normalized display title per id (for "starts with the query" ranking). */
  phrases: string[];
  popularity: ArrayLike<number>;
}

/**
 * Builds the index. `popularity[i]` (e.g. rating counts) breaks ties between
 * equally good matches; title id i is the position in `titles`.
 */
export function buildSearchIndex(titles: string[], popularity: ArrayLike<number>): SearchIndex {
  const byWord = new Map<string, number[]>();
  const phrases: string[] = new Array<string>(titles.length);
  for (let id = 0; id < titles.length; id++) {
    const title = titles[id]!;
    for (const w of titleWords(title)) {
      const list = byWord.get(w);
      if (list) list.push(id);
      else byWord.set(w, [id]);
    }
    phrases[id] = tokenize(displayTitle(title)).join(' ');
  }
  const words = [...byWord.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const offsets = new Int32Array(words.length + 1);
  let total = 0;
  for (let i = 0; i < words.length; i++) {
    total += byWord.get(words[i]!)!.length;
    offsets[i + 1] = total;
  }
  const postings = new Int32Array(total);
  for (let i = 0; i < words.length; i++) postings.set(byWord.get(words[i]!)!, offsets[i]!);
  return { size: titles.length, words, offsets, postings, phrases, popularity };
}

/** First position in sorted `words` whose word is >= `key`. */
function lowerBound(words: string[], key: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** q[qi..] is a prefix of w[wi..]. */
function restIsPrefix(q: string, qi: number, w: string, wi: number): boolean {
  if (q.length - qi > w.length - wi) return false;
  for (; qi < q.length; qi++, wi++) if (q.charCodeAt(qi) !== w.charCodeAt(wi)) return false;
  return true;
}

/** Some prefix of `w` is within one edit (or one swap of neighbours) of `q`. */
export function prefixWithinOneEdit(q: string, w: string): boolean {
  let i = 0;
  while (i < q.length && i < w.length && q.charCodeAt(i) === w.charCodeAt(i)) i++;
  if (i === q.length) return true;
  return (
    restIsPrefix(q, i + 1, w, i + 1) || // substitution
    restIsPrefix(q, i + 1, w, i) || // extra letter in q
    restIsPrefix(q, i, w, i + 1) || // missing letter in q
    (i + 1 < q.length &&
      i + 1 < w.length &&
      q.charCodeAt(i) === w.charCodeAt(i + 1) &&
      q.charCodeAt(i + 1) === w.charCodeAt(i) &&
      restIsPrefix(q, i + 2, w, i + 2)) // swapped neighbours
  );
}

/** How well one query word matched a title word. */
const EXACT = 4;
const PREFIX = 2;
const TYPO = 1;
const STARTS_WITH = 6;
const WHOLE_TITLE = 3;
/** Shortest query word that may match with a typo. */
const TYPO_MIN = 5;

export interface SearchHit {
  /** Title id (position in the titles the index was built from). */
  id: number;
  score: number;
}

/**
 * Finds titles matching every word of `query`, best first: match quality
 * (exact word > prefix > one typo, plus a bonus when the title starts with
 * the query), then popularity, then id.
 */
export function search(index: SearchIndex, query: string, limit = 50): SearchHit[] {
  const tokens = [...new Set(tokenize(query))];
  if (tokens.length === 0 || index.size === 0) return [];
  const score = new Float64Array(index.size);
  const hits = new Uint8Array(index.size);
  const best = new Uint8Array(index.size);
  const { words, offsets, postings } = index;

  let candidates: number[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    const touched: number[] = [];
    const mark = (wordIdx: number, quality: number): void => {
      for (let p = offsets[wordIdx]!; p < offsets[wordIdx + 1]!; p++) {
        const id = postings[p]!;
        // Only titles that matched every earlier word can still qualify.
        if (hits[id] !== t) continue;
        if (best[id] === 0) touched.push(id);
        if (quality > best[id]!) best[id] = quality;
      }
    };
    const start = lowerBound(words, tok);
    for (let i = start; i < words.length && words[i]!.startsWith(tok); i++) {
      mark(i, words[i]!.length === tok.length ? EXACT : PREFIX);
    }
    if (tok.length >= TYPO_MIN) {
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (w.length >= tok.length - 1 && !w.startsWith(tok) && prefixWithinOneEdit(tok, w)) {
          mark(i, TYPO);
        }
      }
    }
    for (const id of touched) {
      score[id] = score[id]! + best[id]!;
      hits[id] = t + 1;
      best[id] = 0;
    }
    candidates = touched;
    if (touched.length === 0) return [];
  }

  const phrase = tokens.join(' ');
  const pop = index.popularity;
  const better = (sa: number, ia: number, b: SearchHit): boolean =>
    sa !== b.score
      ? sa > b.score
      : (pop[ia] ?? 0) !== (pop[b.id] ?? 0)
        ? (pop[ia] ?? 0) > (pop[b.id] ?? 0)
        : ia < b.id;
  // Keep the best `limit` in order (insertion into a short sorted list).
  const top: SearchHit[] = [];
  for (const id of candidates) {
    const s = score[id]! + phraseBonus(index.phrases[id]!, phrase);
    if (top.length === limit && !better(s, id, top[limit - 1]!)) continue;
    let at = top.length;
    while (at > 0 && better(s, id, top[at - 1]!)) at--;
    top.splice(at, 0, { id, score: s });
    if (top.length > limit) top.pop();
  }
  return top;
}

/** Bonus when the title (or the title after a leading article) starts with the query. */
function phraseBonus(title: string, phrase: string): number {
  if (title.startsWith(phrase)) {
    return STARTS_WITH + (title.length === phrase.length ? WHOLE_TITLE : 0);
  }
  // "matrix" starts "the matrix" too.
  const space = title.indexOf(' ');
  if (space > 0 && title.startsWith(phrase, space + 1) && ARTICLES.has(title.slice(0, space))) {
    return STARTS_WITH + (title.length - space - 1 === phrase.length ? WHOLE_TITLE : 0);
  }
  return 0;
}
