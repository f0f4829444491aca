import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { eventAgeMs, EventLog } from '../../../../web/src/engine/event-log.js';

describe('EventLog', () => {
  it("a line's age is read back from its clock", () => {
    const log = new EventLog(4);
    const before = Date.now();
    log.note('sent offer');
    const age = eventAgeMs(log.entries[0]!, Date.now());
    assert.ok(age >= 0 && age <= Date.now() - before, `age ${age} ms`);
  });

  it('reads an age across the clock wrapping around (every 1 000 000 ms)', () => {
    assert.equal(eventAgeMs('999500 sent offer', 3_000_000_200), 700);
    assert.equal(eventAgeMs('200 sent offer', 3_000_000_200), 0);
  });

  it('keeps only the last lines, oldest first', () => {
    const log = new EventLog(2);
    for (const what of ['a', 'b', 'c']) log.note(what);
    assert.deepEqual(
      log.entries.map((line) => line.split(' ')[1]),
      ['b', 'c'],
    );
  });
});
