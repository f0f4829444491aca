import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_CALL_AGE_MS } from '../../../../functions/src/domain/limits.js';
import {
  answerMailboxIds,
  availability,
  decideEnter,
  decideLeave,
  decidePrune,
  isCallExpired,
  isMemberLive,
  isRandomCallAbandoned,
  LINK_CALL_CAPACITY,
  mailboxesBetween,
  mailboxesOf,
  newLinkCallId,
  partitionMembers,
  randomCallMembers,
  randomCallSeenAt,
  type LinkCallFacts,
} from '../../../../functions/src/domain/membership.js';
import {
  LINK_CALL_ID,
  LINK_CALL_ID_LENGTH,
  PRESENCE_LEASE_MS,
  MAX_CALL_MEMBERS,
  RANDOM_PRESENCE_HEARTBEAT_MS,
  RANDOM_PRESENCE_LEASE_MS,
  randomSeenAtField,
} from '../../../../functions/src/protocol/calls.js';

const NOW = 1_700_000_000_000;
const LIVE = NOW - 1_000;
const LAPSED = NOW - PRESENCE_LEASE_MS;

/** A call created a minute ago with these members and their last heartbeats. */
function callOf(seen: Record<string, number | undefined>, extra: Partial<LinkCallFacts> = {}): LinkCallFacts {
  const seenAtMs = new Map(Object.entries(seen).filter((e): e is [string, number] => e[1] !== undefined));
  return { members: Object.keys(seen), capacity: MAX_CALL_MEMBERS, createdAtMs: NOW - 60_000, seenAtMs, ...extra };
}

describe('randomCallMembers', () => {
  it("reads a random call's [joiner, waiter] as join writes them", () => {
    assert.deepEqual(randomCallMembers({ kind: 'random', members: ['joiner', 'waiter'], room: 'ta' }), ['joiner', 'waiter']);
  });

  it('is null for a call by link, whatever its members', () => {
    assert.equal(randomCallMembers({ kind: 'link', members: ['a', 'b'], capacity: 5 }), null);
  });

  it('is null for a document without a kind, without two string members, or no document', () => {
    assert.equal(randomCallMembers({ members: ['a', 'b'] }), null);
    assert.equal(randomCallMembers({ kind: 'random', members: ['a'] }), null);
    assert.equal(randomCallMembers({ kind: 'random', members: ['a', 'b', 'c'] }), null);
    assert.equal(randomCallMembers({ kind: 'random', members: ['a', 7] }), null);
    assert.equal(randomCallMembers({ kind: 'random', members: 'ab' }), null);
    assert.equal(randomCallMembers({ kind: 'random' }), null);
    assert.equal(randomCallMembers(undefined), null);
  });
});

describe('answerMailboxIds', () => {
  it("are the joiner's mailbox to the waiter (its first write is the answer) and the waiter's to the joiner (its acknowledgement)", () => {
    assert.deepEqual(answerMailboxIds(['joiner', 'waiter']), ['joiner_waiter', 'waiter_joiner']);
  });
});

describe('isMemberLive', () => {
  it('is live while seenAt + lease is after now, and not at the boundary', () => {
    assert.equal(isMemberLive(NOW - PRESENCE_LEASE_MS + 1, NOW), true);
    assert.equal(isMemberLive(NOW - PRESENCE_LEASE_MS, NOW), false);
    assert.equal(isMemberLive(undefined, NOW), false, 'no presence document: not live');
  });
});

describe('isCallExpired', () => {
  it('expires after the longest call', () => {
    assert.equal(isCallExpired(NOW - MAX_CALL_AGE_MS + 1, NOW), false);
    assert.equal(isCallExpired(NOW - MAX_CALL_AGE_MS, NOW), true);
  });
});

describe('partitionMembers', () => {
  it('splits live and lapsed, each in entry order', () => {
    assert.deepEqual(partitionMembers(callOf({ a: LIVE, b: LAPSED, c: LIVE, d: undefined }), NOW), {
      live: ['a', 'c'],
      lapsed: ['b', 'd'],
    });
  });
});

describe('mailboxes', () => {
  it('opens both directions between a newcomer and each other member, never with itself', () => {
    assert.deepEqual(
      mailboxesBetween('c', ['a', 'b', 'c']).map((d) => d.id),
      ['c_a', 'a_c', 'c_b', 'b_c'],
    );
    assert.deepEqual(mailboxesBetween('c', ['a'])[0], { from: 'c', to: 'a', id: 'c_a' });
  });
  it('lists every mailbox of the leaving once', () => {
    assert.deepEqual(
      mailboxesOf(['a', 'b'], ['a', 'b', 'c'])
        .map((d) => d.id)
        .sort(),
      ['a_b', 'a_c', 'b_a', 'b_c', 'c_a', 'c_b'],
    );
    assert.deepEqual(mailboxesOf([], ['a', 'b']), []);
  });
});

describe('decideEnter', () => {
  it('says ended for no call, an expired call, and a call nobody is live in (removing the lapsed)', () => {
    assert.deepEqual(decideEnter(null, 'x', NOW), { kind: 'ended', lapsed: [] });
    assert.deepEqual(decideEnter(callOf({ a: LIVE }, { createdAtMs: NOW - MAX_CALL_AGE_MS }), 'x', NOW), {
      kind: 'ended',
      lapsed: [],
    });
    assert.deepEqual(decideEnter(callOf({ a: LAPSED }), 'x', NOW), { kind: 'ended', lapsed: ['a'] });
  });
  it('adds a newcomer at the end, after removing lapsed members', () => {
    assert.deepEqual(decideEnter(callOf({ a: LIVE, b: LAPSED, c: LIVE }), 'x', NOW), {
      kind: 'add',
      members: ['a', 'c', 'x'],
      lapsed: ['b'],
    });
  });
  it('refreshes a live member without changing the order', () => {
    assert.deepEqual(decideEnter(callOf({ a: LIVE, b: LIVE }), 'a', NOW), { kind: 'refresh', live: ['a', 'b'], lapsed: [] });
  });
  it('treats a member whose own lease lapsed as a newcomer again', () => {
    assert.deepEqual(decideEnter(callOf({ a: LAPSED, b: LIVE }), 'a', NOW), { kind: 'add', members: ['b', 'a'], lapsed: ['a'] });
  });
  it('is full at capacity live members, and not when a seat was held by a lapsed member', () => {
    const five = { a: LIVE, b: LIVE, c: LIVE, d: LIVE, e: LIVE };
    assert.deepEqual(decideEnter(callOf(five), 'x', NOW), { kind: 'full', live: ['a', 'b', 'c', 'd', 'e'], lapsed: [] });
    assert.equal(decideEnter(callOf({ ...five, e: LAPSED }), 'x', NOW).kind, 'add');
    assert.equal(decideEnter(callOf({ a: LIVE, b: LIVE }, { capacity: 2 }), 'x', NOW).kind, 'full');
  });
});

describe('decideLeave', () => {
  it('changes nothing for a non-member; ended tells whether the call exists', () => {
    assert.deepEqual(decideLeave(null, 'x', NOW), { kind: 'not-member', ended: true });
    assert.deepEqual(decideLeave(callOf({ a: LIVE }), 'x', NOW), { kind: 'not-member', ended: false });
  });
  it('removes the caller and any lapsed member; the rest stay in order', () => {
    assert.deepEqual(decideLeave(callOf({ a: LIVE, b: LAPSED, c: LIVE, d: LIVE }), 'c', NOW), {
      kind: 'leave',
      remaining: ['a', 'd'],
      leaving: ['c', 'b'],
    });
  });
  it('ends the call when nobody live is left, or it expired', () => {
    assert.deepEqual(decideLeave(callOf({ a: LIVE, b: LAPSED }), 'a', NOW), { kind: 'end', leaving: ['a', 'b'] });
    assert.deepEqual(decideLeave(callOf({ a: LAPSED }), 'a', NOW), { kind: 'end', leaving: ['a'] });
    assert.equal(decideLeave(callOf({ a: LIVE, b: LIVE }, { createdAtMs: NOW - MAX_CALL_AGE_MS }), 'a', NOW).kind, 'end');
  });
});

describe('decidePrune', () => {
  it('keeps a call whose members are all live, drops the lapsed, ends a call nobody live is in', () => {
    assert.deepEqual(decidePrune(callOf({ a: LIVE, b: LIVE }), NOW), { kind: 'keep' });
    assert.deepEqual(decidePrune(callOf({ a: LAPSED, b: LIVE }), NOW), { kind: 'drop', remaining: ['b'], lapsed: ['a'] });
    assert.deepEqual(decidePrune(callOf({ a: LAPSED, b: undefined }), NOW), { kind: 'end' });
    assert.deepEqual(decidePrune(callOf({ a: LIVE }, { createdAtMs: NOW - MAX_CALL_AGE_MS }), NOW), { kind: 'end' });
  });
});

describe('availability', () => {
  it('counts live members only, and tells nothing but counts', () => {
    assert.deepEqual(availability(callOf({ a: LIVE, b: LAPSED }), NOW), { status: 'open', members: 1, capacity: 5 });
    assert.deepEqual(availability(callOf({ a: LIVE, b: LIVE, c: LIVE, d: LIVE, e: LIVE }), NOW), {
      status: 'full',
      members: 5,
      capacity: 5,
    });
  });
  it('says ended, the same answer, for no call, an expired call and a call nobody is live in', () => {
    assert.deepEqual(availability(null, NOW), { status: 'ended' });
    assert.deepEqual(availability(callOf({ a: LIVE }, { createdAtMs: NOW - MAX_CALL_AGE_MS }), NOW), { status: 'ended' });
    assert.deepEqual(availability(callOf({ a: LAPSED }), NOW), { status: 'ended' });
  });
});

describe('newLinkCallId', () => {
  it('is 22 characters of [A-Za-z0-9], the capacity is the mesh limit', () => {
    assert.equal(LINK_CALL_ID_LENGTH, 22);
    assert.equal(LINK_CALL_CAPACITY, MAX_CALL_MEMBERS);
    for (let i = 0; i < 200; i++) assert.match(newLinkCallId(), LINK_CALL_ID);
  });
  it('is different every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newLinkCallId()));
    assert.equal(ids.size, 1000);
  });
  it('maps bytes without modulo bias: bytes from 248 up are skipped', () => {
    // 0 → 'A', 61 → '9', 62 → 'A' again (62 = 0 mod 62), 247 → '9'; 248..255 rejected.
    const bytes = [248, 255, 0, 61, 62, 247, ...Array.from({ length: 40 }, () => 1)];
    let offset = 0;
    const id = newLinkCallId((size) => {
      const chunk = Uint8Array.from(bytes.slice(offset, offset + size));
      offset += size;
      return chunk;
    });
    assert.equal(id, 'A9A9' + 'B'.repeat(18));
  });
  it('draws more bytes when too many were rejected', () => {
    let calls = 0;
    const id = newLinkCallId((size) => {
      calls++;
      return new Uint8Array(size).fill(calls === 1 ? 250 : 2);
    });
    assert.equal(id, 'C'.repeat(22));
    assert.equal(calls, 2);
  });
  it('uses each of the 62 characters about equally (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const ch of newLinkCallId()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.equal(counts.size, 62);
    const expected = (2000 * 22) / 62;
    for (const [ch, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.25, `${ch}: ${n} vs ${expected}`);
  });
});

describe('isRandomCallAbandoned', () => {
  const RANDOM_LAPSED = NOW - RANDOM_PRESENCE_LEASE_MS;
  it("ends a random call once either person stopped their heartbeat for a random call's lease, not before", () => {
    const judge = (a: number, b: number) =>
      isRandomCallAbandoned(
        new Map([
          ['a', a],
          ['b', b],
        ]),
        NOW,
      );
    assert.equal(judge(LIVE, LIVE), false);
    assert.equal(judge(LIVE, RANDOM_LAPSED), true);
    assert.equal(judge(RANDOM_LAPSED, RANDOM_LAPSED), true);
    assert.equal(judge(LIVE, NOW - RANDOM_PRESENCE_LEASE_MS + 1), false);
  });
  it("keeps a random call whose person is past a call by link's lease but within its own (its beat is slower)", () => {
    assert.ok(RANDOM_PRESENCE_LEASE_MS > PRESENCE_LEASE_MS);
    assert.equal(isRandomCallAbandoned(new Map([['a', LAPSED]]), NOW), false);
    assert.equal(
      isRandomCallAbandoned(new Map([['a', NOW - RANDOM_PRESENCE_HEARTBEAT_MS - 1_000]]), NOW),
      false,
      'one late beat',
    );
  });
  it('needs a presence to judge: a call without any is left to its age', () => {
    assert.equal(isRandomCallAbandoned(new Map(), NOW), false);
  });
});

describe('presence on a random call document', () => {
  /** A timestamp as Firestore gives it: something with toMillis. */
  const at = (ms: number) => ({ toMillis: () => ms });
  it('names the field of each role: joinerSeenAt for members[0], waiterSeenAt for members[1], none for anyone else', () => {
    assert.equal(randomSeenAtField(['j', 'w'], 'j'), 'joinerSeenAt');
    assert.equal(randomSeenAtField(['j', 'w'], 'w'), 'waiterSeenAt');
    assert.equal(randomSeenAtField(['j', 'w'], 'x'), null);
    assert.equal(randomSeenAtField([], 'j'), null);
  });
  it("reads each member's last beat from its role's field, and leaves out a member whose presence is a document", () => {
    assert.deepEqual(
      randomCallSeenAt({ joinerSeenAt: at(1_000), waiterSeenAt: at(2_000) }, ['j', 'w']),
      new Map([
        ['j', 1_000],
        ['w', 2_000],
      ]),
    );
    assert.deepEqual(randomCallSeenAt({ waiterSeenAt: at(2_000) }, ['j', 'w']), new Map([['w', 2_000]]));
    assert.deepEqual(randomCallSeenAt({}, ['j', 'w']), new Map());
    assert.deepEqual(randomCallSeenAt(undefined, ['j', 'w']), new Map());
  });
  it('ignores a field that is not a timestamp', () => {
    assert.deepEqual(randomCallSeenAt({ joinerSeenAt: 5, waiterSeenAt: null }, ['j', 'w']), new Map());
    assert.deepEqual(randomCallSeenAt({ joinerSeenAt: { toMillis: 'no' } }, ['j', 'w']), new Map());
  });
  it('judges a call with presence on its document like one with presence documents', () => {
    const seen = randomCallSeenAt({ joinerSeenAt: at(NOW - RANDOM_PRESENCE_LEASE_MS), waiterSeenAt: at(LIVE) }, ['j', 'w']);
    assert.equal(isRandomCallAbandoned(seen, NOW), true);
    assert.equal(
      isRandomCallAbandoned(randomCallSeenAt({ joinerSeenAt: at(LIVE), waiterSeenAt: at(LIVE) }, ['j', 'w']), NOW),
      false,
    );
  });
});
