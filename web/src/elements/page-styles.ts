import { css } from 'lit';

/**
 * Parley's colours and type scale as custom properties, set once on the
 * shell's host: custom properties inherit through shadow roots, so every
 * element reads the same ones. Light and dark follow the system setting
 * (`prefers-color-scheme`); every text colour is chosen for WCAG AA (4.5:1)
 * on the surface it sits on. web/public/pages.css holds the same values for
 * the static pages (rules, privacy, terms), which load no script.
 */
export const themeStyles = css`
  :host {
    color-scheme: light dark;
    --parley-bg: #f6f6f8;
    --parley-surface: #ffffff;
    --parley-surface-2: #eef1f6;
    --parley-text: #1d1d1f;
    --parley-muted: #4f4f55;
    --parley-border: #8a8a90;
    --parley-line: #d6d6dc;
    --parley-accent: #0b57d0;
    --parley-on-accent: #ffffff;
    --parley-link: #0b57d0;
    --parley-danger: #b3261e;
    --parley-ok: #1e7e34;
    --parley-warn: #8a4b00;
    --parley-ok-bg: #e6f4ea;
    --parley-warn-bg: #fef7e0;
    --parley-error-bg: #fce8e6;
    --parley-mine-bg: #dbe7fd;
    --parley-focus: #0b57d0;
    /* A type scale of ratio 1.2 around the browser's 1rem. */
    --parley-text-s: 0.833rem;
    --parley-text-m: 1rem;
    --parley-text-l: 1.2rem;
    --parley-text-xl: 1.44rem;
    --parley-text-xxl: 1.728rem;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --parley-bg: #121316;
      --parley-surface: #1d1f24;
      --parley-surface-2: #2a2d34;
      --parley-text: #ececf1;
      --parley-muted: #b4b4bd;
      --parley-border: #7c7c86;
      --parley-line: #3a3d45;
      --parley-accent: #8ab4f8;
      --parley-on-accent: #0b1b36;
      --parley-link: #8ab4f8;
      --parley-danger: #ff8a80;
      --parley-ok: #81c995;
      --parley-warn: #fdd663;
      --parley-ok-bg: #17301f;
      --parley-warn-bg: #332a0f;
      --parley-error-bg: #3b1a18;
      --parley-mine-bg: #1f3357;
      --parley-focus: #8ab4f8;
    }
  }
`;

/**
 * Whether the text chat fits beside the video (open from the start there);
 * elsewhere (a phone, or a window under 30rem high such as a phone held
 * sideways) it opens over the video's lower part when asked for.
 * The CSS side of the same rule: `@media (max-width: 40rem), (max-height: 30rem)`.
 */
export function chatFitsBeside(): boolean {
  return globalThis.matchMedia?.('(min-width: 40.01rem) and (min-height: 30.01rem)').matches ?? true;
}

/**
 * Touch targets of at least 44 px (issue 23; WCAG 2.5.5's size): buttons,
 * pickers, a checkbox with its label (the label takes the tap too), and
 * links that stand alone as actions (class "action"; links inside a
 * sentence keep the sentence's line). Also in elements that do not take
 * sharedStyles, where a control lives in a shadow root of its own.
 */
export const touchTargets = css`
  button,
  select {
    min-height: 2.75rem;
    min-width: 2.75rem;
  }
  select {
    font: inherit;
    padding: 0 0.5rem;
    border-radius: 0.5rem;
    border: 1px solid var(--parley-border);
    background: var(--parley-surface);
    color: var(--parley-text);
  }
  input:not([type='checkbox']):not([type='radio']) {
    box-sizing: border-box;
    min-height: 2.75rem;
  }
  label:has(> input[type='checkbox']) {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 2.75rem;
    cursor: pointer;
  }
  input[type='checkbox'] {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--parley-accent);
  }
  a.action {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 2.75rem;
    min-width: 2.75rem;
  }
`;

/**
 * What the pages' buttons and error boxes look like, shared so that random
 * chat, private calls and the check look like one product.
 */
export const sharedStyles = css`
  ${touchTargets}
  button {
    font: inherit;
    padding: 0.6rem 1.4rem;
    border-radius: 0.5rem;
    border: 1px solid var(--parley-border);
    background: var(--parley-surface);
    color: var(--parley-text);
    cursor: pointer;
  }
  button.primary {
    background: var(--parley-accent);
    border-color: var(--parley-accent);
    color: var(--parley-on-accent);
  }
  /* A link that looks like the buttons beside it (Back on the check and the guide). */
  a.button {
    box-sizing: border-box;
    padding: 0.6rem 1.4rem;
    border-radius: 0.5rem;
    border: 1px solid var(--parley-border);
    background: var(--parley-surface);
    color: inherit;
    text-decoration: none;
  }
  /* A ring people see, on every control reached by keyboard. */
  button:focus-visible,
  a:focus-visible,
  select:focus-visible,
  input:focus-visible,
  textarea:focus-visible {
    outline: 3px solid var(--parley-focus);
    outline-offset: 2px;
  }
  /* Read by screen readers, not shown (a sentence the page shows elsewhere, or an announcement). */
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .problem {
    border: 1px solid var(--parley-danger);
    background: var(--parley-error-bg);
    border-radius: 0.5rem;
    padding: 0.5rem 1rem;
  }
  .problem p {
    margin: 0.25rem 0;
  }
  /* "Tap to unmute", over the top of the video stage (which is position: relative). */
  button.unmute {
    position: absolute;
    top: 0.75rem;
    left: 50%;
    transform: translateX(-50%);
    z-index: 1;
    background: #fff;
    color: #1d1d1f;
    box-shadow: 0 0.1rem 0.5rem #0006;
  }
`;

/**
 * A page's column under the header: its parts stacked, the page taking what
 * the header leaves, so that whatever grows inside (a video, a list) takes
 * what the rest leaves. For `main`, and for `:host` on pages that are the
 * column themselves.
 */
export const pageColumn = css`
  display: flex;
  flex-direction: column;
  gap: 0.5rem;
  flex: 1 1 auto;
  min-height: 0;
`;

/**
 * The header row every page starts with: the name on the left, the page's
 * own controls beside it, wrapping under it on a phone.
 */
export const headerStyles = css`
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.5rem;
  }
  header .nav {
    display: flex;
    /* On a phone the choices beside the brand go to a second line rather than off the screen. */
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  h1 {
    margin: 0;
    font-size: var(--parley-text-xl);
    display: flex;
    align-items: center;
    gap: 0.4rem;
  }
  h1 svg {
    flex: none;
  }
`;

/**
 * The "Camera and microphone" dialog of both pages (random chat, call by
 * link): modal, at most the viewport's height, scrolling inside itself with
 * Close kept in sight (a phone held sideways has under 400 px).
 */
export const devicesDialogStyles = css`
  #devices-dialog {
    background: var(--parley-surface);
    color: var(--parley-text);
    border: 1px solid var(--parley-border);
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
    width: min(32rem, calc(100vw - 2rem));
    max-height: calc(100dvh - 2rem);
    box-sizing: border-box;
    overflow: auto;
  }
  #devices-dialog::backdrop {
    background: rgb(0 0 0 / 45%);
  }
  #devices-dialog h2 {
    margin: 0 0 0.5rem;
    font-size: 1.125rem;
  }
  #devices-dialog .dialog-actions {
    position: sticky;
    bottom: -0.75rem;
    margin: 0.5rem -1rem -0.75rem;
    padding: 0.5rem 1rem 0.75rem;
    background: var(--parley-surface);
  }
`;
