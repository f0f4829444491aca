import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_LEASE_MS,
  PRESENCE_MIN_GAP_MS,
  presenceTiming,
  type CallKind,
} from '../../../../functions/src/protocol/calls.js';
import { SWEEP_SECOND_PASS_MS } from '../../../../functions/src/domain/limits.js';

describe('presenceTiming', () => {
  for (const kind of ['random', 'link'] as const satisfies readonly CallKind[]) {
    it(`${kind}: a lease outlasts three beats (a lost write never throws anyone out) and beats stay above the rules' least gap`, () => {
      const { heartbeatMs, leaseMs } = presenceTiming(kind);
      assert.ok(leaseMs >= 3 * heartbeatMs, `${leaseMs} ms lease for a beat every ${heartbeatMs} ms`);
      assert.ok(heartbeatMs > PRESENCE_MIN_GAP_MS);
    });
  }
  it('a call by link keeps its short lease (seats free within a minute of the sweep); a random call beats five times less often', () => {
    assert.deepEqual(presenceTiming('link'), { heartbeatMs: PRESENCE_HEARTBEAT_MS, leaseMs: PRESENCE_LEASE_MS });
    assert.ok(PRESENCE_LEASE_MS + SWEEP_SECOND_PASS_MS <= 60_000);
    assert.equal(presenceTiming('random').heartbeatMs, 5 * PRESENCE_HEARTBEAT_MS);
    assert.ok(
      presenceTiming('random').leaseMs + SWEEP_SECOND_PASS_MS <= 120_000,
      'an abandoned random call is gone within 2 minutes',
    );
  });
});
