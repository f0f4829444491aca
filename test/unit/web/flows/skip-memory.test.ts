import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SKIP_MEMORY_MS, SKIP_MEMORY_SIZE } from '@parley/functions/protocol';
import { parseSkipMemory, storedSkipMemory } from '../../../../web/src/flows/skip-memory.js';

const now = 1_000_000_000_000;
const me = 'Me0';

describe('skip memory kept on the device', () => {
  it('reads back what was stored for the same person: whom they met, when', () => {
    const met = new Map([
      ['B1', now - 5_000],
      ['C2', now - 60_000],
    ]);
    assert.deepEqual(
      [...parseSkipMemory(storedSkipMemory(me, met, now), me, now)],
      [
        ['C2', now - 60_000],
        ['B1', now - 5_000],
      ],
    );
  });

  it('knows nothing met when nothing is stored, or what is stored is not this person’s or is garbage', () => {
    const stored = storedSkipMemory(me, new Map([['B1', now - 5_000]]), now);
    for (const [raw, uid] of [
      [null, me],
      [stored, 'Other1'],
      ['not json', me],
      ['[]', me],
      ['"x"', me],
      ['{"uid":"Me0","met":[["B1",1]]}', me],
      ['{"uid":"Me0"}', me],
    ] as const) {
      assert.equal(parseSkipMemory(raw, uid, now).size, 0, `${raw} for ${uid}`);
    }
  });

  it('keeps only what the server takes: uids of letters and digits (not one’s own), times of the last two minutes, the newest ten', () => {
    const raw = JSON.stringify({
      uid: me,
      met: {
        Ok1: now - 1_000,
        'has space': now - 1_000,
        ['x'.repeat(129)]: now - 1_000,
        [me]: now - 1_000,
        Old1: now - SKIP_MEMORY_MS,
        Future1: now + 1_000,
        Text1: 'yesterday',
      },
    });
    assert.deepEqual([...parseSkipMemory(raw, me, now).keys()], ['Ok1']);
    const many = new Map(Array.from({ length: SKIP_MEMORY_SIZE + 5 }, (_, i) => [`P${i}`, now - 100_000 + i] as const));
    const kept = parseSkipMemory(JSON.stringify({ uid: me, met: Object.fromEntries(many) }), me, now);
    assert.deepEqual([...kept.keys()], [...many.keys()].slice(-SKIP_MEMORY_SIZE), 'the newest, oldest first');
  });

  it('stores no one met longer ago than the memory lasts', () => {
    const met = new Map([
      ['Gone1', now - SKIP_MEMORY_MS - 1],
      ['Kept1', now - 1],
    ]);
    assert.deepEqual(JSON.parse(storedSkipMemory(me, met, now)), { uid: me, met: { Kept1: now - 1 } });
  });
});
