/**
 * The front door on <parley-random>: a device that never confirmed it is 18
 * or older sees the introduction in the video's place, and its first Start
 * (or "Start chatting") opens <parley-age-dialog>, a modal <dialog> that
 * takes focus and closes on Escape; Cancel and Escape start nothing, the
 * confirmation is remembered and starts. A device that confirmed before is
 * not asked. The test runner's page starts confirmed
 * (test/web-test-runner.config.mjs): these tests remove the flag and put it back.
 */
import { sendKeys } from '@web/test-runner-commands';
import type { ParleyAgeDialog } from '../../../web/src/elements/parley-age-dialog.js';
import { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { ADULT_STORAGE_KEY } from '../../../web/src/settings.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

describe('the front door: introduction and 18+ confirmation', () => {
  let rig: Rig;
  let elements: ParleyRandom[] = [];

  beforeEach(() => {
    rig = new Rig();
    localStorage.removeItem(ADULT_STORAGE_KEY);
  });

  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
    localStorage.setItem(ADULT_STORAGE_KEY, '1');
  });

  async function mount(): Promise<ParleyRandom> {
    const el = new ParleyRandom(rig.deps());
    rig.track(el.flow);
    elements.push(el);
    el.style.height = '600px';
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  const $ = <E extends Element = HTMLElement>(el: ParleyRandom, selector: string) => el.shadowRoot!.querySelector<E>(selector);

  /** The confirmation, once its code has loaded and it has opened. */
  async function ageDialog(el: ParleyRandom): Promise<{ host: ParleyAgeDialog; dialog: HTMLDialogElement }> {
    await waitUntil(
      () => $<ParleyAgeDialog>(el, 'parley-age-dialog')?.shadowRoot?.querySelector('dialog')?.open === true,
      5_000,
      'the 18+ confirmation open',
    );
    const host = $<ParleyAgeDialog>(el, 'parley-age-dialog')!;
    return { host, dialog: host.shadowRoot!.querySelector('dialog')! };
  }

  const closed = (el: ParleyRandom) => waitUntil(() => $(el, 'parley-age-dialog') === null, 5_000, 'the confirmation closed');

  it('introduces Parley on a first visit: what it is, why it is private, the two ways in and the three pages', async () => {
    const el = await mount();
    const intro = $(el, '#intro');
    assert(intro, 'the introduction');
    const text = intro.textContent!.replace(/\s+/g, ' ');
    for (const words of ['anonymous video chat', 'Peer to peer', 'DTLS-SRTP', 'Nothing is recorded', 'Hide my IP', '18+']) {
      assert(text.includes(words), `says "${words}": ${text}`);
    }
    assertEqual($(el, '#intro-start')?.textContent?.trim(), 'Start chatting');
    assertEqual($(el, '#intro-private-call')?.textContent?.trim(), 'Private call');
    const links = [...intro.querySelectorAll('nav a')].map((a) => a.getAttribute('href'));
    assertEqual(links.join(' '), '/rules.html /privacy.html /terms.html', 'the rules, privacy and terms pages');
    let calls = 0;
    el.addEventListener('parley-new-call', () => (calls += 1));
    $<HTMLButtonElement>(el, '#intro-private-call')!.click();
    assertEqual(calls, 1, '"Private call" asks for a new private call');
  });

  it('asks first on a fresh device: a modal dialog with focus on the confirmation; Escape closes it and starts nothing', async () => {
    const el = await mount();
    $<HTMLButtonElement>(el, '#start')!.click();
    const { host, dialog } = await ageDialog(el);
    assert(dialog.matches(':modal'), 'a modal dialog');
    assertEqual(host.shadowRoot!.activeElement?.id, 'age-confirm', 'focus on the confirmation');
    assert(dialog.textContent!.includes('18 or older'), 'asks the age');
    assertEqual(host.shadowRoot!.querySelector('a')?.getAttribute('href'), '/rules.html', 'links the rules');
    await sendKeys({ press: 'Escape' });
    await closed(el);
    assertEqual(el.flow.state.status, 'idle', 'nothing started');
    assertEqual(localStorage.getItem(ADULT_STORAGE_KEY), null, 'nothing remembered');
    assert($(el, '#intro'), 'the introduction stays');
  });

  it('Cancel starts nothing; "Start chatting" asks the same; confirming remembers it and starts', async () => {
    const el = await mount();
    $<HTMLButtonElement>(el, '#start')!.click();
    let { host } = await ageDialog(el);
    host.shadowRoot!.querySelector<HTMLButtonElement>('#age-cancel')!.click();
    await closed(el);
    assertEqual(el.flow.state.status, 'idle', 'Cancel starts nothing');

    $<HTMLButtonElement>(el, '#intro-start')!.click();
    ({ host } = await ageDialog(el));
    host.shadowRoot!.querySelector<HTMLButtonElement>('#age-confirm')!.click();
    await closed(el);
    assertEqual(localStorage.getItem(ADULT_STORAGE_KEY), '1', 'remembered on the device');
    await waitForStatus(el.flow, 'searching', 10_000);
    await el.updateComplete;
    assertEqual($(el, '#intro'), null, 'the introduction makes way for the call');
  });

  it('does not ask a device that confirmed before, nor show the introduction', async () => {
    localStorage.setItem(ADULT_STORAGE_KEY, '1');
    const el = await mount();
    assertEqual($(el, '#intro'), null, 'no introduction');
    $<HTMLButtonElement>(el, '#start')!.click();
    await waitForStatus(el.flow, 'searching', 10_000);
    assertEqual($(el, 'parley-age-dialog'), null, 'not asked');
  });
});
