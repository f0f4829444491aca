/** Matcher over the `join` and `leave` callables (functions/src/handlers). */
import { httpsCallable, type Functions } from 'firebase/functions';
import type { JoinOptions, JoinResult, Matcher, ReportReason } from '../flows/matcher.js';
import type { SessionDescription } from '../flows/types.js';
import { callOnUnload } from './keepalive.js';

export class FunctionsMatcher implements Matcher {
  constructor(
    private readonly functions: Functions,
    /** URL of the `leave` callable, for the keepalive request at unload. */
    private readonly leaveUrl: string,
    /** The current ID token, kept fresh by the caller (unload cannot await one). */
    private readonly idToken: () => string | null,
  ) {}

  async join(room: string, offer: SessionDescription, { renewing, widen }: JoinOptions): Promise<JoinResult> {
    const call = httpsCallable<unknown, JoinResult>(this.functions, 'join');
    // `widen` always: the server's default (true) must not decide for a person who said no.
    const data = renewing ? { room, offer, renewing, widen } : { room, offer, widen };
    const result = (await call(data)).data;
    if (result.status !== 'waiting') return result;
    // A server without widening omits these; an undefined delay would become
    // a renewal timer of 0 ms and renew in a tight loop.
    const { widened, widenInMs } = result as Partial<typeof result>;
    return {
      ...result,
      widened: widened === true,
      widenInMs: typeof widenInMs === 'number' && Number.isFinite(widenInMs) ? Math.max(0, widenInMs) : null,
    };
  }

  async leave(): Promise<void> {
    await httpsCallable(this.functions, 'leave')({});
  }

  async report(callId: string, reason: ReportReason): Promise<void> {
    await httpsCallable(this.functions, 'report')({ callId, reason });
  }

  async block(callId: string): Promise<void> {
    await httpsCallable(this.functions, 'block')({ callId });
  }

  leaveOnUnload(): void {
    callOnUnload(this.leaveUrl, this.idToken(), {});
  }
}
