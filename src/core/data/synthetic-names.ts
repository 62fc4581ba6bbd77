/**
 * Word lists and small helpers that make synthetic MovieLens data look like
 * the real files: titles ("Silent Harbor, The (1997)"), tags tied to genres,
 * and ml-100k style demographics. Every string here is ISO-8859-1 (latin-1)
 * representable, so the ml-1m and ml-100k layouts can encode it.
 */
import { AliasTable, type Random } from '../random.ts';

/** Splits a block of words on whitespace. */
function words(block: string): readonly string[] {
  return block.split(/\s+/).filter((w) => w !== '');
}

/** Splits a block of phrases on `|` and line breaks. */
function phrases(block: string): readonly string[] {
  return block
    .split(/[|\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

const ADJECTIVES = words(`
  Silent Broken Last Lost Hidden Golden Crimson Dark Bright Wild Quiet Little Big Long
  Cold Burning Frozen Hollow Secret Final First Eternal Forgotten Distant Midnight Savage
  Gentle Restless Perfect Strange Sweet Bitter Endless Fallen Rising Electric Iron Silver
  Velvet Paper Glass Stolen Lonely Deadly Happy Crazy Lucky Dangerous Beautiful Northern
  Southern Wicked Brave Invisible Naked Blue Red Black White Green Scarlet Empty Sacred
  Faithful Reckless Tender Furious Shining Fading Drifting Cruel Innocent Young Old
  Wandering Sleeping Haunted Painted Shattered Twisted Bold Royal Desperate Fearless
  Magnificent Ordinary Accidental Unfinished Troubled
`);

const NOUNS = words(`
  Harbor River Road Heart Night Summer Winter City House Garden Storm Shadow Dream Island
  Mountain Kingdom Empire Promise Secret Stranger Journey Voyage Mirror Window Bridge
  Station Highway Desert Ocean Forest Valley Sky Moon Sun Star Fire Rain Snow Thunder Echo
  Whisper Song Dance Game Hunter Soldier Detective Witness Prisoner Queen King Prince
  Widow Orphan Doctor Teacher Driver Thief Ghost Angel Devil Saint Monster Machine Robot
  Planet Galaxy Signal Code Contract Verdict Alibi Ransom Heist Escape Return Reunion
  Wedding Funeral Holiday Weekend Season Letter Diary Map Key Crown Sword Arrow Horse Wolf
  Tiger Dragon Raven Sparrow Lighthouse Carnival Circus Hotel Motel Diner Factory Village
  Frontier Border Horizon Tide Flood Harvest Legacy Exile Rebellion Conspiracy Affair
  Scandal Confession Redemption Revenge Memory Silence Truth Lie Gamble Bet Chase Run Fall
  Descent Ascent Passage Crossing Outpost Colony Orbit Eclipse Comet Voice Hand Eye Smile
  Kiss
`);

const NAMES = words(`
  Annie Max Lucy Jack Emma Harry Sally Charlie Rosa Frank Molly Oscar Nora Leo Ruby Sam
  Grace Eddie Vera Milo Iris Walter Hazel Otto Clara Felix Mabel Hugo Edith Louis Greta
  Bruno Marguerite Joe Betty Tom Daisy Buster Lola Ned Agnes Rocco
`);

const PLACES = words(`
  Vermont Paris Berlin Texas Brooklyn Chicago Tokyo Alaska Nevada Memphis Rome Vienna
  Havana Marseille Lisbon Dublin Montana Harlem Casablanca Shanghai Bombay Oslo Prague
  Baltimore Detroit Boston Malibu Manhattan Sicily Bavaria Provence Yukon Oregon Kansas
  Tangier Madrid
`);

const GERUNDS = words(`
  Leaving Finding Chasing Saving Waking Killing Loving Missing Raising Becoming Breaking
  Crossing Burning Hunting Running Dancing Remembering Escaping Meeting Following
  Searching Waiting Forgetting Stealing
`);

/** Foreign alternative titles, as MovieLens writes them: "English (Original) (1995)". */
const FOREIGN = phrases(`
  Été silencieux, L' | Misérables du port, Les | Cité des ombres, La | Rêve éveillé, Le
  Forêt noire, La | Garçon sauvage, Le | Hôtel du Nord, L' | Fenêtre sur la mer, La
  Mädchen aus Wien, Das | Brücke am Fluß, Die | Söhne des Sturms, Die | Fräulein Müller
  Straße der Träume, Die | Glück im Schnee | Niño de la montaña, El | Canción de otoño
  Corazón valiente | Mañana será otro día | Città aperta, La | Perché no? | Libertà
  Kärlek och ära | Sommarnätter | Bröderna | Ånger | Ça commence aujourd'hui
  Père et fils | Coração de ouro | São Paulo à noite | Øen | Hjärtats röst
`);

const SEQUELS = ['2', 'II', 'III', 'Part II', '3', 'IV'] as const;

/** Moves a leading article to the end, as MovieLens does: "The Road" → "Road, The". */
function article(base: string, art: 'The' | 'A' | 'An'): string {
  return `${base}, ${art}`;
}

/** One title body (no year). */
function titleBody(rng: Random): string {
  const adj = rng.pick(ADJECTIVES);
  const noun = rng.pick(NOUNS);
  const noun2 = rng.pick(NOUNS);
  const r = rng.next();
  if (r < 0.18) return `${adj} ${noun}`;
  if (r < 0.32) return article(`${adj} ${noun}`, 'The');
  if (r < 0.37) return article(noun, 'The');
  if (r < 0.4) return article(`${noun} ${noun2}`, rng.chance(0.6) ? 'A' : 'The');
  if (r < 0.48) return `${noun} of the ${noun2}`;
  if (r < 0.52) return `${noun} of ${rng.pick(PLACES)}`;
  if (r < 0.58) return `${rng.pick(NAMES)}'s ${noun}`;
  if (r < 0.66) return `${noun} ${noun2}`;
  if (r < 0.72) return `${noun}: The ${adj} ${noun2}`;
  if (r < 0.76) return `${adj} ${noun} ${rng.pick(SEQUELS)}`;
  if (r < 0.82) return `${rng.pick(GERUNDS)} ${rng.pick(PLACES)}`;
  if (r < 0.86) return `${rng.pick(GERUNDS)} ${rng.pick(NAMES)}`;
  if (r < 0.89) return `Goodbye, ${rng.pick(NAMES)}`;
  if (r < 0.91) return `${noun}, ${noun2} and ${rng.pick(NOUNS)}`;
  if (r < 0.95) return `${adj} ${noun} (${rng.pick(FOREIGN)})`;
  if (r < 0.97) return rng.pick(FOREIGN);
  if (r < 0.98) return `"${adj} ${noun}" ${rng.pick(NAMES)}`;
  if (r < 0.99) return `${adj} ${noun} (a.k.a. ${rng.pick(NAMES)}'s ${noun2})`;
  return `${rng.pick(NAMES)} & ${rng.pick(NAMES)}`;
}

/**
 * A MovieLens-looking title ending in " (YEAR)" that is not yet in `taken`;
 * adds it to `taken`. Falls back to sequel numbers when the words run out.
 */
export function makeTitle(rng: Random, year: number, taken: Set<string>): string {
  for (let attempt = 0; attempt < 12; attempt++) {
    const t = `${titleBody(rng)} (${year})`;
    if (!taken.has(t)) {
      taken.add(t);
      return t;
    }
  }
  const body = titleBody(rng);
  for (let n = 2; ; n++) {
    const t = `${body} ${n} (${year})`;
    if (!taken.has(t)) {
      taken.add(t);
      return t;
    }
  }
}

/** Tags by genre (ml-latest genre names); a movie's tags come from its genres. */
export const TAGS_BY_GENRE: Readonly<Record<string, readonly string[]>> = {
  Action: ['action', 'explosions', 'car chase', 'fight scenes', 'martial arts', 'superhero'],
  Adventure: ['adventure', 'treasure hunt', 'epic', 'quest', 'pirates', 'jungle'],
  Animation: ['animation', 'pixar', 'anime', 'stop motion', 'hand-drawn', 'Studio Ghibli'],
  Children: ['family', 'kids', 'Disney', 'talking animals', 'coming of age', 'fairy tale'],
  Comedy: ['funny', 'hilarious', 'dark comedy', 'satire', 'quirky', 'witty', 'parody'],
  Crime: ['crime', 'heist', 'mafia', 'organized crime', 'gangsters', 'drugs', 'police'],
  Documentary: ['documentary', 'true story', 'history', 'nature', 'politics', 'music'],
  Drama: ['emotional', 'thought-provoking', 'tearjerker', 'great acting', 'melancholy'],
  Fantasy: ['fantasy', 'magic', 'dragons', 'fairy tale', 'dreamlike', 'surreal', 'wizards'],
  'Film-Noir': ['noir', 'femme fatale', 'black and white', 'hardboiled', 'detective'],
  Horror: ['horror', 'scary', 'gore', 'zombies', 'vampires', 'creepy', 'haunted house'],
  IMAX: ['IMAX', 'visually stunning', 'spectacle', '3D'],
  Musical: ['musical', 'great soundtrack', 'singing', 'dance', 'Broadway'],
  Mystery: ['mystery', 'twist ending', 'whodunit', 'clever', 'puzzle', 'mindfuck'],
  Romance: ['romance', 'love story', 'romantic', 'chick flick', 'bittersweet', 'cute'],
  'Sci-Fi': ['sci-fi', 'space', 'aliens', 'time travel', 'dystopia', 'artificial intelligence'],
  Thriller: ['suspense', 'tense', 'psychological', 'conspiracy', 'serial killer', 'paranoia'],
  War: ['war', 'World War II', 'military', 'anti-war', 'Vietnam', 'historical'],
  Western: ['western', 'cowboys', 'gunfight', 'frontier', 'spaghetti western'],
};

/** Tags that fit any movie, including a few with a comma or quotes (for CSV quoting). */
export const GENERIC_TAGS = phrases(`
  In Netflix queue | atmospheric | visually appealing | classic | cinematography
  based on a book | overrated | underrated | must see | boring | predictable | good dialogue
  slow paced | cult film | Oscar (Best Picture) | sad, but good | so bad, it's good
  the "twist" | beautiful | franchise | remake | BD-R
`);

/** ml-100k occupations (u.occupation, in its order) and how common each is. */
export const OCCUPATIONS_100K = words(`
  administrator artist doctor educator engineer entertainment executive healthcare homemaker
  lawyer librarian marketing none other programmer retired salesman scientist student
  technician writer
`);
const OCCUPATION_WEIGHTS = [
  79, 28, 7, 95, 67, 18, 32, 16, 7, 12, 51, 26, 9, 105, 66, 14, 12, 31, 196, 27, 45,
];

/** ml-1m age buckets (code, first age, last age) and their shares in ml-1m's users.dat. */
const AGE_BUCKETS: readonly (readonly [number, number, number])[] = [
  [1, 10, 17],
  [18, 18, 24],
  [25, 25, 34],
  [35, 35, 44],
  [45, 45, 49],
  [50, 50, 55],
  [56, 56, 73],
];
const AGE_WEIGHTS = [222, 1103, 2096, 1193, 550, 496, 380];

export interface Demographics {
  gender: 'M' | 'F';
  /** Age in years. */
  age: number;
  /** An ml-100k occupation name. */
  occupation: string;
  zip: string;
}

/** Draws demographics with ml-1m / ml-100k proportions. */
export class DemographicsSampler {
  private readonly occupations = new AliasTable(OCCUPATION_WEIGHTS);
  private readonly ages = new AliasTable(AGE_WEIGHTS);

  sample(rng: Random): Demographics {
    const bucket = AGE_BUCKETS[this.ages.sample(rng)] as readonly [number, number, number];
    const age = bucket[1] + rng.int(bucket[2] - bucket[1] + 1);
    const occupation = OCCUPATIONS_100K[this.occupations.sample(rng)] as string;
    const zip = String(rng.int(100000)).padStart(5, '0');
    return { gender: rng.chance(0.717) ? 'M' : 'F', age, occupation, zip };
  }
}
