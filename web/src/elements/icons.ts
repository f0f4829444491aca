import { svg } from 'lit';

/**
 * A crossed-out microphone: a member is muted. Drawn inline (the page's
 * Content-Security-Policy allows no inline styles, which an SVG element is
 * not) and hidden from screen readers: its label says it in words.
 */
export const MIC_OFF = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M3 3l18 18"/></svg>`;
