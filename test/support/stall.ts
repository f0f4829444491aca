/**
 * When a call of a benchmark or a test is paired but carries no media: what each page and
 * the database show, printed to stderr, and both tabs back to idle so the
 * run goes on.
 */
import type { ParleyTab } from './browser.js';
import type { adminDb } from './emulator.js';

/** What the pages and the database show when a paired call carries no media (stderr). */
export async function reportStall(db: ReturnType<typeof adminDb>, tabs: ParleyTab[]): Promise<void> {
  for (const [i, tab] of tabs.entries()) console.error(`#   page ${i + 1}:`, JSON.stringify(await tab.diagnosis()));
  for (const d of (await db.collection('calls').get()).docs) {
    const { offer: _offer, ...rest } = d.data();
    console.error(`#   call ${d.id} (created ${d.createTime.toMillis()}):`, JSON.stringify(rest));
    for (const sub of await d.ref.listCollections()) {
      for (const m of (await sub.get()).docs) console.error(`#     ${sub.id}/${m.id} updated ${m.updateTime.toMillis()}`);
    }
  }
  for (const d of (await db.collection('queue').get()).docs) console.error(`#   queue ${d.id}:`, JSON.stringify(d.data()));
}

/** Stops both tabs whatever state they are in, back to idle. */
export async function resetTabs(tabs: ParleyTab[]): Promise<void> {
  for (const tab of tabs) {
    if ((await tab.status()) !== 'idle') await tab.press('stop').catch(() => undefined);
  }
  for (const tab of tabs) {
    if ((await tab.status()) !== 'idle') await tab.press('stop').catch(() => undefined);
    await tab.waitForStatus('idle').catch(() => undefined);
  }
}
