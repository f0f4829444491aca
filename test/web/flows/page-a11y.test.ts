/**
 * The pages as a person sees them (random chat, a call by link, the
 * connection check and the guide), in every state and at every viewport
 * issue 23 names: axe-core (in this real Chromium) reports no violations,
 * and the stranger's video, the main action and the state's sentence are
 * inside the viewport together, without scrolling. Each state
 * is written to .cache/screenshots/page-<viewport>-<state>.png for a person
 * to look at (never compared).
 *
 * The stranger is a bare RandomChatFlow on the same in-memory backend (real
 * WebRTC, fake camera): one page is enough to look at.
 */
import { executeServerCommand, setViewport } from '@web/test-runner-commands';
import type { AxeResults, Result } from 'axe-core';
import type { LitElement } from 'lit';
import type { ParleyCall } from '../../../web/src/elements/parley-call.js';
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { AUDIO_ONLY_STORAGE_KEY, DATA_USE } from '../../../web/src/data-use.js';
import { LinkState } from '../../../web/src/engine/peer-link.js';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import { linkIndicFonts } from '../../../web/src/elements/fonts.js';
import { showLanguage } from '../../../web/src/elements/localization.js';
import { LOCALES, SOURCE_LOCALE } from '../../../web/src/locale.js';
import { ADULT_STORAGE_KEY } from '../../../web/src/settings.js';
import { assert } from '../assert.js';
import { deniedCamera, Rig, type RigOptions } from '../support/rig.js';
import { Shell } from '../support/shell.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

declare global {
  interface Window {
    axe?: { run(context: Document, options: object): Promise<AxeResults> };
  }
}

/** The members' cameras: small, to spare the CPU of a call of five in one page. */
const SMALL_CAMERA = {
  getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } }),
};

/** The viewports where every state is also shown in every language: a laptop's and a phone's. */
const IN_EVERY_LANGUAGE: ReadonlySet<string> = new Set(['laptop', 'phone']);

const OTHER_LANGUAGES = LOCALES.map((l) => l.code).filter((code) => code !== SOURCE_LOCALE);

const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'laptop-wide', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'phone-landscape', width: 844, height: 390 },
] as const;

/** axe-core's own build, loaded as the classic script it is (it defines window.axe). */
async function loadAxe(): Promise<NonNullable<Window['axe']>> {
  if (!window.axe) {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/node_modules/axe-core/axe.min.js';
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('axe-core did not load'));
      document.head.append(script);
    });
  }
  return window.axe!;
}

function describeViolation(v: Result): string {
  const where = v.nodes
    .slice(0, 3)
    .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
    .join('; ');
  return `${v.id} (${v.impact}): ${v.help} — ${where}`;
}

/** A promise the test opens when it chooses. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('the pages in every state and viewport (axe-core, layout, touch targets, screenshots)', function () {
  this.timeout(120_000);
  let rig: Rig;
  let shell: Shell;
  const style = document.createElement('style');

  before(() => {
    // As web/public/index.html: the page is the whole window.
    style.textContent = 'html, body { margin: 0; } body { background: #f6f6f8; }';
    document.head.append(style);
    document.documentElement.lang = 'en';
    document.title = 'Parley — talk to a stranger';
    // The Indic scripts in the faces the site serves, as a device without its own draws them.
    linkIndicFonts('/web/dist/assets/fonts.css');
  });

  after(async () => {
    style.remove();
    localStorage.setItem(ADULT_STORAGE_KEY, '1');
    await setViewport({ width: 800, height: 600 });
  });

  beforeEach(() => {
    rig = new Rig();
    shell = new Shell(rig);
    history.replaceState(null, '', location.pathname + location.search);
    localStorage.removeItem('parley.room');
  });

  afterEach(async () => {
    await rig.cleanup();
    shell.remove();
    localStorage.setItem(ADULT_STORAGE_KEY, '1');
    DATA_USE.set({ audioOnly: false, dataSaver: false });
    localStorage.removeItem(AUDIO_ONLY_STORAGE_KEY);
  });

  async function mount(options: RigOptions = {}): Promise<ParleyRandom> {
    await shell.mount(options);
    return shell.randomPage();
  }

  const $ = <E extends Element = HTMLElement>(page: LitElement, selector: string) => page.shadowRoot!.querySelector<E>(selector);

  /**
   * Everything the state needs a person to see at once: in the viewport, with
   * a size; and the state's sentence (`sentenceAt`: the element that holds it,
   * null for a page without one) shown once, in the viewport.
   */
  function assertVisibleTogether(page: LitElement, where: string, selectors: readonly string[], sentenceAt: string | null): void {
    const problems: string[] = [];
    for (const selector of selectors) {
      const el = $(page, selector);
      if (!el) {
        problems.push(`${selector}: not on the page`);
        continue;
      }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) problems.push(`${selector}: no size`);
      else if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)
        problems.push(
          `${selector}: outside the ${innerWidth}×${innerHeight} viewport at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`,
        );
    }
    if (sentenceAt !== null) {
      // The state's sentence: shown once (over the stage or on the status line), in the viewport.
      const sentence = $(page, sentenceAt)?.textContent?.trim() ?? '';
      // Every innermost element that shows it: the stage's copy, the status line's, any other.
      const shown = [...page.shadowRoot!.querySelectorAll<HTMLElement>('*')].filter((el) => {
        if (el.textContent?.trim() !== sentence) return false;
        if ([...el.children].some((c) => c.textContent?.trim() === sentence)) return false;
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
      });
      if (sentence === '') problems.push('no sentence for the state');
      else if (shown.length !== 1) problems.push(`"${sentence}" shown ${shown.length} times`);
      else {
        const r = shown[0]!.getBoundingClientRect();
        if (r.top < -1 || r.bottom > innerHeight + 1) problems.push(`"${sentence}" outside the viewport`);
      }
    }
    // What is said in the stranger's place is not hidden under our own picture.
    const self = $(page, '#local');
    if (self && !self.classList.contains('off')) {
      const pip = self.getBoundingClientRect();
      for (const said of page.shadowRoot!.querySelectorAll<HTMLElement>('.overlay, .camera-off:not(.self)')) {
        const range = document.createRange();
        range.selectNodeContents(said);
        const covered = [...range.getClientRects()].some(
          (r) =>
            r.width > 0 && r.left < pip.right - 1 && r.right > pip.left + 1 && r.top < pip.bottom - 1 && r.bottom > pip.top + 1,
        );
        if (covered) problems.push(`"${said.textContent?.trim()}" is partly under the self-view`);
      }
    }
    const scroller = document.scrollingElement!;
    if (scroller.scrollHeight > innerHeight + 1)
      problems.push(`the page scrolls (${scroller.scrollHeight} px in ${innerHeight})`);
    assert(problems.length === 0, `${where}: ${problems.join('; ')}`);
  }

  /** Every control a person can press, through the shadow roots of the page's elements. */
  function controls(root: ParentNode, found: HTMLElement[] = []): HTMLElement[] {
    for (const el of root.querySelectorAll<HTMLElement>('*')) {
      if (el.matches('button, select, input, textarea, a[href], summary')) found.push(el);
      if (el.shadowRoot) controls(el.shadowRoot, found);
    }
    return found;
  }

  /**
   * Touch targets of at least 44 px (issue 23): a checkbox's target is its
   * label, which takes the tap too. Links inside a sentence are exempt, as
   * WCAG 2.5.8 exempts them (their line is the sentence's).
   */
  function assertTouchTargets(where: string): void {
    const small: string[] = [];
    for (const el of controls(shell.app!.shadowRoot!)) {
      if (el.closest('p, li') && el.matches('a')) continue;
      const target = el.matches('input') ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.width < 43.5 || r.height < 43.5)
        small.push(
          `${el.localName}${el.id ? '#' + el.id : ''} "${(target.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`,
        );
    }
    assert(small.length === 0, `${where}: touch targets under 44 px: ${small.join('; ')}`);
  }

  /**
   * The room's count line, where shown, says all it says: not cut by its
   * ellipsis or its two-line clamp, nor squeezed to nothing beside the room
   * picker (seen on a phone: English lost its end, Tamil the whole line).
   */
  function assertCountWhole(page: LitElement, where: string): void {
    const line = page.shadowRoot!.querySelector<HTMLElement>('#room-count');
    const text = (line?.textContent ?? '').trim();
    // Not shown on purpose (a phone shows it only while searching).
    if (!line || text === '' || getComputedStyle(line).display === 'none') return;
    const cut = line.clientWidth === 0 || line.scrollWidth > line.clientWidth + 1 || line.scrollHeight > line.clientHeight + 1;
    assert(
      !cut,
      `${where}: the room count is cut: "${text}" (${line.scrollWidth}×${line.scrollHeight} in ${line.clientWidth}×${line.clientHeight})`,
    );
  }

  /** `sentenceAt`: where the state's sentence is (random chat's and a call's status line by default; null: none). */
  async function look(
    page: LitElement,
    viewport: string,
    state: string,
    together: readonly string[],
    sentenceAt: string | null = '#status',
  ): Promise<void> {
    await page.updateComplete;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await executeServerCommand('parley-screenshot', { name: `page-${viewport}-${state}` });
    const axe = await loadAxe();
    const results = await axe.run(document, { resultTypes: ['violations'] });
    assert(
      results.violations.length === 0,
      `${viewport}, ${state}: axe-core found ${results.violations.length} violation(s): ${results.violations.map(describeViolation).join(' | ')}`,
    );
    assertVisibleTogether(page, `${viewport}, ${state}`, together, sentenceAt);
    assertTouchTargets(`${viewport}, ${state}`);
    assertCountWhole(page, `${viewport}, ${state}`);
    if (IN_EVERY_LANGUAGE.has(viewport)) await lookInEveryLanguage(page, viewport, state, together, sentenceAt);
  }

  /**
   * The same state in each other language: translated words are longer (Malayalam's
   * and Tamil's about twice English's), so the layout is checked again in each,
   * and each is written to .cache/screenshots/page-<viewport>-<state>-<code>.png.
   * axe-core is not run again: the words change, the structure does not.
   */
  async function lookInEveryLanguage(
    page: LitElement,
    viewport: string,
    state: string,
    together: readonly string[],
    sentenceAt: string | null,
  ): Promise<void> {
    try {
      for (const code of OTHER_LANGUAGES) {
        await showLanguage(code);
        await page.updateComplete;
        await document.fonts.ready;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        await executeServerCommand('parley-screenshot', { name: `page-${viewport}-${state}-${code}` });
        assertVisibleTogether(page, `${viewport}, ${state}, ${code}`, together, sentenceAt);
        assertTouchTargets(`${viewport}, ${state}, ${code}`);
        assertCountWhole(page, `${viewport}, ${state}, ${code}`);
      }
    } finally {
      await showLanguage('en');
      await page.updateComplete;
    }
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.name} (${viewport.width}×${viewport.height}): first visit, 18+, idle, searching, connected, audio only, video paused, Report, stranger left`, async () => {
      await setViewport({ width: viewport.width, height: viewport.height });
      localStorage.removeItem(ADULT_STORAGE_KEY);
      // The page's own Audio only setting, as in production: its state is one of those shown below.
      const page = await mount({ dataUse: DATA_USE });
      await look(page, viewport.name, 'first-visit', ['#intro-start']);

      $<HTMLButtonElement>(page, '#intro-start')!.click();
      await waitUntil(
        () => page.shadowRoot!.querySelector('parley-age-dialog')?.shadowRoot?.querySelector('dialog[open]') != null,
        5_000,
        'the 18+ question',
      );
      await look(page, viewport.name, 'age-question', []);
      page.shadowRoot!.querySelector('parley-age-dialog')!.shadowRoot!.querySelector<HTMLButtonElement>('#age-confirm')!.click();
      await waitForStatus(page.flow, 'searching', 10_000);
      await look(page, viewport.name, 'searching', ['#remote', '#local', '#stop']);

      const stranger = rig.session();
      await stranger.session.start(page.room);
      await waitForStatus(page.flow, 'connected', 15_000);
      await waitUntil(() => ($<HTMLVideoElement>(page, '#remote')?.videoWidth ?? 0) > 0, 15_000, "the stranger's video plays");
      await look(page, viewport.name, 'connected', ['#remote', '#local', '#next', '#report']);

      // Audio only, ticked mid-call: the stranger's video gives way to a sentence in its place.
      const audioOnly = () => $(page, 'parley-data-use')!.shadowRoot!.querySelector<HTMLInputElement>('#audio-only')!;
      audioOnly().click();
      await waitUntil(() => $(page, '#remote-audio-only') !== null, 15_000, 'the page says there is no video by choice');
      await look(page, viewport.name, 'audio-only', ['#remote-audio-only', '#next', '#report']);
      audioOnly().click();
      await waitUntil(() => $(page, '#remote-audio-only') === null, 15_000, 'the video back');

      // The stranger's uplink too weak for video: their page says so over the control channel, as it does on a real one.
      const toPage = (paused: boolean) => {
        const call = stranger.session.call!;
        assert(call.sendMessage(call.peers[0]!.id, { type: 'video-paused', paused }), 'the control channel is open');
      };
      toPage(true);
      await waitUntil(() => $(page, '#remote-video-paused') !== null, 15_000, "the page says the stranger's video is paused");
      await look(page, viewport.name, 'video-paused', ['#remote-video-paused', '#next', '#report']);
      toPage(false);
      await waitUntil(() => $(page, '#remote-video-paused') === null, 15_000, 'the video back');

      // Camera and microphone, mid-call: a dialog that fits (and scrolls inside itself where the viewport is short).
      $<HTMLButtonElement>(page, '#devices-toggle')!.click();
      await waitUntil(() => $(page, '#devices-dialog parley-devices') !== null, 10_000, 'the devices dialog');
      await look(page, viewport.name, 'devices-dialog', ['#devices-dialog', '#devices-close']);
      $<HTMLButtonElement>(page, '#devices-close')!.click();
      await page.updateComplete;
      assert(page.shadowRoot!.activeElement?.id === 'devices-toggle', 'focus back on what opened the dialog');

      $<HTMLButtonElement>(page, '#report')!.click();
      await waitUntil(
        () => page.shadowRoot!.querySelector('parley-report-dialog')?.shadowRoot?.querySelector('dialog[open]') != null,
        5_000,
        'the Report dialog',
      );
      await look(page, viewport.name, 'report-dialog', []);
      page.shadowRoot!.querySelector('parley-report-dialog')!.shadowRoot!.querySelector<HTMLDialogElement>('dialog')!.close();
      await waitUntil(() => page.shadowRoot!.querySelector('parley-report-dialog') === null, 5_000, 'the dialog closed');

      await stranger.session.stop();
      await waitUntil(() => page.flow.state.status !== 'connected', 15_000, 'the stranger left');
      await look(page, viewport.name, 'stranger-left', ['#remote']);

      $<HTMLButtonElement>(page, '#stop')!.click();
      await waitForStatus(page.flow, 'idle', 10_000);
      await look(page, viewport.name, 'idle', ['#remote', '#start']);
    });
  }

  /** The call page at `#/call/new`, on the in-memory backend: the person creates a call. */
  async function mountCall(): Promise<ParleyCall> {
    history.replaceState(null, '', '#/call/new');
    await shell.mount({}, SMALL_CAMERA);
    return shell.callPage();
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.name} (${viewport.width}×${viewport.height}): a call by link alone, then of 2, 3 and 5, then left`, async () => {
      await setViewport({ width: viewport.width, height: viewport.height });
      const page = await mountCall();
      await waitUntil(() => page.flow.state.status === 'in-call', 10_000, 'the call is created');
      const callId = (page.flow.state as { callId: string }).callId;
      await look(page, viewport.name, 'link-alone', ['#local', '#leave', '#link', '#copy']);
      const guests: LinkCallFlow[] = [];
      for (const size of [2, 3, 5]) {
        while (guests.length < size - 1) {
          const guest = new LinkCallFlow(rig.linkDeps(SMALL_CAMERA));
          rig.track({ stop: () => guest.leave() });
          guests.push(guest);
          await guest.open(callId);
          await guest.join();
        }
        await waitUntil(
          () => page.flow.peers.length === size - 1 && page.flow.peers.every((p) => p.state === LinkState.connected),
          30_000,
          `a call of ${size}`,
          () => page.flow.peers.map((p) => p.state).join(' '),
        );
        await waitUntil(
          () => [...page.shadowRoot!.querySelectorAll<HTMLVideoElement>('video')].every((v) => v.videoWidth > 0),
          15_000,
          'every tile plays',
        );
        await look(page, viewport.name, `link-${size}`, ['#grid', '#leave']);
        assertTilesInside(page, `${viewport.name}, a call of ${size}`);
        if (size === 2) {
          // The creator's panel: devices and screening (its own camera, the call's setting).
          $<HTMLButtonElement>(page, '#devices-toggle')!.click();
          await waitUntil(() => $(page, '#screen-incoming') !== null, 10_000, 'the screening settings');
          // A modal dialog: it scrolls inside itself where the viewport is short, the page never.
          await look(page, viewport.name, 'link-2-settings', ['#devices-dialog', '#devices-close']);
          // Turned off for the call: the page says so, beside the grid.
          $<HTMLInputElement>(page, '#screen-incoming')!.click();
          await waitUntil(() => page.flow.inCall?.incoming === null, 10_000, 'screening turned off');
          $<HTMLButtonElement>(page, '#devices-close')!.click();
          await page.updateComplete;
          assert(page.shadowRoot!.activeElement?.id === 'devices-toggle', 'focus back on what opened the dialog');
          await look(page, viewport.name, 'link-2-unscreened', ['#grid', '#leave', '#screening-off']);
          assertTilesInside(page, `${viewport.name}, a call of 2, not screened`);
          // Back on for the rest (and for what the screenshots of 3 and 5 show).
          await page.flow.setScreenIncoming(true);
        }
      }
      $<HTMLButtonElement>(page, '#leave')!.click();
      await waitUntil(() => page.flow.state.status !== 'in-call', 10_000, 'left');
      await look(page, viewport.name, 'link-left', ['#join']);
    });
  }

  /** Every tile of the grid whole in the viewport. */
  function assertTilesInside(page: LitElement, where: string): void {
    const outside = [...page.shadowRoot!.querySelectorAll<HTMLElement>('.tile')]
      .map((t) => t.getBoundingClientRect())
      .filter((r) => r.width === 0 || r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1);
    assert(outside.length === 0, `${where}: ${outside.length} tile(s) not whole in the viewport`);
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.name} (${viewport.width}×${viewport.height}): the connection check (starting, running, a result, the camera refused) and the guide`, async () => {
      await setViewport({ width: viewport.width, height: viewport.height });
      // The camera and the network each held back until the test lets them answer.
      const camera = gate();
      const network = gate();
      let refuse = false;
      history.replaceState(null, '', '#/check');
      await shell.mount({}, {}, () =>
        rig.checkDeps({
          getUserMedia: async (constraints) => {
            await camera.opened;
            if (refuse) throw new DOMException('Permission denied', 'NotAllowedError');
            return navigator.mediaDevices.getUserMedia(constraints);
          },
          iceConfig: async () => {
            await network.opened;
            return { iceServers: [] };
          },
        }),
      );
      const check = await shell.checkPage();
      const verdict = () => $(check, '#verdict')?.getAttribute('data-status');
      const parts = ['.preview', '#meter', '#findings', '#verdict', '#again', '#back'];
      assert(verdict() === 'checking', 'the check starts when its page opens');
      await look(check, viewport.name, 'check-starting', parts, '#verdict');

      camera.open();
      await waitUntil(() => ($<HTMLVideoElement>(check, 'video#preview')?.videoWidth ?? 0) > 0, 10_000, 'the camera preview');
      await look(check, viewport.name, 'check-running', parts, '#verdict');

      network.open();
      await waitUntil(
        () => verdict() === 'done',
        15_000,
        'the verdict',
        () => JSON.stringify(check.check.state),
      );
      await look(check, viewport.name, 'check-result', parts, '#verdict');

      refuse = true;
      $<HTMLButtonElement>(check, '#again')!.click();
      await waitUntil(
        () => $(check, '#verdict')?.getAttribute('data-code') === 'no-media',
        15_000,
        'the verdict on the camera refused',
        () => JSON.stringify(check.check.state),
      );
      await look(check, viewport.name, 'check-camera-refused', [...parts, '#verdict-help'], '#verdict');

      // The guide from the check's own link, whole, then at one section (as an error's link opens it).
      $<HTMLAnchorElement>(check, '#help')!.click();
      const guide = await shell.page<LitElement>('parley-guide');
      await look(guide, viewport.name, 'guide', ['#back', '#check', 'section'], null);
      location.hash = '#/help/vpn';
      await waitUntil(() => $(guide, 'section.current') !== null, 5_000, 'the section marked');
      await look(guide, viewport.name, 'guide-vpn', ['#back', 'section.current h3'], null);
    });
  }

  // The longest words (Malayalam's and Tamil's introductions are about twice English's): the way in stays in sight.
  for (const code of ['ml', 'ta'] as const) {
    for (const viewport of VIEWPORTS.filter((v) => v.name.startsWith('phone'))) {
      it(`${viewport.name} in ${code}: the first visit's Start chatting in sight, no violation`, async () => {
        await setViewport({ width: viewport.width, height: viewport.height });
        localStorage.removeItem(ADULT_STORAGE_KEY);
        await showLanguage(code);
        try {
          const page = await mount();
          await look(page, `${viewport.name}-${code}`, 'first-visit', ['#intro-start', '#start']);
          // Inside the introduction's own scrolling box, not only the window: seen, not scrolled away.
          const box = $(page, '#intro')!.getBoundingClientRect();
          const button = $(page, '#intro-start')!.getBoundingClientRect();
          assert(
            button.top >= box.top - 1 && button.bottom <= box.bottom + 1,
            `Start chatting at ${Math.round(button.top)}–${Math.round(button.bottom)}, the introduction shows ${Math.round(box.top)}–${Math.round(box.bottom)}`,
          );
        } finally {
          await showLanguage('en');
        }
      });
    }
  }

  it('phone: the camera refused, said once with what to do', async () => {
    await setViewport({ width: 390, height: 844 });
    const page = await mount({ getUserMedia: deniedCamera });
    $<HTMLButtonElement>(page, '#start')!.click();
    await waitForStatus(page.flow, 'media-error', 10_000);
    await look(page, 'phone', 'camera-refused', ['#start']);
  });
});
