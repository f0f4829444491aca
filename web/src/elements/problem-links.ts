import { html, nothing } from 'lit';
import { CHECK_HASH, hashForHelp } from '../page-url.js';
import type { Problem } from '../flows/problems.js';
import { LABELS, problemWords, type ProblemPlace } from './messages.js';

/** The links under every error box: the guide's section about it, and the connection check. */
function problemLinks(problem: Problem) {
  return html`<p class="problem-links">
    <a class="help-link" href=${hashForHelp(problem.code)}>${LABELS.whatCanIDo()}</a>
    · <a class="check-link" href=${CHECK_HASH}>${LABELS.testConnection()}</a>
  </p>`;
}

/** An error as every page shows it: what happened, what to try, and where to read more. */
export function problemBox(problem: Problem, place: ProblemPlace, { saysWhat = true }: { readonly saysWhat?: boolean } = {}) {
  const words = problemWords(problem, place);
  // `saysWhat: false`: the page's status already says what went wrong (and is announced); the box says what to do.
  return html`<div class="problem" role="alert">
    ${saysWhat ? html`<p><strong>${words.message}</strong></p>` : nothing}
    <p>${words.hint}</p>
    ${problemLinks(problem)}
  </div>`;
}
