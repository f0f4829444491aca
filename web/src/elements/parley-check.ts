import { localized } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import type { ConnectionCheckDeps } from '../flows/connection-check.js';
import { findings } from '../flows/check-findings.js';
import { ExtraHelpTopic } from '../flows/help-topic.js';
import { hashForHelp } from '../page-url.js';
import { CheckController } from './check-controller.js';
import { CHECK_LABELS, FINDING_LABELS, findingValueText, verdictWords } from './check-messages.js';
import { LABELS } from './messages.js';
import { pageColumn, sharedStyles } from './page-styles.js';

/**
 * "Test my connection": the camera's preview, a microphone level meter, what
 * the check found (host, public and relay addresses, UDP, the relay's round
 * trip) and the verdict in plain words (messages.ts). Renders the
 * ConnectionCheck's state; the check itself is there.
 */
@customElement('parley-check')
@localized()
export class ParleyCheck extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* One screen on a 1280×800 laptop and a 390×844 phone: the preview takes
       what the list, the verdict and the buttons leave. */
      :host,
      main {
        ${pageColumn}
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
      }
      /* A phone stacks the preview over the results, and the preview gives up
       height first; a laptop puts them side by side. */
      .body {
        flex: 1 1 auto;
        min-height: 0;
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      @media (min-width: 48rem) {
        .body {
          display: grid;
          grid-template-columns: minmax(0, 1fr) minmax(18rem, 24rem);
          grid-template-rows: minmax(0, 1fr);
          align-items: start;
        }
      }
      /* A phone held sideways: a wider column for the results, so that the
         verdict takes fewer lines and the buttons one row. */
      @media (min-width: 48rem) and (max-height: 30rem) {
        .body {
          grid-template-columns: minmax(0, 2fr) minmax(18rem, 3fr);
        }
      }
      .media {
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
        /* Gives up height long before the results do (a phone's column). */
        flex: 0 1000 auto;
        min-height: 8rem;
        max-height: 100%;
      }
      .preview {
        position: relative;
        flex: 0 1 auto;
        aspect-ratio: 4 / 3;
        min-height: 0;
        background: #111;
        border-radius: 0.75rem;
        overflow: hidden;
        display: grid;
        place-items: center;
        color: #fff;
      }
      video {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        object-fit: cover;
        transform: scaleX(-1); /* a mirror, as people expect to see themselves */
      }
      .meter {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.9rem;
      }
      .track {
        flex: 1 1 auto;
        height: 0.6rem;
        border-radius: 0.3rem;
        background: var(--parley-line);
        overflow: hidden;
      }
      .bar {
        height: 100%;
        width: 100%;
        background: #1e8e3e;
        transform: scaleX(0); /* silent until the first reading (updated() sets it) */
        transform-origin: left;
        transition: transform 60ms linear;
      }
      .meter-hint {
        margin: 0;
        font-size: 0.85rem;
        color: var(--parley-muted);
        min-height: 1.2em;
      }
      /* The verdict and the buttons stay in sight; where the screen is short,
         the list of findings above them gives up height and scrolls. */
      .results {
        flex: 0 1 auto;
        min-height: 0;
        max-height: 100%;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        align-content: start;
        font-size: 0.9rem;
        flex: 0 1 auto;
        min-height: 3.5rem;
        overflow-y: auto;
      }
      /* Focusable, so that a keyboard can scroll it where it scrolls. */
      #findings:focus-visible {
        outline: 3px solid var(--parley-focus);
        outline-offset: 2px;
      }
      li {
        display: flex;
        justify-content: space-between;
        gap: 0.75rem;
        padding: 0.2rem 0;
        border-bottom: 1px solid var(--parley-line);
      }
      li .value {
        font-weight: 600;
        text-align: right;
        white-space: nowrap;
      }
      li .value::before {
        display: inline-block;
        width: 1.2em;
      }
      li[data-status='ok'] .value::before {
        content: '✓';
        color: var(--parley-ok);
      }
      li[data-status='warn'] .value::before {
        content: '!';
        color: var(--parley-warn);
      }
      li[data-status='bad'] .value::before {
        content: '✗';
        color: var(--parley-danger);
      }
      li[data-status='pending'] .value,
      li[data-status='off'] .value {
        color: var(--parley-muted);
        font-weight: 400;
      }
      .verdict {
        border-radius: 0.5rem;
        padding: 0.5rem 0.9rem;
        border: 1px solid var(--parley-border);
        background: var(--parley-surface);
      }
      .verdict p {
        margin: 0.2rem 0;
      }
      .verdict.good {
        border-color: var(--parley-ok);
        background: var(--parley-ok-bg);
      }
      .verdict.warning {
        border-color: var(--parley-warn);
        background: var(--parley-warn-bg);
      }
      .verdict.bad {
        border-color: var(--parley-danger);
        background: var(--parley-error-bg);
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      button:disabled {
        opacity: 0.45;
        cursor: default;
      }
      a {
        color: var(--parley-link);
      }
    `,
  ];

  /** Where Back goes: the page the person came from. */
  @property({ attribute: 'back-href' }) backHref = '#/';

  private readonly controller: CheckController;

  constructor(deps?: ConnectionCheckDeps) {
    super();
    this.controller = new CheckController(this, deps);
  }

  /** The check behind the element (for tests and diagnostics). */
  get check() {
    return this.controller.check;
  }

  override render() {
    const check = this.controller.check;
    const state = check.state;
    const stream = check.localStream;
    const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0;
    const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
    const level = Math.round(check.level * 100);
    // Set once per stream: the meter re-renders the element 20 times a second,
    // and setting srcObject again, even to the same stream, restarts the video.
    const source = guard([stream], () => stream);
    return html`
      <!-- The page's one main landmark (the shell's header is the banner). -->
      <main>
        <h2>${LABELS.testConnection()}</h2>
        <div class="body">
          <div class="media">
            <div class="preview">
              ${
                hasVideo
                  ? html`<video id="preview" autoplay playsinline muted .srcObject=${source}></video>`
                  : html`<p>${state.status === 'checking' ? CHECK_LABELS.startingCamera() : CHECK_LABELS.noCameraPicture()}</p>`
              }
            </div>
            <div class="meter">
              <span id="meter-label">${CHECK_LABELS.microphone()}</span>
              <div
                class="track"
                id="meter"
                role="meter"
                aria-labelledby="meter-label"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=${level}
                data-active=${hasAudio}
              >
                <div class="bar"></div>
              </div>
            </div>
            <p class="meter-hint">
              ${
                hasAudio
                  ? html`${CHECK_LABELS.saySomething()}
                      <a href=${hashForHelp(ExtraHelpTopic.noAudio)}>${CHECK_LABELS.itDoesNot()}</a>`
                  : nothing
              }
            </p>
          </div>
          <div class="results">
            <ul id="findings" tabindex="0" aria-label=${CHECK_LABELS.whatTheCheckFound()}>
              ${findings(state).map(
                (f) =>
                  html`<li data-id=${f.id} data-status=${f.status}>
                    <span class="label">${FINDING_LABELS[f.id]()}</span><span class="value">${findingValueText(f.value)}</span>
                  </li>`,
              )}
            </ul>
            ${this.renderVerdict()}
            <div class="controls">
              <button id="again" class="primary" ?disabled=${state.status === 'checking'} @click=${this._onAgain}>
                ${CHECK_LABELS.checkAgain()}
              </button>
              <a id="back" class="button action" href=${this.backHref}>${LABELS.back()}</a>
              <a id="help" class="action" href=${hashForHelp()}>${LABELS.helpWithProblems()}</a>
            </div>
          </div>
        </div>
      </main>
    `;
  }

  override updated(): void {
    // Through the CSSOM, not a style attribute: the site's Content-Security-Policy refuses inline styles.
    const bar = this.renderRoot.querySelector<HTMLElement>('.bar');
    if (bar) bar.style.transform = `scaleX(${this.controller.check.level})`;
  }

  private renderVerdict() {
    const state = this.controller.check.state;
    if (state.status !== 'done' && state.status !== 'failed') {
      return html`<div id="verdict" class="verdict" role="status" aria-live="polite" data-status=${state.status}>
        <p>${state.status === 'checking' ? CHECK_LABELS.checking() : ''}</p>
      </div>`;
    }
    const v = state.verdict;
    const words = verdictWords(v);
    return html`<div
      id="verdict"
      class="verdict ${v.level}"
      role="status"
      aria-live="polite"
      data-status=${state.status}
      data-code=${v.code}
    >
      <p><strong>${words.message}</strong></p>
      <p>${words.hint}</p>
      ${
        v.help
          ? html`<p>
              <a id="verdict-help" href=${hashForHelp(v.help)}
                >${v.level === 'good' ? CHECK_LABELS.whatDoesThisMean() : LABELS.whatCanIDo()}</a
              >
            </p>`
          : nothing
      }
    </div>`;
  }

  private readonly _onAgain = () => {
    void this.controller.check.start();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-check': ParleyCheck;
  }
}
