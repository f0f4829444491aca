/**
 * A block holds from the moment the page says so (issue 17, point 1), in
 * real Chromium against the emulator suite: A and B are in a call, A presses
 * Block, and the `block` request is held in A's browser (it reaches the
 * function only when the test lets it go, like a cold or slow function).
 * Both press Next within a second. They must not be paired with each other:
 * only A's page knows of the block, and its join carries it (`avoid`). A
 * third person then arrives, so that pairing has someone to pair; once the
 * request is let go the block is stored as usual.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { launchChromium, LEAN_PAGES, ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, eventually, userPool } from '../support/emulator.js';

/** Requests of one page to the `block` callable, paused in the browser until released. */
class HeldModeration {
  private session: CDPSession | null = null;
  private readonly paused: string[] = [];

  /** For ParleyTab.open's `prepare`: pause every request to the block callable, before the page loads. */
  readonly prepare = async (page: Page): Promise<void> => {
    this.session = await page.createCDPSession();
    this.session.on('Fetch.requestPaused', (event: { requestId: string }) => this.paused.push(event.requestId));
    // Only these requests are paused (the CORS preflight and the call itself); everything else flows.
    await this.session.send('Fetch.enable', { patterns: [{ urlPattern: '*/us-central1/block', requestStage: 'Request' }] });
  };

  /** How many requests are being held now. */
  get held(): number {
    return this.paused.length;
  }

  /** Lets every held request (and any later one) go on to the function. */
  async release(): Promise<void> {
    const session = this.session!;
    await session.send('Fetch.disable');
    for (const requestId of this.paused.splice(0)) {
      await session.send('Fetch.continueRequest', { requestId }).catch(() => undefined);
    }
  }
}

describe('a block holds at once, even while its request is slow (end to end)', () => {
  let browser: Browser;
  const db = adminDb();

  before(async () => {
    browser = await launchChromium([], LEAN_PAGES);
    // The Functions emulator starts a worker for a function on its first
    // request: let that be now (a refused empty request), not the held one.
    const users = userPool();
    await (await users.create()).call('block', {}).catch(() => undefined);
    await users.closeAll();
  });
  /** This test's pages: closed after it whatever its outcome, so that a failed test leaves nobody searching in the next. */
  let tabs: ParleyTab[] = [];
  const open = async (prepare?: (page: Page) => Promise<void>): Promise<ParleyTab> => {
    const tab = await ParleyTab.open(browser, '/', prepare);
    tabs.push(tab);
    return tab;
  };
  beforeEach(() => clearFirestore());
  afterEach(async () => {
    await Promise.all(tabs.map((t) => t.close().catch(() => undefined)));
    tabs = [];
  });
  after(async () => {
    await browser?.close();
  });

  /** The call documents that have both `x` and `y` as members. */
  async function callsOf(x: string, y: string): Promise<string[]> {
    const calls = await db.collection('calls').where('members', 'array-contains', x).get();
    return calls.docs.filter((d) => (d.get('members') as string[]).includes(y)).map((d) => d.id);
  }

  for (const first of ['blocker', 'blocked'] as const) {
    it(`A blocks B; the block request is held; both press Next within a second (${first} first): they wait, and a third person meets one of them`, async () => {
      const hold = new HeldModeration();
      const a = await open(hold.prepare);
      const b = await open();
      for (const t of [a, b]) await t.chooseRoom('ta');
      const [uidA, uidB] = await Promise.all([a.uid(), b.uid()]);
      await a.press('start');
      await a.waitForStatus('searching');
      await b.press('start');
      await Promise.all([a.waitForStatus('connected', 60_000), b.waitForStatus('connected', 60_000)]);

      await a.press('block');
      await a.press('confirm-block');
      await a.waitForStatus('ended-by-you');
      assert.match(await a.statusText(), /[Bb]locked/, 'the page says the person is blocked');
      await eventually(async () => hold.held > 0, 10_000, 'the block request held in the browser');
      await b.waitForStatus('partner-left');

      // Both look again at once, in either order.
      const [x, y] = first === 'blocker' ? [a, b] : [b, a];
      await x.press('next');
      await new Promise((r) => setTimeout(r, 300));
      await y.press('next');
      await eventually(async () => (await db.collection('queue').get()).size === 2, 15_000, 'both queued');
      // Give a wrong pairing every chance to happen while the block is still not stored.
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal((await db.doc(`blocks/${uidA}`).get()).exists, false, 'the block is not stored yet: only the page knows');
      assert.ok(hold.held > 0, 'the block request is still held');
      assert.deepEqual(await callsOf(uidA, uidB), [], 'A and B were not paired again');
      assert.equal(await a.status(), 'searching');
      assert.equal(await b.status(), 'searching');

      // C arrives: paired with one of them, never making A and B meet.
      const c = await open();
      await c.chooseRoom('ta');
      await c.press('start');
      await c.waitForStatus('connected', 60_000);
      const uidC = await c.uid();
      const met = [...(await callsOf(uidC, uidA)), ...(await callsOf(uidC, uidB))];
      assert.equal(met.length, 1, 'C meets one of the two');
      assert.deepEqual(await callsOf(uidA, uidB), [], 'A and B still not paired');

      // The request goes through late: the block is stored as always.
      // The function was warmed up (before): on a loaded machine its first
      // worker took 43 s to start, with this request waiting for it.
      const releasedAt = Date.now();
      await hold.release();
      await eventually(
        async () => ((await db.doc(`blocks/${uidA}`).get()).get('blocked') as string[] | undefined)?.includes(uidB) === true,
        90_000,
        'the block stored once its request arrived',
      );
      console.log(`# the block was stored ${Date.now() - releasedAt} ms after its request was let go`);
      assert.notEqual(await a.status(), 'failed', 'and the page showed no failure');
      for (const t of [a, b, c]) await t.press('stop').catch(() => undefined);
    });
  }
});
