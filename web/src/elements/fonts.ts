/**
 * The Indic scripts' web fonts (built into assets/fonts.css by
 * web/rollup.config.mjs, each face limited to its script by unicode-range).
 * Linked by script, which the browser does not wait for before it paints
 * (unlike a `<link>` in the HTML): a Latin page paints without it and never
 * fetches a font; a page that draws a room's or a language's name in an
 * Indic script fetches that script's font alone.
 */

/** The families of those faces, for the page's font stack: after the system's own font, before the generic fallback. */
export const INDIC_FONT_FAMILIES = [
  'Noto Sans Devanagari',
  'Noto Sans Tamil',
  'Noto Sans Telugu',
  'Noto Sans Malayalam',
  'Noto Sans Kannada',
  'Noto Sans Bengali',
] as const;

/** Links the fonts' stylesheet once; `href`: where the build put it. */
export function linkIndicFonts(href = '/assets/fonts.css'): void {
  if (document.querySelector(`link[data-parley-fonts]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset['parleyFonts'] = '';
  document.head.append(link);
}
