/**
 * <parley-call-controls> on two random chat pages connected by real WebRTC
 * (the in-memory backend, fake cameras): the buttons and the keyboard
 * shortcuts mute and turn the camera off, never while the person types, and
 * the other page shows it.
 */
import { assert, assertEqual } from '../assert.js';
import { $, control, RandomPages } from '../support/random-pages.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

describe('<parley-call-controls> in random chat (real WebRTC)', () => {
  let pages: RandomPages;

  beforeEach(() => {
    pages = new RandomPages(new Rig());
  });
  afterEach(() => pages.cleanup());

  const connected = () => pages.connected((el) => control(el, '#mic') !== null, 'the in-call buttons');

  const key = (target: EventTarget, k: string) =>
    target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }));

  it('the buttons mute and turn the camera off; the other page shows a muted icon and "Camera off" instead of the video', async function () {
    this.timeout(40_000);
    const [a, b] = await connected();
    assertEqual(control(a, '#mic')!.textContent?.trim(), 'Mute', 'offers to mute');
    control<HTMLButtonElement>(a, '#mic')!.click();
    await waitUntil(() => $(b, '#remote-muted') !== null, 5_000, 'the muted icon at b');
    assertEqual($(b, '#remote-muted')!.getAttribute('aria-label'), 'Microphone off', 'said in words');
    await waitUntil(() => control(a, '#mic')?.textContent?.trim() === 'Unmute', 5_000, 'offers to unmute');

    control<HTMLButtonElement>(a, '#camera')!.click();
    await waitUntil(() => $(b, '#remote-camera-off') !== null, 5_000, 'the placeholder at b');
    assertEqual($(b, '#remote-camera-off')!.textContent?.trim(), 'Camera off');
    assert($(b, '#remote')!.classList.contains('off'), 'the frozen video is hidden');
    assert($(a, '#local-camera-off') !== null, 'a sees its own camera is off');

    control<HTMLButtonElement>(a, '#camera')!.click();
    control<HTMLButtonElement>(a, '#mic')!.click();
    await waitUntil(() => $(b, '#remote-camera-off') === null && $(b, '#remote-muted') === null, 5_000, 'both back at b');
    assert(!$(b, '#remote')!.classList.contains('off'), 'the video shows again');
  });

  it('M and V work from the keyboard, but not while typing in the chat, nor with Ctrl', async function () {
    this.timeout(40_000);
    const [a] = await connected();
    const media = a.flow.inCall!.media;
    key(document.body, 'm');
    await waitUntil(() => !media.microphone, 5_000, 'M mutes');
    key(document.body, 'V');
    await waitUntil(() => !media.camera, 5_000, 'V (with Caps Lock too) turns the camera off');
    key(document.body, 'm');
    key(document.body, 'v');
    await waitUntil(() => media.microphone && media.camera, 5_000, 'and back on');

    await waitUntil(() => $(a, 'parley-chat')?.shadowRoot?.querySelector('#chat-input') != null, 5_000, 'the chat box');
    const input = $(a, 'parley-chat')!.shadowRoot!.querySelector<HTMLTextAreaElement>('#chat-input')!;
    input.focus();
    key(input, 'm');
    key(input, 'v');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'm', ctrlKey: true }));
    await new Promise((r) => setTimeout(r, 300));
    assert(media.microphone && media.camera, 'typing "m" and "v" in the chat, or Ctrl+M, changes nothing');
  });
});
