import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  canModerate,
  canNext,
  type RandomChatEvent,
  type RandomChatState,
  RandomChatStatus,
  INITIAL_STATE,
  isActive,
  transition,
} from '../../../../web/src/flows/random-chat-state.js';
import type { Problem } from '../../../../web/src/flows/problems.js';

const DENIED: Problem = { code: 'camera-denied' };
const CONNECTION_FAILED: Problem = { code: 'connection-failed' };

const E = {
  start: { type: 'start' },
  mediaReady: { type: 'media-ready' },
  mediaFailed: { type: 'media-failed', problem: DENIED },
  matched: { type: 'matched' },
  connected: { type: 'connected' },
  interrupted: { type: 'interrupted' },
  partnerLeft: { type: 'partner-left' },
  requeued: { type: 'requeued' },
  failed: { type: 'failed', problem: CONNECTION_FAILED },
  next: { type: 'next' },
  stop: { type: 'stop' },
  report: { type: 'ended-by-you', action: 'report' },
  block: { type: 'ended-by-you', action: 'block' },
  widened: { type: 'widened' },
} as const satisfies Record<string, RandomChatEvent>;

const ALL_EVENTS: readonly RandomChatEvent[] = Object.values(E);

/** One fresh example of every state. */
function everyState(): RandomChatState[] {
  return [
    { status: 'idle' },
    { status: 'requesting-media' },
    { status: 'media-error', problem: DENIED },
    { status: 'searching', again: false, widened: false },
    { status: 'searching', again: true, widened: false },
    { status: 'searching', again: false, widened: true },
    { status: 'connecting' },
    { status: 'connected' },
    { status: 'reconnecting' },
    { status: 'partner-left' },
    { status: 'failed', problem: CONNECTION_FAILED },
    { status: 'ended-by-you', action: 'report' },
    { status: 'ended-by-you', action: 'block' },
  ];
}

/** A readable name for a state in test titles (ended-by-you names its action, searching its flags). */
function label(state: RandomChatState): string {
  if (state.status === 'ended-by-you') return `ended-by-you (${state.action})`;
  if (state.status === 'searching') {
    const flags = [state.again && 'again', state.widened && 'widened'].filter(Boolean);
    return flags.length > 0 ? `searching (${flags.join(', ')})` : state.status;
  }
  return state.status;
}

function run(state: RandomChatState, ...events: RandomChatEvent[]): RandomChatState {
  return events.reduce(transition, state);
}

describe('INITIAL_STATE', () => {
  it('is idle', () => {
    assert.deepEqual(INITIAL_STATE, { status: 'idle' });
  });

  it('is neither active nor able to go Next or moderate', () => {
    assert.equal(isActive(INITIAL_STATE), false);
    assert.equal(canNext(INITIAL_STATE), false);
    assert.equal(canModerate(INITIAL_STATE), false);
  });
});

describe('RandomChatStatus', () => {
  it('lists the ten statuses used by RandomChatState', () => {
    assert.deepEqual(Object.values(RandomChatStatus).sort(), [
      'connected',
      'connecting',
      'ended-by-you',
      'failed',
      'idle',
      'media-error',
      'partner-left',
      'reconnecting',
      'requesting-media',
      'searching',
    ]);
  });
});

describe('transition: the happy path', () => {
  it('start: idle → requesting-media', () => {
    assert.deepEqual(transition(INITIAL_STATE, E.start), { status: 'requesting-media' });
  });

  it('media-ready: requesting-media → searching (first time)', () => {
    assert.deepEqual(transition({ status: 'requesting-media' }, E.mediaReady), {
      status: 'searching',
      again: false,
      widened: false,
    });
  });

  it('matched: searching → connecting', () => {
    assert.deepEqual(transition({ status: 'searching', again: false, widened: false }, E.matched), { status: 'connecting' });
  });

  it('connected: connecting → connected', () => {
    assert.deepEqual(transition({ status: 'connecting' }, E.connected), { status: 'connected' });
  });

  it('partner-left: connected → partner-left', () => {
    assert.deepEqual(transition({ status: 'connected' }, E.partnerLeft), { status: 'partner-left' });
  });

  it('next: partner-left → searching', () => {
    assert.deepEqual(transition({ status: 'partner-left' }, E.next), { status: 'searching', again: false, widened: false });
  });

  it('runs the whole path from idle back to searching', () => {
    const seen: RandomChatStatus[] = [];
    let state = INITIAL_STATE;
    for (const event of [E.start, E.mediaReady, E.matched, E.connected, E.partnerLeft, E.next]) {
      state = transition(state, event);
      seen.push(state.status);
    }
    assert.deepEqual(seen, ['requesting-media', 'searching', 'connecting', 'connected', 'partner-left', 'searching']);
    assert.deepEqual(state, { status: 'searching', again: false, widened: false });
  });

  it('does not mutate the state it is given', () => {
    const state: RandomChatState = { status: 'searching', again: true, widened: false };
    transition(state, E.matched);
    assert.deepEqual(state, { status: 'searching', again: true, widened: false });
  });
});

describe('transition: media failures', () => {
  it('media-failed: requesting-media → media-error carrying the problem', () => {
    const next = transition({ status: 'requesting-media' }, E.mediaFailed);
    assert.deepEqual(next, { status: 'media-error', problem: DENIED });
    assert.equal(next.status === 'media-error' && next.problem, DENIED);
  });

  it('start again: media-error → requesting-media', () => {
    assert.deepEqual(transition({ status: 'media-error', problem: DENIED }, E.start), { status: 'requesting-media' });
  });

  it('can fail, retry and then succeed', () => {
    const state = run(INITIAL_STATE, E.start, E.mediaFailed, E.start, E.mediaReady);
    assert.deepEqual(state, { status: 'searching', again: false, widened: false });
  });
});

describe('transition: a dropped connection', () => {
  it('interrupted: connected → reconnecting, and connected again once it recovers', () => {
    assert.deepEqual(transition({ status: 'connected' }, E.interrupted), { status: 'reconnecting' });
    assert.deepEqual(run({ status: 'connected' }, E.interrupted, E.connected), { status: 'connected' });
  });

  it('reconnecting gives up as failed, and Next, Report, Block and partner-left still apply', () => {
    assert.deepEqual(transition({ status: 'reconnecting' }, E.failed), { status: 'failed', problem: CONNECTION_FAILED });
    assert.deepEqual(transition({ status: 'reconnecting' }, E.next), { status: 'searching', again: false, widened: false });
    assert.deepEqual(transition({ status: 'reconnecting' }, E.report), { status: 'ended-by-you', action: 'report' });
    assert.deepEqual(transition({ status: 'reconnecting' }, E.partnerLeft), { status: 'partner-left' });
  });
});

describe('transition: requeue, next and failure', () => {
  it('requeued: connecting → searching with again=true', () => {
    assert.deepEqual(transition({ status: 'connecting' }, E.requeued), { status: 'searching', again: true, widened: false });
  });

  it('matched after a requeue goes to connecting again', () => {
    assert.deepEqual(run({ status: 'connecting' }, E.requeued, E.matched), { status: 'connecting' });
  });

  it('partner-left: connecting → partner-left', () => {
    assert.deepEqual(transition({ status: 'connecting' }, E.partnerLeft), { status: 'partner-left' });
  });

  it('next: connecting → searching (not again)', () => {
    assert.deepEqual(transition({ status: 'connecting' }, E.next), { status: 'searching', again: false, widened: false });
  });

  it('next: connected → searching (not again)', () => {
    assert.deepEqual(transition({ status: 'connected' }, E.next), { status: 'searching', again: false, widened: false });
  });

  it('next: failed → searching', () => {
    assert.deepEqual(transition({ status: 'failed', problem: CONNECTION_FAILED }, E.next), {
      status: 'searching',
      again: false,
      widened: false,
    });
  });

  for (const from of [
    { status: 'searching', again: false, widened: false },
    { status: 'connecting' },
    { status: 'connected' },
  ] as const) {
    it(`failed: ${from.status} → failed carrying the problem`, () => {
      const next = transition(from, E.failed);
      assert.deepEqual(next, { status: 'failed', problem: CONNECTION_FAILED });
    });
  }

  it('start: partner-left → requesting-media', () => {
    assert.deepEqual(transition({ status: 'partner-left' }, E.start), { status: 'requesting-media' });
  });

  it('start: failed → requesting-media', () => {
    assert.deepEqual(transition({ status: 'failed', problem: CONNECTION_FAILED }, E.start), {
      status: 'requesting-media',
    });
  });
});

describe('transition: widened (the room was quiet, Anyone too)', () => {
  for (const again of [false, true]) {
    it(`widened: searching (again=${again}) → searching with widened=true, keeping again`, () => {
      const state: RandomChatState = { status: 'searching', again, widened: false };
      const next = transition(state, E.widened);
      assert.deepEqual(next, { status: 'searching', again, widened: true });
      assert.deepEqual(state, { status: 'searching', again, widened: false }, 'the given state is not mutated');
    });
  }

  it('a second widened changes nothing (same object)', () => {
    const widened: RandomChatState = { status: 'searching', again: false, widened: true };
    assert.equal(transition(widened, E.widened), widened);
  });

  it('every search starts unwidened: first, after Next, after a requeue', () => {
    assert.deepEqual(run(INITIAL_STATE, E.start, E.mediaReady), { status: 'searching', again: false, widened: false });
    assert.deepEqual(run(INITIAL_STATE, E.start, E.mediaReady, E.widened, E.matched, E.requeued), {
      status: 'searching',
      again: true,
      widened: false,
    });
    assert.deepEqual(run(INITIAL_STATE, E.start, E.mediaReady, E.widened, E.matched, E.connected, E.next), {
      status: 'searching',
      again: false,
      widened: false,
    });
    assert.deepEqual(run(INITIAL_STATE, E.start, E.mediaReady, E.widened, E.stop, E.start, E.mediaReady), {
      status: 'searching',
      again: false,
      widened: false,
    });
  });

  it('a widened search moves on like any other: matched, failed, stop', () => {
    const widened: RandomChatState = { status: 'searching', again: false, widened: true };
    assert.deepEqual(transition(widened, E.matched), { status: 'connecting' });
    assert.deepEqual(transition(widened, E.failed), { status: 'failed', problem: CONNECTION_FAILED });
    assert.deepEqual(transition(widened, E.stop), { status: 'idle' });
  });

  for (const state of everyState().filter((s) => s.status !== 'searching')) {
    it(`is ignored while ${label(state)}`, () => {
      assert.equal(transition(state, E.widened), state);
    });
  }
});

describe('transition: ended by you (report or block)', () => {
  const ENDED_REPORT: RandomChatState = { status: 'ended-by-you', action: 'report' };
  const ENDED_BLOCK: RandomChatState = { status: 'ended-by-you', action: 'block' };

  for (const from of [{ status: 'connecting' }, { status: 'connected' }, { status: 'partner-left' }] as const) {
    for (const event of [E.report, E.block]) {
      it(`${event.action}: ${from.status} → ended-by-you carrying the action`, () => {
        const next = transition(from, event);
        assert.deepEqual(next, { status: 'ended-by-you', action: event.action });
        assert.notEqual(next, from);
      });
    }
  }

  for (const state of [ENDED_REPORT, ENDED_BLOCK]) {
    it(`next: ${label(state)} → searching (not again)`, () => {
      assert.deepEqual(transition(state, E.next), { status: 'searching', again: false, widened: false });
    });

    it(`start: ${label(state)} → requesting-media`, () => {
      assert.deepEqual(transition(state, E.start), { status: 'requesting-media' });
    });

    it(`failed: ${label(state)} → failed carrying the problem`, () => {
      const next = transition(state, E.failed);
      assert.deepEqual(next, { status: 'failed', problem: CONNECTION_FAILED });
      assert.equal(next.status === 'failed' && next.problem, CONNECTION_FAILED);
    });

    it(`stop: ${label(state)} → idle`, () => {
      const next = transition(state, E.stop);
      assert.deepEqual(next, { status: 'idle' });
      assert.notEqual(next, state);
    });
  }

  it('keeps which action ended the call', () => {
    const reported = transition({ status: 'connected' }, E.report);
    const blocked = transition({ status: 'connected' }, E.block);
    assert.equal(reported.status === 'ended-by-you' && reported.action, 'report');
    assert.equal(blocked.status === 'ended-by-you' && blocked.action, 'block');
  });

  it('does not let a second report or block replace the first', () => {
    assert.equal(transition(ENDED_REPORT, E.block), ENDED_REPORT);
    assert.equal(transition(ENDED_BLOCK, E.report), ENDED_BLOCK);
  });

  it('runs from a call through a report back to the queue', () => {
    const seen: RandomChatStatus[] = [];
    let state = INITIAL_STATE;
    for (const event of [E.start, E.mediaReady, E.matched, E.connected, E.report, E.next, E.matched]) {
      state = transition(state, event);
      seen.push(state.status);
    }
    assert.deepEqual(seen, [
      'requesting-media',
      'searching',
      'connecting',
      'connected',
      'ended-by-you',
      'searching',
      'connecting',
    ]);
  });

  it('can block a stranger who already left', () => {
    assert.deepEqual(run({ status: 'connected' }, E.partnerLeft, E.block), { status: 'ended-by-you', action: 'block' });
  });
});

describe('transition: stop', () => {
  for (const state of everyState().filter((s) => s.status !== 'idle')) {
    it(`stop: ${label(state)} → idle`, () => {
      const next = transition(state, E.stop);
      assert.deepEqual(next, { status: 'idle' });
      assert.notEqual(next, state);
    });
  }

  it('stop from idle returns the very same object', () => {
    const idle: RandomChatState = { status: 'idle' };
    assert.equal(transition(idle, E.stop), idle);
    assert.equal(transition(INITIAL_STATE, E.stop), INITIAL_STATE);
  });

  it('start after stop begins afresh', () => {
    assert.deepEqual(run({ status: 'connected' }, E.stop, E.start), { status: 'requesting-media' });
  });
});

describe('transition: events that do not apply return the same object', () => {
  const MEDIA_ERROR: RandomChatState = { status: 'media-error', problem: DENIED };
  const FAILED: RandomChatState = { status: 'failed', problem: CONNECTION_FAILED };
  const ENDED_REPORT: RandomChatState = { status: 'ended-by-you', action: 'report' };
  const ENDED_BLOCK: RandomChatState = { status: 'ended-by-you', action: 'block' };
  const WIDENED: RandomChatState = { status: 'searching', again: false, widened: true };
  /** Every (state, event) pair that must leave the state as it is (stop while idle is tested above). */
  const ignored: ReadonlyArray<readonly [RandomChatState, RandomChatEvent]> = [
    // idle: only start matters.
    ...[
      E.mediaReady,
      E.mediaFailed,
      E.matched,
      E.connected,
      E.partnerLeft,
      E.requeued,
      E.failed,
      E.next,
      E.report,
      E.block,
      E.widened,
    ].map((e) => [{ status: 'idle' }, e] as const),
    // requesting-media: waits for the browser's answer.
    ...[E.start, E.matched, E.connected, E.partnerLeft, E.requeued, E.failed, E.next, E.report, E.block, E.widened].map(
      (e) => [{ status: 'requesting-media' }, e] as const,
    ),
    // media-error: only start tries again.
    ...[
      E.mediaReady,
      E.mediaFailed,
      E.matched,
      E.connected,
      E.partnerLeft,
      E.requeued,
      E.failed,
      E.next,
      E.report,
      E.block,
      E.widened,
    ].map((e) => [MEDIA_ERROR, e] as const),
    // searching: nobody to skip, to lose or to report yet.
    ...(
      [
        { status: 'searching', again: false, widened: false },
        { status: 'searching', again: true, widened: false },
        WIDENED,
      ] as const
    ).flatMap((state) =>
      [E.start, E.mediaReady, E.mediaFailed, E.connected, E.partnerLeft, E.requeued, E.next, E.report, E.block].map(
        (e) => [state, e] as const,
      ),
    ),
    // Widened once is widened: the page need not redraw.
    [WIDENED, E.widened],
    // connecting: already paired.
    ...[E.start, E.mediaReady, E.mediaFailed, E.matched, E.widened].map((e) => [{ status: 'connecting' }, e] as const),
    // connected
    ...[E.start, E.mediaReady, E.mediaFailed, E.matched, E.connected, E.requeued, E.widened].map(
      (e) => [{ status: 'connected' }, e] as const,
    ),
    // reconnecting: still in the call; a second drop notice changes nothing.
    ...[E.start, E.mediaReady, E.mediaFailed, E.matched, E.interrupted, E.requeued, E.widened].map(
      (e) => [{ status: 'reconnecting' }, e] as const,
    ),
    // partner-left and failed: only next or start move on.
    ...[E.mediaReady, E.mediaFailed, E.matched, E.connected, E.partnerLeft, E.requeued, E.failed, E.widened].map(
      (e) => [{ status: 'partner-left' }, e] as const,
    ),
    // failed: nobody left to report.
    ...[
      E.mediaReady,
      E.mediaFailed,
      E.matched,
      E.connected,
      E.partnerLeft,
      E.requeued,
      E.failed,
      E.report,
      E.block,
      E.widened,
    ].map((e) => [FAILED, e] as const),
    // A dropped connection matters only in a call that was connected.
    ...everyState()
      .filter((st) => st.status !== 'connected' && st.status !== 'reconnecting')
      .map((st) => [st, E.interrupted] as const),
    // ended-by-you: only next, start, failed (and stop) move on; the first report or block stands.
    ...[E.mediaReady, E.mediaFailed, E.matched, E.connected, E.partnerLeft, E.requeued, E.report, E.block, E.widened].flatMap(
      (e) => [[ENDED_REPORT, e] as const, [ENDED_BLOCK, e] as const],
    ),
  ];

  for (const [state, event] of ignored) {
    const what = event.type === 'ended-by-you' ? `ended-by-you (${event.action})` : event.type;
    it(`ignores '${what}' while ${label(state)}`, () => {
      assert.equal(transition(state, event), state);
    });
  }

  it('returns a new object for every other (state, event) pair', () => {
    // By label, not status: 'widened' is ignored while widened, not before.
    const ignoredPairs = new Set(ignored.map(([s, e]) => `${label(s)}|${e.type}`));
    for (const state of everyState()) {
      for (const event of ALL_EVENTS) {
        const next = transition(state, event);
        if (next === state) {
          const key = `${label(state)}|${event.type}`;
          assert.ok(ignoredPairs.has(key) || (state.status === 'idle' && event.type === 'stop'), `unexpectedly ignored: ${key}`);
        }
      }
    }
  });
});

/** One test per state: `predicate` gives `expected[status]`. */
function itHoldsPerState(predicate: (s: RandomChatState) => boolean, expected: Record<RandomChatStatus, boolean>): void {
  for (const state of everyState()) {
    it(`is ${expected[state.status]} while ${label(state)}`, () => {
      assert.equal(predicate(state), expected[state.status]);
    });
  }
}

describe('canNext', () => {
  const expected: Record<RandomChatStatus, boolean> = {
    idle: false,
    'requesting-media': false,
    'media-error': false,
    searching: false,
    connecting: true,
    connected: true,
    reconnecting: true,
    'partner-left': true,
    failed: true,
    'ended-by-you': true,
  };

  itHoldsPerState(canNext, expected);

  it('is true exactly where next is not ignored', () => {
    for (const state of everyState()) {
      const moves = transition(state, E.next) !== state;
      assert.equal(canNext(state), moves, state.status);
    }
  });
});

describe('isActive', () => {
  const expected: Record<RandomChatStatus, boolean> = {
    idle: false,
    'requesting-media': true,
    'media-error': false,
    searching: true,
    connecting: true,
    connected: true,
    reconnecting: true,
    'partner-left': true,
    failed: true,
    'ended-by-you': true,
  };

  itHoldsPerState(isActive, expected);
});

describe('canModerate', () => {
  const expected: Record<RandomChatStatus, boolean> = {
    idle: false,
    'requesting-media': false,
    'media-error': false,
    searching: false,
    connecting: true,
    connected: true,
    reconnecting: true,
    'partner-left': true,
    failed: false,
    'ended-by-you': false,
  };

  itHoldsPerState(canModerate, expected);

  it('is true exactly where a report or block is not ignored', () => {
    for (const state of everyState()) {
      for (const event of [E.report, E.block]) {
        const moves = transition(state, event) !== state;
        assert.equal(canModerate(state), moves, `${label(state)} / ${event.action}`);
      }
    }
  });

  it('is false again once the call was ended by you', () => {
    assert.equal(canModerate(run({ status: 'connected' }, E.report)), false);
    assert.equal(canModerate(run({ status: 'partner-left' }, E.block)), false);
  });
});
