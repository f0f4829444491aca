/**
 * The elements a page shows only during a call (the chat panel, the in-call
 * buttons) or when asked for (the device pickers), loaded together when a
 * page first has a call or the person opens the pickers: the page before
 * that does not carry them.
 */
import './parley-call-controls.js';
import './parley-chat.js';
import './parley-link-quality.js';
import './parley-devices.js';
// The Report and Block confirmation: shown only in or after a call.
import './parley-report-dialog.js';
export { rememberedSpeaker } from './parley-devices.js';
