import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECONNECT_FOR_MS } from '../../../../web/src/config.js';
import {
  DEFAULT_RECONNECT_TIMINGS,
  reconnectDecision as decideWith,
  reconnectPolicy,
  type ReconnectInput,
  type ReconnectTimings,
} from '../../../../web/src/engine/reconnect-policy.js';

/** The timings of a random call's links (the longer of the two kinds' give-up times). */
const T: ReconnectTimings = { ...DEFAULT_RECONNECT_TIMINGS, giveUpAfterMs: RECONNECT_FOR_MS.random };
const reconnectDecision = (input: ReconnectInput) => decideWith(input, T);

const base: ReconnectInput = { state: 'interrupted', attempts: 0, offerer: true, downForMs: 0 };

describe('reconnectDecision', () => {
  it('gives an interrupted link time to heal before the first restart', () => {
    assert.deepEqual(reconnectDecision(base), { action: 'restart', inMs: T.healMs });
    // Part of that time already passed: only the rest is waited.
    assert.deepEqual(reconnectDecision({ ...base, downForMs: 1_000 }), { action: 'restart', inMs: T.healMs - 1_000 });
  });

  it('restarts a failed link at once: failed never heals by itself', () => {
    assert.deepEqual(reconnectDecision({ ...base, state: 'failed' }), { action: 'restart', inMs: 0 });
  });

  it('lets the end that made the first offer lead; the other follows later', () => {
    const offerer = reconnectDecision(base);
    const answerer = reconnectDecision({ ...base, offerer: false });
    assert.equal(offerer.action, 'restart');
    assert.equal(answerer.action, 'restart');
    if (offerer.action === 'restart' && answerer.action === 'restart')
      assert.equal(answerer.inMs - offerer.inMs, T.answererDelayMs);
  });

  it('backs off exponentially between restarts that did not help', () => {
    const delays = [1, 2, 3, 4].map((attempts) => reconnectDecision({ ...base, state: 'failed', attempts }));
    assert.deepEqual(
      delays.map((d) => (d.action === 'restart' ? d.inMs : -1)),
      [T.backoffMs, 2 * T.backoffMs, 4 * T.backoffMs, 8 * T.backoffMs],
    );
  });

  it('gives up after the most restarts or the longest time', () => {
    assert.deepEqual(reconnectDecision({ ...base, attempts: T.maxAttempts }), { action: 'give-up' });
    assert.deepEqual(reconnectDecision({ ...base, downForMs: T.giveUpAfterMs }), { action: 'give-up' });
    assert.equal(reconnectDecision({ ...base, attempts: T.maxAttempts - 1, downForMs: T.giveUpAfterMs - 1 }).action, 'restart');
  });

  it('restarts at once when the relay of a relay-only link is back, whatever the backoff was sleeping for', () => {
    // Three restarts failed while the relay was gone: the backoff would wait 8 s.
    const sleeping = reconnectDecision({ ...base, attempts: 4, downForMs: 12_000 });
    assert.deepEqual(sleeping, { action: 'restart', inMs: 8 * T.backoffMs });
    assert.deepEqual(reconnectDecision({ ...base, attempts: 4, downForMs: 12_000, relayBack: true }), {
      action: 'restart',
      inMs: 0,
    });
    // Within the heal time too: the relay answering again is news, not a blip.
    assert.deepEqual(reconnectDecision({ ...base, downForMs: 500, relayBack: true }), { action: 'restart', inMs: 0 });
    // The other end leaves the first try to the offerer, as for any restart.
    assert.deepEqual(reconnectDecision({ ...base, attempts: 2, offerer: false, relayBack: true }), {
      action: 'restart',
      inMs: T.answererDelayMs,
    });
  });

  it("a relay's return is worth a restart past the most restarts, never past the longest time", () => {
    assert.deepEqual(
      reconnectDecision({ ...base, attempts: T.maxAttempts, downForMs: T.giveUpAfterMs - 1_000, relayBack: true }),
      {
        action: 'restart',
        inMs: 0,
      },
    );
    assert.deepEqual(reconnectDecision({ ...base, downForMs: T.giveUpAfterMs, relayBack: true }), { action: 'give-up' });
  });

  it('treats nonsense input as a fresh drop', () => {
    assert.deepEqual(reconnectDecision({ ...base, attempts: Number.NaN, downForMs: -5 }), { action: 'restart', inMs: T.healMs });
  });

  it('a policy carries its timings, with overrides', () => {
    const policy = reconnectPolicy({ giveUpAfterMs: 10_000 });
    assert.equal(policy.timings.giveUpAfterMs, 10_000);
    assert.deepEqual(policy.decide({ ...base, downForMs: 10_000 }), { action: 'give-up' });
    assert.equal(policy.timings.healMs, T.healMs);
  });
});
