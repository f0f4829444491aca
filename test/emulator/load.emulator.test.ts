/**
 * Correctness under load. First, N clients (PARLEY_LOAD_CLIENTS, default
 * 100) call `join` at the same moment through the Functions emulator, in
 * several rooms, some leaving as soon as they are answered. Asserted on the
 * settled database, never on timing: everyone who stayed is paired exactly
 * once, with someone of their own room, never with themself, never in two
 * calls, and never left waiting while a partner was available.
 *
 * Then a storm of Stops (the point 9): every page of
 * PARLEY_STORM_CALLS random calls (default 50) presses Stop within seconds.
 * No mailbox or presence may outlive the Stop that ended its call, and every
 * call is remembered, with the evidence its pages recorded, by the time its
 * Stop answered (the history is written in the commit that ends the call;
 * the time is printed, docs/OPERATIONS.md has the figures).
 */
import { doc, FieldPath, serverTimestamp, updateDoc } from 'firebase/firestore';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONNECTED_AT_FIELD } from '../../functions/src/protocol/moderation.js';
import { adminDb, clearFirestore, drainTriggers, userPool, type TestUser } from '../support/emulator.js';
import { rejoinOrphans, settledState, stampede, transportRetries, warmUp } from '../support/load.js';
import { callLeftovers, droppedStops, pairUp, stopAll, warmUpLeave } from '../support/storm.js';
import { pairingViolations } from '../support/pairing-check.js';

const CLIENTS = Number(process.env['PARLEY_LOAD_CLIENTS'] ?? 100);
// Anyone is busiest; Tamil and Hindi quieter; UK a room of (usually) one or two.
const ROOMS = ['any', 'ta', 'any', 'hi', 'any', 'ta', 'uk'];
const STORM_CALLS = Number(process.env['PARLEY_STORM_CALLS'] ?? 50);
/** Stop requests in flight at once (test/support/storm.ts, stopAll): the emulator runs a process for each. */
const STORM_IN_FLIGHT = 10;

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

describe(`a storm: every page of ${STORM_CALLS} random calls presses Stop (Functions emulator)`, () => {
  const db = adminDb();
  const users = userPool();
  const people: TestUser[] = [];

  before(async () => {
    assert.ok(Number.isInteger(STORM_CALLS) && STORM_CALLS >= 1, `PARLEY_STORM_CALLS must be an integer ≥ 1, not ${STORM_CALLS}`);
    await drainTriggers();
    await clearFirestore();
    // Signed in a few at a time: hundreds at once time out at the Auth emulator.
    for (let i = 0; i < 2 * STORM_CALLS; i += STORM_IN_FLIGHT) {
      const batch = Math.min(STORM_IN_FLIGHT, 2 * STORM_CALLS - i);
      people.push(...(await Promise.all(Array.from({ length: batch }, () => users.create()))));
    }
    await warmUpLeave(people.slice(0, STORM_IN_FLIGHT));
  });
  after(async () => {
    await users.closeAll();
    await drainTriggers();
  });

  it('leaves no mailbox or presence behind, and remembers every call with its evidence for moderation', async () => {
    const callIds = await pairUp(db, people);
    assert.equal(callIds.length, STORM_CALLS);
    assert.deepEqual(await callLeftovers(db), { signals: 2 * STORM_CALLS, members: 2 * STORM_CALLS }, 'the calls are set up');
    // In every other call both pages said their link connected, through the rules, as pages do.
    const connected = callIds.filter((_, i) => i % 2 === 0);
    await Promise.all(
      connected.flatMap((callId) => {
        const i = callIds.indexOf(callId);
        return [people[2 * i]!, people[2 * i + 1]!].map((p) =>
          updateDoc(doc(p.db, 'calls', callId), new FieldPath(CONNECTED_AT_FIELD, p.uid), serverTimestamp()),
        );
      }),
    );
    // The calls' own triggers run first: what is timed is the end.
    await drainTriggers();

    const stoppedAt = Date.now();
    await stopAll(people, STORM_IN_FLIGHT);
    const answeredMs = Date.now() - stoppedAt;
    if (droppedStops.count > 0) console.log(`# ${droppedStops.count} Stops dropped by the emulator were sent again`);
    assert.equal((await db.collection('calls').count().get()).data().count, 0, 'Stop ended every call');
    // Stop deletes everything under a call and writes its history with it: nothing waits for the triggers.
    assert.deepEqual(await callLeftovers(db), { signals: 0, members: 0 }, 'no mailbox or presence outlives its Stop');
    // Only the storm's: a trigger of the previous test that ran after the clear may add others.
    const histories = (await db.collection('history').get()).docs.filter((d) => callIds.includes(d.id));
    assert.equal(histories.length, STORM_CALLS, 'every ended call is in the history once its Stop answered');
    console.log(
      `# storm of ${STORM_CALLS} calls, ${2 * STORM_CALLS} Stops (${STORM_IN_FLIGHT} in flight): all answered, ` +
        `with mailboxes and presence gone and histories written, after ${answeredMs} ms`,
    );
    // The evidence survived the storm: both records where both pages said so, none elsewhere.
    for (const h of histories) {
      const records = Object.keys((h.get('connectedAt') as object | undefined) ?? {}).length;
      assert.equal(records, connected.includes(h.id) ? 2 : 0, `records of the connection in the history of ${h.id}`);
    }
  });
});
