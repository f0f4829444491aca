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
    meter.add(other.usage);
    assert.deepEqual(meter.usage, { reads: 3, writes: 5, deletes: 2 });
  });

  it('hands out a copy, not its live totals', () => {
    const meter = new UsageMeter();
    const snapshot = meter.usage;
    meter.read(1);
    assert.deepEqual(snapshot, { reads: 0, writes: 0, deletes: 0 });
  });
});
