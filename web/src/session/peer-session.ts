/**
 * One RTCPeerConnection for one attempt at a call. Knows WebRTC, not
 * Firestore: descriptions and candidates go in and out through methods and
 * callbacks, and the orchestrator (ChatSession) wires them to signaling.
 */
import { HeldQueue } from '../engine/held-queue.js';
import { toIceCandidate, type IceCandidate, type SessionDescription } from './types.js';

export interface PeerSessionEvents {
  /** A local candidate to trickle to the partner. */
  localCandidate(candidate: IceCandidate): void;
  /** The partner's media arrived (fires once per attempt). */
  remoteStream(stream: MediaStream): void;
  /** RTCPeerConnection.connectionState changed. */
  connectionState(state: RTCPeerConnectionState): void;
  /**
   * The partner's data channel closed: their page closed the connection
   * (Next, Stop, tab closed). Faster than any signaling notice.
   */
  partnerClosed(): void;
}

/**
 * Both sides create the same pre-negotiated channel (id 0), so it needs no
 * signaling of its own: it serves as a liveness wire now, and for text chat later.
 */
const CONTROL_CHANNEL: RTCDataChannelInit = { negotiated: true, id: 0, ordered: true };

export class PeerSession {
  private readonly pc: RTCPeerConnection;
  private readonly control: RTCDataChannel;
  /** Candidates that arrive before the remote description wait here (never dropped). */
  private readonly remoteCandidates = new HeldQueue<IceCandidate>();
  private remote: MediaStream | null = null;
  private closed = false;
  /** Set before the first await, so a second answer racing the first is refused, not applied. */
  private answerTaken = false;

  constructor(
    localStream: MediaStream,
    config: RTCConfiguration,
    private readonly events: PeerSessionEvents,
  ) {
    // max-bundle: audio, video and data share one transport, so one set of
    // candidates and one DTLS handshake instead of three.
    this.pc = new RTCPeerConnection({ ...config, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    for (const track of localStream.getTracks()) this.pc.addTrack(track, localStream);
    this.control = this.pc.createDataChannel('parley', CONTROL_CHANNEL);
    this.control.onclose = () => {
      if (!this.closed) this.events.partnerClosed();
    };
    this.pc.onicecandidate = (e) => {
      // A null candidate (or an empty one) marks the end of gathering: nothing to send.
      if (e.candidate && e.candidate.candidate) this.events.localCandidate(toIceCandidate(e.candidate));
    };
    this.pc.ontrack = (e) => {
      if (this.remote === null) {
        this.remote = e.streams[0] ?? new MediaStream();
        this.events.remoteStream(this.remote);
      }
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track);
    };
    this.pc.onconnectionstatechange = () => {
      if (!this.closed) this.events.connectionState(this.pc.connectionState);
    };
  }

  get signalingState(): RTCSignalingState {
    return this.pc.signalingState;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** Creates and applies the offer; ICE gathering starts now, while we wait for a partner. */
  async createOffer(): Promise<SessionDescription> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.localDescription('offer');
  }

  /** Applies the partner's offer and returns our answer. Only from a fresh, stable connection. */
  async acceptOffer(offer: SessionDescription): Promise<SessionDescription> {
    if (offer.type !== 'offer') throw new Error(`expected an offer, got ${offer.type}`);
    if (this.pc.signalingState !== 'stable' || this.pc.remoteDescription) {
      throw new Error(`cannot accept an offer in signaling state ${this.pc.signalingState}`);
    }
    await this.pc.setRemoteDescription(offer);
    this.remoteCandidates.open((c) => this.applyCandidate(c));
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return this.localDescription('answer');
  }

  /**
   * Applies the partner's answer if we are waiting for one; returns false and
   * changes nothing otherwise (a duplicate or late answer must never be applied
   * in the wrong state).
   */
  async acceptAnswer(answer: SessionDescription): Promise<boolean> {
    if (answer.type !== 'answer' || this.pc.signalingState !== 'have-local-offer' || this.closed) return false;
    if (this.answerTaken) return false;
    this.answerTaken = true;
    await this.pc.setRemoteDescription(answer);
    this.remoteCandidates.open((c) => this.applyCandidate(c));
    return true;
  }

  /** Adds a partner candidate now, or once the remote description is set. */
  addRemoteCandidate(candidate: IceCandidate): void {
    if (!this.closed) this.remoteCandidates.push(candidate);
  }

  /** Candidates received but not yet applied (waiting for the remote description). */
  get heldCandidates(): number {
    return this.remoteCandidates.size;
  }

  /** Closes the connection; the partner's control channel closes at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.remoteCandidates.clear();
    this.pc.close();
  }

  /** Inbound/outbound statistics, for tests and the stats panel. */
  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  private localDescription(type: 'offer' | 'answer'): SessionDescription {
    const local = this.pc.localDescription;
    if (!local || local.type !== type) throw new Error(`no local ${type}`);
    return { type, sdp: local.sdp };
  }

  private applyCandidate(candidate: IceCandidate): void {
    if (this.closed) return;
    // A malformed or stale candidate must not end the call: ICE can still
    // succeed with the others, so report and go on.
    this.pc.addIceCandidate(candidate).catch((err: unknown) => console.warn('ignored remote candidate', err));
  }
}
