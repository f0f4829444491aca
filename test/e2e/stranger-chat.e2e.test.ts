/**
 * The whole stranger-chat path in real Chromium (fake camera and microphone)
 * against the emulator suite and the built site: pairing, real media, Next,
 * Stop, tab close and room separation.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium, ParleyTab } from '../support/browser.js';
import { endRandomCallsInto } from '../../functions/src/cleanup/call-end.js';
import { SWEEP_SECOND_PASS_MS } from '../../functions/src/domain/limits.js';
import { JOINER_SEEN_AT_FIELD, RANDOM_PRESENCE_LEASE_MS, WAITER_SEEN_AT_FIELD } from '../../functions/src/protocol/calls.js';
import { CONNECTED_AT_FIELD } from '../../functions/src/protocol/moderation.js';
import { adminDb, clearFirestore, eventually, runScheduled } from '../support/emulator.js';

/**
 * Waits until both pages of a call recorded, each for itself, that its link
 * connected (the evidence a report is weighed by); returns their uids.
 */
async function connectionRecords(db: Firestore, callId: string): Promise<string[]> {
  return eventually(
    async () => {
      const records = ((await db.doc(`calls/${callId}`).get()).get(CONNECTED_AT_FIELD) ?? {}) as Record<string, unknown>;
      const recorded = Object.keys(records).filter((uid) => records[uid] instanceof Timestamp);
      return recorded.length === 2 ? recorded.sort() : null;
    },
    15_000,
    `both pages of ${callId} to record the connection`,
  );
}

describe('stranger chat, end to end', () => {
  let browser: Browser;
  const db = adminDb();

  /** Both tabs get queued and, given two seconds to go wrong, stay searching. */
  async function expectNoPairing(...tabs: ParleyTab[]): Promise<void> {
    await eventually(async () => (await db.collection('queue').get()).size === tabs.length, 10_000, 'all queued');
    await new Promise((r) => setTimeout(r, 2_000));
    for (const t of tabs) assert.equal(await t.status(), 'searching');
  }

  before(async () => {
    browser = await launchChromium([], { smallCamera: true });
  });
  // Each test starts from an empty database, whatever the one before left.
  beforeEach(() => clearFirestore());
  after(async () => {
    await browser?.close();
  });

  it('pairs two people, shows each the other, re-pairs on Next, and ends on Stop and tab close', async () => {
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    assert.equal(await a.status(), 'idle');
    for (const t of [a, b]) await t.chooseRoom('ta');

    await a.press('start');
    await a.waitForStatus('searching');
    await b.press('start');
    await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
    const [frameAtA, frameAtB] = await Promise.all([a.remoteFrame(), b.remoteFrame()]);
    assert.ok(frameAtA.width > 0 && frameAtA.height > 0, "A decodes B's video");
    assert.ok(frameAtB.width > 0 && frameAtB.height > 0, "B decodes A's video");
    // The camera this file's pages have (PageDiet.smallCamera: 320x240).
    console.log(`# decoded frames ${frameAtA.width}x${frameAtA.height} and ${frameAtB.width}x${frameAtB.height}`);
    const firstCall = await a.callId();
    assert.ok(firstCall);
    assert.equal(await b.callId(), firstCall, 'both are in the same call');
    assert.deepEqual(await connectionRecords(db, firstCall), [await a.uid(), await b.uid()].sort());

    // C arrives and waits; A presses Next and meets C; B is told.
    const c = await ParleyTab.open(browser);
    await c.chooseRoom('ta');
    await c.press('start');
    await c.waitForStatus('searching');
    await a.press('next');
    await b.waitForStatus('partner-left');
    assert.match(await b.statusText(), /Stranger left/);
    await Promise.all([a.waitForStatus('connected'), c.waitForStatus('connected')]);
    await c.remoteFrame();
    assert.notEqual(await a.callId(), firstCall);
    assert.equal((await db.doc(`calls/${firstCall}`).get()).exists, false, "the first call's documents are gone");

    // B stops; C presses Stop: A is told, and C's call documents go.
    await b.press('stop');
    await b.waitForStatus('idle');
    const secondCall = await a.callId();
    await c.press('stop');
    await a.waitForStatus('partner-left');
    await c.waitForStatus('idle');
    await eventually(async () => !(await db.doc(`calls/${secondCall}`).get()).exists, 45_000, 'call deleted after Stop');

    // Server-side cleanup is waited for generously: on a loaded machine the
    // Functions emulator has taken up to 43 s to start a function. What the
    // person sees (partner-left) is checked with its own, shorter limit.
    // A and B meet again; B closes the tab: A is told within a few seconds.
    await b.press('start');
    await b.waitForStatus('searching');
    await a.press('next');
    await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
    const thirdCall = await a.callId();
    await b.close();
    await a.waitForStatus('partner-left', 15_000);
    // B's pagehide sends `leave` with fetch keepalive through the site; the
    // server then ends the call. On this machine that request was lost in 1
    // of 5 runs (no POST /api/leave in the hosting log; cause not found), as
    // it was in the link-call test of the same request. Then the server's
    // backstop must do it, as in production: B's presence lease (90 s in a
    // random call) lapses and the sweep's liveness pass ends the call.
    const deleted = async () => !(await db.doc(`calls/${thirdCall}`).get()).exists;
    const byLeave = await eventually(deleted, 45_000, 'call deleted after tab close (its keepalive leave)').then(
      () => true,
      () => false,
    );
    if (!byLeave) {
      console.log('# the keepalive leave did not arrive: the presence lease and the sweep end the call');
      // The call ends once either presence lapsed (B's; A's page stopped beating too when B left).
      // Both pages keep theirs on the call document, one field per role.
      const call = await db.doc(`calls/${thirdCall}`).get();
      const lastBeats = [JOINER_SEEN_AT_FIELD, WAITER_SEEN_AT_FIELD].map((f) => (call.get(f) as Timestamp).toMillis());
      const lapsesAt = Math.min(...lastBeats, Date.now()) + RANDOM_PRESENCE_LEASE_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, lapsesAt - SWEEP_SECOND_PASS_MS + 1_000 - Date.now())));
      await runScheduled('sweep');
      assert.ok(await deleted(), 'the sweep ended the call of the closed tab');
    }

    await a.press('stop');
    await a.waitForStatus('idle');
    await Promise.all([a.close(), c.close()]);
    assert.equal((await db.collection('queue').get()).size, 0, 'nobody is left waiting');
  });

  it('never pairs people in different rooms', async () => {
    const hindi = await ParleyTab.open(browser);
    const english = await ParleyTab.open(browser);
    await hindi.chooseRoom('hi');
    await english.chooseRoom('en');
    await hindi.press('start');
    await english.press('start');
    await hindi.waitForStatus('searching');
    await english.waitForStatus('searching');
    // Both are queued, in their own rooms; give a wrong pairing every chance to happen.
    await expectNoPairing(hindi, english);
    assert.equal((await db.collection('calls').get()).size, 0);
    await hindi.press('stop');
    await english.press('stop');
    await Promise.all([hindi.close(), english.close()]);
  });

  it('Report ends the call for both, and the two are not paired again', async () => {
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    for (const t of [a, b]) await t.chooseRoom('ml');
    await a.press('start');
    await a.waitForStatus('searching');
    await b.press('start');
    await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
    const callId = await b.callId();
    assert.ok(callId);
    await connectionRecords(db, callId);
    await b.press('report');
    await b.press('confirm-report');
    await b.waitForStatus('ended-by-you');
    await a.waitForStatus('partner-left');
    const report = await eventually(
      async () => (await db.doc(`reports/${callId}_${await b.uid()}`).get()).data(),
      10_000,
      'report stored',
    );
    assert.equal(report['reason'], 'harassment', 'the default reason');
    // Both pages said the call connected: the report carries that evidence (it counts, given an old account).
    assert.deepEqual([report['reporterConnected'], report['reportedConnected']], [true, true]);
    // Both look again in the same room: they wait instead of meeting again.
    await a.press('next');
    await b.press('next');
    await expectNoPairing(a, b);
    await a.press('stop');
    await b.press('stop');
    await Promise.all([a.close(), b.close()]);
  });

  it("never reads a random call's document: the match and the call's end reach each page through its mailboxes", async () => {
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    for (const t of [a, b]) await t.chooseRoom('bn');
    // The same two pages, paired twice: A waits and B joins each time.
    for (const frozen of [a, b]) {
      const told = frozen === a ? b : a;
      await a.press(frozen === a ? 'start' : 'next');
      await a.waitForStatus('searching');
      await b.press(frozen === a ? 'start' : 'next');
      await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
      const callId = await a.callId();
      assert.ok(callId);
      // Each page's connection record, a write to the call document, would be a read for every page listening to it.
      await connectionRecords(db, callId);
      const endedBefore = await told.marks('parley:call-ended');
      // A frozen page can neither send a bye on the link nor answer its
      // probes: the other page can learn of the end only from the backend.
      const thaw = await frozen.freeze();
      try {
        // Ended the way leave, report, block and the sweep end it: the call, its mailboxes and presence, in one commit.
        const batch = db.batch();
        endRandomCallsInto(batch, db, [await db.doc(`calls/${callId}`).get()], Date.now());
        await batch.commit();
        await told.waitForStatus('partner-left');
        assert.equal(await told.marks('parley:call-ended'), endedBefore + 1, 'told by the backend, not by the link');
      } finally {
        await thaw();
      }
      await frozen.waitForStatus('partner-left');
    }
    // A, the waiter, learnt of each match from B's mailbox; B, the joiner,
    // from join's answer. Neither listened to a call document, not even
    // while it did not exist yet. (A page may still read it once where
    // something is amiss, e.g. a refused presence beat: `call (refresh)`.)
    for (const [tab, who] of [
      [a, 'the waiter'],
      [b, 'the joiner'],
    ] as const) {
      for (const what of ['call (listener)', 'call (listener, no document)'])
        assert.equal(await tab.readsOf(what), 0, `${who}: ${what}`);
    }
    await a.press('stop');
    await b.press('stop');
    await Promise.all([a.close(), b.close()]);
  });
});
