import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queryReads, UsageMeter } from '../../../../functions/src/domain/usage.js';

describe('usage counting', () => {
  it('bills a query at least one read', () => {
    assert.equal(queryReads(0), 1);
    assert.equal(queryReads(1), 1);
    assert.equal(queryReads(7), 7);
  });

  it('accumulates reads, writes and deletes, and adds other meters', () => {
    const meter = new UsageMeter();
    meter.read(3);
    meter.write();
    meter.delete(2);
    const other = new UsageMeter();
    other.write(4);
    meter.add(other);
    assert.deepEqual(meter.usage, { reads: 3, writes: 5, deletes: 2 });
  });

  it('names every operation, unnamed ones as other, and keeps the names when adding a meter', () => {
    const meter = new UsageMeter();
    meter.read(1, 'people');
    meter.read(2, 'queue (scan)');
    meter.write(1, 'people');
    meter.delete(1);
    const other = new UsageMeter();
    other.write(2, 'people');
    meter.add(other);
    assert.deepEqual(meter.byName, {
      people: { reads: 1, writes: 3, deletes: 0 },
      'queue (scan)': { reads: 2, writes: 0, deletes: 0 },
      other: { reads: 0, writes: 0, deletes: 1 },
    });
    assert.deepEqual(meter.usage, { reads: 3, writes: 3, deletes: 1 });
  });

  it('hands out a copy, not its live totals', () => {
    const meter = new UsageMeter();
    const snapshot = meter.usage;
    const named = meter.byName;
    meter.read(1, 'x');
    assert.deepEqual(snapshot, { reads: 0, writes: 0, deletes: 0 });
    assert.deepEqual(named, {});
  });

  it('times steps on its clock, adding up the attempts, and the total since it was made', async () => {
    let now = 1000;
    const meter = new UsageMeter(() => now);
    await meter.timed(
      'reads',
      Promise.resolve().then(() => (now += 30)),
    );
    now += 5;
    await meter.timed(
      'reads',
      Promise.resolve().then(() => (now += 20)),
    );
    await assert.rejects(
      meter.timed(
        'commit',
        Promise.resolve().then(() => {
          now += 7;
          throw new Error('lost');
        }),
      ),
    );
    assert.deepEqual(meter.phaseMs, { reads: 50, commit: 7, total: 62 });
  });

  it('counts lost races, in all and by where they happened', () => {
    const meter = new UsageMeter();
    assert.equal(meter.lostRaces, 0);
    assert.deepEqual(meter.lostRacesByWhere, {});
    meter.lostRace('pairing (look again)');
    meter.lostRace('queueing');
    meter.lostRace('pairing (look again)');
    meter.lostRace();
    assert.equal(meter.lostRaces, 4);
    assert.deepEqual(meter.lostRacesByWhere, { 'pairing (look again)': 2, queueing: 1, other: 1 });
  });
});
