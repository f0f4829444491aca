import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExpiringMemo } from '../../../../functions/src/domain/memo.js';

describe('ExpiringMemo', () => {
  it('returns a value until its time, then forgets it', () => {
    const memo = new ExpiringMemo<number>();
    memo.set('a', 42, 1000);
    assert.equal(memo.get('a', 999), 42);
    assert.equal(memo.get('a', 1000), null);
    assert.equal(memo.size, 0, 'an entry found over is removed');
  });

  it('returns null for what it never saw', () => {
    assert.equal(new ExpiringMemo<number>().get('x', 0), null);
  });

  it('replaces an entry set again', () => {
    const memo = new ExpiringMemo<string>();
    memo.set('a', 'first', 1000);
    memo.set('a', 'second', 500);
    assert.equal(memo.get('a', 600), null);
    assert.equal(memo.size, 0);
  });

  it('keeps at most its capacity, dropping the oldest first', () => {
    const memo = new ExpiringMemo<number>(3);
    for (const key of ['a', 'b', 'c', 'd']) memo.set(key, 1, 10_000);
    assert.equal(memo.size, 3);
    assert.equal(memo.get('a', 0), null);
    assert.equal(memo.get('d', 0), 1);
    // Setting again makes an entry the newest.
    memo.set('b', 2, 10_000);
    memo.set('e', 1, 10_000);
    assert.equal(memo.get('c', 0), null);
    assert.equal(memo.get('b', 0), 2);
  });
});
