/**
 * Waiting helpers. Tests never assert on timing: they wait for a condition
 * with a generous limit and fail with a description of what never happened.
 */
import type { RandomChatFlow } from '../../../web/src/flows/random-chat.js';
import type { RandomChatState } from '../../../web/src/flows/random-chat-state.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or rejects after `ms` with `what` in the message. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `predicate(session.state)` holds, checking now and on every
 * change the session reports; rejects after `timeoutMs` naming the last state.
 */
export function waitFor(
  session: RandomChatFlow,
  predicate: (state: RandomChatState) => boolean,
  timeoutMs: number,
  what = 'a state',
): Promise<RandomChatState> {
  return new Promise<RandomChatState>((resolve, reject) => {
    let unsubscribe: () => void = () => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; state is ${JSON.stringify(session.state)}`));
    }, timeoutMs);
    const check = (): boolean => {
      if (!predicate(session.state)) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(session.state);
      return true;
    };
    if (check()) return;
    unsubscribe = session.onChange(() => void check());
  });
}

/** Waits for a given status. */
export function waitForStatus(
  session: RandomChatFlow,
  status: RandomChatState['status'],
  timeoutMs: number,
): Promise<RandomChatState> {
  return waitFor(session, (s) => s.status === status, timeoutMs, `status ${status}`);
}

/** Polls `predicate` (for things without change events, such as rendered DOM) until it holds. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? ` (${detail()})` : ''}`);
    }
    await sleep(20);
  }
}
