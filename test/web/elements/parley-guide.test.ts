/**
 * <parley-guide>: a section for every problem an error box can show (every
 * ProblemCode, enumerated, so a new code without a section fails here) and
 * for the problems without an error; `#/help/<topic>` marks its section.
 */
import { ParleyGuide } from '../../../web/src/elements/parley-guide.js';
import { ExtraHelpTopic } from '../../../web/src/flows/help-topic.js';
import { PROBLEM_CODES } from '../../../web/src/flows/problems.js';
import { assert, assertEqual } from '../assert.js';

describe('<parley-guide>', () => {
  const elements: ParleyGuide[] = [];

  async function mount(topic: ParleyGuide['topic'] = ''): Promise<ParleyGuide> {
    const el = new ParleyGuide();
    el.topic = topic;
    el.style.height = '500px';
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  afterEach(() => {
    for (const el of elements.splice(0)) el.remove();
  });

  function assertSection(el: ParleyGuide, id: string): void {
    const section = el.shadowRoot!.querySelector(`section#${id}`);
    assert(section, `a section for ${id}`);
    assert((section.querySelector('h3')?.textContent?.trim().length ?? 0) > 3, `${id} has a title`);
    assert((section.querySelector('p')?.textContent?.trim().length ?? 0) > 20, `${id} says what it means`);
    assert(section.querySelectorAll('li').length > 0, `${id} says what to do`);
  }

  it('has a section for every ProblemCode', async () => {
    const el = await mount();
    for (const code of PROBLEM_CODES) assertSection(el, code);
  });

  it('has sections for no audio, strict firewalls, VPNs and old browsers', async () => {
    const el = await mount();
    for (const topic of Object.values(ExtraHelpTopic)) assertSection(el, topic);
    assertEqual(ExtraHelpTopic.noAudio, 'no-audio', 'no-audio id');
    assertEqual(ExtraHelpTopic.strictFirewall, 'strict-firewall', 'strict-firewall id');
    assertEqual(ExtraHelpTopic.vpn, 'vpn', 'vpn id');
    assertEqual(ExtraHelpTopic.oldBrowser, 'old-browser', 'old-browser id');
  });

  it('marks the section the address names and scrolls to it', async () => {
    const el = await mount('vpn');
    const current = [...el.shadowRoot!.querySelectorAll('section.current')].map((s) => s.id);
    assertEqual(current.join(), 'vpn', 'only the named section is marked');
    const box = el.shadowRoot!.querySelector('.sections')!;
    assert(box.scrollTop > 0, `scrolled down to it (scrollTop ${box.scrollTop})`);
    assertEqual(el.shadowRoot!.querySelector('#check')?.getAttribute('href'), '#/check', 'links to the check');
  });
});
