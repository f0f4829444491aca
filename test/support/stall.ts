/**
 * When a call of a benchmark or a test is paired but carries no media: what each page and
 * the database show, printed to stderr, and both tabs back to idle so the
 * run goes on.
 */
import type { ParleyTab } from './browser.js';
import type { adminDb } from './emulator.js';

/**
 * What the pages and the database show when a paired call carries no media
 * (stderr). Returns each page's diagnosis (or why there is none), for
 * stallSummary.
 */
export async function reportStall(db: ReturnType<typeof adminDb>, tabs: ParleyTab[]): Promise<object[]> {
  const diagnoses: object[] = [];
  for (const [i, tab] of tabs.entries()) {
    const diagnosis = await tab.diagnosis().catch((err: unknown) => ({ error: String(err) }));
    diagnoses.push(diagnosis);
    console.error(`#   page ${i + 1}:`, JSON.stringify(diagnosis));
  }
  for (const d of (await db.collection('calls').get()).docs) {
    const { offer: _offer, ...rest } = d.data();
    console.error(`#   call ${d.id} (created ${d.createTime.toMillis()}):`, JSON.stringify(rest));
    for (const sub of await d.ref.listCollections()) {
      for (const m of (await sub.get()).docs) console.error(`#     ${sub.id}/${m.id} updated ${m.updateTime.toMillis()}`);
    }
  }
  for (const d of (await db.collection('queue').get()).docs) console.error(`#   queue ${d.id}:`, JSON.stringify(d.data()));
  return diagnoses;
}

/** `err` with the pages' short diagnosis appended, after reportStall printed everything. */
export async function stallError(err: Error, db: ReturnType<typeof adminDb>, tabs: ParleyTab[]): Promise<Error> {
  return new Error(`${err.message}\n${stallSummary(await reportStall(db, tabs))}`);
}

/**
 * The pages' diagnoses (as reportStall returns them) short enough to go
 * into a failure's message (the layer's failure summary, all a CI log may
 * keep): each page's status, its call's last events and, per link, its
 * states, last events and video counters. reportStall prints everything,
 * to stderr.
 */
export function stallSummary(diagnoses: readonly object[], lines = 14): string {
  const out: string[] = [];
  for (const [i, diagnosis] of diagnoses.entries()) {
    const d = diagnosis as {
      flow?: {
        status?: string;
        history?: readonly string[] | null;
        links?:
          | {
              state: string;
              signalingState: string | null;
              connectionState: string | null;
              history: readonly string[] | null;
              video: unknown;
            }[]
          | null;
      } | null;
      error?: string;
    };
    if (d.error !== undefined || !d.flow) {
      out.push(`page ${i + 1}: ${d.error ?? 'no call page'}`);
      continue;
    }
    out.push(`page ${i + 1} (${d.flow.status}): call · ${(d.flow.history ?? []).slice(-lines / 2).join(' · ')}`);
    for (const l of d.flow.links ?? []) {
      out.push(`  link ${l.state}/${l.signalingState}/${l.connectionState} · ${(l.history ?? []).slice(-lines).join(' · ')}`);
      out.push(`  video ${JSON.stringify(l.video)}`);
    }
  }
  return out.join('\n');
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
