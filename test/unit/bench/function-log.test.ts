import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logEntries, opsBreakdown, totalOps } from '../../bench/function-log.js';

/** Lines as firebase-debug.log has them: the entry, then the emulator's copy of it inside metadata. */
const line = (entry: object) => `[info] >  ${JSON.stringify(entry)} ${JSON.stringify({ user: entry, metadata: { x: '{' } })}`;

describe('function log lines', () => {
  it('reads the first structured entry of each line, braces in strings included', () => {
    const text = [
      'i  functions: Beginning execution of "us-central1-join"',
      line({ room: 'ta}', usage: { reads: 2, writes: 1, deletes: 0 }, severity: 'INFO', message: 'join' }),
      '[debug] not json {',
      line({ severity: 'DEBUG', message: 'room counts' }),
    ].join('\n');
    const entries = logEntries(text);
    assert.deepEqual(
      entries.map((e) => [e.message, e['room']]),
      [
        ['join', 'ta}'],
        ['room counts', undefined],
      ],
    );
  });

  it('sums usage, and breaks it down by message and by what each operation touched', () => {
    const entries = logEntries(
      [
        line({
          ops: { people: { reads: 1, writes: 1, deletes: 0 }, 'queue (scan)': { reads: 1, writes: 0, deletes: 0 } },
          usage: { reads: 2, writes: 1, deletes: 0 },
          message: 'join',
        }),
        line({
          ops: { people: { reads: 1, writes: 1, deletes: 0 } },
          usage: { reads: 1, writes: 1, deletes: 0 },
          message: 'join',
        }),
        line({ callId: 'c', usage: { reads: 2, writes: 1, deletes: 4 }, message: 'call ended' }),
        line({ message: 'room counts' }),
        line({ callId: 'd', usage: { reads: 0, writes: 0, deletes: 0 }, message: 'call ended' }),
        line({ callId: 'e', usage: { reads: 0, writes: 0, deletes: 0 }, message: 'leave' }),
      ].join('\n'),
    );
    assert.deepEqual(totalOps(entries), { reads: 5, writes: 3, deletes: 4 });
    // An entry that cost nothing names no operation, and its message stays listed.
    assert.deepEqual(opsBreakdown(entries), {
      join: { people: { reads: 2, writes: 2, deletes: 0 }, 'queue (scan)': { reads: 1, writes: 0, deletes: 0 } },
      'call ended': { '(unnamed)': { reads: 2, writes: 1, deletes: 4 } },
      leave: {},
    });
  });
});
