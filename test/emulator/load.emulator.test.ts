/**
 * Correctness under load: N clients (PARLEY_LOAD_CLIENTS, default 100) call
 * `join` at the same moment through the Functions emulator, in several rooms,
 * some leaving as soon as they are answered. Asserted on the settled
 * database, never on timing: everyone who stayed is paired exactly once, with
 * someone of their own room, never with themself, never in two calls, and
 * never left waiting while a partner was available.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminDb, clearFirestore, drainTriggers, userPool, type TestUser } from '../support/emulator.js';
import { rejoinOrphans, settledState, stampede, transportRetries, warmUp } from '../support/load.js';
import { pairingViolations } from '../support/pairing-check.js';

const CLIENTS = Number(process.env['PARLEY_LOAD_CLIENTS'] ?? 100);
// Anyone is busiest; Tamil and Hindi quieter; UK a room of (usually) one or two.
const ROOMS = ['any', 'ta', 'any', 'hi', 'any', 'ta', 'uk'];

describe(`${CLIENTS} clients pressing Start at once (Functions emulator)`, () => {
  const db = adminDb();
  const users = userPool();
  let people: TestUser[] = [];

  before(async () => {
    assert.ok(Number.isInteger(CLIENTS) && CLIENTS >= 2, `PARLEY_LOAD_CLIENTS must be an integer ≥ 2, not ${CLIENTS}`);
    await clearFirestore();
    people = await Promise.all(Array.from({ length: CLIENTS }, () => users.create()));
    await warmUp(people);
  });
  after(async () => {
    await users.closeAll();
    // Hundreds of trigger runs are still queued; later tests must not wait behind them.
    await drainTriggers();
  });

  it('pairs everyone who stayed exactly once, within their room, and leaves no pair waiting', async () => {
    // Every tenth client leaves as soon as join answers: while the others are still joining.
    const first = await stampede(people, { rooms: ROOMS, leaveEvery: 10 });
    const errors = first.filter((c) => c.outcome.status === 'error');
    assert.deepEqual(errors, [], 'every join was answered');
    if (transportRetries.count > 0) console.log(`# ${transportRetries.count} requests dropped by the emulator were sent again`);
    // A page whose partner left before the call began looks again; so do these.
    const { clients, rejoined } = await rejoinOrphans(people, first, db);
    const { calls, queue } = await settledState(db);
    const problems = pairingViolations(clients, calls, queue);
    assert.deepEqual(problems, [], `${problems.length} violations (${rejoined} clients rejoined after their partner left)`);

    // The run exercised what it claims to: pairs in several rooms, and leavers.
    const stayed = clients.filter((c) => !c.left).length;
    assert.ok(
      clients.some((c) => c.left),
      'some clients left mid-way',
    );
    assert.ok(new Set(calls.map((c) => c.room)).size >= 3, 'pairs were made in at least three rooms');
    // Per room, everyone is paired but at most one (an odd one out).
    assert.ok(calls.length * 2 >= stayed - new Set(queue.map((q) => q.room)).size, 'nearly everyone is paired');
  });
});
