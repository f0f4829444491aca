import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ExtraHelpTopic, HELP_TOPICS, type HelpTopic } from '../flows/help-topic.js';
import { CHECK_HASH, hashForHelp } from '../page-url.js';
import { LABELS } from './messages.js';
import { pageColumn, sharedStyles } from './page-styles.js';

export interface GuideSection {
  readonly title: string;
  /** What it means, in a sentence or two. */
  readonly means: string;
  /** What to do, most likely fix first. */
  readonly todo: readonly string[];
}

/**
 * The guide's text, one section per topic: every ProblemCode an error box
 * can show (the Record makes a new code without a section a type error), and
 * the problems people meet without an error (no sound, strict networks, VPNs,
 * old browsers). Its long prose lives here, beside the one element that
 * shows it (and loads only with it); the page's other words are in
 * messages.ts. Each section is a function called at render time, so that
 * its `msg` calls answer in the page's present language.
 */
export const GUIDE: Readonly<Record<HelpTopic, () => GuideSection>> = {
  'camera-denied': () => ({
    title: msg('Camera or microphone blocked'),
    means: msg('Parley asked to use your camera and microphone, and the browser (or you) said no. Parley needs both for a call.'),
    todo: [
      msg(
        'Click the camera icon (or the padlock) in the address bar, allow the camera and microphone for this site, and reload the page.',
      ),
      msg('On a phone: open the settings for your browser app and turn on Camera and Microphone.'),
      msg(
        'On a Mac: System Settings → Privacy & Security → Camera (and Microphone): turn on your browser. On Windows: Settings → Privacy → Camera (and Microphone).',
      ),
    ],
  }),
  'no-camera': () => ({
    title: msg('No camera or microphone found'),
    means: msg('Your browser could not find a camera or a microphone. Parley needs both for a call.'),
    todo: [
      msg(
        'Plug in a webcam or a headset, or check that the built-in one is switched on (some laptops have a key or a sliding cover for it).',
      ),
      msg('If you have several, choose the right one in the browser’s site settings (the icon in the address bar).'),
      msg('Then press Check again on the test page.'),
    ],
  }),
  'camera-busy': () => ({
    title: msg('Camera or microphone busy'),
    means: msg('The camera or microphone is there, but it could not be started, usually because another app is using it.'),
    todo: [
      msg('Close other apps and tabs that use the camera: video calls, recorders, other Parley tabs.'),
      msg('Unplug and plug back an external camera.'),
      msg('If nothing else helps, restart the browser or the computer.'),
    ],
  }),
  'insecure-context': () => ({
    title: msg('This page may not use the camera'),
    means: msg('Browsers let only secure pages (https) use the camera.'),
    todo: [
      msg('Open Parley at its https:// address.'),
      msg('When running Parley yourself, open it at http://localhost or http://127.0.0.1.'),
    ],
  }),
  'media-unknown': () => ({
    title: msg('The camera would not start'),
    means: msg('The browser gave an error Parley does not recognise while starting the camera.'),
    todo: [
      msg('Reload the page and try again.'),
      msg('Update your browser, or try another one.'),
      msg('Restart the computer or phone.'),
    ],
  }),
  'backend-unreachable': () => ({
    title: msg('Parley’s servers cannot be reached'),
    means: msg('Your device could not talk to Parley’s servers, so no call can be set up.'),
    todo: [
      msg('Check your internet connection.'),
      msg(
        'Some work or school networks, and some ad blockers, block the services Parley runs on: try mobile data, or pause the blocker for this site.',
      ),
    ],
  }),
  rejected: () => ({
    title: msg('Parley refused the request'),
    means: msg('Parley’s servers answered, but would not do what was asked, for example because the call has just ended.'),
    todo: [msg('Wait a moment and try again.'), msg('Reload the page: it signs you in afresh.')],
  }),
  'rate-limited': () => ({
    title: msg('Too many tries in a short time'),
    means: msg('To keep Parley fair for everyone, each person can start only so many calls a minute.'),
    todo: [msg('Wait a minute, then try again.')],
  }),
  banned: () => ({
    title: msg('You are suspended for now'),
    means: msg('Several people reported you, so Parley does not pair you with anyone for a while.'),
    todo: [
      msg('The suspension ends on its own; the message says when.'),
      msg('Be kind to the people you meet: reports are how Parley keeps people safe.'),
    ],
  }),
  'connection-failed': () => ({
    title: msg('Could not connect to the other person'),
    means: msg(
      'Parley found someone, but no path for the video could be set up between you: a strict network on one side blocks it.',
    ),
    todo: [
      msg('Test your connection: it says whether your network lets calls through.'),
      msg('Try someone else: the problem may be on their side.'),
      msg('Try another network, for example your phone’s mobile data.'),
    ],
  }),
  'relay-unreachable': () => ({
    title: msg('Hide my IP is on, and the relay cannot be reached'),
    means: msg(
      'With Hide my IP on, the video goes through Parley’s relay only, so that the other person never learns your IP address. Your device could not reach the relay, so no call can connect.',
    ),
    todo: [
      msg('Test your connection: it says whether the relay can be reached, and how.'),
      msg('Try another network, for example your phone’s mobile data: some networks block the relay.'),
      msg('Turn Hide my IP off to connect directly (the other person may then see your IP address).'),
    ],
  }),
  'connection-lost': () => ({
    title: msg('The call dropped'),
    means: msg(
      'The call was connected, then the connection broke and did not come back: a network that went away, on your side or theirs.',
    ),
    todo: [
      msg('Check your Wi-Fi or mobile data; moving closer to the router helps.'),
      msg('If it happens often, test your connection.'),
    ],
  }),
  [ExtraHelpTopic.noAudio]: () => ({
    title: msg('No sound'),
    means: msg('The other person cannot hear you, or you cannot hear them, although the call is connected.'),
    todo: [
      msg('On the test page, speak: if the microphone bar does not move, your microphone is muted or not the one in use.'),
      msg('Check mute switches: on the headset, the keyboard, and in the system’s sound settings.'),
      msg('Choose the right microphone in the browser’s site settings (the icon in the address bar).'),
      msg('If you hear nothing: check the volume and which speaker or headphones the system uses.'),
    ],
  }),
  [ExtraHelpTopic.strictFirewall]: () => ({
    title: msg('A strict firewall or network'),
    means: msg(
      'Some networks (offices, schools, hotels, some mobile carriers) block the direct connections video calls use. Parley then sends the video through its relay, which works but can add a little delay. If the relay cannot be reached either, calls fail.',
    ),
    todo: [
      msg('Test your connection: it says which connections your network allows.'),
      msg('Try another network, for example your phone’s mobile data or home Wi-Fi.'),
      msg('On a network you manage: allow outgoing UDP, or at least TCP port 443 to the relay.'),
    ],
  }),
  [ExtraHelpTopic.vpn]: () => ({
    title: msg('A VPN or privacy tool'),
    means: msg(
      'A VPN sends everything through a faraway server, which can slow calls down or block them. Some privacy extensions and browser settings turn off WebRTC, the part of the browser that makes calls.',
    ),
    todo: [
      msg('Pause the VPN, or let the browser bypass it, and test your connection again.'),
      msg('Turn off “WebRTC protection” or “prevent WebRTC leaks” in extensions and browser settings for this site.'),
    ],
  }),
  [ExtraHelpTopic.oldBrowser]: () => ({
    title: msg('An old or unsupported browser'),
    means: msg(
      'Parley needs a browser that can make video calls (WebRTC). Old browsers, and some browsers inside other apps, cannot.',
    ),
    todo: [
      msg('Use a current Chrome, Edge, Firefox or Safari, and keep it updated.'),
      msg('If you opened the link inside another app (a chat or social app), open it in your real browser instead.'),
    ],
  }),
};

/**
 * The help guide: a section per problem a person can meet, each saying what
 * it means and what to do. `#/help/<topic>` opens it at that section.
 */
@customElement('parley-guide')
@localized()
export class ParleyGuide extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* The guide may scroll; the header and Back stay put. */
      :host,
      main {
        ${pageColumn}
      }
      .top {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
      }
      .sections {
        flex: 1 1 auto;
        min-height: 0;
        overflow-y: auto;
        display: grid;
        gap: 0.6rem;
        align-content: start;
        padding-right: 0.25rem;
      }
      section {
        border: 1px solid var(--parley-line);
        border-radius: 0.5rem;
        padding: 0.5rem 1rem;
        background: var(--parley-surface);
        scroll-margin-top: 0.5rem;
      }
      section.current {
        border-color: var(--parley-accent);
        box-shadow: 0 0 0 2px #0b57d033;
      }
      h3 {
        margin: 0;
        font-size: 1.05rem;
      }
      /* Each title is its section's own address (to share or bookmark): a
         target of 44 px (issue 23), not a sentence's line. */
      h3 a {
        display: flex;
        align-items: center;
        min-height: 2.75rem;
      }
      p,
      ul {
        margin: 0.3rem 0;
      }
      ul {
        padding-left: 1.2rem;
      }
      nav {
        display: flex;
        gap: 0.75rem;
        align-items: center;
      }
      a {
        color: var(--parley-link);
      }
    `,
  ];

  /** The section the address names, shown first in view and marked; '' for none. */
  @property() topic: HelpTopic | '' = '';

  /** Where Back goes: the page the person came from. */
  @property({ attribute: 'back-href' }) backHref = '#/';

  override render() {
    return html`
      <!-- The page's one main landmark (the shell's header is the banner). -->
      <main>
        <div class="top">
          <h2>${LABELS.helpWithProblems()}</h2>
          <nav>
            <a id="check" class="action" href=${CHECK_HASH}>${LABELS.testConnection()}</a>
            <a id="back" class="button action" href=${this.backHref}>${LABELS.back()}</a>
          </nav>
        </div>
        <div class="sections">
          ${HELP_TOPICS.map((topic) => {
            const s = GUIDE[topic]();
            return html`<section id=${topic} class=${topic === this.topic ? 'current' : ''} aria-labelledby="${topic}-title">
              <h3 id="${topic}-title"><a href=${hashForHelp(topic)}>${s.title}</a></h3>
              <p>${s.means}</p>
              ${
                s.todo.length
                  ? html`<ul>
                      ${s.todo.map((t) => html`<li>${t}</li>`)}
                    </ul>`
                  : nothing
              }
            </section>`;
          })}
        </div>
      </main>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The shadow root hides sections from the browser's own #fragment scrolling.
    if (changed.has('topic') && this.topic) {
      this.renderRoot.querySelector(`#${this.topic}`)?.scrollIntoView({ block: 'start' });
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-guide': ParleyGuide;
  }
}
