import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairingViolations, type ClientView } from '../../support/pairing-check.js';

const waiting = (callId: string) => ({ status: 'waiting', callId }) as const;
const matched = (callId: string) => ({ status: 'matched', callId }) as const;
const client = (uid: string, room: string, outcome: ClientView['outcome'], left = false): ClientView => ({
  uid,
  room,
  left,
  outcome,
});

describe("pairingViolations (the load test's judge)", () => {
  const good = {
    clients: [client('a', 'ta', waiting('c1')), client('b', 'ta', matched('c1')), client('c', 'hi', waiting('c2'))],
    calls: [{ id: 'c1', members: ['b', 'a'] as const, room: 'ta' }],
    queue: [{ uid: 'c', room: 'hi', callId: 'c2' }],
  };

  it('finds nothing wrong in a correct state', () => {
    assert.deepEqual(pairingViolations(good.clients, good.calls, good.queue), []);
  });

  it('catches someone paired with themself', () => {
    const p = pairingViolations([client('a', 'ta', matched('c1'))], [{ id: 'c1', members: ['a', 'a'] as const, room: 'ta' }], []);
    assert.ok(
      p.some((x) => x.includes('paired with themself')),
      p.join('\n'),
    );
  });

  it('catches someone in two calls', () => {
    const calls = [...good.calls, { id: 'c3', members: ['a', 'c'] as const, room: 'ta' }];
    const p = pairingViolations([...good.clients.slice(0, 2), client('c', 'ta', waiting('c3'))], calls, []);
    assert.ok(
      p.some((x) => x.includes('a is in 2 calls')),
      p.join('\n'),
    );
  });

  it('catches a pair across rooms', () => {
    const p = pairingViolations(
      [client('a', 'ta', waiting('c1')), client('b', 'hi', matched('c1'))],
      [{ id: 'c1', members: ['b', 'a'] as const, room: 'ta' }],
      [],
    );
    assert.ok(
      p.some((x) => x.includes('b chose hi')),
      p.join('\n'),
    );
  });

  it('catches two compatible people both left waiting in one room', () => {
    const p = pairingViolations(
      [client('a', 'ta', waiting('c1')), client('b', 'ta', waiting('c2'))],
      [],
      [
        { uid: 'a', room: 'ta', callId: 'c1' },
        { uid: 'b', room: 'ta', callId: 'c2' },
      ],
    );
    assert.ok(
      p.some((x) => x.includes('a partner was available')),
      p.join('\n'),
    );
  });

  it('accepts two waiting in one room when one blocked the other', () => {
    const p = pairingViolations(
      [client('a', 'ta', waiting('c1')), client('b', 'ta', waiting('c2'))],
      [],
      [
        { uid: 'a', room: 'ta', callId: 'c1', blocked: ['b'] },
        { uid: 'b', room: 'ta', callId: 'c2' },
      ],
    );
    assert.deepEqual(p, []);
  });

  it('catches a waiter who listens on another id than its call', () => {
    const p = pairingViolations(
      [client('a', 'ta', waiting('other')), client('b', 'ta', matched('c1'))],
      [{ id: 'c1', members: ['b', 'a'] as const, room: 'ta' }],
      [],
    );
    assert.ok(
      p.some((x) => x.includes('waiter a was not told')),
      p.join('\n'),
    );
  });

  it('catches someone neither paired nor waiting, and a leaver still queued', () => {
    const p = pairingViolations(
      [client('a', 'ta', waiting('c1')), client('b', 'ta', waiting('c2'), true)],
      [],
      [{ uid: 'b', room: 'ta', callId: 'c2' }],
    );
    assert.ok(
      p.some((x) => x.includes('a is neither paired nor waiting')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.includes('b left but is still queued')),
      p.join('\n'),
    );
  });

  it('catches a failed join', () => {
    const p = pairingViolations([client('a', 'ta', { status: 'error', message: 'aborted' })], [], []);
    assert.ok(
      p.some((x) => x.includes('join failed')),
      p.join('\n'),
    );
  });
});
