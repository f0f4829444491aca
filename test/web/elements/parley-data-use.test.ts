/**
 * "Audio only" and "Data saver" on the random chat page, as a person uses
 * them: two <parley-random> pages in a real call; the first page's
 * checkboxes drive the page's own setting (data-use.ts), the second page
 * keeps the default. Ticked mid-call, Audio only takes both videos away and
 * each page says why; unticked, the videos come back.
 */
import { AUDIO_ONLY_STORAGE_KEY, DATA_SAVER_STORAGE_KEY, DATA_USE } from '../../../web/src/data-use.js';
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { assert, assertEqual, assertIncludes } from '../assert.js';
import { $, CONNECT_MS, RandomPages } from '../support/random-pages.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

/** The checkbox `id` in the page's <parley-data-use>. */
const box = (el: ParleyRandom, id: string) => $(el, 'parley-data-use')!.shadowRoot!.querySelector<HTMLInputElement>(`#${id}`)!;

const said = (el: ParleyRandom) => $(el, '#remote-audio-only')?.textContent?.trim() ?? null;

describe('<parley-data-use> on the random chat page', () => {
  let pages: RandomPages;
  beforeEach(() => {
    DATA_USE.set({ audioOnly: false, dataSaver: false });
    pages = new RandomPages(new Rig());
  });
  afterEach(async () => {
    await pages.cleanup();
    DATA_USE.set({ audioOnly: false, dataSaver: false });
    localStorage.removeItem(AUDIO_ONLY_STORAGE_KEY);
    localStorage.removeItem(DATA_SAVER_STORAGE_KEY);
  });

  it('Audio only ticked mid-call: both videos give way to a sentence saying whose choice it was; unticked, they come back', async function () {
    this.timeout(60_000);
    const [a, b] = await pages.connected((el) => $(el, 'parley-data-use') !== null, 'both pages show the choices', {
      dataUse: DATA_USE,
    });
    assert(!box(a, 'audio-only').disabled, 'not locked during a call (it applies at once)');
    assertEqual(said(a), null, 'video plays');

    box(a, 'audio-only').click();
    assert(DATA_USE.choice.audioOnly, 'the page setting follows the checkbox');
    assertEqual(localStorage.getItem(AUDIO_ONLY_STORAGE_KEY), 'true', 'remembered on the device');
    await waitUntil(() => said(a) !== null && said(b) !== null, CONNECT_MS, 'both pages say why there is no video');
    assertIncludes(said(a)!, 'your choice', 'the chooser is told it is their own choice');
    assertIncludes(said(b)!, 'they chose', 'the other person is told it is theirs');
    assert($(a, '#remote')!.classList.contains('off'), "the chooser's view of the other video is hidden");
    assert($(b, '#remote')!.classList.contains('off'), "the other's view of the chooser's video is hidden");
    assertEqual(a.flow.state.status, 'connected', 'the call goes on');

    box(a, 'audio-only').click();
    await waitUntil(() => said(a) === null && said(b) === null, CONNECT_MS, 'the sentences go');
    assert(!$(b, '#remote')!.classList.contains('off'), 'the video is shown again');
  });

  it('Data saver is a checkbox of its own, remembered', async () => {
    const el = await pages.mount({ dataUse: DATA_USE });
    await el.updateComplete;
    const saver = box(el, 'data-saver');
    assert(!saver.checked, 'off by default');
    saver.click();
    assert(DATA_USE.choice.dataSaver, 'the page setting follows the checkbox');
    assertEqual(localStorage.getItem(DATA_SAVER_STORAGE_KEY), 'true', 'remembered on the device');
    assertIncludes(saver.closest('label')!.title, 'MB an hour', 'the tooltip says what it saves');
  });
});
