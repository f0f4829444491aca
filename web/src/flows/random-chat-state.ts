/**
 * The states of a stranger chat and the one function that moves between them.
 * Pure: the session feeds it events; the page renders the state it returns.
 */
import type { Problem } from './problems.js';

export const RandomChatStatus = {
  /** Nothing going on; Start is offered. */
  idle: 'idle',
  /** Asking the browser for the camera and microphone. */
  requestingMedia: 'requesting-media',
  /** The camera could not be had; `problem` says why. */
  mediaError: 'media-error',
  /** In the queue, waiting for someone in the room (and, once `widened`, in Anyone too). */
  searching: 'searching',
  /** Paired; exchanging the answer and connecting media. */
  connecting: 'connecting',
  /** Media flows both ways. */
  connected: 'connected',
  /** Was connected; the network path dropped and the link is restarting ICE to recover. */
  reconnecting: 'reconnecting',
  /** The stranger pressed Next or Stop, or closed the tab. */
  partnerLeft: 'partner-left',
  /** Something failed; `problem` says what and what to try. */
  failed: 'failed',
  /** The person reported or blocked the stranger; the call is over. */
  endedByYou: 'ended-by-you',
} as const;
export type RandomChatStatus = (typeof RandomChatStatus)[keyof typeof RandomChatStatus];

export type RandomChatState =
  | { readonly status: 'idle' }
  | { readonly status: 'requesting-media' }
  | { readonly status: 'media-error'; readonly problem: Problem }
  /**
   * `again`: a match fell through before media flowed, so we look once more.
   * `widened`: the room stayed quiet, so the server also pairs us from Anyone.
   */
  | { readonly status: 'searching'; readonly again: boolean; readonly widened: boolean }
  | { readonly status: 'connecting' }
  | { readonly status: 'connected' }
  | { readonly status: 'reconnecting' }
  | { readonly status: 'partner-left' }
  | { readonly status: 'failed'; readonly problem: Problem }
  | { readonly status: 'ended-by-you'; readonly action: 'report' | 'block' };

export type RandomChatEvent =
  | { readonly type: 'start' }
  | { readonly type: 'media-ready' }
  | { readonly type: 'media-failed'; readonly problem: Problem }
  | { readonly type: 'matched' }
  | { readonly type: 'connected' }
  /** The connection dropped after it worked; the link is trying to recover. */
  | { readonly type: 'interrupted' }
  /** The partner went away before or after connecting. */
  | { readonly type: 'partner-left' }
  /** The partner never answered: back to the queue without bothering the person. */
  | { readonly type: 'requeued' }
  | { readonly type: 'failed'; readonly problem: Problem }
  | { readonly type: 'next' }
  | { readonly type: 'stop' }
  /** The person reported or blocked the stranger of the current or last call. */
  | { readonly type: 'ended-by-you'; readonly action: 'report' | 'block' }
  /** The server now also looks for a partner in Anyone (the room was quiet). */
  | { readonly type: 'widened' };

export const INITIAL_STATE: RandomChatState = { status: 'idle' };

/**
 * The next state, or the same object when the event does not apply in this
 * state (so callers can tell an ignored event by identity).
 */
export function transition(state: RandomChatState, event: RandomChatEvent): RandomChatState {
  if (event.type === 'stop') return state.status === 'idle' ? state : INITIAL_STATE;
  switch (state.status) {
    case 'idle':
    case 'media-error':
      return event.type === 'start' ? { status: 'requesting-media' } : state;
    case 'requesting-media':
      if (event.type === 'media-ready') return { status: 'searching', again: false, widened: false };
      if (event.type === 'media-failed') return { status: 'media-error', problem: event.problem };
      return state;
    case 'searching':
      if (event.type === 'widened') return state.widened ? state : { ...state, widened: true };
      if (event.type === 'matched') return { status: 'connecting' };
      if (event.type === 'failed') return { status: 'failed', problem: event.problem };
      return state;
    case 'connecting':
      if (event.type === 'ended-by-you') return { status: 'ended-by-you', action: event.action };
      if (event.type === 'connected') return { status: 'connected' };
      if (event.type === 'partner-left') return { status: 'partner-left' };
      if (event.type === 'requeued') return { status: 'searching', again: true, widened: false };
      if (event.type === 'failed') return { status: 'failed', problem: event.problem };
      if (event.type === 'next') return { status: 'searching', again: false, widened: false };
      return state;
    case 'connected':
    case 'reconnecting':
      if (event.type === 'interrupted') return state.status === 'reconnecting' ? state : { status: 'reconnecting' };
      if (event.type === 'connected') return state.status === 'connected' ? state : { status: 'connected' };
      if (event.type === 'ended-by-you') return { status: 'ended-by-you', action: event.action };
      if (event.type === 'partner-left') return { status: 'partner-left' };
      if (event.type === 'failed') return { status: 'failed', problem: event.problem };
      if (event.type === 'next') return { status: 'searching', again: false, widened: false };
      return state;
    case 'partner-left':
      if (event.type === 'ended-by-you') return { status: 'ended-by-you', action: event.action };
      if (event.type === 'next') return { status: 'searching', again: false, widened: false };
      if (event.type === 'start') return { status: 'requesting-media' };
      return state;
    case 'failed':
    case 'ended-by-you':
      if (event.type === 'next') return { status: 'searching', again: false, widened: false };
      if (event.type === 'start') return { status: 'requesting-media' };
      if (event.type === 'failed' && state.status === 'ended-by-you') return { status: 'failed', problem: event.problem };
      return state;
  }
}

/** Whether Next makes sense now (someone to skip, or a dead end to leave). */
export function canNext(state: RandomChatState): boolean {
  return (
    state.status === 'connecting' ||
    state.status === 'connected' ||
    state.status === 'reconnecting' ||
    state.status === 'partner-left' ||
    state.status === 'failed' ||
    state.status === 'ended-by-you'
  );
}

/** Whether Report and Block apply: during a call, or right after the stranger left. */
export function canModerate(state: RandomChatState): boolean {
  return (
    state.status === 'connecting' ||
    state.status === 'connected' ||
    state.status === 'reconnecting' ||
    state.status === 'partner-left'
  );
}

/** Whether the person is in the flow at all (Stop makes sense, the room is locked). */
export function isActive(state: RandomChatState): boolean {
  return state.status !== 'idle' && state.status !== 'media-error';
}
