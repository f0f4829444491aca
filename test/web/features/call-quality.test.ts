/**
 * Connection quality on a real call in one page (fake cameras, real peer
 * connections, the in-memory backend): each side samples its link every
 * second and shows the figures a person would read, and the indicator is
 * good on a clean loopback path. What degrades it (loss, a capped uplink) is
 * tested on recorded stats (test/unit/web/features) and end to end on a
 * shaped path (test/e2e/quality.e2e.test.ts).
 */
import type { MemberQuality } from '../../../web/src/features/call-quality.js';
import type { RandomChatFlow } from '../../../web/src/flows/random-chat.js';
import { ParleyLinkQuality } from '../../../web/src/elements/parley-link-quality.js';
import { assert, assertEqual, assertIncludes } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

describe('connection quality on a real call', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    document.querySelectorAll('parley-link-quality').forEach((el) => el.remove());
    await rig.cleanup();
  });

  async function connectedPair(): Promise<{ a: RandomChatFlow; b: RandomChatFlow; aId: string; bId: string }> {
    const a = rig.session();
    const b = rig.session();
    await a.session.start('en');
    await waitForStatus(a.session, 'searching', 5_000);
    await b.session.start('en');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    return { a: a.session, b: b.session, aId: a.uid, bId: b.uid };
  }

  /** Waits until `flow`'s quality of member `id` has figures with video coming in. */
  async function sampled(flow: RandomChatFlow, id: string): Promise<MemberQuality> {
    const quality = () => flow.inCall?.quality.of(id) ?? null;
    await waitUntil(
      () => (quality()?.sample?.videoIn?.fps ?? 0) > 0 && quality()?.sample?.rttMs != null,
      10_000,
      'a sample with video coming in',
      () => JSON.stringify(quality()),
    );
    return quality()!;
  }

  it('each side samples its link: a direct path, video and audio both ways, good', async function () {
    this.timeout(30_000);
    const { a, b, aId, bId } = await connectedPair();
    for (const [flow, other] of [
      [a, bId],
      [b, aId],
    ] as const) {
      const q = await sampled(flow, other);
      const s = q.sample!;
      assertEqual(s.route, 'direct', 'loopback needs no relay');
      assert(s.videoOut !== null && s.videoOut.width > 0, 'video going out has a size');
      assert((s.bitrateIn ?? 0) > 0 && (s.bitrateOut ?? 0) > 0, 'bits both ways');
      assert(s.codecIn !== null && s.codecOut !== null, 'codecs named');
      assertEqual(q.level, 'good', 'a clean path is good');
    }
  });

  it('<parley-link-quality> names the level for screen readers and shows the statistics in plain units on demand', async function () {
    this.timeout(30_000);
    const { a, bId } = await connectedPair();
    const el = new ParleyLinkQuality();
    el.quality = await sampled(a, bId);
    document.body.append(el);
    await el.updateComplete;
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button.indicator');
    assert(button, 'the indicator is a button');
    assertEqual(button.getAttribute('aria-label'), 'Connection good', 'accessible name');
    assertEqual(button.title, 'Connection good', 'tooltip');
    assertEqual(button.getAttribute('aria-expanded'), 'false');
    assert(!el.shadowRoot!.querySelector('#statistics'), 'no panel until asked');
    button.click();
    await el.updateComplete;
    assertEqual(button.getAttribute('aria-expanded'), 'true');
    const rows = [...el.shadowRoot!.querySelectorAll('#statistics dt')].map((dt) => [
      dt.textContent?.trim(),
      dt.nextElementSibling?.textContent?.trim() ?? '',
    ]);
    const value = (label: string) => rows.find(([l]) => l === label)?.[1] ?? '';
    assert(/^\d+ ms$/.test(value('Round trip')), `round trip in ms: ${value('Round trip')}`);
    assert(/^in \d+(\.\d)?%, out \d+(\.\d)?%$/.test(value('Packet loss')), `loss in per cent: ${value('Packet loss')}`);
    assert(/^in [\d.,]+ [kM]bit\/s, out [\d.,]+ [kM]bit\/s$/.test(value('Bitrate')), `bitrates: ${value('Bitrate')}`);
    assert(/^\d+×\d+, \d+ fps$/.test(value('Video received')), `video in: ${value('Video received')}`);
    assertEqual(value('Connection'), 'Direct');
    assertIncludes(value('Codec'), 'VP', 'the codec by name');

    // A poor link says why, in its name and its tooltip; a relay the person chose is said as a choice.
    el.quality = { ...el.quality, level: 'poor', cause: 'high-loss' };
    await el.updateComplete;
    assertEqual(button.getAttribute('aria-label'), 'Connection poor: high packet loss');
    el.quality = { ...el.quality, level: 'good', cause: 'relayed' };
    el.relayByChoice = true;
    await el.updateComplete;
    assertEqual(button.title, 'Connection good: relayed by choice (Hide my IP)');
  });
});
