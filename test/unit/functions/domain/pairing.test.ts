import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { choosePartner, isLeaseLive, type WaitingEntry } from '../../../../functions/src/domain/pairing.js';

const NOW = 1_700_000_000_000;

interface TaggedEntry extends WaitingEntry {
  readonly tag: string;
}

function entry(overrides: Partial<TaggedEntry> & { readonly uid: string }): TaggedEntry {
  return {
    room: 'en',
    createdAtMs: NOW - 10_000,
    leaseExpiresAtMs: NOW + 30_000,
    tag: overrides.uid,
    ...overrides,
  };
}

describe('isLeaseLive', () => {
  it('is live while the lease expires in the future', () => {
    assert.equal(isLeaseLive({ leaseExpiresAtMs: NOW + 1 }, NOW), true);
  });

  it('is lapsed when the lease expires exactly now', () => {
    assert.equal(isLeaseLive({ leaseExpiresAtMs: NOW }, NOW), false);
  });

  it('is lapsed when the lease expired in the past', () => {
    assert.equal(isLeaseLive({ leaseExpiresAtMs: NOW - 1 }, NOW), false);
  });
});

describe('choosePartner', () => {
  it('returns null for an empty list', () => {
    assert.equal(choosePartner('me', 'en', [], NOW), null);
  });

  it('picks the only qualifying entry and returns that same object', () => {
    const other = entry({ uid: 'other' });
    assert.equal(choosePartner('me', 'en', [other], NOW), other);
  });

  it('never picks the joiner themself', () => {
    const self = entry({ uid: 'me', createdAtMs: NOW - 99_000 });
    assert.equal(choosePartner('me', 'en', [self], NOW), null);
  });

  it('skips the joiner even when they are the oldest', () => {
    const self = entry({ uid: 'me', createdAtMs: NOW - 99_000 });
    const other = entry({ uid: 'other', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner('me', 'en', [self, other], NOW), other);
  });

  it('never picks an entry from another room', () => {
    const elsewhere = entry({ uid: 'other', room: 'ta' });
    assert.equal(choosePartner('me', 'en', [elsewhere], NOW), null);
  });

  it('skips an older entry from another room in favour of one in the room', () => {
    const elsewhere = entry({ uid: 'old', room: 'ta', createdAtMs: NOW - 99_000 });
    const here = entry({ uid: 'new', room: 'en', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner('me', 'en', [elsewhere, here], NOW), here);
  });

  it('does not treat the "any" room as matching other rooms', () => {
    const english = entry({ uid: 'other', room: 'en' });
    assert.equal(choosePartner('me', 'any', [english], NOW), null);
  });

  it('never picks an entry whose lease lapsed in the past', () => {
    const lapsed = entry({ uid: 'ghost', leaseExpiresAtMs: NOW - 1 });
    assert.equal(choosePartner('me', 'en', [lapsed], NOW), null);
  });

  it('treats a lease expiring exactly now as lapsed', () => {
    const lapsing = entry({ uid: 'ghost', leaseExpiresAtMs: NOW });
    assert.equal(choosePartner('me', 'en', [lapsing], NOW), null);
  });

  it('picks an entry whose lease runs one millisecond past now', () => {
    const live = entry({ uid: 'alive', leaseExpiresAtMs: NOW + 1 });
    assert.equal(choosePartner('me', 'en', [live], NOW), live);
  });

  it('skips an older lapsed entry in favour of a younger live one', () => {
    const ghost = entry({ uid: 'ghost', createdAtMs: NOW - 99_000, leaseExpiresAtMs: NOW - 5 });
    const live = entry({ uid: 'alive', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner('me', 'en', [ghost, live], NOW), live);
  });

  it('picks the oldest createdAt when the list is oldest-first', () => {
    const a = entry({ uid: 'a', createdAtMs: NOW - 30_000 });
    const b = entry({ uid: 'b', createdAtMs: NOW - 20_000 });
    const c = entry({ uid: 'c', createdAtMs: NOW - 10_000 });
    assert.equal(choosePartner('me', 'en', [a, b, c], NOW)?.uid, 'a');
  });

  it('picks the oldest createdAt whatever the input order', () => {
    const a = entry({ uid: 'a', createdAtMs: NOW - 30_000 });
    const b = entry({ uid: 'b', createdAtMs: NOW - 20_000 });
    const c = entry({ uid: 'c', createdAtMs: NOW - 10_000 });
    const orders: TaggedEntry[][] = [
      [a, b, c],
      [a, c, b],
      [b, a, c],
      [b, c, a],
      [c, a, b],
      [c, b, a],
    ];
    for (const order of orders) {
      assert.equal(choosePartner('me', 'en', order, NOW), a, order.map((e) => e.uid).join(','));
    }
  });

  it('keeps the first of two entries with the same createdAt', () => {
    const first = entry({ uid: 'first', createdAtMs: NOW - 5_000 });
    const second = entry({ uid: 'second', createdAtMs: NOW - 5_000 });
    assert.equal(choosePartner('me', 'en', [first, second], NOW), first);
  });

  it('returns null when nobody qualifies for different reasons', () => {
    const waiting = [
      entry({ uid: 'me' }),
      entry({ uid: 'foreigner', room: 'hi' }),
      entry({ uid: 'ghost', leaseExpiresAtMs: NOW }),
      entry({ uid: 'older-ghost', leaseExpiresAtMs: NOW - 60_000 }),
    ];
    assert.equal(choosePartner('me', 'en', waiting, NOW), null);
  });

  it('picks the oldest qualifying entry from a mixed list', () => {
    const waiting = [
      entry({ uid: 'me', createdAtMs: NOW - 90_000 }),
      entry({ uid: 'foreigner', room: 'hi', createdAtMs: NOW - 80_000 }),
      entry({ uid: 'ghost', createdAtMs: NOW - 70_000, leaseExpiresAtMs: NOW }),
      entry({ uid: 'young', createdAtMs: NOW - 1_000 }),
      entry({ uid: 'winner', createdAtMs: NOW - 40_000 }),
      entry({ uid: 'middle', createdAtMs: NOW - 20_000 }),
    ];
    assert.equal(choosePartner('me', 'en', waiting, NOW)?.tag, 'winner');
  });

  it('does not modify the list it is given', () => {
    const waiting = [entry({ uid: 'b', createdAtMs: NOW - 1 }), entry({ uid: 'a', createdAtMs: NOW - 2 })];
    const before = waiting.map((e) => e.uid);
    choosePartner('me', 'en', waiting, NOW);
    assert.deepEqual(
      waiting.map((e) => e.uid),
      before,
    );
  });
});

describe('choosePartner with blocks', () => {
  it('never pairs with a waiter the joiner blocked', () => {
    const blocked = entry({ uid: 'blocked' });
    assert.equal(choosePartner('me', 'en', [blocked], NOW, new Set(['blocked'])), null);
  });

  it('never pairs with a waiter who blocked the joiner', () => {
    const blocker = entry({ uid: 'blocker', blocked: ['someone', 'me'] });
    assert.equal(choosePartner('me', 'en', [blocker], NOW), null);
    assert.equal(choosePartner('me', 'en', [blocker], NOW, new Set()), null);
  });

  it('picks the next oldest eligible entry instead of one the joiner blocked', () => {
    const oldest = entry({ uid: 'oldest', createdAtMs: NOW - 90_000 });
    const next = entry({ uid: 'next', createdAtMs: NOW - 50_000 });
    const young = entry({ uid: 'young', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner('me', 'en', [young, oldest, next], NOW, new Set(['oldest'])), next);
  });

  it('picks the next oldest eligible entry instead of one who blocked the joiner', () => {
    const oldest = entry({ uid: 'oldest', createdAtMs: NOW - 90_000, blocked: ['me'] });
    const next = entry({ uid: 'next', createdAtMs: NOW - 50_000 });
    const young = entry({ uid: 'young', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner('me', 'en', [oldest, young, next], NOW), next);
  });

  it('skips blocks both ways in one list', () => {
    const waiting = [
      entry({ uid: 'i-blocked', createdAtMs: NOW - 90_000 }),
      entry({ uid: 'blocked-me', createdAtMs: NOW - 80_000, blocked: ['me'] }),
      entry({ uid: 'fine', createdAtMs: NOW - 10_000 }),
    ];
    assert.equal(choosePartner('me', 'en', waiting, NOW, new Set(['i-blocked']))?.uid, 'fine');
  });

  it('returns null when every candidate is blocked one way or the other', () => {
    const waiting = [entry({ uid: 'a' }), entry({ uid: 'b', blocked: ['me'] })];
    assert.equal(choosePartner('me', 'en', waiting, NOW, new Set(['a'])), null);
  });

  it('ignores blocks of other people', () => {
    const waiter = entry({ uid: 'waiter', blocked: ['someone-else'] });
    assert.equal(choosePartner('me', 'en', [waiter], NOW, new Set(['another'])), waiter);
  });

  it('matches blocked uids exactly, not by prefix', () => {
    const waiter = entry({ uid: 'waiter', blocked: ['me2', 'm'] });
    assert.equal(choosePartner('me', 'en', [waiter], NOW, new Set(['waite', 'waiter2'])), waiter);
  });

  it('still pairs when the entry has no blocked list', () => {
    const waiter = entry({ uid: 'waiter' });
    assert.equal('blocked' in waiter, false);
    assert.equal(choosePartner('me', 'en', [waiter], NOW, new Set()), waiter);
  });

  it('still pairs when the entry has an empty blocked list', () => {
    const waiter = entry({ uid: 'waiter', blocked: [] });
    assert.equal(choosePartner('me', 'en', [waiter], NOW, new Set()), waiter);
  });

  it('does not modify the blocked set or lists it is given', () => {
    const byJoiner = new Set(['x']);
    const waiter = entry({ uid: 'waiter', blocked: ['y'] });
    choosePartner('me', 'en', [waiter], NOW, byJoiner);
    assert.deepEqual([...byJoiner], ['x']);
    assert.deepEqual(waiter.blocked, ['y']);
  });
});
