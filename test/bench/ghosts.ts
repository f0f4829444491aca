/**
 * Ghost figures for `npm run bench`: browsers killed with SIGKILL (a crash,
 * a closed laptop) and how long the living wait because of them.
 *
 * - kill → partner told: a connected partner's browser is killed; time until
 *   the other page shows "Stranger left" (target ≤ 5 s).
 * - pairing → requeued: a waiter's browser is killed and someone is paired
 *   with it at once; time from the pairing until they wait again (≤ 5 s).
 * - kill → unmatchable: when `join` stops pairing the dead entry, from its
 *   last heartbeat (seenAt + WAITING_SEEN_MS), measured from the kill (≤ 15 s).
 */
import type { Timestamp } from 'firebase-admin/firestore';
import type { Browser } from 'puppeteer-core';
import { WAITING_SEEN_MS } from '../../functions/src/protocol/calls.js';
import { killBrowser, openInOwnBrowser, ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, eventually } from '../support/emulator.js';
import { summarize } from './stats.js';

type Report = (figure: string, data: object) => void;

export async function measureGhosts(shared: Browser, report: Report, rounds: number): Promise<void> {
  const db = adminDb();
  const told: number[] = [];
  const requeued: number[] = [];
  const unmatchable: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await clearFirestore();
    // A partner killed mid-call.
    const a = await openInOwnBrowser('en');
    const b = await ParleyTab.open(shared);
    await b.chooseRoom('en');
    await a.tab.press('start');
    await a.tab.waitForStatus('searching');
    await b.press('start');
    await Promise.all([a.tab.waitForStatus('connected', 45_000), b.waitForStatus('connected', 45_000)]);
    await b.remoteFrame();
    await killBrowser(a.browser);
    const killedAt = Date.now();
    await b.waitForStatus('partner-left', 30_000);
    told.push(Date.now() - killedAt);
    await b.page.browserContext().close();

    // A waiter killed; someone is paired with it at once.
    await clearFirestore();
    const ghost = await openInOwnBrowser('ml');
    await ghost.tab.press('start');
    await ghost.tab.waitForStatus('searching');
    const ghostUid = await ghost.tab.uid();
    await eventually(async () => (await db.doc(`queue/${ghostUid}`).get()).exists, 15_000, 'queued');
    await killBrowser(ghost.browser);
    const ghostKilledAt = Date.now();
    const seenAt = ((await db.doc(`queue/${ghostUid}`).get()).get('seenAt') as Timestamp).toMillis();
    unmatchable.push(seenAt + WAITING_SEEN_MS - ghostKilledAt);
    const c = await ParleyTab.open(shared);
    await c.chooseRoom('ml');
    const cUid = await c.uid();
    await c.press('start');
    const callId = await eventually(
      async () => (await db.collection('calls').where('members', 'array-contains', ghostUid).get()).docs[0]?.id,
      15_000,
      'paired with the ghost',
    );
    const pairedAt = Date.now();
    await eventually(
      async () => !(await db.doc(`calls/${callId}`).get()).exists && (await db.doc(`queue/${cUid}`).get()).exists,
      30_000,
      'back in the queue',
    );
    requeued.push(Date.now() - pairedAt);
    await c.press('stop');
    await c.page.browserContext().close();
  }
  report('ghost-partner-told-ms', { ...summarize(told), target: '≤ 5 000 ms from the kill to "Stranger left"' });
  report('ghost-requeued-ms', { ...summarize(requeued), target: '≤ 5 000 ms from the pairing to waiting again' });
  report('ghost-unmatchable-ms', {
    ...summarize(unmatchable),
    target: `≤ ${WAITING_SEEN_MS} ms from the kill (last heartbeat + ${WAITING_SEEN_MS} ms)`,
  });
}
