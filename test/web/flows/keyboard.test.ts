/**
 * Keyboard only, as a person without a mouse: real key presses (Tab,
 * Enter, Escape through the test runner's browser protocol), never
 * element.click(). Random chat: Start, connected, Next, Report, Stop; a
 * call by link: Join, Leave. After each step focus must be where the next
 * action is, or a few Tabs from it (the counts below are the page's order
 * of controls, not timings).
 */
import { sendKeys } from '@web/test-runner-commands';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import { assert, assertEqual } from '../assert.js';
import { Shell } from '../support/shell.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

/** The element that has focus, through the shadow roots. */
function focused(): Element | null {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

const focusedId = () =>
  `${focused()?.localName ?? 'nothing'}#${focused()?.id ?? ''} in ${(focused()?.getRootNode() as ShadowRoot | undefined)?.host?.localName ?? 'document'}`;

/** Presses Tab until the control with `id` has focus; fails after `most` presses. Returns how many it took. */
async function tabTo(id: string, most: number): Promise<number> {
  for (let presses = 0; presses <= most; presses++) {
    if (focused()?.id === id) return presses;
    await sendKeys({ press: 'Tab' });
  }
  throw new Error(`#${id} not reached in ${most} Tabs (focus on ${focusedId()})`);
}

async function focusLandsOn(id: string, what: string): Promise<void> {
  await waitUntil(() => focused()?.id === id, 10_000, `${what}: focus on #${id}`, focusedId);
}

describe('keyboard only', function () {
  this.timeout(60_000);
  let rig: Rig;
  let shell: Shell;

  beforeEach(() => {
    rig = new Rig();
    shell = new Shell(rig);
    history.replaceState(null, '', location.pathname + location.search);
    localStorage.removeItem('parley.room');
  });

  afterEach(async () => {
    await rig.cleanup();
    shell.remove();
    history.replaceState(null, '', location.pathname + location.search);
  });

  it('random chat: Start, connected, Next, Report, Stop', async () => {
    await shell.mount();
    const page = await shell.randomPage();

    // From the top of the page: Start is a few Tabs in (brand, Private call, Hide my IP, the data choices, language, room).
    const tabs = await tabTo('start', 12);
    assert(tabs <= 9, `Start is ${tabs} Tabs from the top`);
    await sendKeys({ press: 'Enter' });
    await waitForStatus(page.flow, 'searching', 10_000);
    await focusLandsOn('stop', 'searching (Next cannot be used yet)');

    const first = rig.session();
    await first.session.start(page.room);
    await waitForStatus(page.flow, 'connected', 15_000);
    await focusLandsOn('next', 'connected');
    assertEqual(
      page.shadowRoot!.querySelector('#remote')?.getAttribute('aria-label'),
      'Stranger',
      "the stranger's video is named",
    );
    assertEqual(page.shadowRoot!.querySelector('#local')?.getAttribute('aria-label'), 'You', 'and so is ours');

    const second = rig.session();
    await second.session.start(page.room);
    await sendKeys({ press: 'Enter' }); // Next
    await waitForStatus(page.flow, 'connected', 15_000);
    await focusLandsOn('next', 'connected again after Next');

    // Report: two Tabs or so along the controls, then the dialog takes focus.
    await tabTo('report', 12);
    await sendKeys({ press: 'Enter' });
    await focusLandsOn('reason', 'the Report dialog');
    await tabTo('confirm-report', 3);
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => page.flow.state.status !== 'connected', 10_000, 'the report ended the call');
    await waitUntil(() => page.shadowRoot!.querySelector('parley-report-dialog') === null, 5_000, 'the dialog closed');

    // The call ended: Next, to move on, holds focus; Stop is the next Tab.
    await focusLandsOn('next', `after the report (${page.flow.state.status})`);
    assertEqual(await tabTo('stop', 2), 1, 'Stop is one Tab after Next');
    await sendKeys({ press: 'Enter' });
    await waitForStatus(page.flow, 'idle', 10_000);
    await focusLandsOn('start', 'after Stop');
  });

  it('a call by link: Join from the lobby, then Leave, then Join again, by keyboard', async () => {
    // Someone made the call; the person opens its link.
    const host = new LinkCallFlow(rig.linkDeps());
    rig.track({ stop: async () => host.reset() });
    await host.create();
    const callId = (host.state as { callId: string }).callId;
    history.replaceState(null, '', `#/call/${callId}`);
    await shell.mount();
    const call = await shell.callPage();
    await waitUntil(() => call.flow.state.status === 'lobby', 10_000, 'the lobby');
    await call.updateComplete;

    await tabTo('join', 12);
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => call.flow.state.status === 'in-call', 15_000, 'in the call');
    await focusLandsOn('leave', 'in the call');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => call.flow.state.status === 'left', 10_000, 'left');
    await focusLandsOn('join', 'after Leave (Join again)');
  });
});
