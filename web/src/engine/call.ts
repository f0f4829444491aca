/**
 * A call: this page's links to every other member (a full mesh; a random
 * pair and a 1:1 call by link are meshes of two). It decides who offers and
 * who is polite on each link, keeps the links in step with the membership
 * the backend decides, watches whether each member is still there, and caps
 * what each link sends so that the page's whole uplink stays within one
 * budget as the group grows. Knows WebRTC and nothing else: membership comes
 * in through `setMembers`, signals through `receive`, and go out through
 * `CallSignaling`.
 */
import { DEFAULT_UPLINK_BUDGET, videoSendLimits, type UplinkBudget } from './bitrate-policy.js';
import type { ChannelMessage } from './channel-messages.js';
import type { MediaKind } from './local-media.js';
import { PartnerLiveness, type LivenessAction } from './liveness.js';
import { LinkState, PeerLink, type LinkProblem } from './peer-link.js';
import { reconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import type { LinkSignal, SessionDescription } from './types.js';

/** Where a call's outgoing signals go: one mailbox per other member. */
export interface CallSignaling {
  send(to: string, signal: LinkSignal): void;
  /** The link to `to` is gone: stop sending to it. */
  drop(to: string): void;
  /**
   * Writes our mailbox to `to` with nothing new (a liveness probe or its
   * reply, engine/liveness.ts; a random call's acknowledgement of the
   * match); resolves once stored.
   */
  probe(to: string): Promise<void>;
}

/** One other member as a person sees them: a tile. */
export interface Peer {
  readonly id: string;
  readonly state: LinkState;
  readonly stream: MediaStream | null;
  /** Why the link is not carrying the call (the tile says so), or null. */
  readonly problem: LinkProblem | null;
}

/** What features attached to a call hear from its links (Call.onLink). */
export interface CallLinkListener {
  /** Member `from` sent a message (never a heartbeat) on the control channel. */
  message?(from: string, message: ChannelMessage): void;
  /** The control channel to member `id` opened: messages to them go out from now on. */
  channelOpen?(id: string): void;
}

/**
 * Why a member's link went: `left` when they closed the connection or
 * stopped answering (their page went away), else the link's problem.
 */
export type GoneReason = 'left' | LinkProblem;

export interface CallOptions {
  /** This page's member id. */
  readonly self: string;
  readonly localStream: MediaStream;
  readonly rtcConfig: () => RTCConfiguration;
  readonly signaling: CallSignaling;
  /**
   * How long a link may stay interrupted (restarting ICE) or failed before
   * it is given up: the reconnect policy's give-up time (config.ts,
   * RECONNECT_FOR_MS, one per kind of call).
   */
  readonly reconnectForMs: number;
  /**
   * A link that has not connected this long after it was opened (or, for a
   * first offer made before the match, bound to its member) counts as failed:
   * the network most likely blocks the path (config.ts, CONNECT_TIMEOUT_MS).
   */
  readonly connectTimeoutMs: number;
  readonly budget?: UplinkBudget;
  /** Whether each link's offerer keeps its candidates until the answer is applied (PeerLinkOptions.holdCandidates). */
  readonly holdCandidates?: boolean;
  /** A member's link went (see GoneReason); their tile is gone from `peers`. */
  readonly gone?: (id: string, reason: GoneReason) => void;
}

interface LinkEntry {
  /** The member at the other end; null for the pending first offer until a match names them. */
  id: string | null;
  link: PeerLink;
  /** What the link said before it had a member to say it to (a pending offer's later signals). */
  readonly unsent: LinkSignal[];
  lostTimer: ReturnType<typeof setTimeout> | null;
  /** Until the link first connects: past it, the link counts as failed. */
  connectTimer: ReturnType<typeof setTimeout> | null;
  /** The link did not connect within connectTimeoutMs. */
  timedOut: boolean;
  /** Whether the member is still there, from the link's first connection on. */
  liveness: PartnerLiveness | null;
  livenessTimer: ReturnType<typeof setInterval> | null;
}

export class Call {
  private readonly links = new Map<string, LinkEntry>();
  /** The link of the first offer made before the match (prepareOffer), until setMembers binds it. */
  private pending: LinkEntry | null = null;
  /** Takes the pending link's first offer (prepareOffer's promise). */
  private pendingOffer: ((offer: SessionDescription) => void) | null = null;
  /** Members in entry order (as the backend keeps them), self included. */
  private members: readonly string[] = [];
  /** Members whose link was lost: not reconnected until the membership changes for them. */
  private readonly lost = new Set<string>();
  private readonly listeners = new Set<() => void>();
  /** Features attached to the call (chat, media state): what members send them, and when a member can be sent to. */
  private readonly linkListeners = new Set<CallLinkListener>();
  /** Kinds sent as nothing (mute, camera off): a link opened meanwhile starts without them too. */
  private readonly withheld = new Set<MediaKind>();
  private ended = false;

  private readonly reconnect: ReconnectPolicy;

  constructor(private readonly options: CallOptions) {
    this.reconnect = reconnectPolicy({ giveUpAfterMs: options.reconnectForMs });
  }

  /** The other members with a link, in entry order. */
  get peers(): Peer[] {
    const out: Peer[] = [];
    for (const id of this.members) {
      const entry = this.links.get(id);
      if (entry) out.push({ id, state: peerState(entry), stream: entry.link.remoteStream, problem: peerProblem(entry) });
    }
    return out;
  }

  /** The links' states summed up (callLinkState). */
  get linkState(): CallLinkState {
    return callLinkState(this.peers);
  }

  /** The link to one member (stats, diagnostics). */
  link(id: string): PeerLink | null {
    return this.links.get(id)?.link ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hears every member's control-channel messages and channel openings, until the returned function is called. */
  onLink(listener: CallLinkListener): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  /** Sends `message` to member `to` on their link's control channel; false when it could not go now (PeerLink.sendMessage). */
  sendMessage(to: string, message: ChannelMessage): boolean {
    return this.links.get(to)?.link.sendMessage(message) ?? false;
  }

  /**
   * Makes this page's first offer before anyone is there to receive it: a
   * random call's waiter sends it with `join`, so that whoever is paired
   * with it can answer at once (one signaling hop after the match), and ICE
   * gathering runs while it waits. The link belongs to nobody yet:
   * `setMembers` binds it to the member the match names when we are the
   * later of the two (the later member makes the first offer), and closes it
   * when we are the earlier (we answer their offer on a fresh link instead).
   */
  async prepareOffer(): Promise<SessionDescription> {
    if (this.ended) throw new Error('the call has ended');
    this.closePending();
    const offer = new Promise<SessionDescription>((resolve) => (this.pendingOffer = resolve));
    this.pending = this.openEntry(null, { polite: false, initiator: true });
    return offer;
  }

  /**
   * The membership as the backend decided it, in entry order. Opens a link to
   * every new member and closes those to members who left. Of two members,
   * the later one makes the first offer and is the impolite end.
   */
  setMembers(members: readonly string[]): void {
    if (this.ended) return;
    this.members = [...members];
    const current = new Set(members);
    for (const id of this.lost) if (!current.has(id)) this.lost.delete(id);
    for (const id of [...this.links.keys()]) if (!current.has(id)) this.closeLink(id);
    if (this.pending) {
      const other = members.find((id) => id !== this.options.self && !this.links.has(id) && !this.lost.has(id));
      if (other !== undefined) {
        if (members.indexOf(this.options.self) > members.indexOf(other)) this.bindPending(other);
        else this.closePending();
      }
    }
    for (const id of members) {
      if (id === this.options.self || this.links.has(id) || this.lost.has(id)) continue;
      this.openLink(id);
    }
    this.applyBudget();
    this.notify();
  }

  /**
   * A signal from member `from`. A link is opened for a member not yet known
   * (their offer can beat the membership update); with a first offer
   * pending, the sender is the one the match paired us with (their answer
   * can beat it too).
   */
  receive(from: string, signal: LinkSignal): void {
    if (this.ended || from === this.options.self || this.lost.has(from)) return;
    if (!this.links.has(from) && this.pending) this.bindPending(from);
    const entry = this.links.get(from) ?? this.openLink(from);
    void entry.link.receive(signal);
  }

  /**
   * A write of `from` into its mailbox to us (`bare`: a probe or a reply):
   * a sign of life through the backend, which may need a reply.
   */
  activity(from: string, bare: boolean): void {
    const entry = this.links.get(from);
    if (entry?.liveness) this.onLiveness(from, entry, entry.liveness.partnerWrote(Date.now(), bare));
  }

  /** Restarts ICE on every link (e.g. after the page's network came back). */
  restartIce(): void {
    for (const { link } of this.links.values()) link.restartIce();
  }

  /** New ICE servers (renewed TURN credentials) for every link's next gathering. */
  setConfiguration(config: RTCConfiguration): void {
    for (const { link } of this.allEntries()) link.setConfiguration(config);
  }

  /**
   * Sends `track` as the camera ('video') or microphone ('audio') on every
   * link, without renegotiating (a device switch, screening); null sends
   * nothing (mute, camera off), on links opened later too. See
   * engine/local-media.ts.
   */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (track === null) this.withheld.add(kind);
    else this.withheld.delete(kind);
    await Promise.all([...this.allEntries()].map(({ link }) => link.replaceTrack(kind, track)));
  }

  /**
   * Says goodbye on every link (`bye`: this page is leaving, not dropping)
   * and closes them. The backend is told separately (leave).
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const { link } of this.links.values()) link.sendMessage({ type: 'bye' });
    this.closePending();
    for (const id of [...this.links.keys()]) this.closeLink(id);
    this.notify();
  }

  private *allEntries(): Iterable<LinkEntry> {
    if (this.pending) yield this.pending;
    yield* this.links.values();
  }

  private openLink(id: string): LinkEntry {
    const selfIndex = this.members.indexOf(this.options.self);
    const otherIndex = this.members.indexOf(id);
    // Unknown to us yet means they entered after us: we are the earlier one.
    const weAreLater = otherIndex !== -1 && selfIndex > otherIndex;
    const entry = this.openEntry(id, { polite: !weAreLater, initiator: weAreLater });
    this.links.set(id, entry);
    this.startConnectTimer(entry);
    return entry;
  }

  private openEntry(id: string | null, roles: { readonly polite: boolean; readonly initiator: boolean }): LinkEntry {
    const entry = {
      id,
      unsent: [],
      lostTimer: null,
      connectTimer: null,
      timedOut: false,
      liveness: null,
      livenessTimer: null,
    } as Omit<LinkEntry, 'link'> as LinkEntry;
    entry.link = new PeerLink(
      this.options.localStream,
      {
        ...roles,
        config: this.options.rtcConfig(),
        reconnect: this.reconnect,
        holdCandidates: this.options.holdCandidates ?? false,
      },
      {
        signal: (signal) => this.sendFrom(entry, signal),
        remoteStream: () => this.notify(),
        state: (state) => this.onLinkState(entry, state),
        remoteClosed: () => this.loseLink(entry, 'left'),
        heard: () => entry.liveness?.heard(Date.now()),
        message: (message) => this.toListeners(entry, (l, id) => l.message?.(id, message)),
        channelOpen: () => this.toListeners(entry, (l, id) => l.channelOpen?.(id)),
      },
    );
    for (const kind of this.withheld) void entry.link.replaceTrack(kind, null);
    return entry;
  }

  /** A link event for the attached features, once the link belongs to a member. */
  private toListeners(entry: LinkEntry, call: (listener: CallLinkListener, id: string) => void): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry) return;
    for (const l of this.linkListeners) call(l, id);
  }

  /** A link's signal goes to its member; the pending link's first offer goes to prepareOffer, the rest waits for the match. */
  private sendFrom(entry: LinkEntry, signal: LinkSignal): void {
    if (entry.id !== null) {
      this.options.signaling.send(entry.id, signal);
      return;
    }
    const takeOffer = this.pendingOffer;
    if (entry === this.pending && takeOffer && 'description' in signal && signal.description.type === 'offer') {
      this.pendingOffer = null;
      takeOffer(signal.description);
      return;
    }
    entry.unsent.push(signal);
  }

  /** The match named the member our pending first offer was for. */
  private bindPending(id: string): void {
    const entry = this.pending;
    if (!entry) return;
    this.pending = null;
    this.pendingOffer = null;
    entry.id = id;
    this.links.set(id, entry);
    this.startConnectTimer(entry);
    for (const signal of entry.unsent.splice(0)) this.options.signaling.send(id, signal);
  }

  private startConnectTimer(entry: LinkEntry): void {
    entry.connectTimer = setTimeout(() => {
      entry.connectTimer = null;
      if (entry.link.state !== LinkState.connecting) return;
      entry.timedOut = true;
      this.onLinkState(entry, LinkState.failed);
    }, this.options.connectTimeoutMs);
  }

  private closePending(): void {
    this.pending?.link.close();
    this.pending = null;
    this.pendingOffer = null;
  }

  private onLinkState(entry: LinkEntry, state: LinkState): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry) return;
    if (state === LinkState.connected) {
      if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
      if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
      entry.lostTimer = null;
      entry.connectTimer = null;
      entry.timedOut = false;
      this.watchLiveness(id, entry);
      // Encodings exist only once negotiated: cap them now.
      void this.limit(entry.link);
    } else if (state === LinkState.lost) {
      // The link gave up reconnecting (its policy's time is reconnectForMs).
      this.loseLink(entry, 'connection-lost');
      return;
    } else if (state === LinkState.failed && entry.lostTimer === null) {
      // Never connected: the tile says why for a while, then goes.
      entry.lostTimer = setTimeout(() => this.loseLink(entry, entry.link.whyNotConnected()), this.options.reconnectForMs);
    }
    this.notify();
  }

  /** A silent link is probed through the mailbox; a member who does not answer is gone (their browser died). */
  private watchLiveness(id: string, entry: LinkEntry): void {
    if (entry.liveness) return;
    const liveness = new PartnerLiveness(Date.now());
    entry.liveness = liveness;
    entry.livenessTimer = setInterval(
      () => this.onLiveness(id, entry, liveness.check(Date.now())),
      liveness.timings.heartbeatMs / 2,
    );
  }

  private onLiveness(id: string, entry: LinkEntry, action: LivenessAction): void {
    if (action === null || this.links.get(id) !== entry) return;
    if (action === 'gone') {
      this.loseLink(entry, 'left');
      return;
    }
    this.options.signaling.probe(id).then(
      () => entry.liveness?.probeStored(Date.now()),
      () => undefined, // not stored: they left (mailbox gone) or our network is down
    );
  }

  /** The member is gone as far as this page can tell (closed their page, or unreachable). */
  private loseLink(entry: LinkEntry, reason: GoneReason): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry) return;
    this.lost.add(id);
    this.closeLink(id);
    this.applyBudget();
    this.notify();
    this.options.gone?.(id, reason);
  }

  private closeLink(id: string): void {
    const entry = this.links.get(id);
    if (!entry) return;
    if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
    if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
    if (entry.livenessTimer !== null) clearInterval(entry.livenessTimer);
    entry.link.close();
    this.links.delete(id);
    this.options.signaling.drop(id);
  }

  /** Every link's video cap follows the number of links (bitrate-policy.ts). */
  private applyBudget(): void {
    for (const { link } of this.links.values()) if (link.state === LinkState.connected) void this.limit(link);
  }

  private limit(link: PeerLink): Promise<boolean> {
    const limits = videoSendLimits(this.links.size, this.options.budget ?? DEFAULT_UPLINK_BUDGET);
    return link.limitVideo(limits);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/** A link that took too long to connect shows as failed, like one ICE gave up on. */
function peerState(entry: LinkEntry): LinkState {
  return entry.timedOut && entry.link.state === LinkState.connecting ? LinkState.failed : entry.link.state;
}

function peerProblem(entry: LinkEntry): LinkProblem | null {
  const state = peerState(entry);
  if (state === LinkState.lost) return 'connection-lost';
  return state === LinkState.failed ? entry.link.whyNotConnected() : null;
}

/**
 * A call's links reduced to one state, the way a person would sum them up:
 * `alone` with nobody linked; `connected` when every link carries media;
 * `interrupted` when any link is restarting ICE after a drop; `failed` when
 * every link failed to connect; else `connecting`. A random call has one
 * link: its state. Pure.
 */
export type CallLinkState = 'alone' | 'connecting' | 'connected' | 'interrupted' | 'failed';

export function callLinkState(peers: readonly Pick<Peer, 'state'>[]): CallLinkState {
  if (peers.length === 0) return 'alone';
  if (peers.every((p) => p.state === LinkState.connected)) return 'connected';
  if (peers.some((p) => p.state === LinkState.interrupted)) return 'interrupted';
  if (peers.every((p) => p.state === LinkState.failed)) return 'failed';
  return 'connecting';
}
