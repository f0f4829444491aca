/**
 * The random call's view of one link: the waiter's offer made before anyone
 * is there, the joiner's answer, and the candidates, as calls and callbacks
 * that RandomChatFlow wires to the random call's signaling. Underneath is the
 * engine's PeerLink (perfect negotiation), the same as in calls by link; this
 * class only adapts it to the random call's first exchange (the offer travels
 * with join, the answer in the callee's mailbox); later descriptions are
 * ordinary renegotiation.
 */
import { LinkState, PeerLink } from '../engine/peer-link.js';
import type { ReconnectPolicy } from '../engine/reconnect-policy.js';
import type { IceCandidate, SessionDescription } from './types.js';

export interface PeerSessionEvents {
  /** A local candidate to trickle to the partner. */
  localCandidate(candidate: IceCandidate): void;
  /** The partner's media arrived (fires once per attempt). */
  remoteStream(stream: MediaStream): void;
  /** The connection's state, in RTCPeerConnectionState's words. */
  connectionState(state: RTCPeerConnectionState): void;
  /**
   * The partner's data channel closed: their page closed the connection
   * (Next, Stop, tab closed). Faster than any signaling notice.
   */
  partnerClosed(): void;
  /**
   * A description after the first exchange (an ICE restart, a new track):
   * the link renegotiates, and this goes to the partner like a candidate.
   */
  laterDescription(description: SessionDescription): void;
  /** The partner's heartbeat on the link (engine/liveness.ts decides what silence means). */
  heard?(): void;
}

/**
 * What RandomChatFlow reacts to, from the link's state: "disconnected" while the
 * link restarts ICE to recover, "failed" once it never connected or gave up.
 */
const CONNECTION_STATE: Readonly<Record<LinkState, RTCPeerConnectionState | null>> = {
  connecting: null,
  connected: 'connected',
  interrupted: 'disconnected',
  failed: 'failed',
  lost: 'failed',
  closed: null,
};

export class PeerSession {
  private readonly link: PeerLink;
  /** Where the next local description goes (createOffer and acceptOffer wait for theirs). */
  private awaiting: ((d: SessionDescription) => void) | null = null;
  private closed = false;
  /** Set before the first await, so a second answer racing the first is refused, not applied. */
  private answerTaken = false;

  constructor(localStream: MediaStream, config: RTCConfiguration, events: PeerSessionEvents, reconnect?: ReconnectPolicy) {
    // Not an initiator: the waiter's offer is made on request (createOffer),
    // before anyone is there; the joiner answers the offer it got with join.
    this.link = new PeerLink(
      localStream,
      { polite: true, initiator: false, config, ...(reconnect ? { reconnect } : {}) },
      {
        signal: (signal) => {
          if ('candidate' in signal) {
            events.localCandidate(signal.candidate);
          } else {
            // The first offer (with join) or answer (createOffer/acceptOffer
            // wait for it); any later one is a renegotiation for the partner.
            const deliver = this.awaiting;
            this.awaiting = null;
            if (deliver) deliver(signal.description);
            else if (!this.closed) events.laterDescription(signal.description);
          }
        },
        remoteStream: (stream) => events.remoteStream(stream),
        state: (state) => {
          const mapped = CONNECTION_STATE[state];
          if (mapped && !this.closed) events.connectionState(mapped);
        },
        remoteClosed: () => {
          if (!this.closed) events.partnerClosed();
        },
        heard: () => {
          if (!this.closed) events.heard?.();
        },
      },
    );
  }

  get signalingState(): RTCSignalingState {
    return this.link.signalingState;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.link.connectionState;
  }

  /** Creates and applies the offer; ICE gathering starts now, while we wait for a partner. */
  async createOffer(): Promise<SessionDescription> {
    const offer = this.nextDescription('offer');
    await this.link.offer();
    return offer;
  }

  /** Applies the partner's offer and returns our answer. Only from a fresh, stable connection. */
  async acceptOffer(offer: SessionDescription): Promise<SessionDescription> {
    if (offer.type !== 'offer') throw new Error(`expected an offer, got ${offer.type}`);
    if (this.link.signalingState !== 'stable' || this.answerTaken || this.offered) {
      throw new Error(`cannot accept an offer in signaling state ${this.link.signalingState}`);
    }
    this.answerTaken = true;
    const answer = this.nextDescription('answer');
    if (!(await this.link.receive({ description: offer }))) {
      this.awaiting = null;
      throw new Error('the offer could not be applied');
    }
    return answer;
  }

  /**
   * Applies the partner's answer if we are waiting for one; returns false and
   * changes nothing otherwise (a duplicate or late answer must never be applied
   * in the wrong state).
   */
  async acceptAnswer(answer: SessionDescription): Promise<boolean> {
    if (answer.type !== 'answer' || this.link.signalingState !== 'have-local-offer' || this.closed) return false;
    if (this.answerTaken) return false;
    this.answerTaken = true;
    return this.link.receive({ description: answer });
  }

  /**
   * A description from the partner after the first exchange (their ICE
   * restart or new track): perfect negotiation applies it and answers.
   */
  receiveDescription(description: SessionDescription): void {
    if (!this.closed) void this.link.receive({ description });
  }

  /** The link underneath (tests, diagnostics). */
  get engineLink(): PeerLink {
    return this.link;
  }

  /** Restarts ICE (new credentials and candidates, same call): the next description goes out as `laterDescription`. */
  restartIce(config?: RTCConfiguration): void {
    this.link.restartIce(config);
  }

  /** New ICE servers (renewed TURN credentials) for the next gathering. */
  setConfiguration(config: RTCConfiguration): void {
    this.link.setConfiguration(config);
  }

  /** Adds a partner candidate now, or once the remote description is set. */
  addRemoteCandidate(candidate: IceCandidate): void {
    if (!this.closed) void this.link.receive({ candidate });
  }

  /** Candidates received but not yet applied (waiting for the remote description). */
  get heldCandidates(): number {
    return this.link.heldCandidateCount;
  }

  /** Closes the connection; the partner's control channel closes at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.awaiting = null;
    this.link.close();
  }

  /** Inbound/outbound statistics, for tests and the stats panel. */
  getStats(): Promise<RTCStatsReport> {
    return this.link.getStats();
  }

  private offered = false;

  /** The next local description of `type` the link signals; rejects if it is of another type or never comes. */
  private nextDescription(type: 'offer' | 'answer'): Promise<SessionDescription> {
    if (type === 'offer') this.offered = true;
    return new Promise<SessionDescription>((resolve, reject) => {
      this.awaiting = (d) => (d.type === type ? resolve(d) : reject(new Error(`expected a local ${type}, got ${d.type}`)));
    });
  }
}
