/**
 * The elements a page shows only during a call (the chat panel, the in-call
 * buttons), loaded together when a page first has a call: the page before a
 * call does not carry them.
 */
import './parley-call-controls.js';
import './parley-chat.js';
