import { svg } from 'lit';

/**
 * A crossed-out microphone: a member is muted. Drawn inline (the page's
 * Content-Security-Policy allows no inline styles, which an SVG element is
 * not) and hidden from screen readers: its label says it in words.
 */
export const MIC_OFF = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M3 3l18 18"/></svg>`;

/**
 * Parley's mark: two speech bubbles, one answering the other. The same
 * drawing as web/public/favicon.svg; decorative beside the name, which says it.
 */
export const LOGO = svg`<svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true"><path fill="#2f6fe4" d="M7 3h12a5 5 0 0 1 5 5v6a5 5 0 0 1-5 5h-8l-5 4v-4.2A5 5 0 0 1 2 14V8a5 5 0 0 1 5-5z"/><path fill="#f29d38" d="M25 11a5 5 0 0 1 5 5v5a5 5 0 0 1-4 4.9V30l-5-4h-7a5 5 0 0 1-5-5v-1h9a7 7 0 0 0 7-7v-2z"/></svg>`;
