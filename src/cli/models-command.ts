/**
 * `wren models`: every model of the registry with what it can do and its
 * settings (default, range, what each does), and the model lists the usage
 * text shows, all read from the registry so the CLI never keeps its own.
 */
import { rangeOf, type AnySchema } from '../core/models/config-check.ts';
import { CTR_MODELS } from '../core/models/ctr-info.ts';
import { MODELS, REGISTRY, type ModelInfo } from '../core/models/index.ts';

/** `names` as `a|b|c`, broken into lines no wider than `width` after the first line's `lead`. */
export function alternatives(
  names: readonly string[],
  lead: string,
  indent: string,
  width = 88,
): string {
  const lines: string[] = [];
  let line = lead;
  names.forEach((name, i) => {
    const piece = (i === 0 ? '' : '|') + name;
    if (line.length + piece.length > width && i > 0) {
      lines.push(line);
      line = indent + piece;
    } else line += piece;
  });
  lines.push(line);
  return lines.join('\n');
}

/** `text` broken into lines of at most `width` characters, each after `indent`. */
function wrap(text: string, indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/**
 * A schema as text (the CLI's `wren models`): each setting as `name=default`
 * and its range, then what it does, wrapped to `width`.
 */
export function schemaLines(schema: AnySchema, indent = '  ', width = 88): string[] {
  const rows = Object.entries(schema).map(([key, s]) => [`${key}=${s.default}`, s] as const);
  const col = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.flatMap(([head, s]) => [
    `${indent}${head.padEnd(col)}  ${rangeOf(s)}`,
    ...wrap(s.doc, `${indent}    `, width),
  ]);
}

export const RANKING_NAMES: readonly string[] = MODELS.map((m) => m.name);
export const CTR_NAMES: readonly string[] = CTR_MODELS.map((m) => m.name);

const RANKS_BY: Record<ModelInfo['ranksBy'], string> = {
  'same-for-all': 'gives everyone the same list',
  history: 'ranks a new person from the movies they liked',
  'fold-in': 'ranks a new person by a user row folded in from the movies they liked',
  sequence: 'ranks a new person from the movies they rated, in order',
};

/** What a model can do, in a line. */
function abilities(m: (typeof REGISTRY)[number]): string {
  if (m.task === 'ctr')
    return 'scores (user, movie, context) rows for a click (sparrow-ctr, ctr-random); ranks For You when trained on sparrow-ctr';
  return [
    RANKS_BY[m.ranksBy],
    m.retrieves && `retrieves for the '${m.retrieves}' channel`,
    'ranks For You',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The registry as text: each model, its abilities and settings. */
export function modelsText(): string {
  const out: string[] = [];
  for (const m of REGISTRY) {
    out.push(`${m.name} — ${m.title}${m.neural ? ' (tfjs)' : ''}`);
    out.push(`  ${abilities(m)}.`);
    out.push(`  ${m.layers}`);
    const lines = schemaLines(m.settings, '    ');
    out.push(lines.length ? '  settings (--set key=value), with their defaults:' : '  no settings');
    out.push(...lines, '');
  }
  return out.join('\n');
}

/** The registry as JSON: the same fields, settings with their ranges in words. */
export function modelsJson(): unknown {
  return REGISTRY.map((m) => ({
    name: m.name,
    title: m.title,
    task: m.task,
    neural: m.neural,
    ...(m.task === 'rank' && { ranksBy: m.ranksBy, retrieves: m.retrieves ?? null }),
    paper: m.paper,
    layers: m.layers,
    settings: Object.fromEntries(
      Object.entries(m.settings).map(([k, s]) => [k, { ...s, range: rangeOf(s) }]),
    ),
  }));
}

export function runModels(json: boolean): number {
  process.stdout.write(json ? JSON.stringify(modelsJson()) + '\n' : modelsText());
  return 0;
}
