/**
 * What a person does with a call by link, as an explicit state machine: one
 * union of named states, one transition function. Pure; the flow
 * (link-call.ts) feeds it events, elements render its states.
 */
import type { Problem } from './problems.js';

export type LinkCallState =
  /** Nothing yet: the page just opened (or the person went back to the start). */
  | { readonly status: 'idle' }
  /** Asking for the camera, then creating a new call (the person chose Private call). */
  | { readonly status: 'creating' }
  /** Opened a link: asking the backend how many are in it. */
  | { readonly status: 'checking'; readonly callId: string }
  /** Before Join: own preview, "n of 5". */
  | { readonly status: 'lobby'; readonly callId: string; readonly members: number; readonly capacity: number }
  /**
   * Join pressed: camera, then entering. `again`: the page was in the call
   * and the backend removed it (its presence lapsed while the device was
   * frozen or offline): it enters again by itself.
   */
  | { readonly status: 'joining'; readonly callId: string; readonly again?: boolean }
  /** In the call (possibly alone, waiting for others). */
  | { readonly status: 'in-call'; readonly callId: string }
  /** The call has its five: this page learns nothing else. */
  | { readonly status: 'full'; readonly callId: string; readonly members: number; readonly capacity: number }
  /** No such call, or everyone left. */
  | { readonly status: 'ended'; readonly callId: string }
  /** The person pressed Leave: they can join again. */
  | { readonly status: 'left'; readonly callId: string }
  /** The camera or microphone could not be used. */
  | { readonly status: 'media-error'; readonly callId: string | null; readonly problem: Problem }
  /** The backend refused or could not be reached. */
  | { readonly status: 'failed'; readonly callId: string | null; readonly problem: Problem };

export type LinkCallStatus = LinkCallState['status'];

export type LinkCallEvent =
  | { readonly type: 'create' }
  | { readonly type: 'created'; readonly callId: string }
  | { readonly type: 'open'; readonly callId: string }
  | { readonly type: 'availability'; readonly status: 'open' | 'full'; readonly members: number; readonly capacity: number }
  | { readonly type: 'availability'; readonly status: 'ended' }
  | { readonly type: 'join' }
  | { readonly type: 'entered' }
  | { readonly type: 'leave' }
  | { readonly type: 'removed' }
  | { readonly type: 'ended' }
  | { readonly type: 'media-failed'; readonly problem: Problem }
  | { readonly type: 'failed'; readonly problem: Problem }
  | { readonly type: 'reset' };

export const INITIAL_LINK_CALL_STATE: LinkCallState = { status: 'idle' };

function callIdOf(state: LinkCallState): string | null {
  return 'callId' in state ? state.callId : null;
}

/**
 * The next state, or the same object when the event does not apply in this
 * state (callers compare by identity to skip a render).
 */
export function linkCallTransition(state: LinkCallState, event: LinkCallEvent): LinkCallState {
  const callId = callIdOf(state);
  switch (event.type) {
    case 'create':
      return state.status === 'idle' || state.status === 'failed' || state.status === 'media-error' || state.status === 'ended'
        ? { status: 'creating' }
        : state;
    case 'created':
      return state.status === 'creating' ? { status: 'in-call', callId: event.callId } : state;
    case 'open':
      return { status: 'checking', callId: event.callId };
    case 'availability':
      // From 'joining': enterCall refused (full, or ended meanwhile).
      if (
        state.status !== 'checking' &&
        state.status !== 'lobby' &&
        state.status !== 'left' &&
        state.status !== 'full' &&
        state.status !== 'joining'
      ) {
        return state;
      }
      if (event.status === 'ended') return { status: 'ended', callId: state.callId };
      if (event.status === 'full')
        return { status: 'full', callId: state.callId, members: event.members, capacity: event.capacity };
      // An update while the person looks at "You left" keeps that screen, and
      // one that arrives mid-join must not undo the Join (only a refusal may).
      if (state.status === 'left' || state.status === 'joining') return state;
      return { status: 'lobby', callId: state.callId, members: event.members, capacity: event.capacity };
    case 'join':
      return (state.status === 'lobby' ||
        state.status === 'left' ||
        state.status === 'full' ||
        state.status === 'failed' ||
        state.status === 'media-error') &&
        callId !== null
        ? { status: 'joining', callId }
        : state;
    case 'entered':
      return state.status === 'joining' ? { status: 'in-call', callId: state.callId } : state;
    case 'leave':
      return state.status === 'in-call' || state.status === 'joining' ? { status: 'left', callId: state.callId } : state;
    case 'removed':
      return state.status === 'in-call' ? { status: 'joining', callId: state.callId, again: true } : state;
    case 'ended':
      return state.status === 'in-call' || state.status === 'joining' ? { status: 'ended', callId: state.callId } : state;
    case 'media-failed':
      return state.status === 'creating' || state.status === 'joining' || state.status === 'lobby' || state.status === 'checking'
        ? { status: 'media-error', callId, problem: event.problem }
        : state;
    case 'failed':
      return state.status === 'idle' || state.status === 'ended' ? state : { status: 'failed', callId, problem: event.problem };
    case 'reset':
      return INITIAL_LINK_CALL_STATE;
  }
}

/** Whether the page shows its own camera in this state. */
export function showsPreview(state: LinkCallState): boolean {
  return state.status === 'lobby' || state.status === 'joining' || state.status === 'in-call' || state.status === 'creating';
}
