import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { HeldQueue } from '../../../../web/src/engine/held-queue.js';

/** A consumer that records what it receives. */
function recorder<T>(): { readonly items: T[]; readonly consume: (item: T) => void } {
  const items: T[] = [];
  return { items, consume: (item: T) => void items.push(item) };
}

describe('HeldQueue', () => {
  it('starts closed and empty', () => {
    const queue = new HeldQueue<number>();
    assert.equal(queue.isOpen, false);
    assert.equal(queue.size, 0);
  });

  it('holds items pushed before open', () => {
    const queue = new HeldQueue<string>();
    queue.push('a');
    queue.push('b');
    assert.equal(queue.size, 2);
    assert.equal(queue.isOpen, false);
  });

  it('delivers held items in arrival order on open', () => {
    const queue = new HeldQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    const sink = recorder<string>();
    queue.open(sink.consume);
    assert.deepEqual(sink.items, ['a', 'b', 'c']);
  });

  it('is open and empty after open', () => {
    const queue = new HeldQueue<string>();
    queue.push('a');
    queue.open(() => {});
    assert.equal(queue.isOpen, true);
    assert.equal(queue.size, 0);
  });

  it('delivers nothing on open when nothing was held', () => {
    const queue = new HeldQueue<string>();
    const sink = recorder<string>();
    queue.open(sink.consume);
    assert.deepEqual(sink.items, []);
    assert.equal(queue.isOpen, true);
  });

  it('passes items straight through after open', () => {
    const queue = new HeldQueue<number>();
    const sink = recorder<number>();
    queue.open(sink.consume);
    queue.push(1);
    assert.deepEqual(sink.items, [1]);
    queue.push(2);
    assert.deepEqual(sink.items, [1, 2]);
    assert.equal(queue.size, 0);
  });

  it('delivers held items before later ones', () => {
    const queue = new HeldQueue<number>();
    queue.push(1);
    queue.push(2);
    const sink = recorder<number>();
    queue.open(sink.consume);
    queue.push(3);
    assert.deepEqual(sink.items, [1, 2, 3]);
  });

  it('delivers the very same objects it was given', () => {
    const queue = new HeldQueue<{ readonly candidate: string }>();
    const held = { candidate: 'a' };
    queue.push(held);
    const sink = recorder<{ readonly candidate: string }>();
    queue.open(sink.consume);
    assert.equal(sink.items[0], held);
  });

  it('keeps falsy items', () => {
    const queue = new HeldQueue<number | string | null>();
    queue.push(0);
    queue.push('');
    queue.push(null);
    assert.equal(queue.size, 3);
    const sink = recorder<number | string | null>();
    queue.open(sink.consume);
    assert.deepEqual(sink.items, [0, '', null]);
  });

  it('clear drops held items', () => {
    const queue = new HeldQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.clear();
    assert.equal(queue.size, 0);
    const sink = recorder<string>();
    queue.open(sink.consume);
    assert.deepEqual(sink.items, []);
  });

  it('clear stops delivery to the old consumer', () => {
    const queue = new HeldQueue<string>();
    const sink = recorder<string>();
    queue.open(sink.consume);
    queue.push('before');
    queue.clear();
    queue.push('after');
    assert.deepEqual(sink.items, ['before']);
    assert.equal(queue.isOpen, false);
  });

  it('holds items pushed after clear until the next open', () => {
    const queue = new HeldQueue<string>();
    queue.open(() => {});
    queue.clear();
    queue.push('x');
    queue.push('y');
    assert.equal(queue.size, 2);
  });

  it('re-opens after clear, delivering only items pushed since then', () => {
    const queue = new HeldQueue<string>();
    queue.push('dropped');
    const first = recorder<string>();
    queue.open(first.consume);
    queue.push('first-live');
    queue.clear();
    queue.push('held-again');
    const second = recorder<string>();
    queue.open(second.consume);
    queue.push('second-live');
    assert.deepEqual(first.items, ['dropped', 'first-live']);
    assert.deepEqual(second.items, ['held-again', 'second-live']);
    assert.equal(queue.isOpen, true);
  });

  it('clear on a fresh queue leaves it closed and empty', () => {
    const queue = new HeldQueue<string>();
    queue.clear();
    assert.equal(queue.isOpen, false);
    assert.equal(queue.size, 0);
  });

  it('a second open replaces the consumer for later items', () => {
    const queue = new HeldQueue<string>();
    const first = recorder<string>();
    const second = recorder<string>();
    queue.open(first.consume);
    queue.open(second.consume);
    queue.push('x');
    assert.deepEqual(first.items, []);
    assert.deepEqual(second.items, ['x']);
  });

  it('delivers an item pushed by the consumer during open after the held ones', () => {
    const queue = new HeldQueue<string>();
    queue.push('a');
    queue.push('b');
    const seen: string[] = [];
    queue.open((item) => {
      seen.push(item);
      if (item === 'a') queue.push('from-consumer');
    });
    assert.deepEqual(seen.sort(), ['a', 'b', 'from-consumer']);
    assert.equal(queue.size, 0);
  });
});
