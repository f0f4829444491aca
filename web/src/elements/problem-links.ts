import { css, html } from 'lit';
import { CHECK_HASH, hashForHelp } from '../page-url.js';
import type { Problem } from '../flows/problems.js';

/** The links under every error box: the guide's section about it, and the connection check. */
export function problemLinks(problem: Problem) {
  return html`<p class="problem-links">
    <a class="help-link" href=${hashForHelp(problem.code)}>What can I do?</a>
    · <a class="check-link" href=${CHECK_HASH}>Test my connection</a>
  </p>`;
}

/** An error as every page shows it: what happened, what to try, and where to read more. */
export function problemBox(problem: Problem) {
  return html`<div class="problem" role="alert">
    <p><strong>${problem.message}</strong></p>
    <p>${problem.hint}</p>
    ${problemLinks(problem)}
  </div>`;
}

/**
 * What the pages' buttons and error boxes look like, shared so that random
 * chat, private calls and the check look like one product.
 */
export const sharedStyles = css`
  button {
    font: inherit;
    padding: 0.6rem 1.4rem;
    border-radius: 0.5rem;
    border: 1px solid #888;
    background: #fff;
    cursor: pointer;
  }
  button.primary {
    background: #0b57d0;
    border-color: #0b57d0;
    color: #fff;
  }
  .problem {
    border: 1px solid #d93025;
    background: #fce8e6;
    border-radius: 0.5rem;
    padding: 0.5rem 1rem;
  }
  .problem p {
    margin: 0.25rem 0;
  }
`;
