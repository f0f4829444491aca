/**
 * Correctness when one function instance runs many joins at once, as a
 * production instance does (concurrency 80, functions/src/config.ts): one
 * FirestoreMatchmaker, in this process, on the Firestore emulator. Through
 * the Functions emulator (load.emulator.test.ts) every request has a process
 * of its own, so the instance's own bookkeeping of the entries it is taking
 * (matching/claims.ts) is never shared there; here every join shares it.
 * Asserted on the settled database, never on timing or on the number of
 * lost races: everyone paired exactly once, within their room, and never
 * two compatible people left waiting.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import { UsageMeter } from '../../functions/src/domain/usage.js';
import type { RoomId } from '../../functions/src/protocol/rooms.js';
import { adminDb, clearFirestore, fakeOffer } from '../support/emulator.js';
import { settledState } from '../support/load.js';
import { pairingViolations, type ClientView } from '../support/pairing-check.js';

const ROOMS: readonly RoomId[] = ['any', 'ta', 'any', 'hi', 'uk'];

describe('one instance taking many joins at once (a FirestoreMatchmaker in this process)', () => {
  const db = adminDb();
  before(() => clearFirestore());

  // PARLEY_INSTANCE_JOINS: other sizes (comma-separated), e.g. the benchmark's 200.
  const sizes = (process.env['PARLEY_INSTANCE_JOINS'] ?? '200,61').split(',').map(Number);
  for (const n of sizes) {
    it(`${n} people press Start together: everyone paired once, within their room, no pair left waiting`, async () => {
      await clearFirestore();
      const matchmaker = new FirestoreMatchmaker(db);
      const meters: UsageMeter[] = [];
      const clients: ClientView[] = await Promise.all(
        Array.from({ length: n }, async (_, i): Promise<ClientView> => {
          const uid = `p${n}-${String(i).padStart(3, '0')}`;
          const room = ROOMS[i % ROOMS.length]!;
          const meter = new UsageMeter();
          meters.push(meter);
          try {
            const r = await matchmaker.join(uid, { room, offer: fakeOffer(uid), widen: false }, meter);
            assert.ok(r.status === 'waiting' || r.status === 'matched', `${uid}: ${r.status}`);
            return { uid, room, left: false, outcome: { status: r.status, callId: r.callId } };
          } catch (err) {
            return { uid, room, left: false, outcome: { status: 'error', message: String(err) } };
          }
        }),
      );
      const { calls, queue } = await settledState(db);
      assert.deepEqual(pairingViolations(clients, calls, queue), []);
      // Rooms of Anyone (two in five), Tamil, Hindi and UK: each leaves at most one waiting.
      assert.ok(queue.length <= ROOMS.length - 1, `${queue.length} still waiting`);
      const lostRaces = meters.reduce((sum, m) => sum + m.lostRaces, 0);
      console.log(`# ${n} joins on one instance: ${calls.length} calls, ${queue.length} waiting, ${lostRaces} lost races`);
    });
  }
});
