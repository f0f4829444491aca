import { html } from 'lit';
import { CHECK_HASH, hashForHelp } from '../page-url.js';
import type { Problem } from '../session/problems.js';

/** The links under every error box: the guide's section about it, and the connection check. */
export function problemLinks(problem: Problem) {
  return html`<p class="problem-links">
    <a class="help-link" href=${hashForHelp(problem.code)}>What can I do?</a>
    · <a class="check-link" href=${CHECK_HASH}>Test my connection</a>
  </p>`;
}
