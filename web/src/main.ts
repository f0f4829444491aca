/**
 * Entry point: the page's language (the remembered or the browser's; its
 * words load by themselves), the app element, and the Indic scripts' fonts
 * (fetched only if drawn). Firebase loads later, on demand.
 */
import { linkIndicFonts } from './elements/fonts.js';
import { showChosenLanguage } from './elements/localization.js';
import './elements/parley-app.js';

void showChosenLanguage();
linkIndicFonts();
