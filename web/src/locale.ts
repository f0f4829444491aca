/**
 * The languages of the page, and which one a person gets: the one they
 * picked (remembered on the device), else the first of the browser's
 * languages Parley speaks, matched by primary subtag ("ta-IN" → Tamil),
 * else English. Pure but for the remembered choice.
 */
import { DEFAULT_ROOM, type RoomId } from '@parley/functions/protocol';
import { recall, remember } from './settings.js';

/**
 * Every language of the page, each named in its own script so that a person
 * finds theirs whatever language the page is in. The codes are
 * lit-localize.json's (source and target locales); a unit test holds the two
 * lists together.
 */
export const LOCALES = [
  { code: 'en', name: 'English' },
  { code: 'hi', name: 'हिन्दी' },
  { code: 'ta', name: 'தமிழ்' },
  { code: 'te', name: 'తెలుగు' },
  { code: 'ml', name: 'മലയാളം' },
  { code: 'kn', name: 'ಕನ್ನಡ' },
  { code: 'bn', name: 'বাংলা' },
  { code: 'es', name: 'Español' },
  { code: 'pt', name: 'Português' },
] as const;

export type LocaleCode = (typeof LOCALES)[number]['code'];

/** The language the strings are written in (lit-localize's source locale). */
export const SOURCE_LOCALE: LocaleCode = 'en';

const CODES: ReadonlySet<string> = new Set(LOCALES.map((l) => l.code));

export function isLocaleCode(value: unknown): value is LocaleCode {
  return typeof value === 'string' && CODES.has(value);
}

/** The first of `languages` (BCP 47 tags, most preferred first) Parley speaks, by primary subtag; else English. */
export function localeFromLanguages(languages: readonly string[]): LocaleCode {
  for (const tag of languages) {
    const primary = tag.split('-')[0]?.toLowerCase();
    if (isLocaleCode(primary)) return primary;
  }
  return SOURCE_LOCALE;
}

/** Where the picked language is remembered. */
export const LANG_STORAGE_KEY = 'parley.lang';

/** The picked language, else the browser's (`languages`: navigator.languages). */
export function chosenLocale(languages: readonly string[]): LocaleCode {
  const picked = recall(LANG_STORAGE_KEY);
  return isLocaleCode(picked) ? picked : localeFromLanguages(languages);
}

export function rememberLocale(code: LocaleCode): void {
  remember(LANG_STORAGE_KEY, code);
}

/**
 * The room a language's speakers start in when they chose none: their
 * language's own. English keeps Anyone, the busiest room: an English page is
 * also what every browser in a language Parley does not speak gets.
 */
export function roomForLocale(code: LocaleCode): RoomId {
  return code === 'en' ? DEFAULT_ROOM : code;
}
