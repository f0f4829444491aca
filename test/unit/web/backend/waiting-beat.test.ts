import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PRESENCE_MIN_GAP_MS, WAITING_HEARTBEAT_MS, WAITING_SEEN_MS } from '@parley/functions/protocol';
import { BEAT_DEFER_MS, beatNeeded, JOIN_STANDS_FOR_BEAT_MS } from '../../../../web/src/backend/waiting-beat.js';

describe('beatNeeded', () => {
  const idle = (lastAtMs: number) => ({ running: 0, lastAtMs });

  it('beats when no join was ever sent, or the last answered long enough ago', () => {
    assert.equal(beatNeeded(1_000, idle(Number.NEGATIVE_INFINITY)), true);
    assert.equal(beatNeeded(20_000, idle(20_000 - JOIN_STANDS_FOR_BEAT_MS)), true);
  });

  it("leaves the beat out just after a join, which set seenAt itself (a renewal due at the beat's moment goes first)", () => {
    assert.equal(beatNeeded(15_000 + BEAT_DEFER_MS, idle(15_001)), false);
    assert.equal(beatNeeded(20_000, idle(20_000 - JOIN_STANDS_FOR_BEAT_MS + 1)), false);
  });

  it('leaves it out while a join runs, however long ago it was sent (the join sets seenAt at its commit)', () => {
    assert.equal(beatNeeded(30_000, { running: 1, lastAtMs: 20_000 }), false);
    assert.equal(beatNeeded(30_000, { running: 2, lastAtMs: Number.NEGATIVE_INFINITY }), false);
  });

  it("keeps a live page matchable and its beats past the rules' least gap", () => {
    // The longest a page goes without a refresh: a join just before a beat is left out, then one period.
    assert.ok(JOIN_STANDS_FOR_BEAT_MS + WAITING_HEARTBEAT_MS + BEAT_DEFER_MS < WAITING_SEEN_MS);
    // A beat sent after a join's answer comes at least this long after its commit: past the 2 s the rules require, with a second to spare.
    assert.ok(JOIN_STANDS_FOR_BEAT_MS >= PRESENCE_MIN_GAP_MS + 1_000);
    // The deferral is short against the period.
    assert.ok(BEAT_DEFER_MS * 10 <= WAITING_HEARTBEAT_MS);
  });
});
