/**
 * web/src/backend/heartbeat-idb.ts, the bundle's stand-in for `idb`, in
 * real Chromium IndexedDB: the calls @firebase/app makes for its heartbeat
 * store, what it relies on when they fail, and the same data as the real
 * `idb` package reads and writes it (a browser that stored a heartbeat with
 * an older bundle keeps it).
 */
import { openDB as realOpenDB } from 'idb';
import { openDB } from '../../../web/src/backend/heartbeat-idb.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';

/** A database name no other test uses. */
const fresh = (): string => `parley-test-${Math.random().toString(36).slice(2)}`;

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('heartbeat-idb (the stand-in for idb)', () => {
  it('creates the store in upgrade (old version 0) once, then writes and reads in transactions as @firebase/app does', async () => {
    const name = fresh();
    const upgrades: number[] = [];
    const upgrade = (db: IDBDatabase, oldVersion: number): void => {
      upgrades.push(oldVersion);
      if (oldVersion === 0) db.createObjectStore('beats');
    };
    const db = await openDB(name, 1, { upgrade });
    const write = db.transaction('beats', 'readwrite');
    await write.objectStore('beats').put({ lastSentHeartbeatDate: '2026-12-04', heartbeats: [] }, 'app-1');
    await write.done;
    const read = db.transaction('beats');
    assertDeepEqual(await read.objectStore('beats').get('app-1'), { lastSentHeartbeatDate: '2026-12-04', heartbeats: [] });
    assertEqual(await read.objectStore('beats').get('nobody'), undefined, 'a missing key reads as undefined');
    await read.done;
    await openDB(name, 1, { upgrade });
    assertDeepEqual(upgrades, [0], 'upgrade runs only for a new database');
  });

  it('a write in a read-only transaction fails in its promise and in done, without an unhandled rejection', async () => {
    const db = await openDB(fresh(), 1, { upgrade: (d) => d.createObjectStore('beats') });
    const tx = db.transaction('beats');
    const err = await rejects(Promise.resolve().then(() => tx.objectStore('beats').put(1, 'k')));
    assert(err instanceof DOMException && err.name === 'ReadOnlyError', `a ReadOnlyError, got ${String(err)}`);
  });

  it('a store that does not exist fails when the transaction is made (Firebase catches it and warns)', async () => {
    const db = await openDB(fresh(), 1);
    const err = await rejects(Promise.resolve().then(() => db.transaction('beats')));
    assert(err instanceof DOMException && err.name === 'NotFoundError', `a NotFoundError, got ${String(err)}`);
  });

  it('opening at a lower version than stored fails (VersionError), as with idb', async () => {
    const name = fresh();
    await openDB(name, 2);
    const err = await rejects(openDB(name, 1));
    assert(err instanceof DOMException && err.name === 'VersionError', `a VersionError, got ${String(err)}`);
  });

  it('reads what the real idb wrote, and the real idb reads what it wrote', async () => {
    const name = fresh();
    const real = await realOpenDB(name, 1, { upgrade: (d) => void d.createObjectStore('beats') });
    await real.put('beats', { heartbeats: [{ agent: 'old bundle', date: '2026-12-01' }] }, 'app-1');
    real.close();
    const ours = await openDB(name, 1);
    assertDeepEqual(await ours.transaction('beats').objectStore('beats').get('app-1'), {
      heartbeats: [{ agent: 'old bundle', date: '2026-12-01' }],
    });
    const tx = ours.transaction('beats', 'readwrite');
    await tx.objectStore('beats').put({ heartbeats: [] }, 'app-2');
    await tx.done;
    const again = await realOpenDB(name, 1);
    assertDeepEqual(await again.get('beats', 'app-2'), { heartbeats: [] });
    again.close();
  });
});
