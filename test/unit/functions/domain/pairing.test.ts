import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  choosePartner,
  choosePartnerAround,
  isCompatible,
  rankPartners,
  refuses,
  sharedPool,
  widening,
  type Seeker,
  type WaitingEntry,
} from '../../../../functions/src/domain/pairing.js';
import { isLeaseLive } from '../../../../functions/src/domain/pairing.js';
import { WAITING_SEEN_MS } from '../../../../functions/src/protocol/calls.js';

const NOW = 1_700_000_000_000;

interface TaggedEntry extends WaitingEntry {
  readonly tag: string;
}

function entry(overrides: Partial<TaggedEntry> & { readonly uid: string }): TaggedEntry {
  const room = overrides.room ?? 'en';
  return {
    room,
    pools: [room],
    createdAtMs: NOW - 10_000,
    leaseExpiresAtMs: NOW + 30_000,
    tag: overrides.uid,
    ...overrides,
  };
}

/** The joiner `uid` looking in `room` only (not widened), with whom they blocked. */
function choose<E extends WaitingEntry>(
  uid: string,
  room: string,
  waiting: readonly E[],
  nowMs: number,
  blocked: ReadonlySet<string> = new Set(),
): E | null {
  return choosePartner({ uid, pools: [room], blocked }, waiting, nowMs);
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

  it('is dead once the page was not seen for WAITING_SEEN_MS, however long the lease still runs', () => {
    const lease = NOW + 30_000;
    assert.equal(isLeaseLive({ leaseExpiresAtMs: lease, seenAtMs: NOW - WAITING_SEEN_MS + 1 }, NOW), true);
    assert.equal(isLeaseLive({ leaseExpiresAtMs: lease, seenAtMs: NOW - WAITING_SEEN_MS }, NOW), false);
  });
});

describe('choosePartner', () => {
  it('returns null for an empty list', () => {
    assert.equal(choose('me', 'en', [], NOW), null);
  });

  it('picks the only qualifying entry and returns that same object', () => {
    const other = entry({ uid: 'other' });
    assert.equal(choose('me', 'en', [other], NOW), other);
  });

  it('never picks the joiner themself', () => {
    const self = entry({ uid: 'me', createdAtMs: NOW - 99_000 });
    assert.equal(choose('me', 'en', [self], NOW), null);
  });

  it('skips the joiner even when they are the oldest', () => {
    const self = entry({ uid: 'me', createdAtMs: NOW - 99_000 });
    const other = entry({ uid: 'other', createdAtMs: NOW - 1_000 });
    assert.equal(choose('me', 'en', [self, other], NOW), other);
  });

  it('never picks an entry from another room', () => {
    const elsewhere = entry({ uid: 'other', room: 'ta' });
    assert.equal(choose('me', 'en', [elsewhere], NOW), null);
  });

  it('skips an older entry from another room in favour of one in the room', () => {
    const elsewhere = entry({ uid: 'old', room: 'ta', createdAtMs: NOW - 99_000 });
    const here = entry({ uid: 'new', room: 'en', createdAtMs: NOW - 1_000 });
    assert.equal(choose('me', 'en', [elsewhere, here], NOW), here);
  });

  it('does not treat the "any" room as matching other rooms', () => {
    const english = entry({ uid: 'other', room: 'en' });
    assert.equal(choose('me', 'any', [english], NOW), null);
  });

  it('never picks an entry whose lease lapsed in the past', () => {
    const lapsed = entry({ uid: 'ghost', leaseExpiresAtMs: NOW - 1 });
    assert.equal(choose('me', 'en', [lapsed], NOW), null);
  });

  it('treats a lease expiring exactly now as lapsed', () => {
    const lapsing = entry({ uid: 'ghost', leaseExpiresAtMs: NOW });
    assert.equal(choose('me', 'en', [lapsing], NOW), null);
  });

  it('picks an entry whose lease runs one millisecond past now', () => {
    const live = entry({ uid: 'alive', leaseExpiresAtMs: NOW + 1 });
    assert.equal(choose('me', 'en', [live], NOW), live);
  });

  it('skips an older lapsed entry in favour of a younger live one', () => {
    const ghost = entry({ uid: 'ghost', createdAtMs: NOW - 99_000, leaseExpiresAtMs: NOW - 5 });
    const live = entry({ uid: 'alive', createdAtMs: NOW - 1_000 });
    assert.equal(choose('me', 'en', [ghost, live], NOW), live);
  });

  it('picks the oldest createdAt when the list is oldest-first', () => {
    const a = entry({ uid: 'a', createdAtMs: NOW - 30_000 });
    const b = entry({ uid: 'b', createdAtMs: NOW - 20_000 });
    const c = entry({ uid: 'c', createdAtMs: NOW - 10_000 });
    assert.equal(choose('me', 'en', [a, b, c], NOW)?.uid, 'a');
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
      assert.equal(choose('me', 'en', order, NOW), a, order.map((e) => e.uid).join(','));
    }
  });

  it('keeps the first of two entries with the same createdAt', () => {
    const first = entry({ uid: 'first', createdAtMs: NOW - 5_000 });
    const second = entry({ uid: 'second', createdAtMs: NOW - 5_000 });
    assert.equal(choose('me', 'en', [first, second], NOW), first);
  });

  it('returns null when nobody qualifies for different reasons', () => {
    const waiting = [
      entry({ uid: 'me' }),
      entry({ uid: 'foreigner', room: 'hi' }),
      entry({ uid: 'ghost', leaseExpiresAtMs: NOW }),
      entry({ uid: 'older-ghost', leaseExpiresAtMs: NOW - 60_000 }),
    ];
    assert.equal(choose('me', 'en', waiting, NOW), null);
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
    assert.equal(choose('me', 'en', waiting, NOW)?.tag, 'winner');
  });

  it('does not modify the list it is given', () => {
    const waiting = [entry({ uid: 'b', createdAtMs: NOW - 1 }), entry({ uid: 'a', createdAtMs: NOW - 2 })];
    const before = waiting.map((e) => e.uid);
    choose('me', 'en', waiting, NOW);
    assert.deepEqual(
      waiting.map((e) => e.uid),
      before,
    );
  });
});

describe('choosePartner with blocks', () => {
  it('never pairs with a waiter the joiner blocked', () => {
    const blocked = entry({ uid: 'blocked' });
    assert.equal(choose('me', 'en', [blocked], NOW, new Set(['blocked'])), null);
  });

  it('never pairs with a waiter who blocked the joiner', () => {
    const blocker = entry({ uid: 'blocker', blocked: ['someone', 'me'] });
    assert.equal(choose('me', 'en', [blocker], NOW), null);
    assert.equal(choose('me', 'en', [blocker], NOW, new Set()), null);
  });

  it('picks the next oldest eligible entry instead of one the joiner blocked', () => {
    const oldest = entry({ uid: 'oldest', createdAtMs: NOW - 90_000 });
    const next = entry({ uid: 'next', createdAtMs: NOW - 50_000 });
    const young = entry({ uid: 'young', createdAtMs: NOW - 1_000 });
    assert.equal(choose('me', 'en', [young, oldest, next], NOW, new Set(['oldest'])), next);
  });

  it('picks the next oldest eligible entry instead of one who blocked the joiner', () => {
    const oldest = entry({ uid: 'oldest', createdAtMs: NOW - 90_000, blocked: ['me'] });
    const next = entry({ uid: 'next', createdAtMs: NOW - 50_000 });
    const young = entry({ uid: 'young', createdAtMs: NOW - 1_000 });
    assert.equal(choose('me', 'en', [oldest, young, next], NOW), next);
  });

  it('skips blocks both ways in one list', () => {
    const waiting = [
      entry({ uid: 'i-blocked', createdAtMs: NOW - 90_000 }),
      entry({ uid: 'blocked-me', createdAtMs: NOW - 80_000, blocked: ['me'] }),
      entry({ uid: 'fine', createdAtMs: NOW - 10_000 }),
    ];
    assert.equal(choose('me', 'en', waiting, NOW, new Set(['i-blocked']))?.uid, 'fine');
  });

  it('returns null when every candidate is blocked one way or the other', () => {
    const waiting = [entry({ uid: 'a' }), entry({ uid: 'b', blocked: ['me'] })];
    assert.equal(choose('me', 'en', waiting, NOW, new Set(['a'])), null);
  });

  it('ignores blocks of other people', () => {
    const waiter = entry({ uid: 'waiter', blocked: ['someone-else'] });
    assert.equal(choose('me', 'en', [waiter], NOW, new Set(['another'])), waiter);
  });

  it('matches blocked uids exactly, not by prefix', () => {
    const waiter = entry({ uid: 'waiter', blocked: ['me2', 'm'] });
    assert.equal(choose('me', 'en', [waiter], NOW, new Set(['waite', 'waiter2'])), waiter);
  });

  it('still pairs when the entry has no blocked list', () => {
    const waiter = entry({ uid: 'waiter' });
    assert.equal('blocked' in waiter, false);
    assert.equal(choose('me', 'en', [waiter], NOW, new Set()), waiter);
  });

  describe('avoid lists (whom a page just blocked or reported, carried by its join)', () => {
    const seeker = (avoid: string[] = [], blocked: string[] = []): Seeker => ({
      uid: 'me',
      pools: ['en'],
      avoid: new Set(avoid),
      blocked: new Set(blocked),
    });

    it('never pairs the joiner with a waiter the joiner avoids', () => {
      const waiter = entry({ uid: 'c' });
      assert.equal(choosePartner(seeker(['c']), [waiter], NOW), null);
      assert.equal(refuses(seeker(['c']), waiter), true);
    });

    it('never pairs the joiner with a waiter whose entry avoids the joiner', () => {
      const waiter = entry({ uid: 'c', avoid: ['me'] });
      assert.equal(choosePartner(seeker(), [waiter], NOW), null);
      assert.equal(refuses(seeker(), waiter), true);
    });

    it('holds although neither side has stored the block yet', () => {
      const waiter = entry({ uid: 'c', blocked: [], avoid: ['me'] });
      assert.equal(isCompatible(seeker([], []), waiter, NOW), false);
      assert.equal(
        isCompatible({ uid: 'me', pools: ['en'], avoid: new Set(['c']) }, entry({ uid: 'c', blocked: [] }), NOW),
        false,
      );
    });

    it('passes the avoided over for the next waiter, either way round', () => {
      const waiting = [
        entry({ uid: 'avoided', createdAtMs: NOW - 90_000 }),
        entry({ uid: 'avoids-me', createdAtMs: NOW - 80_000, avoid: ['x', 'me'] }),
        entry({ uid: 'fine', createdAtMs: NOW - 10_000, avoid: ['someone-else'] }),
      ];
      assert.equal(choosePartner(seeker(['avoided']), waiting, NOW)?.uid, 'fine');
    });

    it('matches avoided uids exactly, and avoids nobody else', () => {
      const waiter = entry({ uid: 'waiter', avoid: ['me2', 'm'] });
      assert.equal(refuses(seeker(['waite', 'waiter2']), waiter), false);
      assert.equal(choosePartner(seeker(['waite', 'waiter2']), [waiter], NOW), waiter);
    });
  });

  it('still pairs when the entry has an empty blocked list', () => {
    const waiter = entry({ uid: 'waiter', blocked: [] });
    assert.equal(choose('me', 'en', [waiter], NOW, new Set()), waiter);
  });

  it('does not modify the blocked set or lists it is given', () => {
    const byJoiner = new Set(['x']);
    const waiter = entry({ uid: 'waiter', blocked: ['y'] });
    choose('me', 'en', [waiter], NOW, byJoiner);
    assert.deepEqual([...byJoiner], ['x']);
    assert.deepEqual(waiter.blocked, ['y']);
  });
});

describe('pools: widening to Anyone', () => {
  const seeker = (pools: string[], extra: Partial<Seeker> = {}): Seeker => ({ uid: 'me', pools, ...extra });

  it('pairs a widened Tamil waiter with someone joining Anyone, meeting in Anyone', () => {
    const tamil = entry({ uid: 'ta1', room: 'ta', pools: ['ta', 'any'] });
    assert.equal(choosePartner(seeker(['any']), [tamil], NOW), tamil);
    assert.equal(sharedPool(seeker(['any']), tamil), 'any');
  });

  it('does not pair a Tamil waiter who has not widened with someone joining Anyone', () => {
    const tamil = entry({ uid: 'ta1', room: 'ta', pools: ['ta'] });
    assert.equal(choosePartner(seeker(['any']), [tamil], NOW), null);
    assert.equal(isCompatible(seeker(['any']), tamil, NOW), false);
  });

  it('a widened seeker prefers its own room to Anyone, even over a longer wait', () => {
    const anyone = entry({ uid: 'a', room: 'any', pools: ['any'], createdAtMs: NOW - 90_000 });
    const tamil = entry({ uid: 't', room: 'ta', pools: ['ta'], createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner(seeker(['ta', 'any']), [anyone, tamil], NOW), tamil);
    assert.equal(sharedPool(seeker(['ta', 'any']), tamil), 'ta');
  });

  it('a widened seeker takes Anyone when its room is empty', () => {
    const anyone = entry({ uid: 'a', room: 'any', pools: ['any'] });
    assert.equal(choosePartner(seeker(['ta', 'any']), [anyone], NOW), anyone);
  });

  it('two people widened from different rooms meet in Anyone', () => {
    const hindi = entry({ uid: 'h', room: 'hi', pools: ['hi', 'any'] });
    assert.equal(sharedPool(seeker(['ta', 'any']), hindi), 'any');
    assert.equal(choosePartner(seeker(['ta', 'any']), [hindi], NOW), hindi);
  });
});

describe('widening', () => {
  it('is off in Anyone, when the person refused it, and when the deployment set 0', () => {
    assert.deepEqual(widening('any', true, NOW - 99_000, NOW, 20_000), { pools: ['any'], widened: false, widenInMs: null });
    assert.deepEqual(widening('ta', false, NOW - 99_000, NOW, 20_000), { pools: ['ta'], widened: false, widenInMs: null });
    assert.deepEqual(widening('ta', true, NOW - 99_000, NOW, 0), { pools: ['ta'], widened: false, widenInMs: null });
  });

  it('says when it will widen, counted from the start of the wait', () => {
    assert.deepEqual(widening('ta', true, NOW, NOW, 20_000), { pools: ['ta'], widened: false, widenInMs: 20_000 });
    assert.deepEqual(widening('ta', true, NOW - 15_000, NOW, 20_000), { pools: ['ta'], widened: false, widenInMs: 5_000 });
  });

  it('widens at exactly N and after', () => {
    assert.deepEqual(widening('ta', true, NOW - 20_000, NOW, 20_000), { pools: ['ta', 'any'], widened: true, widenInMs: null });
    assert.deepEqual(widening('hi', true, NOW - 60_000, NOW, 20_000).pools, ['hi', 'any']);
  });
});

describe('skip memory', () => {
  const me = (recent: string[] = []): Seeker => ({ uid: 'me', pools: ['en'], recent: new Set(recent) });

  it('prefers someone new to a partner the seeker just skipped, even one waiting longer', () => {
    const skipped = entry({ uid: 'skipped', createdAtMs: NOW - 90_000 });
    const fresh = entry({ uid: 'fresh', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner(me(['skipped']), [skipped, fresh], NOW), fresh);
  });

  it('prefers someone new to a waiter who just skipped the seeker (their memory counts too)', () => {
    const skipper = entry({ uid: 'skipper', createdAtMs: NOW - 90_000, recent: ['me'] });
    const fresh = entry({ uid: 'fresh', createdAtMs: NOW - 1_000 });
    assert.equal(choosePartner(me(), [skipper, fresh], NOW), fresh);
  });

  it('pairs the two again when the room has nobody else', () => {
    const skipped = entry({ uid: 'skipped' });
    assert.equal(choosePartner(me(['skipped']), [skipped], NOW), skipped);
  });

  it('never spreads onto a just-skipped partner while someone fresh is available', () => {
    const skipped = entry({ uid: 'skipped', createdAtMs: NOW - 90_000 });
    const fresh = entry({ uid: 'fresh', createdAtMs: NOW - 1_000 });
    for (const r of [0, 0.5, 0.99]) {
      assert.equal(choosePartner(me(['skipped']), [skipped, fresh], NOW, { spread: 5, random: () => r }), fresh);
    }
  });
});

describe('spread', () => {
  const waiting = [0, 1, 2, 3, 4].map((i) => entry({ uid: `w${i}`, createdAtMs: NOW - 50_000 + i * 1_000 }));
  const me: Seeker = { uid: 'me', pools: ['en'] };

  it('with spread 1 always takes the longest waiting', () => {
    for (const r of [0, 0.5, 0.99]) assert.equal(choosePartner(me, waiting, NOW, { random: () => r })?.uid, 'w0');
  });

  it('with spread 3 takes one of the three longest waiting, chosen by the random draw', () => {
    assert.equal(choosePartner(me, waiting, NOW, { spread: 3, random: () => 0 })?.uid, 'w0');
    assert.equal(choosePartner(me, waiting, NOW, { spread: 3, random: () => 0.4 })?.uid, 'w1');
    assert.equal(choosePartner(me, waiting, NOW, { spread: 3, random: () => 0.99 })?.uid, 'w2');
  });

  it('never spreads past the compatible entries', () => {
    const few = [entry({ uid: 'only' }), entry({ uid: 'me' }), entry({ uid: 'ghost', leaseExpiresAtMs: NOW })];
    assert.equal(choosePartner(me, few, NOW, { spread: 3, random: () => 0.99 })?.uid, 'only');
  });

  it('does not spread from the own room into Anyone', () => {
    const own = entry({ uid: 'own', room: 'ta', pools: ['ta'], createdAtMs: NOW - 1_000 });
    const anyone = entry({ uid: 'anyone', room: 'any', pools: ['any'], createdAtMs: NOW - 90_000 });
    const widened: Seeker = { uid: 'me', pools: ['ta', 'any'] };
    assert.equal(choosePartner(widened, [anyone, own], NOW, { spread: 3, random: () => 0.99 })?.uid, 'own');
  });

  it('ranks by freshness, then own room, then wait, then uid (a total order)', () => {
    const seeker: Seeker = { uid: 'me', pools: ['ta', 'any'], recent: new Set(['old-friend']) };
    const list = [
      entry({ uid: 'old-friend', room: 'ta', pools: ['ta'], createdAtMs: NOW - 99_000 }),
      entry({ uid: 'any-b', room: 'any', pools: ['any'], createdAtMs: NOW - 50_000 }),
      entry({ uid: 'any-a', room: 'any', pools: ['any'], createdAtMs: NOW - 50_000 }),
      entry({ uid: 'ta-late', room: 'ta', pools: ['ta'], createdAtMs: NOW - 10_000 }),
      entry({ uid: 'ta-early', room: 'ta', pools: ['ta'], createdAtMs: NOW - 20_000 }),
    ];
    assert.deepEqual(
      rankPartners(seeker, list, NOW).map((e) => e.uid),
      ['ta-early', 'ta-late', 'any-a', 'any-b', 'old-friend'],
    );
  });
});

describe('choosePartnerAround (joins of one instance taking entries at the same time)', () => {
  const seeker: Seeker = { uid: 'me', pools: ['en', 'any'], recent: new Set(['skipped']) };
  const oldest = entry({ uid: 'oldest', createdAtMs: NOW - 30_000 });
  const older = entry({ uid: 'older', createdAtMs: NOW - 20_000 });
  const newer = entry({ uid: 'newer', createdAtMs: NOW - 10_000 });
  const taking =
    (...uids: string[]) =>
    (e: WaitingEntry) =>
      uids.includes(e.uid);

  it('takes the longest waiting when nobody is being taken', () => {
    assert.deepEqual(choosePartnerAround(seeker, [newer, oldest, older], NOW, taking()), { partner: oldest });
  });

  it('passes over an entry being taken for the next in the same tier', () => {
    assert.deepEqual(choosePartnerAround(seeker, [newer, oldest, older], NOW, taking('oldest')), { partner: older });
    assert.deepEqual(choosePartnerAround(seeker, [newer, oldest, older], NOW, taking('oldest', 'older')), { partner: newer });
  });

  it('waits for the pairings taking the best tier rather than fall to someone just skipped', () => {
    const skipped = entry({ uid: 'skipped', createdAtMs: NOW - 40_000 });
    assert.deepEqual(choosePartnerAround(seeker, [skipped, oldest, older], NOW, taking('oldest', 'older')), {
      waitFor: [oldest, older],
    });
  });

  it('waits rather than fall from its own room to Anyone', () => {
    const viaAnyone = entry({ uid: 'via-anyone', room: 'any', createdAtMs: NOW - 50_000 });
    assert.deepEqual(choosePartnerAround(seeker, [viaAnyone, oldest], NOW, taking('oldest')), { waitFor: [oldest] });
  });

  it('spreads only over free entries of the best tier', () => {
    const picks = [0, 0.5, 0.99].map((r) =>
      choosePartnerAround(seeker, [newer, oldest, older], NOW, taking('oldest'), { spread: 3, random: () => r }),
    );
    assert.deepEqual(picks, [{ partner: older }, { partner: newer }, { partner: newer }]);
  });

  it('says nobody when nobody compatible waits, taken or not', () => {
    assert.equal(choosePartnerAround(seeker, [], NOW, taking()), null);
    assert.equal(choosePartnerAround(seeker, [entry({ uid: 'me' })], NOW, taking()), null);
  });

  it('is what choosePartner chooses when nothing is being taken', () => {
    for (const r of [0, 0.4, 0.8]) {
      const options = { spread: 3, random: () => r };
      const around = choosePartnerAround(seeker, [newer, oldest, older], NOW, taking(), options);
      assert.deepEqual(around, { partner: choosePartner(seeker, [newer, oldest, older], NOW, options) });
    }
  });
});
