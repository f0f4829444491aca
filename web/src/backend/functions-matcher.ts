/** Matcher over the `join` and `leave` callables (functions/src/handlers). */
import { httpsCallable, type Functions } from 'firebase/functions';
import type { JoinResult, Matcher, ReportReason } from '../session/matcher.js';
import type { SessionDescription } from '../session/types.js';

export class FunctionsMatcher implements Matcher {
  constructor(
    private readonly functions: Functions,
    /** URL of the `leave` callable, for the keepalive request at unload. */
    private readonly leaveUrl: string,
    /** The current ID token, kept fresh by the caller (unload cannot await one). */
    private readonly idToken: () => string | null,
  ) {}

  async join(room: string, offer: SessionDescription, renewing?: string): Promise<JoinResult> {
    const call = httpsCallable<unknown, JoinResult>(this.functions, 'join');
    const data = renewing ? { room, offer, renewing } : { room, offer };
    return (await call(data)).data;
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
    const token = this.idToken();
    if (!token) return;
    // keepalive lets the request outlive the page (sendBeacon cannot carry the
    // Authorization header that callables need). Same wire format as the SDK.
    void fetch(this.leaveUrl, {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: {} }),
    }).catch(() => undefined);
  }
}
