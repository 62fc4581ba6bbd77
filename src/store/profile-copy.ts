/**
 * A copy of your profile outside IndexedDB, written after every profile
 * change and read back when the profile database is missing or empty.
 *
 * Why localStorage: measured in Chromium 156 with its profile on a nearly
 * full tmpfs (test/e2e/quota.test.ts), a write that fills the disk makes the
 * browser wipe the origin's quota-managed storage (unless persistence is
 * granted): IndexedDB, the Origin Private File System and the Cache API
 * all go at once (a marker file in OPFS and a Cache API entry were both gone
 * afterwards). localStorage is not quota-managed in Chromium and kept its
 * value. The profile is small (a JSON line per rating, ~100 bytes), well
 * inside localStorage's 5 MiB.
 */
import { parseProfileFile, serializeProfile } from '../core/recommend/profile-file.ts';
import type { Profile } from '../core/recommend/profile.ts';

export const PROFILE_COPY_KEY = 'wren-profile-copy';

/**
 * The part of the DOM's Storage (localStorage) Wren uses, declared here so
 * the workers' type check, which has no DOM library, reads this file too.
 */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  clear(): void;
}

/** localStorage where there is one (not in node or workers, not where the browser blocks it). */
function storage(): KeyValueStorage | null {
  try {
    const s = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    // Node 20 may define a placeholder localStorage without the Storage methods.
    return s && typeof s.setItem === 'function' ? s : null;
  } catch {
    return null;
  }
}

/** How many entries (ratings and marks) a profile holds. */
export const profileEntries = (p: Profile): number =>
  p.ratings.length + p.notInterested.length + p.watchlist.length;

/** Writes the copy; false when there is no localStorage or it refused (full). */
export function saveProfileCopy(profile: Profile): boolean {
  const s = storage();
  if (!s) return false;
  try {
    s.setItem(PROFILE_COPY_KEY, serializeProfile(profile));
    return true;
  } catch (e) {
    console.warn('Wren: could not keep a copy of your profile:', e);
    return false;
  }
}

/** The copy, or null when there is none (or it cannot be read). */
export function readProfileCopy(): Profile | null {
  const text = storage()?.getItem(PROFILE_COPY_KEY);
  if (!text) return null;
  try {
    return parseProfileFile(text);
  } catch (e) {
    console.warn('Wren: the copy of your profile cannot be read:', e);
    return null;
  }
}
