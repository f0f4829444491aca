/**
 * The connection check as an explicit state machine: one union of named
 * states, one transition function. Pure; the check (connection-check.ts)
 * feeds it events, elements render its states.
 */
import type { ParsedCandidate } from '../engine/ice-candidate.js';
import { verdict, type CheckResult, type MediaFinding, type Verdict } from './verdict.js';

export type CheckState =
  /** Not started, or stopped (the person left the page). */
  | { readonly status: 'idle' }
  /**
   * Running: the camera and microphone are asked for while candidates are
   * gathered; each arrives as it is found. `measuringRelay` once gathering is
   * over and a relay was found: its round trip is being measured.
   */
  | {
      readonly status: 'checking';
      readonly media: MediaFinding | null;
      readonly candidates: readonly ParsedCandidate[];
      readonly measuringRelay: boolean;
    }
  /** Finished: what was found, and what it means. */
  | { readonly status: 'done'; readonly result: CheckResult; readonly verdict: Verdict }
  /** The check could not run (no WebRTC, no ICE configuration). */
  | { readonly status: 'failed'; readonly verdict: Verdict };

export type CheckStatus = CheckState['status'];

export type CheckEvent =
  | { readonly type: 'start' }
  | { readonly type: 'media'; readonly media: MediaFinding }
  | { readonly type: 'candidate'; readonly candidate: ParsedCandidate }
  | { readonly type: 'measuring-relay' }
  | { readonly type: 'finished'; readonly result: CheckResult }
  | { readonly type: 'failed'; readonly verdict: Verdict }
  | { readonly type: 'stop' };

export const INITIAL_CHECK_STATE: CheckState = { status: 'idle' };

/**
 * The next state, or the same object when the event does not apply in this
 * state (callers compare by identity to skip a render).
 */
export function checkTransition(state: CheckState, event: CheckEvent): CheckState {
  switch (event.type) {
    case 'start':
      // From any resting state; a second Start while checking is ignored.
      return state.status === 'checking' ? state : { status: 'checking', media: null, candidates: [], measuringRelay: false };
    case 'media':
      return state.status === 'checking' ? { ...state, media: event.media } : state;
    case 'candidate':
      return state.status === 'checking' ? { ...state, candidates: [...state.candidates, event.candidate] } : state;
    case 'measuring-relay':
      return state.status === 'checking' ? { ...state, measuringRelay: true } : state;
    case 'finished':
      return state.status === 'checking' ? { status: 'done', result: event.result, verdict: verdict(event.result) } : state;
    case 'failed':
      return state.status === 'checking' ? { status: 'failed', verdict: event.verdict } : state;
    case 'stop':
      return state.status === 'idle' ? state : INITIAL_CHECK_STATE;
  }
}
