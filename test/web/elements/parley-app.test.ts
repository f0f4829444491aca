/**
 * <parley-app>, the shell: which page the address shows, the header, and the
 * address changes the pages ask for with their events. The random chat page
 * runs on the in-memory backend (RandomChatDeps through the constructor).
 */
import { ParleyApp } from '../../../web/src/elements/parley-app.js';
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

describe('<parley-app>', () => {
  let rig: Rig;
  let elements: ParleyApp[] = [];

  beforeEach(() => {
    rig = new Rig();
    forgetChoices();
  });

  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
    forgetChoices();
  });

  function forgetChoices(): void {
    localStorage.removeItem('parley.room');
    localStorage.removeItem('parley.widen');
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function mount(): Promise<ParleyApp> {
    const el = new ParleyApp(rig.deps());
    elements.push(el);
    document.body.append(el);
    await el.updateComplete;
    rig.track(randomPage(el).flow);
    return el;
  }

  const $ = <E extends Element = HTMLElement>(el: ParleyApp, selector: string) => el.shadowRoot!.querySelector<E>(selector);

  function randomPage(el: ParleyApp): ParleyRandom {
    const page = $<ParleyRandom>(el, 'parley-random');
    assert(page, 'the random chat page is shown');
    return page;
  }

  /** Sets the address as a link or Back would, and waits for the shell to follow it. */
  async function go(el: ParleyApp, hash: string, shown: string): Promise<void> {
    location.hash = hash;
    await waitUntil(() => $(el, shown) !== null, 5000, `${shown} for ${hash}`);
    await el.updateComplete;
  }

  it('shows random chat at the bare address, in the room the address names', async () => {
    history.replaceState(null, '', '#/room/ta');
    const el = await mount();
    const page = randomPage(el);
    assertEqual(page.room, 'ta', 'the room from the address');
    await page.updateComplete;
    assertEqual(page.shadowRoot!.querySelector<HTMLSelectElement>('#room')?.value, 'ta', 'the picker shows it');
    assertEqual(page.shadowRoot!.querySelector('h1')?.textContent, 'Parley', 'the page starts with the name');
  });

  it('puts the room the person picks in the address', async () => {
    const el = await mount();
    const select = randomPage(el).shadowRoot!.querySelector<HTMLSelectElement>('#room')!;
    select.value = 'kn';
    select.dispatchEvent(new Event('change'));
    assertEqual(location.hash, '#/room/kn', 'the address names the room');
  });

  it('follows a room in the address while idle, never during a chat', async function () {
    this.timeout(20000);
    const el = await mount();
    const page = randomPage(el);
    location.hash = '#/room/bn';
    await waitUntil(() => page.room === 'bn', 5000, 'idle: the room to follow the address');
    await page.flow.start('bn');
    await waitForStatus(page.flow, 'searching', 5000);
    location.hash = '#/room/es';
    await new Promise((r) => setTimeout(r, 100));
    assertEqual(page.room, 'bn', 'searching: the room stays');
  });

  it('opens the check and the guide from the address, and Back returns to where the person was', async () => {
    const el = await mount();
    history.replaceState(null, '', '#/room/ta');
    await go(el, '#/check', 'parley-check');
    const check = $(el, 'parley-check')!;
    await waitUntil(() => customElements.get('parley-check') !== undefined, 5000, 'the check loaded');
    assertEqual(check.getAttribute('back-href'), '#/room/ta', 'Back goes to the room');
    assertEqual($(el, 'header h1')?.textContent, 'Parley', 'under the header');
    await go(el, '#/help/camera-busy', 'parley-guide');
    const guide = $(el, 'parley-guide') as HTMLElement & { topic: string };
    assertEqual(guide.topic, 'camera-busy', 'the guide opens at the section');
    assertEqual(guide.getAttribute('back-href'), '#/room/ta', 'Back still goes to the room');
    await go(el, '#/room/ta', 'parley-random');
    assert(randomPage(el).shadowRoot!.querySelector('#start'), 'the chat page again');
  });

  it('keeps the same random chat page, and its flow, across a look at the guide', async () => {
    const el = await mount();
    const page = randomPage(el);
    await go(el, '#/help', 'parley-guide');
    assertEqual($(el, 'parley-random'), null, 'the guide replaces the chat page');
    await go(el, '#/', 'parley-random');
    assertEqual(randomPage(el), page, 'the same page');
  });

  it('stops a random chat in progress before the check', async function () {
    this.timeout(20000);
    const el = await mount();
    const flow = randomPage(el).flow;
    await flow.start('any');
    await waitForStatus(flow, 'searching', 5000);
    await go(el, '#/check', 'parley-check');
    await waitForStatus(flow, 'idle', 5000);
  });

  it('goes to a new private call when a page asks, and back to random chat when the call page asks', async () => {
    const el = await mount();
    randomPage(el).shadowRoot!.querySelector<HTMLButtonElement>('#private-call')!.click();
    assertEqual(location.hash, '#/call/new', 'Private call');
    await waitUntil(() => $(el, 'parley-call') !== null, 5000, 'the call page');
    await el.updateComplete;
    assertEqual($(el, 'header span')?.textContent, 'Private call', 'the header says where the person is');
    assertEqual($<HTMLElement & { kind: string }>(el, 'parley-hide-ip')?.kind, 'link', 'Hide my IP for calls by link');
    const call = $(el, 'parley-call')!;
    call.dispatchEvent(new CustomEvent('parley-call-created', { detail: { callId: 'abc123' }, bubbles: true, composed: true }));
    assertEqual(location.hash, '#/call/abc123', 'the address becomes the call’s link');
    await el.updateComplete;
    assertEqual(call.getAttribute('call-id'), 'abc123', 'and the page follows it');
    call.dispatchEvent(new CustomEvent('parley-random-chat', { bubbles: true, composed: true }));
    await waitUntil(() => $(el, 'parley-random') !== null, 5000, 'random chat again');
    assertEqual(location.hash, '', 'the bare address');
  });

  it('tells a browser without RTCPeerConnection that it cannot make calls, instead of Start or Join', async () => {
    const saved = Object.getOwnPropertyDescriptor(window, 'RTCPeerConnection');
    assert(saved, 'this browser has RTCPeerConnection to take away');
    // Gone before the shell is made, as in a browser that never had it.
    delete (window as { RTCPeerConnection?: unknown }).RTCPeerConnection;
    try {
      for (const hash of ['', '#/room/ta', '#/call/abcdefghijklmnopqrstuv']) {
        history.replaceState(null, '', hash || location.pathname);
        const el = new ParleyApp(rig.deps());
        elements.push(el);
        document.body.append(el);
        await el.updateComplete;
        const page = $(el, '#cannot-call');
        assert(page, `the page says so at "${hash}"`);
        assertEqual(page.querySelector('h2')?.textContent, 'This browser cannot make video calls', 'what is wrong');
        assert(/current Chrome, Edge, Firefox or Safari/.test(page.textContent ?? ''), 'what to use instead');
        assertEqual($(el, '#cannot-call-help')?.getAttribute('href'), '#/help/old-browser', 'the guide’s section');
        assertEqual($(el, 'parley-random'), null, 'no random chat page, so no Start');
        assertEqual($(el, 'parley-call'), null, 'no call page, so no Join');
      }
      // The guide still opens: it says the same at more length.
      const el = elements.at(-1)!;
      await go(el, '#/help/old-browser', 'parley-guide');
    } finally {
      Object.defineProperty(window, 'RTCPeerConnection', saved);
    }
  });
});
