import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, isContention } from '../../../../functions/src/domain/backoff.js';

describe('transaction backoff', () => {
  it('grows exponentially up to the cap, scaled by the jitter', () => {
    const max = () => 1;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((a) => backoffMs(a, max)),
      [40, 80, 160, 320, 640, 1000, 1000],
    );
    assert.equal(
      backoffMs(3, () => 0.5),
      80,
    );
    assert.equal(
      backoffMs(3, () => 0),
      0,
    );
  });

  it('treats attempt numbers below one as the first', () => {
    assert.equal(
      backoffMs(0, () => 1),
      40,
    );
  });

  it('recognises only gRPC ABORTED as contention', () => {
    assert.equal(isContention({ code: 10, details: 'Transaction lock timeout.' }), true);
    for (const err of [{ code: 9 }, { code: '10' }, new Error('x'), null, 'ABORTED']) assert.equal(isContention(err), false);
  });
});
