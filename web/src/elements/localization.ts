/**
 * The page's language at run time (@lit/localize, runtime mode). English,
 * the source, is in the code itself; every other language is a module of
 * its own (web/generated/locales, built from web/xliff), imported only when
 * a person picks it, so an English page loads no other language's words.
 */
import { configureLocalization, LOCALE_STATUS_EVENT, type LocaleModule } from '@lit/localize';
import { chosenLocale, type LocaleCode, rememberLocale, SOURCE_LOCALE } from '../locale.js';

type TargetLocale = Exclude<LocaleCode, 'en'>;

/** One dynamic import per language: each becomes a chunk of its own. */
const LOADERS: Readonly<Record<TargetLocale, () => Promise<LocaleModule>>> = {
  hi: () => import('../../generated/locales/hi.js'),
  ta: () => import('../../generated/locales/ta.js'),
  te: () => import('../../generated/locales/te.js'),
  ml: () => import('../../generated/locales/ml.js'),
  kn: () => import('../../generated/locales/kn.js'),
  bn: () => import('../../generated/locales/bn.js'),
  es: () => import('../../generated/locales/es.js'),
  pt: () => import('../../generated/locales/pt.js'),
};

const { getLocale, setLocale } = configureLocalization({
  sourceLocale: SOURCE_LOCALE,
  targetLocales: Object.keys(LOADERS) as TargetLocale[],
  loadLocale: (locale) => LOADERS[locale as TargetLocale](),
});

// `<html lang>` follows the words, not the wish: it changes once a language's
// module is there, in the same turn as the elements re-render (numbers and
// dates are formatted in the page's `lang`, and screen readers read by it).
window.addEventListener(LOCALE_STATUS_EVENT, (e) => {
  if (e.detail.status === 'ready') document.documentElement.lang = e.detail.readyLocale;
});

/** The language the page shows now (the source until a picked one has loaded). */
export function pageLanguage(): LocaleCode {
  return getLocale() as LocaleCode;
}

/** Shows the page in `code`; resolves once its words are there. `remembered`: the person picked it. */
export async function showLanguage(code: LocaleCode, { remembered = false } = {}): Promise<void> {
  if (remembered) rememberLocale(code);
  await setLocale(code);
  document.documentElement.lang = code;
}

/** The first language of a visit: the remembered one, else the browser's. */
export function showChosenLanguage(): Promise<void> {
  return showLanguage(chosenLocale(navigator.languages));
}
