/**
 * <parley-report-dialog>: the Report and Block confirmation says what will
 * happen for the stranger in the call or the last one, and tells its page
 * what the person chose.
 */
import { sendKeys } from '@web/test-runner-commands';
import { ParleyReportDialog, type ModerationRequest } from '../../../web/src/elements/parley-report-dialog.js';
import { assert, assertDeepEqual, assertEqual, assertIncludes } from '../assert.js';

describe('<parley-report-dialog>', () => {
  const elements: ParleyReportDialog[] = [];

  async function mount(action: 'report' | 'block', target: 'current' | 'last'): Promise<ParleyReportDialog> {
    const el = new ParleyReportDialog();
    el.action = action;
    el.target = target;
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  afterEach(() => {
    for (const el of elements.splice(0)) el.remove();
  });

  const $ = <E extends Element = HTMLElement>(el: ParleyReportDialog, selector: string) =>
    el.shadowRoot!.querySelector<E>(selector);

  function requests(el: ParleyReportDialog): ModerationRequest[] {
    const seen: ModerationRequest[] = [];
    el.addEventListener('parley-moderate', (e) => seen.push(e.detail));
    return seen;
  }

  it('asks to report the stranger in the call, with a reason, and says the call ends', async () => {
    const el = await mount('report', 'current');
    const dialog = $<HTMLDialogElement>(el, 'dialog#confirm');
    assert(dialog?.open, 'a dialog, open');
    assert(dialog.matches(':modal'), 'modal: the page behind it is inert');
    assertEqual($(el, `#${dialog.getAttribute('aria-labelledby')}`)?.textContent, 'Report this person?', 'named by its question');
    assertIncludes(
      $(el, `#${dialog.getAttribute('aria-describedby')}`)?.textContent,
      'The call ends at once',
      'says what happens',
    );
    assertEqual(el.shadowRoot!.activeElement?.id, 'reason', 'focus on the first choice: the reason');
    assertEqual($(el, '#confirm-report')?.textContent?.trim(), 'Report and end call', 'the button says it too');
    const reason = $<HTMLSelectElement>(el, '#reason')!;
    assertEqual(reason.options.length, 6, 'six reasons');
    assertEqual(reason.value, 'harassment', 'the default reason');
  });

  it('tells the page the reason chosen', async () => {
    const el = await mount('report', 'last');
    const seen = requests(el);
    const reason = $<HTMLSelectElement>(el, '#reason')!;
    reason.value = 'spam';
    reason.dispatchEvent(new Event('change'));
    await el.updateComplete;
    $<HTMLButtonElement>(el, '#confirm-report')!.click();
    assertDeepEqual(seen, [{ action: 'report', reason: 'spam' }], 'parley-moderate with the reason');
  });

  it('asks to block the last stranger without a reason, and tells the page', async () => {
    const el = await mount('block', 'last');
    assertEqual($(el, '#reason'), null, 'no reason for a block');
    assertEqual($(el, '#title')?.textContent, 'Block the last stranger?', 'about the last stranger');
    assertEqual(el.shadowRoot!.activeElement?.id, 'confirm-block', 'focus on what it does');
    assertEqual($(el, '#confirm-block')?.textContent?.trim(), 'Block', 'nothing to end');
    const seen = requests(el);
    $<HTMLButtonElement>(el, '#confirm-block')!.click();
    assertDeepEqual(seen, [{ action: 'block' }], 'parley-moderate');
  });

  it('Cancel tells the page, and asks for nothing', async () => {
    const el = await mount('block', 'current');
    const seen = requests(el);
    let cancelled = 0;
    el.addEventListener('parley-cancel', () => (cancelled += 1));
    $<HTMLButtonElement>(el, '#cancel')!.click();
    assertEqual(cancelled, 1, 'parley-cancel');
    assertEqual(seen.length, 0, 'no request');
  });

  it('Escape cancels, as Cancel does', async () => {
    const el = await mount('report', 'current');
    const seen = requests(el);
    let cancelled = 0;
    el.addEventListener('parley-cancel', () => (cancelled += 1));
    await sendKeys({ press: 'Escape' });
    // The browser closes the dialog, and says so a task later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assertEqual(cancelled, 1, 'parley-cancel, once');
    assertEqual(seen.length, 0, 'no request');
  });
});
