import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { WAITING_HEARTBEAT_MS } from '@parley/functions/protocol';
import { TIMING } from '../../../../web/src/config.js';
import { BEAT_SLACK_MS, matchAckWaitMs } from '../../../../web/src/flows/match-ack.js';

const timing = { matchAckTimeoutMs: 3_000, liveWaiterAckTimeoutMs: 4_500 };

describe('matchAckWaitMs', () => {
  it('gives a waiter seen within its heartbeat period (and the slack) the long wait', () => {
    for (const ago of [0, 1, WAITING_HEARTBEAT_MS, WAITING_HEARTBEAT_MS + BEAT_SLACK_MS]) {
      assert.equal(matchAckWaitMs(ago, timing), 4_500, `seen ${ago} ms before`);
    }
  });

  it('gives a waiter that missed a beat the short wait', () => {
    for (const ago of [WAITING_HEARTBEAT_MS + BEAT_SLACK_MS + 1, 10_000, 14_999]) {
      assert.equal(matchAckWaitMs(ago, timing), 3_000, `seen ${ago} ms before`);
    }
  });

  it('gives the short wait when the server does not say, or says nonsense', () => {
    for (const ago of [undefined, null, '100', -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(matchAckWaitMs(ago, timing), 3_000, `waiterSeenMsAgo ${String(ago)}`);
    }
  });

  it('never waits less than the short wait, whatever the settings', () => {
    assert.equal(matchAckWaitMs(0, { matchAckTimeoutMs: 3_000, liveWaiterAckTimeoutMs: 1_000 }), 3_000);
  });

  it("production's settings: the longer wait still leaves the requeue half a second of the 5 s in which someone paired with a ghost is back in the queue", () => {
    assert.ok(matchAckWaitMs(0, TIMING) > TIMING.matchAckTimeoutMs, 'a waiter that beat on time gets longer');
    assert.ok(matchAckWaitMs(0, TIMING) <= 4_500);
    assert.equal(matchAckWaitMs(WAITING_HEARTBEAT_MS * 2, TIMING), TIMING.matchAckTimeoutMs);
  });
});
