/**
 * Safety codes on real links in one page (fake cameras, real peer
 * connections, the in-memory backend): both ends of a link show the same
 * code, made from the DTLS fingerprints the link really uses; two links of
 * a call show different ones.
 */
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe('safety codes', () => {
  let rig: Rig;
  const flows: LinkCallFlow[] = [];
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const f of flows.splice(0)) f.reset();
    await rig.cleanup();
  });

  it('a random call: both people see the same code', async function () {
    this.timeout(40_000);
    const a = rig.session();
    const b = rig.session();
    await a.session.start('en');
    await waitForStatus(a.session, 'searching', 5_000);
    await b.session.start('en');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    const atA = () => a.session.inCall!.safety.of(b.uid);
    const atB = () => b.session.inCall!.safety.of(a.uid);
    await waitUntil(() => atA() !== null && atB() !== null, 5_000, 'both codes');
    assert(CODE.test(atA()!), `four groups of four: ${atA()}`);
    assertEqual(atA(), atB(), 'the same on both sides');
  });

  it('a call by link of three: each pair shares its own code', async function () {
    this.timeout(60_000);
    const deps = [rig.linkDeps(), rig.linkDeps(), rig.linkDeps()];
    const [host, g1, g2] = deps.map((d) => new LinkCallFlow(d)) as [LinkCallFlow, LinkCallFlow, LinkCallFlow];
    flows.push(host, g1, g2);
    await host.create();
    const callId = (host.state as { callId: string }).callId;
    for (const g of [g1, g2]) {
      await g.open(callId);
      await g.join();
    }
    const all = [host, g1, g2];
    const uid = (f: LinkCallFlow) => deps[all.indexOf(f)]!.uid;
    const code = (at: LinkCallFlow, of: LinkCallFlow) => at.inCall?.safety.of(uid(of)) ?? null;
    const pairs: [LinkCallFlow, LinkCallFlow][] = [
      [host, g1],
      [host, g2],
      [g1, g2],
    ];
    await waitUntil(
      () => pairs.every(([x, y]) => code(x, y) !== null && code(y, x) !== null),
      CONNECT_MS,
      'every code',
      () => pairs.map(([x, y]) => `${code(x, y)}|${code(y, x)}`).join(', '),
    );
    for (const [x, y] of pairs) assertEqual(code(x, y), code(y, x), 'the two ends of a link agree');
    assertEqual(new Set(pairs.map(([x, y]) => code(x, y))).size, 3, 'each link its own code');
  });
});
