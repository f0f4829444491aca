import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLOCK_MARGIN_MS,
  latestInstantOf,
  nextAfterCount,
  NO_SCHEDULE,
  onChange,
  sameCounts,
  STALE_COUNT_MS,
  startsCount,
  type RoomCountSchedule,
} from '../../../../functions/src/domain/room-count-schedule.js';
import { emptyRoomCounts } from '../../../../functions/src/protocol/room-counts.js';

const NOW = 1_700_000_000_000;
const T = { delayMs: 2_000, intervalMs: 3_000 };

describe('onChange', () => {
  it('schedules a count delayMs after the first change of a quiet spell', () => {
    assert.deepEqual(onChange(NO_SCHEDULE, NOW - 30, NOW, T), { kind: 'schedule', pendingAtMs: NOW + 2_000 });
  });

  it('never schedules a count sooner than intervalMs after the start of the last one', () => {
    const s: RoomCountSchedule = { countedAtMs: NOW - 500, pendingAtMs: 0, dirtyAtMs: 0 };
    assert.deepEqual(onChange(s, NOW, NOW, T), { kind: 'schedule', pendingAtMs: NOW - 500 + 3_000 });
  });

  it('needs nothing when a published count started after the change', () => {
    const s: RoomCountSchedule = { countedAtMs: NOW - 1_000, pendingAtMs: 0, dirtyAtMs: 0 };
    assert.deepEqual(onChange(s, NOW - 1_000 - CLOCK_MARGIN_MS, NOW, T), { kind: 'already-counted' });
    assert.equal(onChange(s, NOW - 1_000 - CLOCK_MARGIN_MS + 1, NOW, T).kind, 'schedule', 'too close to tell: counted again');
  });

  it('needs nothing when the pending count starts after now (the trigger runs after its commit)', () => {
    const s: RoomCountSchedule = { countedAtMs: 0, pendingAtMs: NOW + CLOCK_MARGIN_MS, dirtyAtMs: 0 };
    assert.deepEqual(onChange(s, NOW - 5_000, NOW, T), { kind: 'already-scheduled' });
  });

  it('marks a change that a count about to start, or running, may miss, and never pushes that count back', () => {
    const running: RoomCountSchedule = { countedAtMs: 0, pendingAtMs: NOW - 200, dirtyAtMs: 0 };
    assert.deepEqual(onChange(running, NOW - 10, NOW, T), { kind: 'mark', dirtyAtMs: NOW - 10 });
    const imminent: RoomCountSchedule = { countedAtMs: 0, pendingAtMs: NOW + CLOCK_MARGIN_MS - 1, dirtyAtMs: NOW - 20 };
    assert.deepEqual(onChange(imminent, NOW - 10, NOW, T), { kind: 'mark', dirtyAtMs: NOW - 10 }, 'a later change');
    const marked = { ...imminent, dirtyAtMs: NOW - 5 };
    assert.deepEqual(onChange(marked, NOW - 10, NOW, T), { kind: 'already-marked' }, 'a later change is marked already');
  });

  it('schedules anew when the pending count died with its instance', () => {
    const dead: RoomCountSchedule = {
      countedAtMs: NOW - STALE_COUNT_MS - 9_000,
      pendingAtMs: NOW - STALE_COUNT_MS,
      dirtyAtMs: 0,
    };
    assert.deepEqual(onChange(dead, NOW, NOW, T), { kind: 'schedule', pendingAtMs: NOW + 2_000 });
  });
});

describe('nextAfterCount', () => {
  it('needs no follow-up when no change was marked, or the marked one came before the count started', () => {
    assert.equal(nextAfterCount({ countedAtMs: 0, pendingAtMs: NOW, dirtyAtMs: 0 }, NOW, NOW + 300, T), 0);
    const early = { countedAtMs: 0, pendingAtMs: NOW, dirtyAtMs: NOW - CLOCK_MARGIN_MS };
    assert.equal(nextAfterCount(early, NOW, NOW + 300, T), 0);
  });

  it('schedules a follow-up intervalMs after the count started when a marked change may have been missed', () => {
    const s = { countedAtMs: 0, pendingAtMs: NOW, dirtyAtMs: NOW + 100 };
    assert.equal(nextAfterCount(s, NOW, NOW + 300, T), NOW + 3_000);
    assert.equal(nextAfterCount(s, NOW, NOW + 4_000, T), NOW + 4_000 + CLOCK_MARGIN_MS, 'a slow count: after now');
  });
});

describe('startsCount', () => {
  it('is true only for a write that makes a new time due', () => {
    assert.equal(startsCount(0, NOW), true, 'scheduled from idle');
    assert.equal(startsCount(NOW, NOW + 3_000), true, 'a follow-up published with a count');
    assert.equal(startsCount(NOW, NOW), false, 'a change marked');
    assert.equal(startsCount(NOW, 0), false, 'published with nothing to follow');
    assert.equal(startsCount(0, 0), false);
  });
});

describe('sameCounts', () => {
  it('compares every room', () => {
    const a = emptyRoomCounts();
    assert.equal(sameCounts(a, emptyRoomCounts()), true);
    assert.equal(sameCounts(a, { ...a, kn: { waiting: 0, chatting: 2 } }), false);
    assert.equal(sameCounts({ ...a, ta: { waiting: 1, chatting: 0 } }, a), false);
  });
});

/**
 * The schedule as the functions run it, on a virtual clock: change triggers
 * (each `lagMs` after its commit), the one sleeper, counts that take
 * `countMs`; times relative to NOW. Writes of the schedule are atomic in time order, as the
 * conditional writes make them.
 */
function simulate(
  changes: readonly number[],
  { lagMs = (_i: number): number => 50, countMs = 300 }: { lagMs?: (i: number) => number; countMs?: number } = {},
): { starts: number[]; covered: number[] } {
  type Event =
    | { at: number; type: 'trigger'; changedAt: number }
    | { at: number; type: 'start'; dueAt: number }
    | { at: number; type: 'publish'; dueAt: number; startedAt: number };
  // On the real clock, so that "never counted" (0) is long ago; reported relative to NOW.
  const events: Event[] = changes.map((c, i) => ({ at: NOW + c + lagMs(i), type: 'trigger', changedAt: NOW + c }));
  let s: RoomCountSchedule = NO_SCHEDULE;
  const starts: number[] = [];
  const setPending = (before: number, after: number) => {
    if (startsCount(before, after)) events.push({ at: after, type: 'start', dueAt: after });
  };
  while (events.length > 0) {
    events.sort((x, y) => x.at - y.at);
    const e = events.shift()!;
    if (e.type === 'trigger') {
      const d = onChange(s, e.changedAt, e.at, T);
      if (d.kind === 'mark') s = { ...s, dirtyAtMs: d.dirtyAtMs };
      // Triggers may run out of commit order (lagMs varies below).
      if (d.kind === 'schedule') {
        const before = s.pendingAtMs;
        s = { ...s, pendingAtMs: d.pendingAtMs, dirtyAtMs: 0 };
        setPending(before, d.pendingAtMs);
      }
    } else if (e.type === 'start') {
      events.push({ at: e.at + countMs, type: 'publish', dueAt: e.dueAt, startedAt: e.at });
    } else if (s.pendingAtMs === e.dueAt) {
      const next = nextAfterCount(s, e.startedAt, e.at, T);
      starts.push(e.startedAt - NOW);
      s = { countedAtMs: e.startedAt, pendingAtMs: next, dirtyAtMs: 0 };
      setPending(e.dueAt, next);
    }
  }
  // For each change, the first published count that started after it (with the margin).
  const covered = changes.map((c) => starts.find((x) => x >= c + CLOCK_MARGIN_MS) ?? Infinity);
  return { starts, covered };
}

describe('the schedule over time (simulated)', () => {
  const assertSound = (changes: number[], starts: number[], covered: number[]) => {
    for (let i = 1; i < starts.length; i++) {
      assert.ok(starts[i]! - starts[i - 1]! >= T.intervalMs, `counts ${starts[i - 1]} and ${starts[i]} closer than the interval`);
    }
    changes.forEach((c, i) => {
      const waited = covered[i]! - c;
      assert.ok(waited <= T.delayMs + T.intervalMs + 1_000, `change at ${c} counted after ${waited} ms`);
    });
  };

  it('counts a lone change once, delayMs after it', () => {
    const { starts, covered } = simulate([0]);
    assert.deepEqual(starts, [50 + T.delayMs]);
    assertSound([0], starts, covered);
  });

  it('counts a pairing burst once, after it', () => {
    // The waiter joins, the pairing commits 300 ms later, the joiner's old call ends with it.
    const changes = [0, 300, 310];
    const { starts, covered } = simulate(changes);
    assert.deepEqual(starts, [50 + T.delayMs], 'one count covers the burst');
    assertSound(changes, starts, covered);
  });

  it('keeps counting under a steady stream of changes (no starvation), at most once per interval', () => {
    const changes = Array.from({ length: 150 }, (_, i) => i * 200); // every 200 ms for 30 s
    const { starts, covered } = simulate(changes);
    assert.ok(starts.length >= 8, `${starts.length} counts in 30 s of changes`);
    assertSound(changes, starts, covered);
  });

  it('covers changes that land while a count runs, with slow triggers and slow counts', () => {
    const changes = [0, 2_040, 2_100, 2_300, 9_000, 11_100];
    const { starts, covered } = simulate(changes, { lagMs: () => 400, countMs: 900 });
    assertSound(changes, starts, covered);
  });

  it('covers changes whose triggers run out of order', () => {
    const changes = Array.from({ length: 100 }, (_, i) => i * 100);
    const { starts, covered } = simulate(changes, { lagMs: (i) => (i % 3 === 0 ? 900 : 40), countMs: 600 });
    assertSound(changes, starts, covered);
  });
});

describe('latestInstantOf', () => {
  const second = Date.parse('2026-12-03T18:13:53Z');
  it('takes a time at the end of its last digit: whole seconds (the Functions emulator) stand for up to 999 ms more', () => {
    assert.equal(latestInstantOf('2026-12-03T18:13:53Z'), second + 999);
    assert.equal(latestInstantOf('2026-12-03T18:13:53.8Z'), second + 899);
    assert.equal(latestInstantOf('2026-12-03T18:13:53.81Z'), second + 819);
  });
  it('keeps milliseconds as they are, and adds the one cut off beyond them (production sends microseconds)', () => {
    assert.equal(latestInstantOf('2026-12-03T18:13:53.818Z'), second + 818);
    assert.equal(latestInstantOf('2026-12-03T18:13:53.818412Z'), second + 819);
    assert.equal(latestInstantOf('2026-12-03T20:13:53.818+02:00'), second + 818);
  });
  it('answers NaN for what is not a time', () => {
    assert.ok(Number.isNaN(latestInstantOf('')));
    assert.ok(Number.isNaN(latestInstantOf('soon')));
  });
  it('a count that started between the whole second and the commit does not cover it (the flake this fixes)', () => {
    const s: RoomCountSchedule = { countedAtMs: second + 580, pendingAtMs: 0, dirtyAtMs: 0 };
    const changedAtMs = latestInstantOf('2026-12-03T18:13:53Z'); // committed at 53.818
    assert.equal(onChange(s, changedAtMs, second + 900, T).kind, 'schedule');
  });
});
