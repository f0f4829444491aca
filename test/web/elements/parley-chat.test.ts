/**
 * <parley-chat> on two random chat pages connected by real WebRTC (the
 * in-memory backend, fake cameras): what one types shows on the other as
 * text, never as markup; Enter sends and Shift+Enter does not; a closed
 * panel counts what arrives on a badge.
 */
import { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

describe('<parley-chat> in random chat (real WebRTC)', () => {
  let rig: Rig;
  let elements: ParleyRandom[] = [];

  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
  });

  async function mount(): Promise<ParleyRandom> {
    const el = new ParleyRandom(rig.deps());
    rig.track(el.flow);
    elements.push(el);
    el.style.height = '500px';
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  const $ = <E extends Element = HTMLElement>(el: ParleyRandom, selector: string): E | null =>
    el.shadowRoot!.querySelector<E>(selector);
  const chatRoot = (el: ParleyRandom) => $(el, 'parley-chat')?.shadowRoot ?? null;
  /** The in-call buttons (an element of their own). */
  const control = <E extends Element = HTMLElement>(el: ParleyRandom, selector: string): E | null =>
    $(el, 'parley-call-controls')?.shadowRoot?.querySelector<E>(selector) ?? null;

  async function connected(): Promise<[ParleyRandom, ParleyRandom]> {
    const a = await mount();
    const b = await mount();
    $<HTMLButtonElement>(a, '#start')!.click();
    await waitForStatus(a.flow, 'searching', 5_000);
    $<HTMLButtonElement>(b, '#start')!.click();
    await Promise.all([waitForStatus(a.flow, 'connected', CONNECT_MS), waitForStatus(b.flow, 'connected', CONNECT_MS)]);
    await waitUntil(
      () => [a, b].every((el) => chatRoot(el)?.querySelector('#chat-input') != null),
      CONNECT_MS,
      'the chat panel on both pages',
    );
    return [a, b];
  }

  /** Types into the page's chat box as a person would, then presses Enter (with Shift if asked). */
  async function type(el: ParleyRandom, text: string, shift = false): Promise<void> {
    const input = chatRoot(el)!.querySelector<HTMLTextAreaElement>('#chat-input')!;
    assert(!input.disabled, 'the chat box takes text');
    input.value = text;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: shift, bubbles: true, composed: true }));
    await el.updateComplete;
  }

  const messageTexts = (el: ParleyRandom) =>
    [...(chatRoot(el)?.querySelectorAll('.msg .text') ?? [])].map((m) => m.textContent ?? '');

  it('shows a message of markup as the text it is: no element made, no script run', async function () {
    this.timeout(40_000);
    const [a, b] = await connected();
    const alerts: unknown[] = [];
    const realAlert = window.alert;
    window.alert = (m?: unknown) => void alerts.push(m);
    try {
      const payload = '<img src=x onerror=alert(1)>';
      await type(a, payload);
      await waitUntil(
        () => messageTexts(b).includes(payload),
        CONNECT_MS,
        'the message at b',
        () => messageTexts(b).join('|'),
      );
      const root = chatRoot(b)!;
      assertEqual(root.querySelectorAll('img').length, 0, 'no <img> element in the panel');
      assertEqual(b.shadowRoot!.querySelectorAll('img').length, 0, 'nor in the page');
      const author = root.querySelector('.msg .who')?.textContent?.trim();
      assertEqual(author, 'Stranger', 'from "Stranger"');
      await new Promise((r) => setTimeout(r, 200)); // an image error would have fired by now
      assertEqual(alerts.length, 0, 'no script ran');
      assert(messageTexts(a).includes(payload), 'the sender sees it as text too');
    } finally {
      window.alert = realAlert;
    }
  });

  it('Enter sends and empties the box; Shift+Enter does not send', async function () {
    this.timeout(40_000);
    const [a, b] = await connected();
    await type(a, 'line one', true);
    assertEqual(a.flow.inCall?.chat!.entries.length, 0, 'Shift+Enter sent nothing');
    await type(a, 'hello');
    assertEqual(chatRoot(a)!.querySelector<HTMLTextAreaElement>('#chat-input')!.value, '', 'the box is emptied');
    await waitUntil(() => messageTexts(b).includes('hello'), CONNECT_MS, 'hello at b');
  });

  it('a closed panel shows a badge with the unread count; opening it reads them', async function () {
    this.timeout(40_000);
    const [a, b] = await connected();
    await waitUntil(() => control(b, '#chat-toggle') !== null, 5_000, 'the chat button');
    const toggle = control<HTMLButtonElement>(b, '#chat-toggle')!;
    if (toggle.getAttribute('aria-pressed') === 'true') toggle.click();
    await b.updateComplete;
    assertEqual($(b, 'parley-chat'), null, 'the panel is closed');
    await type(a, 'one');
    await type(a, 'two');
    await waitUntil(
      () => control(b, '#unread')?.textContent?.trim() === '2',
      CONNECT_MS,
      'a badge saying 2',
      () => String(control(b, '#unread')?.textContent),
    );
    assertEqual(control(b, '#unread')?.getAttribute('aria-label'), '2 unread messages', 'the badge says what it counts');
    toggle.click();
    await b.updateComplete;
    await waitUntil(() => control(b, '#unread') === null && b.flow.inCall?.chat!.unread === 0, 5_000, 'the badge gone once open');
    await waitUntil(() => messageTexts(b).join(',') === 'one,two', 5_000, 'both messages in the panel');
  });
});
