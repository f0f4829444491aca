import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CLAIM_HOLD_MS, PairingClaims, TAKEN_MEMORY_MS } from '../../../../functions/src/matching/claims.js';

describe('PairingClaims (which entries the joins of one instance are taking)', () => {
  it('holds both people from the reservation to its release, and says how it ended', async () => {
    const claims = new PairingClaims(() => 0);
    const claim = claims.reserve(['joiner', 'waiter']);
    assert.equal(claims.isTaking('joiner'), true);
    assert.equal(claims.isTaking('waiter'), true);
    assert.equal(claims.isTaking('someone else'), false);
    const settled = claims.settled('waiter');
    claim.release([{ uid: 'waiter', version: '1.0' }]);
    assert.equal(await settled, true);
    assert.equal(claims.isTaking('waiter'), false);
    assert.equal(claims.settled('waiter'), undefined);
  });

  it('a pairing that did not commit settles false and leaves nothing taken', async () => {
    const claims = new PairingClaims(() => 0);
    const claim = claims.reserve(['joiner', 'waiter']);
    const settled = claims.settled('waiter');
    claim.release(null);
    assert.equal(await settled, false);
    assert.equal(claims.wasTaken({ uid: 'waiter', version: '1.0' }), false);
  });

  it('remembers the exact entries a committed pairing deleted, for TAKEN_MEMORY_MS', () => {
    let now = 1_000;
    const claims = new PairingClaims(() => now);
    claims.reserve(['joiner', 'waiter']).release([{ uid: 'waiter', version: '5.1' }]);
    assert.equal(claims.wasTaken({ uid: 'waiter', version: '5.1' }), true);
    // The same person queued again is a new entry: free.
    assert.equal(claims.wasTaken({ uid: 'waiter', version: '9.0' }), false);
    now += TAKEN_MEMORY_MS - 1;
    assert.equal(claims.wasTaken({ uid: 'waiter', version: '5.1' }), true);
    now += 1;
    assert.equal(claims.wasTaken({ uid: 'waiter', version: '5.1' }), false);
  });

  it('forgets expired entries as new ones come, so memory stays bounded', () => {
    let now = 0;
    const claims = new PairingClaims(() => now, 100);
    for (let i = 0; i < 1_000; i++) {
      now += 10;
      claims.reserve([`j${i}`, `w${i}`]).release([{ uid: `w${i}`, version: '1' }]);
    }
    const taken = (claims as unknown as { taken: Map<string, number> }).taken;
    assert.ok(taken.size <= 11, `${taken.size} remembered`);
  });

  it('a second reservation of someone already claimed leaves the first claim in force', async () => {
    const claims = new PairingClaims(() => 0);
    const first = claims.reserve(['a', 'w']);
    const second = claims.reserve(['b', 'w']);
    const firstSettled = claims.settled('w');
    second.release(null);
    assert.equal(claims.isTaking('w'), true, 'the first pairing still holds w');
    assert.equal(claims.isTaking('b'), false);
    first.release([{ uid: 'w', version: '1' }]);
    assert.equal(await firstSettled, true);
    assert.equal(claims.isTaking('w'), false);
  });

  it('releasing twice changes nothing', async () => {
    const claims = new PairingClaims(() => 0);
    const claim = claims.reserve(['a', 'w']);
    const settled = claims.settled('w');
    claim.release(null);
    const again = claims.reserve(['c', 'w']);
    claim.release([{ uid: 'w', version: '1' }]);
    assert.equal(await settled, false);
    assert.equal(claims.isTaking('w'), true, "the later claim is not released by the earlier one's second release");
    assert.equal(claims.wasTaken({ uid: 'w', version: '1' }), false);
    again.release(null);
  });
});

describe('PairingClaims: a pairing that hangs', () => {
  it('stops holding its people after CLAIM_HOLD_MS, and a new claim takes its place', async () => {
    let now = 0;
    const claims = new PairingClaims(() => now);
    const hung = claims.reserve(['a', 'w']);
    now += CLAIM_HOLD_MS - 1;
    assert.equal(claims.isTaking('w'), true);
    now += 1;
    assert.equal(claims.isTaking('w'), false, 'a hung pairing no longer holds its waiter');
    assert.equal(claims.settled('w'), undefined);
    const next = claims.reserve(['b', 'w']);
    assert.equal(claims.isTaking('w'), true);
    hung.release(null);
    assert.equal(claims.isTaking('w'), true, "the hung pairing's late release leaves the new claim alone");
    next.release(null);
    assert.equal(claims.isTaking('w'), false);
  });

  it('a join waiting on a pairing that never settles is let go when the claim runs out', async () => {
    const claims = new PairingClaims(Date.now, TAKEN_MEMORY_MS, 30);
    claims.reserve(['a', 'w']); // never released
    const started = Date.now();
    assert.equal(await claims.settled('w'), false);
    assert.ok(Date.now() - started >= 25, 'it waited for the hold to run out');
  });
});
