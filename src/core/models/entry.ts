/**
 * What every entry of the model registry declares, ranking and CTR alike:
 * who it is, what it is for, and its settings (defaults, ranges, docs). The
 * CLI's usage text and `wren models`, the Models page and the settings check
 * read these fields; nothing keeps a second list of models.
 */
import { defaultsOf, type AnySchema, type Schema } from './config-check.ts';

export interface ModelEntry {
  name: string;
  title: string;
  /** One paragraph: what it is and where it comes from. */
  about: string;
  paper: string;
  /** Its structure in one line, input to output (default settings). */
  layers: string;
  /** 'rank': orders movies for a person (the ranking protocols, For You); 'ctr': scores (user, movie, context) rows for a click (sparrow-ctr, ctr-random). */
  task: 'rank' | 'ctr';
  /** Its settings: each one's default, range and what it does. */
  settings: AnySchema;
  /** The settings' defaults (from `settings`). */
  defaults: Record<string, number>;
  /** Uses tfjs (loaded on demand, so pages that only list models stay light). */
  neural: boolean;
}

/** `settings` and the `defaults` they declare, for an entry. */
export function settingsFields<C>(settings: Schema<C>): { settings: AnySchema; defaults: C } {
  return { settings: settings as AnySchema, defaults: defaultsOf(settings) };
}
