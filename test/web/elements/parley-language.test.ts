/**
 * Languages in Chromium: the random page's idle state in every language
 * (the words the XLIFF file holds, `<html lang>`, a screenshot of each in
 * .cache/screenshots/lang-<code>.png), the picker (re-renders, remembers,
 * moves a room nobody chose), and the Indic scripts drawn with the fonts the
 * site serves (this machine's Chromium has none of its own).
 *
 * The first visit's choice from navigator.languages is chosenLocale's, a
 * pure function of the list (test/unit/web/locale.test.ts): Chromium's
 * languages cannot be changed per test, the remembered choice can.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { ROOMS, type RoomId } from '@parley/functions/protocol';
import { INDIC_FONT_FAMILIES, linkIndicFonts } from '../../../web/src/elements/fonts.js';
import { pageLanguage, showChosenLanguage, showLanguage } from '../../../web/src/elements/localization.js';
import { ParleyApp } from '../../../web/src/elements/parley-app.js';
import type { ParleyLanguage } from '../../../web/src/elements/parley-language.js';
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { LANG_STORAGE_KEY, LOCALES, type LocaleCode } from '../../../web/src/locale.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

const IDLE = 'Pick a room and press Start.';

/** The face that draws each room's own name, by its script. */
const SCRIPT_OF_ROOM: Readonly<Partial<Record<RoomId, (typeof INDIC_FONT_FAMILIES)[number]>>> = {
  hi: 'Noto Sans Devanagari',
  in: 'Noto Sans Devanagari',
  ta: 'Noto Sans Tamil',
  te: 'Noto Sans Telugu',
  ml: 'Noto Sans Malayalam',
  kn: 'Noto Sans Kannada',
  bn: 'Noto Sans Bengali',
};

/** The translation of `source` in web/xliff/<code>.xlf, as lit-localize builds it (placeholders aside). */
async function translated(code: LocaleCode, source: string): Promise<string> {
  if (code === 'en') return source;
  const xliff = new DOMParser().parseFromString(await (await fetch(`/web/xliff/${code}.xlf`)).text(), 'application/xml');
  const unit = [...xliff.querySelectorAll('trans-unit')].find((u) => u.querySelector('source')?.textContent === source);
  const target = unit?.querySelector('target')?.textContent;
  assert(target, `${code}.xlf translates "${source}"`);
  return target;
}

describe('languages', () => {
  let rig: Rig;
  let elements: ParleyApp[] = [];

  beforeEach(() => {
    rig = new Rig();
    forgetChoices();
  });

  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
    forgetChoices();
    await showLanguage('en');
  });

  function forgetChoices(): void {
    for (const key of ['parley.room', 'parley.widen', LANG_STORAGE_KEY]) localStorage.removeItem(key);
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function mount(): Promise<{ app: ParleyApp; page: ParleyRandom }> {
    const app = new ParleyApp(rig.deps());
    elements.push(app);
    document.body.append(app);
    await app.updateComplete;
    const page = app.shadowRoot!.querySelector<ParleyRandom>('parley-random');
    assert(page, 'the random chat page is shown');
    rig.track(page.flow);
    await page.updateComplete;
    return { app, page };
  }

  const status = (page: ParleyRandom) => page.shadowRoot!.querySelector('#status')?.textContent?.trim() ?? '';

  for (const { code, name } of LOCALES) {
    it(`shows the idle page in ${name} (${code})`, async function () {
      this.timeout(20000);
      const expected = await translated(code, IDLE);
      if (code !== 'en') assert(expected !== IDLE, `${code} has its own words for the idle state`);
      localStorage.setItem(LANG_STORAGE_KEY, code);
      await showChosenLanguage();
      linkIndicFonts('/web/dist/assets/fonts.css');
      const { page } = await mount();
      assertEqual(document.documentElement.lang, code, '<html lang>');
      await waitUntil(() => status(page) === expected, 5000, `the idle state in ${code}`);
      const picker = page.shadowRoot!.querySelector('parley-language')!;
      await picker.updateComplete;
      assertEqual(picker.shadowRoot!.querySelector('select')!.value, code, 'the picker shows the language');
      // The language's room (English keeps Anyone) when the person chose none.
      assertEqual(page.room, code === 'en' ? 'any' : code, "the language's room");
      await document.fonts.ready;
      await executeServerCommand('parley-screenshot', { name: `lang-${code}` });
    });
  }

  it('re-renders in the picked language, remembers it, and moves a room nobody chose', async function () {
    this.timeout(20000);
    const { page } = await mount();
    assertEqual(status(page), IDLE, 'English first');
    const picker = page.shadowRoot!.querySelector<ParleyLanguage>('parley-language')!;
    const select = picker.shadowRoot!.querySelector('select')!;
    const names = [...select.options].map((o) => o.textContent);
    assertEqual(names.join(','), LOCALES.map((l) => l.name).join(','), 'each language in its own script');
    const spanish = await translated('es', IDLE);
    select.value = 'es';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => status(page) === spanish, 5000, 'the idle state in Spanish');
    assertEqual(document.documentElement.lang, 'es', '<html lang>');
    assertEqual(pageLanguage(), 'es', 'the page language');
    assertEqual(localStorage.getItem(LANG_STORAGE_KEY), 'es', 'remembered');
    assertEqual(page.room, 'es', 'the room follows the language');
  });

  it('keeps a room the person picked when the language changes', async function () {
    this.timeout(20000);
    const { page } = await mount();
    const room = page.shadowRoot!.querySelector<HTMLSelectElement>('#room')!;
    room.value = 'kn';
    room.dispatchEvent(new Event('change'));
    const select = page.shadowRoot!.querySelector('parley-language')!.shadowRoot!.querySelector('select')!;
    select.value = 'hi';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => document.documentElement.lang === 'hi', 5000, 'Hindi');
    assertEqual(page.room, 'kn', 'the picked room stays');
  });

  it('draws the Indic room names with the fonts the site serves, each face limited to its script', async function () {
    this.timeout(20000);
    linkIndicFonts('/web/dist/assets/fonts.css');
    const { app } = await mount();
    await waitUntil(() => [...document.fonts].some((f) => f.family.includes('Noto Sans Tamil')), 5000, "the fonts' stylesheet");
    const probe = document.createElement('p');
    // The page's own font stack (parley-app's host), so what the page would draw.
    probe.style.fontFamily = getComputedStyle(app).fontFamily;
    probe.style.fontSize = '32px';
    probe.textContent = ROOMS.map((r) => r.nativeName).join(' ');
    document.body.append(probe);
    try {
      for (const family of INDIC_FONT_FAMILIES) {
        await waitUntil(
          () => [...document.fonts].some((f) => f.family.replace(/"/g, '') === family && f.status === 'loaded'),
          10000,
          `${family} fetched and loaded for the text drawn`,
        );
      }
      // Each face was fetched from the site (not a font of this machine's,
      // which a visitor's device may lack), and only its script's characters
      // would fetch it.
      const fetched = performance.getEntriesByType('resource').map((e) => e.name);
      for (const face of [...document.fonts].filter((f) => INDIC_FONT_FAMILIES.some((n) => f.family.includes(n)))) {
        assert(face.unicodeRange !== 'U+0-10FFFF', `${face.family} is limited by unicode-range`);
      }
      for (const family of INDIC_FONT_FAMILIES) {
        const file = `/web/dist/assets/fonts/${family.toLowerCase().replace(/ /g, '-')}-`;
        assert(
          fetched.some((url) => url.includes(file)),
          `${family} fetched from the site`,
        );
      }
      // Drawn with them: each script's word is as wide in the page's font
      // stack as in the served face (a box is not).
      const ctx = document.createElement('canvas').getContext('2d')!;
      const width = (font: string, text: string) => {
        ctx.font = font;
        return ctx.measureText(text).width;
      };
      for (const room of ROOMS.filter((r) => /[\u0900-\u0DFF]/.test(r.nativeName))) {
        const text = room.nativeName.replace(/[ ·A-Za-z]/g, '');
        const family = SCRIPT_OF_ROOM[room.id];
        assert(family, `${room.id}'s script has a served face`);
        const served = width(`32px ${getComputedStyle(app).fontFamily}`, text);
        assertEqual(Math.round(served), Math.round(width(`32px "${family}"`, text)), `${room.id} drawn in ${family}`);
      }
      await executeServerCommand('parley-screenshot', { name: 'lang-indic-rooms' });
    } finally {
      probe.remove();
    }
  });
});
