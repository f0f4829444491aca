import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  INITIAL_LINK_CALL_STATE,
  linkCallTransition,
  type LinkCallEvent,
  type LinkCallState,
  type LinkCallStatus,
  showsPreview,
} from '../../../../web/src/flows/link-call-state.js';
import type { Problem } from '../../../../web/src/flows/problems.js';

const DENIED: Problem = { code: 'camera-denied' };
const CONNECTION_FAILED: Problem = { code: 'connection-failed' };

/** The call every example state is about. */
const ID = 'call-abc';
/** The call a 'created' or 'open' event names (different, to see which one wins). */
const OTHER = 'call-xyz';

const E = {
  create: { type: 'create' },
  created: { type: 'created', callId: OTHER },
  open: { type: 'open', callId: OTHER },
  availOpen: { type: 'availability', status: 'open', members: 3, capacity: 5 },
  availFull: { type: 'availability', status: 'full', members: 5, capacity: 5 },
  availEnded: { type: 'availability', status: 'ended' },
  join: { type: 'join' },
  entered: { type: 'entered' },
  leave: { type: 'leave' },
  removed: { type: 'removed' },
  ended: { type: 'ended' },
  mediaFailed: { type: 'media-failed', problem: DENIED },
  failed: { type: 'failed', problem: CONNECTION_FAILED },
  reset: { type: 'reset' },
} as const satisfies Record<string, LinkCallEvent>;

type EventName = keyof typeof E;
const EVENT_NAMES = Object.keys(E) as EventName[];

/** Fresh examples of every state (and of both shapes of the ones with optional parts). */
const S = {
  idle: (): LinkCallState => ({ status: 'idle' }),
  creating: (): LinkCallState => ({ status: 'creating' }),
  checking: (): LinkCallState => ({ status: 'checking', callId: ID }),
  lobby: (): LinkCallState => ({ status: 'lobby', callId: ID, members: 2, capacity: 5 }),
  joining: (): LinkCallState => ({ status: 'joining', callId: ID }),
  inCall: (): LinkCallState => ({ status: 'in-call', callId: ID }),
  full: (): LinkCallState => ({ status: 'full', callId: ID, members: 5, capacity: 5 }),
  ended: (): LinkCallState => ({ status: 'ended', callId: ID }),
  left: (): LinkCallState => ({ status: 'left', callId: ID }),
  joiningAgain: (): LinkCallState => ({ status: 'joining', callId: ID, again: true }),
  mediaError: (): LinkCallState => ({ status: 'media-error', callId: ID, problem: DENIED }),
  mediaErrorNoCall: (): LinkCallState => ({ status: 'media-error', callId: null, problem: DENIED }),
  failed: (): LinkCallState => ({ status: 'failed', callId: ID, problem: CONNECTION_FAILED }),
  failedNoCall: (): LinkCallState => ({ status: 'failed', callId: null, problem: CONNECTION_FAILED }),
} as const;

type StateName = keyof typeof S;
const STATE_NAMES = Object.keys(S) as StateName[];

const STATUSES: readonly LinkCallStatus[] = [
  'idle',
  'creating',
  'checking',
  'lobby',
  'joining',
  'in-call',
  'full',
  'ended',
  'left',
  'media-error',
  'failed',
];

/**
 * Every (state, event) pair that moves, with where it goes. Every pair not
 * listed here must return the very same object.
 */
const MOVES: Partial<Record<StateName, Partial<Record<EventName, LinkCallState>>>> = {};
function move(from: StateName, event: EventName, to: LinkCallState): void {
  (MOVES[from] ??= {})[event] = to;
}

// create: a new private call, from the start page or after a failure or an ended call.
for (const from of ['idle', 'failed', 'failedNoCall', 'mediaError', 'mediaErrorNoCall', 'ended'] as const) {
  move(from, 'create', { status: 'creating' });
}
// created: the creator is in the new call at once.
move('creating', 'created', { status: 'in-call', callId: OTHER });
// open: a link, from anywhere.
for (const from of STATE_NAMES) move(from, 'open', { status: 'checking', callId: OTHER });
// availability: the answer to "how many are in it?" (and enterCall's refusal while joining).
// Not from joining: a count that arrives mid-join must not undo the Join.
for (const from of ['checking', 'lobby', 'full'] as const) {
  move(from, 'availOpen', { status: 'lobby', callId: ID, members: 3, capacity: 5 });
}
for (const from of ['checking', 'lobby', 'joining', 'joiningAgain', 'full', 'left'] as const) {
  move(from, 'availFull', { status: 'full', callId: ID, members: 5, capacity: 5 });
  move(from, 'availEnded', { status: 'ended', callId: ID });
}
// join: needs a call to join.
for (const from of ['lobby', 'left', 'full', 'failed', 'mediaError'] as const) {
  move(from, 'join', { status: 'joining', callId: ID });
}
move('joining', 'entered', { status: 'in-call', callId: ID });
move('joiningAgain', 'entered', { status: 'in-call', callId: ID });
for (const from of ['inCall', 'joining', 'joiningAgain'] as const) {
  move(from, 'leave', { status: 'left', callId: ID });
  move(from, 'ended', { status: 'ended', callId: ID });
}
move('inCall', 'removed', { status: 'joining', callId: ID, again: true });
// media-failed: while a camera is being asked for.
move('creating', 'mediaFailed', { status: 'media-error', callId: null, problem: DENIED });
for (const from of ['checking', 'lobby', 'joining', 'joiningAgain'] as const) {
  move(from, 'mediaFailed', { status: 'media-error', callId: ID, problem: DENIED });
}
// failed: from everywhere but the start page and an ended call; keeps the call, if any.
for (const from of STATE_NAMES) {
  if (from === 'idle' || from === 'ended') continue;
  const before = S[from]();
  move(from, 'failed', { status: 'failed', callId: 'callId' in before ? before.callId : null, problem: CONNECTION_FAILED });
}
// reset: back to the start page.
for (const from of STATE_NAMES) move(from, 'reset', { status: 'idle' });

function run(state: LinkCallState, ...events: LinkCallEvent[]): LinkCallState {
  return events.reduce(linkCallTransition, state);
}

describe('INITIAL_LINK_CALL_STATE', () => {
  it('is idle', () => {
    assert.deepEqual(INITIAL_LINK_CALL_STATE, { status: 'idle' });
  });

  it('shows no preview', () => {
    assert.equal(showsPreview(INITIAL_LINK_CALL_STATE), false);
  });
});

describe('linkCallTransition: create', () => {
  for (const from of ['idle', 'failed', 'failedNoCall', 'mediaError', 'mediaErrorNoCall', 'ended'] as const) {
    it(`create: ${from} → creating (forgetting any call)`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.create), { status: 'creating' });
    });
  }

  for (const from of ['creating', 'checking', 'lobby', 'joining', 'inCall', 'full', 'left', 'joiningAgain'] as const) {
    it(`create is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.create), state);
    });
  }

  it('created: creating → in-call with the new call', () => {
    assert.deepEqual(linkCallTransition(S.creating(), E.created), { status: 'in-call', callId: OTHER });
  });

  for (const from of STATE_NAMES.filter((n) => n !== 'creating')) {
    it(`created is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.created), state);
    });
  }

  it('runs idle → creating → in-call', () => {
    assert.deepEqual(run(INITIAL_LINK_CALL_STATE, E.create, E.created), { status: 'in-call', callId: OTHER });
  });
});

describe('linkCallTransition: open', () => {
  for (const from of STATE_NAMES) {
    it(`open: ${from} → checking the link's call`, () => {
      const state = S[from]();
      const next = linkCallTransition(state, E.open);
      assert.deepEqual(next, { status: 'checking', callId: OTHER });
      assert.notEqual(next, state);
    });
  }

  it('opening the same link again while checking still gives a new object', () => {
    const state: LinkCallState = { status: 'checking', callId: OTHER };
    const next = linkCallTransition(state, E.open);
    assert.deepEqual(next, state);
    assert.notEqual(next, state);
  });
});

describe('linkCallTransition: availability', () => {
  for (const from of ['checking', 'lobby', 'full'] as const) {
    it(`open: ${from} → lobby with the counts`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.availOpen), { status: 'lobby', callId: ID, members: 3, capacity: 5 });
    });
  }

  it('open: joining stays joining (a count arriving mid-join does not undo the Join)', () => {
    const joining = S.joining();
    assert.equal(linkCallTransition(joining, E.availOpen), joining);
  });

  for (const from of ['left'] as const) {
    it(`open: ${from} stays on "You left" (same object)`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.availOpen), state);
    });
  }

  for (const from of ['checking', 'lobby', 'full', 'left'] as const) {
    it(`full: ${from} → full with the counts`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.availFull), { status: 'full', callId: ID, members: 5, capacity: 5 });
    });

    it(`ended: ${from} → ended`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.availEnded), { status: 'ended', callId: ID });
    });
  }

  it('joining → full when enterCall refuses a full call', () => {
    assert.deepEqual(linkCallTransition(S.joining(), { type: 'availability', status: 'full', members: 5, capacity: 5 }), {
      status: 'full',
      callId: ID,
      members: 5,
      capacity: 5,
    });
  });

  it('joining → ended when the call ended meanwhile', () => {
    assert.deepEqual(linkCallTransition(S.joining(), E.availEnded), { status: 'ended', callId: ID });
  });

  it('an update in the lobby takes the new counts', () => {
    const next = linkCallTransition(S.lobby(), { type: 'availability', status: 'open', members: 4, capacity: 5 });
    assert.deepEqual(next, { status: 'lobby', callId: ID, members: 4, capacity: 5 });
  });

  it('a full call that frees a place goes back to the lobby', () => {
    assert.deepEqual(run(S.checking(), E.availFull, E.availOpen), { status: 'lobby', callId: ID, members: 3, capacity: 5 });
  });

  for (const from of [
    'idle',
    'creating',
    'inCall',
    'ended',
    'mediaError',
    'mediaErrorNoCall',
    'failed',
    'failedNoCall',
  ] as const) {
    for (const event of ['availOpen', 'availFull', 'availEnded'] as const) {
      it(`${event} is ignored while ${from}`, () => {
        const state = S[from]();
        assert.equal(linkCallTransition(state, E[event]), state);
      });
    }
  }
});

describe('linkCallTransition: join and entered', () => {
  for (const from of ['lobby', 'left', 'full', 'failed', 'mediaError'] as const) {
    it(`join: ${from} → joining the same call`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.join), { status: 'joining', callId: ID });
    });
  }

  for (const from of ['failedNoCall', 'mediaErrorNoCall'] as const) {
    it(`join is ignored while ${from} (no call to join)`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.join), state);
    });
  }

  for (const from of ['idle', 'creating', 'checking', 'joining', 'joiningAgain', 'inCall', 'ended'] as const) {
    it(`join is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.join), state);
    });
  }

  it('entered: joining → in-call', () => {
    assert.deepEqual(linkCallTransition(S.joining(), E.entered), { status: 'in-call', callId: ID });
  });

  for (const from of STATE_NAMES.filter((n) => n !== 'joining' && n !== 'joiningAgain')) {
    it(`entered is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.entered), state);
    });
  }

  it('runs a link from open to in-call', () => {
    const seen: LinkCallStatus[] = [];
    let state = INITIAL_LINK_CALL_STATE;
    for (const event of [E.open, E.availOpen, E.join, E.entered] as const) {
      state = linkCallTransition(state, event);
      seen.push(state.status);
    }
    assert.deepEqual(seen, ['checking', 'lobby', 'joining', 'in-call']);
    assert.deepEqual(state, { status: 'in-call', callId: OTHER });
  });

  it('rejoins after leaving', () => {
    assert.deepEqual(run(S.inCall(), E.leave, E.join, E.entered), { status: 'in-call', callId: ID });
  });

  it('retries after a full refusal once a place frees', () => {
    assert.deepEqual(run(S.lobby(), E.join, E.availFull, E.availOpen, E.join, E.entered), { status: 'in-call', callId: ID });
  });
});

describe('linkCallTransition: leave, removed, ended', () => {
  for (const from of ['inCall', 'joining', 'joiningAgain'] as const) {
    it(`leave: ${from} → left`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.leave), { status: 'left', callId: ID });
    });

    it(`ended: ${from} → ended`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.ended), { status: 'ended', callId: ID });
    });
  }

  it('removed: in-call → joining again (the page enters again by itself)', () => {
    assert.deepEqual(linkCallTransition(S.inCall(), E.removed), { status: 'joining', callId: ID, again: true });
  });

  it('joining again: full when the seat was taken, in the call when entered', () => {
    assert.deepEqual(run(S.inCall(), E.removed, E.availFull), { status: 'full', callId: ID, members: 5, capacity: 5 });
    assert.deepEqual(run(S.inCall(), E.removed, E.entered), { status: 'in-call', callId: ID });
  });

  for (const from of STATE_NAMES.filter((n) => n !== 'inCall' && n !== 'joining' && n !== 'joiningAgain')) {
    it(`leave and ended are ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.leave), state);
      assert.equal(linkCallTransition(state, E.ended), state);
    });
  }

  for (const from of STATE_NAMES.filter((n) => n !== 'inCall')) {
    it(`removed is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.removed), state);
    });
  }

  it('a late entered after leaving while joining is ignored', () => {
    const left = linkCallTransition(S.joining(), E.leave);
    assert.equal(linkCallTransition(left, E.entered), left);
  });
});

describe('linkCallTransition: media-failed', () => {
  it('creating → media-error without a call', () => {
    const next = linkCallTransition(S.creating(), E.mediaFailed);
    assert.deepEqual(next, { status: 'media-error', callId: null, problem: DENIED });
    assert.equal(next.status === 'media-error' && next.problem, DENIED);
  });

  for (const from of ['checking', 'lobby', 'joining'] as const) {
    it(`${from} → media-error keeping the call`, () => {
      assert.deepEqual(linkCallTransition(S[from](), E.mediaFailed), { status: 'media-error', callId: ID, problem: DENIED });
    });
  }

  for (const from of [
    'idle',
    'inCall',
    'full',
    'ended',
    'left',
    'mediaError',
    'mediaErrorNoCall',
    'failed',
    'failedNoCall',
  ] as const) {
    it(`media-failed is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.mediaFailed), state);
    });
  }

  it('after a camera failure in the lobby, Join tries the same call again', () => {
    assert.deepEqual(run(S.lobby(), E.mediaFailed, E.join), { status: 'joining', callId: ID });
  });

  it('after a camera failure while creating, Private call tries again', () => {
    assert.deepEqual(run(S.creating(), E.mediaFailed, E.create), { status: 'creating' });
    const stuck = linkCallTransition(S.creating(), E.mediaFailed);
    assert.equal(linkCallTransition(stuck, E.join), stuck, 'nothing to join');
  });
});

describe('linkCallTransition: failed', () => {
  for (const from of STATE_NAMES.filter((n) => n !== 'idle' && n !== 'ended')) {
    it(`failed: ${from} → failed carrying the problem and the call`, () => {
      const state = S[from]();
      const next = linkCallTransition(state, E.failed);
      const callId = 'callId' in state ? state.callId : null;
      assert.deepEqual(next, { status: 'failed', callId, problem: CONNECTION_FAILED });
      assert.equal(next.status === 'failed' && next.problem, CONNECTION_FAILED);
      assert.notEqual(next, state);
    });
  }

  for (const from of ['idle', 'ended'] as const) {
    it(`failed is ignored while ${from}`, () => {
      const state = S[from]();
      assert.equal(linkCallTransition(state, E.failed), state);
    });
  }

  it('a failure while creating has no call', () => {
    assert.deepEqual(linkCallTransition(S.creating(), E.failed), { status: 'failed', callId: null, problem: CONNECTION_FAILED });
  });

  it('a new failure replaces the problem of an earlier one', () => {
    const next = linkCallTransition(S.failed(), { type: 'failed', problem: DENIED });
    assert.deepEqual(next, { status: 'failed', callId: ID, problem: DENIED });
  });
});

describe('linkCallTransition: reset', () => {
  for (const from of STATE_NAMES) {
    it(`reset: ${from} → idle`, () => {
      const next = linkCallTransition(S[from](), E.reset);
      assert.deepEqual(next, { status: 'idle' });
      assert.equal(next, INITIAL_LINK_CALL_STATE);
    });
  }

  it('reset from the initial state returns the very same object', () => {
    assert.equal(linkCallTransition(INITIAL_LINK_CALL_STATE, E.reset), INITIAL_LINK_CALL_STATE);
  });
});

describe('linkCallTransition: the whole table', () => {
  for (const from of STATE_NAMES) {
    for (const event of EVENT_NAMES) {
      const to = MOVES[from]?.[event];
      if (to) {
        it(`${from} + ${event} → ${to.status}`, () => {
          const state = S[from]();
          const next = linkCallTransition(state, E[event]);
          assert.deepEqual(next, to);
          assert.notEqual(next, state);
        });
      } else {
        it(`${from} + ${event} returns the same object`, () => {
          const state = S[from]();
          assert.equal(linkCallTransition(state, E[event]), state);
        });
      }
    }
  }

  it('does not mutate the state it is given', () => {
    for (const from of STATE_NAMES) {
      for (const event of EVENT_NAMES) {
        const state = S[from]();
        linkCallTransition(state, E[event]);
        assert.deepEqual(state, S[from](), `${from} + ${event}`);
      }
    }
  });

  it('covers every status', () => {
    const covered = new Set(STATE_NAMES.map((n) => S[n]().status));
    assert.deepEqual([...covered].sort(), [...STATUSES].sort());
  });
});

describe('showsPreview', () => {
  const expected: Record<LinkCallStatus, boolean> = {
    idle: false,
    creating: true,
    checking: false,
    lobby: true,
    joining: true,
    'in-call': true,
    full: false,
    ended: false,
    left: false,
    'media-error': false,
    failed: false,
  };

  for (const from of STATE_NAMES) {
    const state = S[from]();
    it(`is ${expected[state.status]} while ${from}`, () => {
      assert.equal(showsPreview(state), expected[state.status]);
    });
  }
});
