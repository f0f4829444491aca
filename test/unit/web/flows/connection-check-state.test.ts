import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseCandidate } from '../../../../web/src/engine/ice-candidate.js';
import {
  checkTransition,
  INITIAL_CHECK_STATE,
  type CheckEvent,
  type CheckState,
  type CheckStatus,
} from '../../../../web/src/flows/connection-check-state.js';
import { OLD_BROWSER, verdict, type CheckResult } from '../../../../web/src/flows/verdict.js';

const HOST = parseCandidate('candidate:1 1 udp 2122260223 192.0.2.10 46243 typ host')!;
const RESULT: CheckResult = {
  media: { camera: true, microphone: true, problem: null },
  network: {
    summary: { host: true, srflx: false, relay: false, protocols: ['udp'], relayProtocols: [], udpOut: false },
    servers: { stun: false, turn: false, udp: false },
    stun: 'none',
    complete: true,
    relayRttMs: null,
  },
};

const E = {
  start: { type: 'start' },
  media: { type: 'media', media: RESULT.media },
  candidate: { type: 'candidate', candidate: HOST },
  measuring: { type: 'measuring-relay' },
  finished: { type: 'finished', result: RESULT },
  failed: { type: 'failed', verdict: OLD_BROWSER },
  stop: { type: 'stop' },
} as const satisfies Record<string, CheckEvent>;

const CHECKING: CheckState = { status: 'checking', media: null, candidates: [], measuringRelay: false };
const EXAMPLES: Record<CheckStatus, CheckState> = {
  idle: INITIAL_CHECK_STATE,
  checking: CHECKING,
  done: { status: 'done', result: RESULT, verdict: verdict(RESULT) },
  failed: { status: 'failed', verdict: OLD_BROWSER },
};

/** The status after each event, from each state ('same': the very same object back). */
const TABLE: Record<CheckStatus, Record<keyof typeof E, CheckStatus | 'same'>> = {
  idle: {
    start: 'checking',
    media: 'same',
    candidate: 'same',
    measuring: 'same',
    finished: 'same',
    failed: 'same',
    stop: 'same',
  },
  checking: {
    start: 'same',
    media: 'checking',
    candidate: 'checking',
    measuring: 'checking',
    finished: 'done',
    failed: 'failed',
    stop: 'idle',
  },
  done: {
    start: 'checking',
    media: 'same',
    candidate: 'same',
    measuring: 'same',
    finished: 'same',
    failed: 'same',
    stop: 'idle',
  },
  failed: {
    start: 'checking',
    media: 'same',
    candidate: 'same',
    measuring: 'same',
    finished: 'same',
    failed: 'same',
    stop: 'idle',
  },
};

describe('checkTransition', () => {
  for (const [from, row] of Object.entries(TABLE) as [CheckStatus, Record<keyof typeof E, CheckStatus | 'same'>][]) {
    for (const [event, to] of Object.entries(row) as [keyof typeof E, CheckStatus | 'same'][]) {
      it(`${from} + ${event} → ${to}`, () => {
        const state = EXAMPLES[from];
        const next = checkTransition(state, E[event]);
        if (to === 'same') assert.equal(next, state, 'the same object: nothing to render');
        else assert.equal(next.status, to);
      });
    }
  }

  it('a check goes idle → checking → done, collecting what it finds on the way', () => {
    let s = checkTransition(INITIAL_CHECK_STATE, E.start);
    s = checkTransition(s, E.candidate);
    s = checkTransition(s, E.media);
    s = checkTransition(s, E.candidate);
    assert.deepEqual(s, { status: 'checking', media: RESULT.media, candidates: [HOST, HOST], measuringRelay: false });
    s = checkTransition(s, E.measuring);
    assert.equal(s.status === 'checking' && s.measuringRelay, true);
    s = checkTransition(s, E.finished);
    assert.deepEqual(s, { status: 'done', result: RESULT, verdict: verdict(RESULT) });
  });

  it('Check again starts from nothing', () => {
    const again = checkTransition(EXAMPLES.done, E.start);
    assert.deepEqual(again, CHECKING);
  });
});
