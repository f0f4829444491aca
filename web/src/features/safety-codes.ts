/**
 * The safety code of each link of a call (safety-code.ts), computed once the
 * link is connected from the descriptions it actually uses, for the page to
 * show per member.
 */
import type { Peer } from '../engine/call.js';
import { safetyCode } from './safety-code.js';

/** What of a `Call` this uses (engine/call.ts). */
export interface SafetyCall {
  readonly peers: readonly Pick<Peer, 'id' | 'state'>[];
  link(id: string): { readonly descriptions: { readonly local: string | null; readonly remote: string | null } } | null;
  onChange(listener: () => void): () => void;
}

export class SafetyCodes {
  /** Each member's code, with the descriptions it was made from (a renegotiation may bring new ones). */
  private readonly codes = new Map<string, { readonly from: string; readonly code: string | null }>();
  private readonly listeners = new Set<() => void>();
  private readonly stop: () => void;

  constructor(
    private readonly call: SafetyCall,
    /** The call's id (a random call's is known only once the queue answered). */
    private readonly callId: () => string | null,
  ) {
    this.stop = call.onChange(() => this.update());
    this.update();
  }

  /** Member `id`'s code; null until their link is connected (or when it declares no fingerprint). */
  of(id: string): string | null {
    return this.codes.get(id)?.code ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detach(): void {
    this.stop();
  }

  private update(): void {
    const callId = this.callId();
    const present = new Set<string>();
    for (const peer of this.call.peers) {
      present.add(peer.id);
      const d = this.call.link(peer.id)?.descriptions;
      if (peer.state !== 'connected' || !d?.local || !d.remote || callId === null) continue;
      const from = `${callId}\n${d.local}\n${d.remote}`;
      if (this.codes.get(peer.id)?.from === from) continue;
      // Claimed now, so that the next change does not compute it again meanwhile.
      this.codes.set(peer.id, { from, code: this.codes.get(peer.id)?.code ?? null });
      void safetyCode(d.local, d.remote, callId).then((code) => {
        if (this.codes.get(peer.id)?.from !== from) return;
        this.codes.set(peer.id, { from, code });
        this.notify();
      });
    }
    for (const id of [...this.codes.keys()]) if (!present.has(id)) this.codes.delete(id);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
