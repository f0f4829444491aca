/**
 * One link of a call: one RTCPeerConnection to one other member, negotiated
 * with "perfect negotiation" (webrtc/samples, and the W3C spec's example), so
 * that any later offer — a track added, an ICE restart, a new relay
 * configuration — works from either side, and two offers crossing each other
 * (glare) settle by politeness instead of failing.
 *
 * Knows WebRTC and nothing else: signals go out through `events.signal` and
 * come in through `receive`; whoever carries them (a Firestore mailbox, the
 * random call's documents, a test's pipe) is not its business.
 */
import { EventLog } from './event-log.js';
import {
  TAKES_CANDIDATES,
  decodeChannelMessage,
  encodeChannelMessage,
  type ChannelMessage,
  type CandidateMessage,
} from './channel-messages.js';
import { HeldQueue } from './held-queue.js';
import { canConnectThroughRelayFirst, revealsAddress, withoutRelatedAddress } from './ice-candidate.js';
import { DEFAULT_LIVENESS_TIMINGS } from './liveness.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import { gathersRelay, watchRelay } from './relay-watch.js';
import { isCameraOrMicrophone, screenIndex, type TransceiverInfo } from './track-roles.js';
import { toIceCandidate, type IceCandidate, type LinkSignal, type SessionDescription } from './types.js';

/** A link's state as a person would name it. */
export const LinkState = {
  /** Negotiating or checking connectivity. */
  connecting: 'connecting',
  connected: 'connected',
  /** Was connected; the network path is interrupted and the link is restarting ICE to recover. */
  interrupted: 'interrupted',
  /** Never connected: ICE found no path (a strict firewall without a relay). */
  failed: 'failed',
  /** Was connected, and did not recover within the reconnect policy's time: given up. */
  lost: 'lost',
  closed: 'closed',
} as const;
export type LinkState = (typeof LinkState)[keyof typeof LinkState];

/**
 * Why a link is not carrying the call, as a code (elements word it):
 * `relay-unreachable` when it may use the relay only (Hide my IP) and not a
 * single relay candidate was gathered (this device cannot reach the relay:
 * neither the other person's fault nor a firewall between the two);
 * `connection-failed` when ICE found no path otherwise; `connection-lost`
 * when it was connected and did not come back within the reconnect time.
 */
export type LinkProblem = 'relay-unreachable' | 'connection-failed' | 'connection-lost';

export interface PeerLinkEvents {
  /** A description or candidate to deliver to the other end. */
  signal(signal: LinkSignal): void;
  /** The other end's media arrived (once; tracks added later join the same stream). */
  remoteStream(stream: MediaStream): void;
  /** The link's state changed. */
  state(state: LinkState): void;
  /**
   * The control channel closed. Not a goodbye by itself (a page that
   * leaves sends `bye` first): Firefox closes the channel when the
   * connection fails, and the other end sees it close once the path is
   * back. Call decides what it means (Call.channelClosed).
   */
  remoteClosed(): void;
  /**
   * The path works again (ICE connected after a restart) but the connection
   * stays failed: its DTLS transport failed during the drop, which no ICE
   * restart undoes (Firefox, when sends fail: an interface going away). Only
   * a new connection brings the link back (Call.rebuild). Once per link.
   * Also when, after the link had connected, the browser refuses a
   * description of the other end (a restart's answer or offer): the link is
   * stuck in mid-negotiation, and no later restart can go through. Seen
   * between Chromium and Firefox after a network cut that both ends
   * restarted from: Chromium refused Firefox's answer ("Failed to set SSL
   * role", Firefox had changed its DTLS role), then its offer, and the call
   * was lost.
   */
  transportFailed?(): void;
  /**
   * A valid message from the other end on the control channel (a heartbeat
   * every HEARTBEAT_MS while the channel is open, or any other): they are
   * there and the path works. liveness.ts decides what a silence means.
   */
  heard?(): void;
  /** A message other than a heartbeat from the other end, decoded and checked (channel-messages.ts). */
  message?(message: ChannelMessage): void;
  /** The control channel opened: `sendMessage` works from now on (features send their state). */
  channelOpen?(): void;
  /** An offer and its answer were both applied: the sections of a new track (a screen share) have their mids now. */
  negotiated?(): void;
  /** A track other than the camera and the microphone arrived (the other end's screen share, track-roles.ts). */
  extraTrack?(): void;
}

export interface PeerLinkOptions {
  /**
   * The polite end yields when two offers cross: it rolls its own back and
   * answers. The two ends of a link must disagree.
   */
  readonly polite: boolean;
  /**
   * Whether this end makes the first offer. The other end sends nothing
   * until that offer arrives, so a new link costs one offer and one answer,
   * not two crossing offers.
   */
  readonly initiator: boolean;
  readonly config: RTCConfiguration;
  /** When to restart ICE after a drop and when to give up (reconnect-policy.ts). */
  readonly reconnect: ReconnectPolicy;
  /** Heartbeats on the control channel this often (default: liveness.ts). */
  readonly heartbeatMs?: number;
  /**
   * Whether the first offerer keeps its own addresses (host,
   * server-reflexive) from a stranger who has not shown life (address
   * harvesting): they go out only once the link has connected, through our
   * relay candidates, which go out at once (they name the relay, and their
   * related address is blanked). So a joiner that answers with a made-up
   * answer and never runs ICE learns the relay's address, not ours; to learn
   * ours it must complete connectivity checks through the relay with the
   * answer's credentials, from an address of its own that we then know too.
   * Once connected, our addresses go out and the browsers move the call to
   * the direct path when it works.
   *
   * Without a TURN server (or with Hide my IP, relay only), every candidate
   * waits until the other end's answer is applied, so that at least someone
   * who merely joins learns nothing; likewise our addresses go then when
   * gathering ends without a relay candidate (the relay did not answer us),
   * since no path could form without them. Holding everything until
   * connected was tried and broke calls: the other end's relay permits only
   * addresses it knows, and a host candidate is an mDNS name; our relay
   * address is what lets a path form.
   *
   * Holding costs a signaling round trip before checks can run both ways
   * (measured in a call by link, holding until the answer: join-to-face p50
   * 469 → 956 ms for the second member), so only random calls hold them.
   * An answerer never holds any: its remote description is set before it
   * gathers.
   */
  readonly holdCandidates?: boolean;
}

/**
 * Both ends create the same pre-negotiated channel (id 0), so it needs no
 * signaling of its own: liveness, text chat and media state travel on it
 * (channel-messages.ts). Ordered and reliable: chat arrives in order, once.
 */
const CONTROL_CHANNEL: RTCDataChannelInit = { negotiated: true, id: 0, ordered: true };

/** Events kept in PeerLink.history. */
const HISTORY_LENGTH = 60;

/** The ICE username fragment of a description (not a secret: it is in every connectivity check). */
function ufragOf(sdp: string): string {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '?';
}

/** A candidate's protocol and type ("udp host"), without its address. */
function candidateKind(candidate: string): string {
  const parts = candidate.split(' ');
  return `${parts[2]?.toLowerCase() ?? '?'} ${parts[parts.indexOf('typ') + 1] ?? '?'}`;
}

/** A heartbeat on the control channel (docs/PROTOCOL.md): any valid message counts as one. */
const HEARTBEAT = encodeChannelMessage({ type: 'heartbeat' });

/** Our first frame on the control channel: we take the other end's candidates there (docs/PROTOCOL.md, `hello`). */
const HELLO = encodeChannelMessage({ type: 'hello', takes: [TAKES_CANDIDATES] });

/**
 * Once connected, how long our held addresses wait for the control channel
 * to open and bring the other end's first frame (its `hello`), which says
 * whether they may go there instead of through signaling. The channel opens
 * a DTLS and SCTP handshake after ICE connects: tens of ms, seconds on a
 * starved device. Past it (an earlier release's page, a channel that does
 * not open) they go through signaling, as they always did.
 */
export const ADDRESSES_WAIT_FOR_CHANNEL_MS = 3_000;

/** Candidates taken from the other end's control channel per link; more are dropped (a page sends a handful). */
const MAX_CHANNEL_CANDIDATES = 64;
/** Past this much unsent data the path is down: beats would only pile up. */
const MAX_BUFFERED = 4 * 1024;
/**
 * Past this much unsent data `sendMessage` refuses other messages: the path has
 * been down long enough for a chat burst to pile up (a chat message is at
 * most ~4 KB), and the sender's feature says so rather than buffer on.
 */
const MAX_BUFFERED_MESSAGES = 256 * 1024;
/** How often a down relay-only link checks whether its relay answers again (relay-watch.ts). */
const RELAY_PROBE_MS = 1_000;

export class PeerLink {
  private readonly pc: RTCPeerConnection;
  private readonly control: RTCDataChannel;
  /** Candidates that arrive before any remote description wait here (never dropped). */
  private readonly heldCandidates = new HeldQueue<IceCandidate>();
  /** Incoming signals are handled one at a time, in arrival order. */
  private inbox: Promise<void> = Promise.resolve();
  /** Candidates received and waiting in the inbox behind earlier signals. */
  private queuedCandidates = 0;
  private makingOffer = false;
  private ignoreOffer = false;
  /** A non-initiator stays silent until the first remote description: see PeerLinkOptions.initiator. */
  private mayOffer: boolean;
  private remote: MediaStream | null = null;
  /**
   * This end's screen share, from its first one on: kept after sharing
   * stops (sending nothing), so that sharing again only swaps the track,
   * without a renegotiation.
   */
  private screen: RTCRtpTransceiver | null = null;
  private _state: LinkState = LinkState.connecting;
  private closed = false;
  /** The sender parameter changes in flight, one after another (changeSenders). */
  private senderChanges: Promise<unknown> = Promise.resolve();
  private wasConnected = false;
  /** Whether this end made the link's first offer: it leads restarts (reconnect-policy.ts). */
  private madeFirstOffer = false;
  /** See PeerLinkEvents.transportFailed. */
  private transportDead = false;
  /** Since when the link has been down (null while connected or before it ever was). */
  private downSince: number | null = null;
  private restarts = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private giveUpTimer: ReturnType<typeof setTimeout> | null = null;
  /** While a relay-only link is down: stops watching for its relay's return (relay-watch.ts). */
  private stopRelayWatch: (() => void) | null = null;
  private readonly policy: ReconnectPolicy;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Whether this link gathered a relay candidate (the relay answered): see whyNotConnected. */
  private gatheredRelay = false;
  /** Our candidates, while PeerLinkOptions.holdCandidates keeps them until the other end's description is applied. */
  private readonly ownCandidates = new HeldQueue<IceCandidate>();
  /** Our own addresses (every candidate but the relay's), while PeerLinkOptions.holdCandidates keeps them until the link connects. */
  private readonly ownAddresses = new HeldQueue<IceCandidate>();
  /** What the other end said it takes on the control channel (its hello), from its first frame on; null before. */
  private peerTakes: ReadonlySet<string> | null = null;
  /** Connected, our addresses wait for the channel's first word (ADDRESSES_WAIT_FOR_CHANNEL_MS); why they were released. */
  private addressesWait: ReturnType<typeof setTimeout> | null = null;
  private addressesWhy: string | undefined;
  /** The ICE username fragment of our first description: candidates of a later generation go through signaling. */
  private firstUfrag: string | null = null;
  /** Whether any of our addresses went on the channel; how many candidates came from the other end's. */
  private addressesOnChannel = false;
  private channelCandidatesTaken = 0;
  /** What happened to this link, for a diagnosis (history): no addresses, only states, kinds and ICE generations. */
  private readonly log = new EventLog(HISTORY_LENGTH);

  constructor(
    localStream: MediaStream | null,
    private readonly options: PeerLinkOptions,
    private readonly events: PeerLinkEvents,
  ) {
    this.mayOffer = options.initiator;
    this.policy = options.reconnect;
    // max-bundle: audio, video and data share one transport, so one set of
    // candidates and one DTLS handshake instead of three.
    this.pc = new RTCPeerConnection({ ...options.config, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = (e) => {
      // A null candidate (or an empty one) marks the end of gathering: nothing
      // to send, and with no relay candidate our addresses are the only path.
      if (!e.candidate || !e.candidate.candidate) {
        // Not before the answer, though (remoteDescriptionSet): someone who merely joins learns nothing.
        if (!this.gatheredRelay && this.pc.remoteDescription) this.releaseAddresses('no relay candidate');
        return;
      }
      const candidate = toIceCandidate(e.candidate);
      if (revealsAddress(candidate.candidate)) {
        this.ownAddresses.push(candidate);
      } else {
        this.gatheredRelay = true;
        // While our addresses are held, the relay candidate must not name them
        // either; once they are released, its related address goes as they do.
        if (this.ownAddresses.isOpen) this.ownAddresses.push(candidate);
        else this.ownCandidates.push({ ...candidate, candidate: withoutRelatedAddress(candidate.candidate) });
      }
    };
    this.pc.ontrack = (e) => {
      // A screen share stays apart from the camera's stream: see track-roles.ts.
      if (!isCameraOrMicrophone(this.transceiverInfos(), this.pc.getTransceivers().indexOf(e.transceiver))) {
        this.events.extraTrack?.();
        return;
      }
      if (this.remote === null) {
        this.remote = e.streams[0] ?? new MediaStream();
        this.events.remoteStream(this.remote);
      }
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track);
    };
    this.pc.onconnectionstatechange = () => {
      this.note(`connection ${this.pc.connectionState}`);
      this.updateState();
    };
    this.pc.oniceconnectionstatechange = () => {
      const ice = this.pc.iceConnectionState;
      this.note(`ice ${ice}`);
      if (ice === 'connected' || ice === 'completed') this.releaseAddresses('connected');
      if (this.closed || this.transportDead || !this.wasConnected) return;
      if ((ice === 'connected' || ice === 'completed') && this.pc.connectionState === 'failed') {
        this.transportDead = true;
        this.events.transportFailed?.();
      }
    };
    this.pc.onsignalingstatechange = () => {
      this.note(`signaling ${this.pc.signalingState}`);
      if (this.pc.signalingState === 'stable' && !this.closed) this.events.negotiated?.();
    };
    // Relay candidates name the relay, not us: with a relay to go through
    // first, they go out at once (a random call's waiter: with its
    // acknowledgement of the match), and only our addresses wait.
    const relayFirst = options.holdCandidates === true && canConnectThroughRelayFirst(options.config);
    if (!options.holdCandidates || relayFirst) this.releaseCandidates();
    if (!relayFirst) this.releaseAddresses();
    if (localStream) for (const track of localStream.getTracks()) this.pc.addTrack(track, localStream);
    this.control = this.pc.createDataChannel('parley', CONTROL_CHANNEL);
    this.control.onclose = () => {
      this.stopHeartbeat();
      if (!this.closed) this.events.remoteClosed();
    };
    this.control.onopen = () => {
      this.stopHeartbeat();
      try {
        this.control.send(HELLO);
      } catch {
        // Closed again at once: the heartbeat below finds it closed too.
      }
      this.heartbeat = setInterval(() => {
        if (this.control.readyState === 'open' && this.control.bufferedAmount < MAX_BUFFERED) this.control.send(HEARTBEAT);
      }, options.heartbeatMs ?? DEFAULT_LIVENESS_TIMINGS.heartbeatMs);
      this.events.channelOpen?.();
    };
    this.control.onmessage = (e: MessageEvent<unknown>) => {
      const decoded = decodeChannelMessage(e.data);
      // A malformed frame is dropped unread; it proves nothing about the path either.
      if (!decoded.valid) return;
      this.events.heard?.();
      const message = decoded.message;
      if (this.peerTakes === null) {
        // Its first frame: a hello names what it takes; any other says it takes nothing more.
        this.peerTakes = new Set(message?.type === 'hello' ? message.takes : []);
        if (this.addressesWait !== null) this.openAddresses(this.addressesWhy);
      }
      if (message?.type === 'candidate') this.candidateFromChannel(message);
      else if (message && message.type !== 'heartbeat' && message.type !== 'hello') this.events.message?.(message);
    };
  }

  /** Whether `sendMessage` can deliver now (the control channel is open). */
  get canSend(): boolean {
    return !this.closed && this.control.readyState === 'open';
  }

  /**
   * Sends `message` on the control channel. False when it was not sent: the
   * channel is not open (yet, or any more), or too much is already waiting
   * to go out. Ordered and reliable once sent, while the link lives (across
   * an ICE restart too).
   */
  sendMessage(message: ChannelMessage): boolean {
    if (!this.canSend || this.control.bufferedAmount > MAX_BUFFERED_MESSAGES) return false;
    try {
      this.control.send(encodeChannelMessage(message));
      return true;
    } catch (err) {
      // The channel closed between the check and the send.
      console.warn('link: message not sent', err);
      return false;
    }
  }

  get state(): LinkState {
    return this._state;
  }

  get signalingState(): RTCSignalingState {
    return this.pc.signalingState;
  }

  /**
   * Whether this end leads ICE restarts on this link: it made the first
   * offer (reconnect-policy.ts). A restart that no broken ICE state asks for
   * (Call, a silent link whose member is alive) comes from this end only, so
   * that it never meets the other end's restart in glare.
   */
  get leadsRestarts(): boolean {
    return this.madeFirstOffer;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  get remoteStream(): MediaStream | null {
    return this.remote;
  }

  /**
   * The SDP of the link's current local and remote descriptions (null before
   * each is set): their DTLS fingerprints make the safety code.
   */
  get descriptions(): { readonly local: string | null; readonly remote: string | null } {
    // Firefox throws InvalidStateError on reading them once the connection is closed.
    if (this.closed) return { local: null, remote: null };
    return { local: this.pc.localDescription?.sdp ?? null, remote: this.pc.remoteDescription?.sdp ?? null };
  }

  /** The video senders, for the bitrate policy. */
  get videoSenders(): RTCRtpSender[] {
    return this.pc.getSenders().filter((s) => s.track?.kind === 'video');
  }

  /**
   * Why the link did not connect (asked once it failed, or took too long):
   * the relay's fault when it may use the relay only (Hide my IP) and not a
   * single relay candidate was gathered, else no path was found.
   */
  whyNotConnected(): 'relay-unreachable' | 'connection-failed' {
    return this.pc.getConfiguration().iceTransportPolicy === 'relay' && !this.gatheredRelay
      ? 'relay-unreachable'
      : 'connection-failed';
  }

  /**
   * A signal from the other end. Resolves once handled: false when it could
   * not be applied (reported, never thrown: one bad message must not end a call).
   */
  receive(signal: LinkSignal): Promise<boolean> {
    if ('candidate' in signal) this.queuedCandidates += 1;
    const handled = this.inbox.then(() => this.handle(signal));
    this.inbox = handled.catch(() => undefined);
    return handled.then(
      () => true,
      (err: unknown) => {
        console.warn('link: signal not applied', err);
        return false;
      },
    );
  }

  /**
   * Makes the first offer now, on a link created as a non-initiator (the
   * random call's waiter prepares its offer before anyone is there to
   * receive it). Resolves once the offer has been signalled.
   */
  async offer(): Promise<void> {
    this.mayOffer = true;
    if (this.pc.signalingState === 'stable' && !this.pc.localDescription) await this.negotiate();
  }

  /**
   * The link's last events (EventLog): states, descriptions (type and ICE username fragment), ignored offers,
   * restarts. For a test or a bench that failed to say why; never logged.
   */
  get history(): readonly string[] {
    return this.log.entries;
  }

  private note(what: string): void {
    this.log.note(what);
  }

  /** Remote candidates received but not yet applied (waiting for the first remote description). */
  get heldCandidateCount(): number {
    return this.heldCandidates.size + (this.heldCandidates.isOpen ? 0 : this.queuedCandidates);
  }

  /**
   * Sends `track` as this end's screen share, beside the camera (null: sends
   * nothing). The first share adds a video section of its own, sent only
   * (a renegotiation, through `negotiationneeded`; a non-initiator that has
   * not answered yet offers it right after its first answer); sharing again
   * or stopping only swaps the track.
   */
  async sendScreen(track: MediaStreamTrack | null, stream: MediaStream | null): Promise<void> {
    if (this.closed) return;
    if (!this.screen) {
      if (track) this.screen = this.pc.addTransceiver(track, { direction: 'sendonly', streams: stream ? [stream] : [] });
      return;
    }
    try {
      await this.screen.sender.replaceTrack(track);
    } catch (err) {
      if (!this.closed) console.warn('link: screen not replaced', err);
    }
  }

  /** The mid of this end's screen section, once negotiated (the `media` message names it); null before or without one. */
  get screenMid(): string | null {
    return this.screen?.mid ?? null;
  }

  /** The other end's screen share, in the section they named `mid`; null where there is no such section (yet). */
  remoteScreen(mid: string | null): MediaStreamTrack | null {
    const index = screenIndex(this.transceiverInfos(), mid);
    return index < 0 ? null : (this.pc.getTransceivers()[index]?.receiver.track ?? null);
  }

  private transceiverInfos(): TransceiverInfo[] {
    return this.pc.getTransceivers().map((t) => ({ kind: t.receiver.track.kind, mid: t.mid }));
  }

  /**
   * Restarts ICE: new credentials, new candidates, same call. Either end may
   * call it; the reconnect policy does when the path drops.
   */
  restartIce(): void {
    if (this.closed) return;
    this.note('restart ICE');
    this.mayOffer = true;
    this.pc.restartIce();
  }

  /**
   * Sends `track` as the camera ('video') or microphone ('audio') instead of
   * the current one, without renegotiating (RTCRtpSender.replaceTrack): a
   * device switch, screening; null sends nothing (mute, camera off). The
   * camera and microphone are the link's first transceivers of their kind
   * (added before the first offer). Resolves false where there is none.
   */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<boolean> {
    if (this.closed) return false;
    const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track.kind === kind);
    if (!transceiver) return false;
    this.note(`${kind} track ${track ? 'replaced' : 'withheld'}`);
    try {
      await transceiver.sender.replaceTrack(track);
      return true;
    } catch (err) {
      // The link closed meanwhile; nothing to send on any more.
      if (!this.closed) console.warn('link: track not replaced', err);
      return false;
    }
  }

  /**
   * Stops (false) or restarts (true) sending the camera on this link
   * without touching its track: the encoding goes inactive, so no video
   * packets go out and nothing is renegotiated, and mute, camera off and
   * device switches (replaceTrack) keep working meanwhile. Resolves false
   * where there is no camera sender or the browser refused.
   */
  setVideoActive(active: boolean): Promise<boolean> {
    return this.changeSenders(async () => {
      if (this.closed) return false;
      const sender = this.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
      const params = sender?.getParameters();
      const encoding = params?.encodings?.[0];
      if (!sender || !params || !encoding) return false;
      encoding.active = active;
      this.note(`video ${active ? 'active' : 'paused'}`);
      try {
        await sender.setParameters(params);
        return true;
      } catch (err) {
        if (!this.closed) console.warn('link: video not paused or resumed', err);
        return false;
      }
    });
  }

  /**
   * Runs `change` (a getParameters/setParameters pair) after the ones before
   * it. Chromium refuses a setParameters whose getParameters came before
   * another setParameters finished ("getParameters() has never been
   * called"), and two features change the same sender: the bitrate budget
   * and the video pause or audio only. Interleaved, one of them was lost.
   */
  private changeSenders<T>(change: () => Promise<T>): Promise<T> {
    const next = this.senderChanges.then(change);
    this.senderChanges = next.catch(() => undefined);
    return next;
  }

  /**
   * New servers (renewed TURN credentials) for this link's next gathering:
   * an ICE restart from either end then uses them. The relay-only policy the
   * link was made with stays: a person's change of "Hide my IP" applies to
   * their next call, never half-way through this one.
   */
  setConfiguration(config: RTCConfiguration): void {
    if (this.closed) return;
    const policy = this.pc.getConfiguration().iceTransportPolicy ?? 'all';
    try {
      this.pc.setConfiguration({ ...config, iceTransportPolicy: policy, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    } catch (err) {
      console.warn('link: new ICE servers not applied', err);
    }
  }

  /** Caps what this link sends (see bitrate-policy.ts). Resolves false where the browser refused. */
  limitVideo(limits: { maxBitrate: number; scaleResolutionDownBy: number; maxFramerate: number }): Promise<boolean> {
    return this.changeSenders(() => this.applyLimits(limits));
  }

  private async applyLimits(limits: {
    maxBitrate: number;
    scaleResolutionDownBy: number;
    maxFramerate: number;
  }): Promise<boolean> {
    let applied = true;
    for (const sender of this.videoSenders) {
      const params = sender.getParameters();
      // Before the first negotiation there are no encodings to cap yet; the
      // caller applies the limits again once the link is connected.
      const encoding = params.encodings?.[0];
      if (!encoding) {
        applied = false;
        continue;
      }
      this.note(`video limit ${limits.maxBitrate} bit/s /${limits.scaleResolutionDownBy} ${limits.maxFramerate} fps`);
      encoding.maxBitrate = limits.maxBitrate;
      encoding.scaleResolutionDownBy = limits.scaleResolutionDownBy;
      encoding.maxFramerate = limits.maxFramerate;
      try {
        await sender.setParameters(params);
      } catch (err) {
        applied = false;
        console.warn('link: video limits not applied', err);
      }
    }
    return applied;
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** Closes the connection; the other end's control channel closes at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeat();
    this.stopReconnecting();
    this.heldCandidates.clear();
    this.ownCandidates.clear();
    this.ownAddresses.clear();
    if (this.addressesWait !== null) clearTimeout(this.addressesWait);
    this.addressesWait = null;
    this.pc.close();
    this.setState(LinkState.closed);
  }

  private send(signal: LinkSignal): void {
    if (!this.closed) this.events.signal(signal);
  }

  private async negotiate(): Promise<void> {
    if (this.closed || !this.mayOffer || this.makingOffer) return;
    try {
      this.makingOffer = true;
      // Parameterless setLocalDescription creates the right description for
      // the state we are in (an offer in stable).
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (err) {
      console.warn('link: could not make an offer', err);
    } finally {
      this.makingOffer = false;
    }
  }

  private async handle(signal: LinkSignal): Promise<void> {
    if ('candidate' in signal) {
      this.queuedCandidates -= 1;
      if (!this.closed) this.heldCandidates.push(signal.candidate);
      return;
    }
    if (this.closed) return;
    const description = signal.description;
    if (description.type === 'offer') {
      const collision = this.makingOffer || this.pc.signalingState !== 'stable';
      this.ignoreOffer = !this.options.polite && collision;
      this.note(
        `remote offer ${ufragOf(description.sdp)}${collision ? ' (collision)' : ''}${this.ignoreOffer ? ' ignored' : ''}`,
      );
      if (this.ignoreOffer) return; // the impolite end keeps its own offer; the other end yields
      // The polite end in have-local-offer rolls back implicitly.
      await this.pc.setRemoteDescription(description).catch((err: unknown) => this.refused(err));
      this.remoteDescriptionSet();
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } else {
      // An answer applies only to an offer of ours still waiting for one: a
      // duplicate or late answer ("wrong state: stable") is dropped.
      if (this.pc.signalingState !== 'have-local-offer') {
        this.note(`remote answer ${ufragOf(description.sdp)} dropped (${this.pc.signalingState})`);
        return;
      }
      this.note(`remote answer ${ufragOf(description.sdp)}`);
      await this.pc.setRemoteDescription(description).catch((err: unknown) => this.refused(err));
      this.remoteDescriptionSet();
    }
  }

  /** The browser refused a description of the other end: see PeerLinkEvents.transportFailed. Rethrows. */
  private refused(err: unknown): never {
    const name = err instanceof Error ? err.name : 'error';
    this.note(`remote description refused (${name}, ${this.pc.signalingState})`);
    if (!this.closed && !this.transportDead && this.wasConnected) {
      this.transportDead = true;
      this.events.transportFailed?.();
    }
    throw err;
  }

  private remoteDescriptionSet(): void {
    // From now on this end may renegotiate too (a restart, a new track).
    this.mayOffer = true;
    if (!this.heldCandidates.isOpen) this.heldCandidates.open((c) => this.applyCandidate(c));
    this.releaseCandidates();
    // An answerer's candidates go with its answer: it chose to call (PeerLinkOptions.holdCandidates).
    if (!this.madeFirstOffer) this.releaseAddresses('answerer');
    else if (this.pc.iceGatheringState === 'complete' && !this.gatheredRelay) this.releaseAddresses('no relay candidate');
  }

  /** Our candidates go out from now on (at once, unless PeerLinkOptions.holdCandidates). */
  private releaseCandidates(): void {
    if (!this.ownCandidates.isOpen) this.ownCandidates.open((candidate) => this.send({ candidate }));
  }

  /**
   * Our own addresses join our other candidates from now on
   * (PeerLinkOptions.holdCandidates). Released because the link connected,
   * they first wait for the control channel's first word: to an end that
   * takes them there, they go on the channel (sendAddress).
   */
  private releaseAddresses(why?: string): void {
    if (this.ownAddresses.isOpen || this.closed) return;
    // Connected (this release's reason, or a later one's, such as the end of gathering without a relay candidate).
    const ice = this.pc.iceConnectionState;
    if ((ice === 'connected' || ice === 'completed') && this.peerTakes === null) {
      this.addressesWhy ??= why;
      this.addressesWait ??= setTimeout(
        () => this.openAddresses(`${this.addressesWhy ?? 'connected'}; no word on the channel`),
        ADDRESSES_WAIT_FOR_CHANNEL_MS,
      );
      return;
    }
    this.openAddresses(why);
  }

  private openAddresses(why?: string): void {
    if (this.addressesWait !== null) clearTimeout(this.addressesWait);
    this.addressesWait = null;
    if (this.ownAddresses.isOpen || this.closed) return;
    // Noted when something was held (why): links that hold nothing say nothing.
    if (why !== undefined) this.note(`addresses released (${why})`);
    this.ownAddresses.open((candidate) => this.sendAddress(candidate));
  }

  /**
   * One of our addresses, once released: on the control channel when the
   * other end takes candidates there, the link is connected and still in
   * its first ICE generation (then it never reaches the server); otherwise
   * through signaling, with our other candidates.
   */
  private sendAddress(candidate: IceCandidate): void {
    const ice = this.pc.iceConnectionState;
    const onChannel =
      this.peerTakes?.has(TAKES_CANDIDATES) === true &&
      (ice === 'connected' || ice === 'completed') &&
      this.firstUfrag !== null &&
      ufragOf(this.pc.localDescription?.sdp ?? '') === this.firstUfrag;
    const { candidate: line, sdpMid, sdpMLineIndex } = candidate;
    if (onChannel && this.sendMessage({ type: 'candidate', candidate: { candidate: line, sdpMid, sdpMLineIndex } })) {
      if (!this.addressesOnChannel) this.note('addresses on the channel');
      this.addressesOnChannel = true;
      return;
    }
    this.ownCandidates.push(candidate);
  }

  /** A candidate of the other end's, from the control channel: applied as one from signaling. */
  private candidateFromChannel({ candidate }: CandidateMessage): void {
    if (this.channelCandidatesTaken >= MAX_CHANNEL_CANDIDATES) return;
    if (this.channelCandidatesTaken++ === 0) this.note('candidates from the channel');
    void this.receive({ candidate });
  }

  private sendLocalDescription(): void {
    const local = this.pc.localDescription;
    if (!local || (local.type !== 'offer' && local.type !== 'answer')) return;
    if (local.type === 'offer' && !this.pc.remoteDescription) this.madeFirstOffer = true;
    this.firstUfrag ??= ufragOf(local.sdp);
    const description: SessionDescription = { type: local.type, sdp: local.sdp };
    this.note(`sent ${local.type} ${ufragOf(local.sdp)}`);
    this.send({ description });
  }

  private applyCandidate(candidate: IceCandidate): void {
    if (this.closed) return;
    const init: RTCIceCandidateInit = {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
    };
    if (candidate.usernameFragment) init.usernameFragment = candidate.usernameFragment;
    this.note(`remote candidate ${candidateKind(candidate.candidate)} ${candidate.usernameFragment ?? '?'}`);
    this.pc.addIceCandidate(init).catch((err: unknown) => {
      this.note(`remote candidate refused ${candidate.usernameFragment ?? '?'}`);
      // A candidate of an offer we ignored, or of an ICE generation a
      // restart replaced, is expected to fail; anything else is reported.
      // Neither ends the call: ICE can still succeed with the others.
      if (!this.ignoreOffer) console.warn('link: ignored remote candidate', err);
    });
  }

  private updateState(): void {
    if (this.closed || this._state === LinkState.lost) return;
    switch (this.pc.connectionState) {
      case 'connected':
        this.wasConnected = true;
        this.stopReconnecting();
        this.setState(LinkState.connected);
        return;
      case 'closed':
        this.setState(LinkState.closed);
        return;
      case 'failed':
        if (!this.wasConnected) {
          this.setState(LinkState.failed);
          return;
        }
        this.down('failed');
        return;
      case 'disconnected':
        if (this.wasConnected) this.down('interrupted');
        else this.setState(LinkState.connecting);
        return;
      default:
        // 'new' and 'connecting' (a restart in progress): after a drop, still interrupted.
        if (this.wasConnected) this.down('interrupted');
        else this.setState(LinkState.connecting);
    }
  }

  /** The path dropped after having worked: restart ICE per the policy, and give up in time. */
  private down(how: 'interrupted' | 'failed'): void {
    const now = Date.now();
    if (this.downSince === null) {
      this.downSince = now;
      this.giveUpTimer = setTimeout(() => this.giveUp(), this.policy.timings.giveUpAfterMs);
      if (this.pc.getConfiguration().iceTransportPolicy === 'relay') {
        const probe = () => gathersRelay(this.pc.getConfiguration(), RELAY_PROBE_MS);
        this.stopRelayWatch = watchRelay(probe, () => this.scheduleRestart('interrupted', Date.now(), true), {
          everyMs: RELAY_PROBE_MS,
        });
      }
    }
    this.setState(LinkState.interrupted);
    // A failure while a restart is already scheduled reschedules it (failed restarts at once).
    if (this.restartTimer !== null && how === 'interrupted') return;
    this.scheduleRestart(how, now);
  }

  private scheduleRestart(how: 'interrupted' | 'failed', now: number, relayBack = false): void {
    if (this.closed || this.downSince === null) return;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const decision = this.policy.decide({
      state: how,
      attempts: this.restarts,
      offerer: this.madeFirstOffer,
      downForMs: now - (this.downSince ?? now),
      relayBack,
    });
    if (decision.action === 'give-up') {
      this.giveUp();
      return;
    }
    this.restartTimer = setTimeout(() => this.restartNow(), decision.inMs);
  }

  /**
   * Restarts ICE with the link's current configuration: renewed TURN
   * credentials reach it beforehand through setConfiguration, so a restart
   * never waits for a request.
   */
  private restartNow(): void {
    this.restartTimer = null;
    if (this.closed || this.downSince === null) return;
    this.restarts += 1;
    this.restartIce();
    // If this try does not bring the link back, the policy says when to try again.
    this.scheduleRestart(this.pc.connectionState === 'failed' ? 'failed' : 'interrupted', Date.now());
  }

  private giveUp(): void {
    if (this.closed || this.downSince === null) return;
    this.stopReconnecting();
    this.setState(LinkState.lost);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private stopReconnecting(): void {
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    if (this.giveUpTimer !== null) clearTimeout(this.giveUpTimer);
    this.stopRelayWatch?.();
    this.stopRelayWatch = null;
    this.restartTimer = null;
    this.giveUpTimer = null;
    this.downSince = null;
    this.restarts = 0;
  }

  /** Restarts so far in the current drop, and whether one is pending (tests, diagnostics). */
  get reconnecting(): { readonly restarts: number; readonly since: number | null } {
    return { restarts: this.restarts, since: this.downSince };
  }

  private setState(state: LinkState): void {
    if (state === this._state) return;
    this._state = state;
    this.events.state(state);
  }
}
