/**
 * <parley-chat> on two random chat pages connected by real WebRTC (the
 * in-memory backend, fake cameras): what one types shows on the other as
 * text, never as markup; Enter sends and Shift+Enter does not; a closed
 * panel counts what arrives on a badge.
 */
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { assert, assertEqual } from '../assert.js';
import { $, CONNECT_MS, control, RandomPages } from '../support/random-pages.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

describe('<parley-chat> in random chat (real WebRTC)', () => {
  let pages: RandomPages;

  beforeEach(() => {
    pages = new RandomPages(new Rig());
  });
  afterEach(() => pages.cleanup());

  const chatRoot = (el: ParleyRandom) => $(el, 'parley-chat')?.shadowRoot ?? null;

  const connected = () =>
    pages.connected((el) => chatRoot(el)?.querySelector('#chat-input') != null, 'the chat panel on both pages');

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
