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
import { EventLog } from './event-log.js';
import { DEFAULT_UPLINK_BUDGET, videoSendLimits, type UplinkBudget } from './bitrate-policy.js';
import type { ChannelMessage } from './channel-messages.js';
import type { MediaKind } from './local-media.js';
import { PartnerLiveness, transportBytesIn, type LivenessAction } from './liveness.js';
import { newLinkId, type LinkTag } from './mailbox.js';
import { LinkState, PeerLink, type LinkProblem } from './peer-link.js';
import { reconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import type { LinkSignal, SessionDescription } from './types.js';

/**
 * Where a call's outgoing signals go: one mailbox per other member. Every
 * write is tagged with the link it belongs to (engine/mailbox.ts, LinkTag).
 */
export interface CallSignaling {
  send(to: string, signal: LinkSignal, tag: LinkTag): void;
  /** `to` is no longer a member (or the call ended): stop sending to them. */
  drop(to: string): void;
  /**
   * Writes our mailbox to `to` with nothing new (a liveness probe or its
   * reply, engine/liveness.ts; a new link's first word), in a write of its
   * own; resolves once stored.
   */
  probe(to: string, tag: LinkTag): Promise<void>;
  /**
   * A random call's acknowledgement of the match: writes our mailbox to
   * `to` with whatever waits to go to them (the relay candidates the match
   * released), or with nothing new when nothing does; resolves once stored.
   */
  acknowledge(to: string, tag: LinkTag): Promise<void>;
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
  /** The link to member `id` finished a negotiation: a new section (our screen share) has its mid now. */
  negotiated?(id: string): void;
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
  /**
   * A member's link went (see GoneReason); their tile is gone from `peers`.
   * `bye`: their page said it was going (a bye on the control channel), as
   * opposed to going silent.
   */
  readonly gone?: (id: string, reason: GoneReason, bye: boolean) => void;
  /**
   * Whether a member whose link was lost while they stay a member is linked
   * again (calls by link: a group must not split because one device
   * stalled). The page knocks (a new link, announced in the mailbox, kept
   * off the tiles) and the link is rebuilt as soon as either side shows
   * life. Off for a random pair, which ends when its link is lost.
   */
  readonly relink?: boolean;
}

interface LinkEntry {
  /** The member at the other end; null for the pending first offer until a match names them. */
  id: string | null;
  link: PeerLink;
  /** This link's id in our mailbox writes (LinkTag.link): new with every link. */
  readonly linkId: string;
  /** The other end's link id, once heard from (LinkTag.peer of our writes); null before. */
  remoteLink: string | null;
  /** A knock on a lost member's door: no tile until they show life (CallOptions.relink). */
  hidden: boolean;
  /** What the link said before it had a member to say it to (a pending offer's later signals). */
  readonly unsent: LinkSignal[];
  lostTimer: ReturnType<typeof setTimeout> | null;
  /** Until the link first connects: past it, the link counts as failed. */
  connectTimer: ReturnType<typeof setTimeout> | null;
  /** The link did not connect within connectTimeoutMs. */
  timedOut: boolean;
  /** The control channel closed without a bye (see channelClosed). */
  channelClosed: boolean;
  /** A link rebuilt over a live one (see rebuild): shown as reconnecting until it connects. */
  rebuilding: boolean;
  /** Whether the member is still there, from the link's first connection on. */
  liveness: PartnerLiveness | null;
  livenessTimer: ReturnType<typeof setInterval> | null;
  /** When this end last restarted ICE because the other end asked (a `restart` message); -Infinity before. */
  restartAskedAt: number;
  /** Bytes received on the link when this quiet spell's probe went out (transportBytesIn); null: not read. */
  bytesAtProbe: number | null;
}

export class Call {
  private readonly links = new Map<string, LinkEntry>();
  private readonly log = new EventLog(CALL_HISTORY_LENGTH);
  /** The link of the first offer made before the match (prepareOffer), until setMembers binds it. */
  private pending: LinkEntry | null = null;
  /** Takes the pending link's first offer (prepareOffer's promise). */
  private pendingOffer: ((offer: SessionDescription) => void) | null = null;
  /** Members in entry order (as the backend keeps them), self included. */
  private members: readonly string[] = [];
  /** Members whose link was lost, in a call without relinking: not reconnected until the membership changes for them. */
  private readonly lost = new Set<string>();
  private readonly listeners = new Set<() => void>();
  /** Features attached to the call (chat, media state): what members send them, and when a member can be sent to. */
  private readonly linkListeners = new Set<CallLinkListener>();
  /** Kinds sent as nothing (mute, camera off): a link opened meanwhile starts without them too. */
  /** What replaceTrack last sent for a kind (nothing, the screening placeholder, another device): links opened later send it too. */
  private readonly replaced = new Map<MediaKind, MediaStreamTrack | null>();
  /** This page's screen share, sent on every link, on links opened later too (a member who joins sees it). */
  private screen: { readonly track: MediaStreamTrack; readonly stream: MediaStream } | null = null;
  private ended = false;
  /** What all links' video may use together (setBudget: the person's data saver). */
  private budget: UplinkBudget;
  /** Per member: a cap under the group's share, from the bandwidth measured on their link (setLinkCap). */
  private readonly linkCaps = new Map<string, number>();

  private readonly reconnect: ReconnectPolicy;

  constructor(private readonly options: CallOptions) {
    this.reconnect = reconnectPolicy({ giveUpAfterMs: options.reconnectForMs });
    this.budget = options.budget ?? DEFAULT_UPLINK_BUDGET;
  }

  /** The other members with a link, in entry order. */
  get peers(): Peer[] {
    const out: Peer[] = [];
    for (const id of this.members) {
      const entry = this.links.get(id);
      if (entry && !entry.hidden)
        out.push({ id, state: peerState(entry), stream: entry.link.remoteStream, problem: peerProblem(entry) });
    }
    return out;
  }

  /** The links' states summed up (callLinkState). */
  get linkState(): CallLinkState {
    return callLinkState(this.peers);
  }

  /** Every link as the call keeps it, hidden knocks included: for a test or a bench that failed to say why. */
  /**
   * The call's last events, oldest first (members, links opened and closed,
   * where each incoming write went): for a test or a bench that failed to
   * say why; never logged. Member ids are cut to 6 characters.
   */
  get history(): readonly string[] {
    return this.log.entries;
  }

  private note(what: string): void {
    this.log.note(what);
  }

  get diagnostics(): object[] {
    return [...this.links.values()].map((e) => ({
      id: e.id,
      link: e.linkId,
      remote: e.remoteLink,
      hidden: e.hidden,
      state: e.link.state,
      signaling: e.link.signalingState,
      channelClosed: e.channelClosed,
      rebuilding: e.rebuilding,
    }));
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
    this.note(`members ${members.map(short).join(' ')}`);
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
  receive(from: string, signal: LinkSignal, tag: LinkTag | null = null): void {
    const what = 'description' in signal ? signal.description.type : 'candidate';
    if (this.ended || from === this.options.self || this.lost.has(from)) {
      this.note(`${what} from ${short(from)} dropped (${this.ended ? 'ended' : 'lost or self'})`);
      return;
    }
    const entry = this.route(from, tag);
    if (what !== 'candidate' || !entry)
      this.note(`${what} from ${short(from)} ${tagText(tag)} → ${entry ? entry.linkId : 'stale, dropped'}`);
    if (entry) void entry.link.receive(signal);
  }

  /**
   * A write of `from` into its mailbox to us (`bare`: a probe or a reply;
   * `tag`: the link it came from): a sign of life through the backend,
   * which may need a reply, and may be a new link of theirs to meet.
   */
  activity(from: string, bare: boolean, tag: LinkTag | null = null): void {
    if (this.ended || from === this.options.self || this.lost.has(from)) return;
    const routed = tag && this.members.includes(from) ? this.route(from, tag) : null;
    this.note(`write from ${short(from)}${bare ? ' (bare)' : ''} ${tagText(tag)} → ${routed ? routed.linkId : 'not routed'}`);
    // A write to a link of ours that is gone still shows their page is alive.
    const entry = routed ?? this.links.get(from);
    if (!entry) return;
    // Alive, and our channel to them is gone: a new link, with a new channel.
    if (entry.channelClosed && entry.link.state === LinkState.connected) {
      this.rebuild(entry);
      return;
    }
    if (entry.liveness) this.onLiveness(from, entry, entry.liveness.partnerWrote(Date.now(), bare || routed === null));
  }

  /**
   * A random call's acknowledgement of the match to member `id`, on our
   * link to them: a sign of life, in the same write as the relay candidates
   * that binding our pending offer to them released (none of our own
   * addresses: PeerLinkOptions.holdCandidates). Resolves once stored.
   */
  acknowledge(id: string): Promise<void> {
    const entry = this.links.get(id);
    if (!entry) return Promise.reject(new Error(`no link to ${id}`));
    return this.options.signaling.acknowledge(id, this.tag(entry));
  }

  /** Restarts ICE on every link (e.g. after the page's network came back). */
  restartIce(): void {
    for (const { link } of this.links.values()) link.restartIce();
  }

  /**
   * A new video budget for every link, at once (the person turned the data
   * saver on or off); null: the call's own (CallOptions.budget, else the
   * default). Links opened later use it too.
   */
  setBudget(budget: UplinkBudget | null): void {
    const next = budget ?? this.options.budget ?? DEFAULT_UPLINK_BUDGET;
    if (next === this.budget) return;
    this.budget = next;
    this.applyBudget();
  }

  /**
   * Caps the video to member `id` under the group's share: the bandwidth
   * measured on that link (features/call-quality.ts); null lifts it. The
   * link's budget is the lower of the two, never under the budget's
   * per-link floor (a weaker link pauses its video instead). Forgotten with
   * the link: a rebuilt one starts at the group's share.
   */
  setLinkCap(id: string, bps: number | null): void {
    if (bps === null) {
      if (!this.linkCaps.delete(id)) return;
    } else {
      if (this.linkCaps.get(id) === bps) return;
      this.linkCaps.set(id, bps);
    }
    const entry = this.links.get(id);
    if (entry && entry.link.state === LinkState.connected) void this.limit(entry.link, id);
  }

  /** What each link's video may use by the group's size and the budget alone, bits per second. */
  get videoShareBps(): number {
    return videoSendLimits(this.links.size, this.budget).maxBitrate;
  }

  /** New ICE servers (renewed TURN credentials) for every link's next gathering. */
  setConfiguration(config: RTCConfiguration): void {
    for (const { link } of this.allEntries()) link.setConfiguration(config);
  }

  /**
   * Sends `track` as the camera ('video') or microphone ('audio') on every
   * link, without renegotiating (a device switch, the screening
   * placeholder); null sends nothing (mute, camera off). Links opened later
   * send the same. See engine/local-media.ts.
   */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    this.replaced.set(kind, track);
    await Promise.all([...this.allEntries()].map(({ link }) => link.replaceTrack(kind, track)));
  }

  /**
   * Sends `track` as this page's screen share on every link, beside the
   * camera (a section of its own: PeerLink.sendScreen); null stops sharing.
   */
  async shareScreen(track: MediaStreamTrack | null): Promise<void> {
    this.screen = track ? { track, stream: new MediaStream([track]) } : null;
    const stream = this.screen?.stream ?? null;
    await Promise.all([...this.allEntries()].map(({ link }) => link.sendScreen(track, stream)));
  }

  /** The mid of our screen share on the link to member `id`, while sharing and once negotiated; else null. */
  screenMid(id: string): string | null {
    return this.screen ? (this.link(id)?.screenMid ?? null) : null;
  }

  /** The screen member `id` shares in the section they named `mid` (their `media` message), or null. */
  remoteScreen(id: string, mid: string | null): MediaStreamTrack | null {
    return this.link(id)?.remoteScreen(mid) ?? null;
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

  /**
   * Which of our links a write of `from` tagged `tag` is for, meeting a new
   * link of theirs on the way; null when it was addressed to a link of ours
   * that is gone (stale: drop it). The cases (docs/PROTOCOL.md, "Links"):
   * untagged (join's offer, or an old client): our link to them, opened if
   * need be; a link we have not heard from yet adopts theirs; a write that
   * names our link, or our link's known other end, is for it; a new link of
   * theirs that does not know ours (they lost us, or re-entered the call):
   * ours starts over to meet it.
   */
  private route(from: string, tag: LinkTag | null): LinkEntry | null {
    if (!this.links.has(from) && this.pending) this.bindPending(from);
    const entry = this.links.get(from);
    if (!entry) {
      const opened = this.openLink(from);
      if (tag) opened.remoteLink = tag.link;
      return opened;
    }
    if (!tag) return entry;
    if (tag.peer !== '' && tag.peer !== entry.linkId) return null;
    if (entry.remoteLink === null || tag.peer === entry.linkId) {
      entry.remoteLink = tag.link;
      if (entry.hidden) {
        // They answered our knock: the member is back.
        entry.hidden = false;
        this.notify();
      }
      return entry;
    }
    if (entry.remoteLink === tag.link) return entry;
    this.note(`${short(from)} started over: ${tag.link} replaces ${entry.remoteLink}`);
    this.closeLink(from, { keepMailbox: true });
    const fresh = this.openLink(from);
    fresh.remoteLink = tag.link;
    fresh.rebuilding = true;
    this.notify();
    return fresh;
  }

  /** Of us and `id`, whether we entered later: the later member makes the first offer and is the impolite end. */
  private weAreLater(id: string): boolean {
    const otherIndex = this.members.indexOf(id);
    // Unknown to us yet means they entered after us: we are the earlier one.
    return otherIndex !== -1 && this.members.indexOf(this.options.self) > otherIndex;
  }

  private openLink(id: string, hidden = false): LinkEntry {
    const weAreLater = this.weAreLater(id);
    const entry = this.openEntry(id, { polite: !weAreLater, initiator: weAreLater });
    entry.hidden = hidden;
    this.note(`open ${entry.linkId} to ${short(id)}${hidden ? ' (knock)' : ''}${weAreLater ? ' offering' : ''}`);
    this.links.set(id, entry);
    this.startConnectTimer(entry);
    return entry;
  }

  /** Our tag on writes of this link: its id, and the other end's once known. */
  private tag(entry: LinkEntry): LinkTag {
    return { link: entry.linkId, peer: entry.remoteLink ?? '' };
  }

  private openEntry(id: string | null, roles: { readonly polite: boolean; readonly initiator: boolean }): LinkEntry {
    const entry = {
      id,
      linkId: newLinkId(),
      remoteLink: null,
      hidden: false,
      unsent: [],
      lostTimer: null,
      connectTimer: null,
      timedOut: false,
      channelClosed: false,
      rebuilding: false,
      liveness: null,
      livenessTimer: null,
      restartAskedAt: -Infinity,
      bytesAtProbe: null,
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
        remoteClosed: () => this.channelClosed(entry),
        // Restarts cannot bring this connection back: a new one (the other end meets it in route).
        transportFailed: () => this.rebuild(entry),
        heard: () => entry.liveness?.heard(Date.now()),
        message: (message) => {
          this.toListeners(entry, (l, id) => l.message?.(id, message));
          // The only sure sign of leaving: a page that goes says so.
          if (message.type === 'bye') this.loseLink(entry, 'left', { leaving: true });
          if (message.type === 'restart') this.restartAsked(entry);
        },
        channelOpen: () => this.toListeners(entry, (l, id) => l.channelOpen?.(id)),
        negotiated: () => this.toListeners(entry, (l, id) => l.negotiated?.(id)),
        extraTrack: () => this.notify(),
      },
    );
    for (const [kind, track] of this.replaced) void entry.link.replaceTrack(kind, track);
    if (this.screen) void entry.link.sendScreen(this.screen.track, this.screen.stream);
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
      this.options.signaling.send(entry.id, signal, this.tag(entry));
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
    for (const signal of entry.unsent.splice(0)) this.options.signaling.send(id, signal, this.tag(entry));
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
    if (state === LinkState.connected && entry.channelClosed) {
      // Back after a drop, but the channel went with it (Firefox closes it
      // when the connection fails): their ICE agent answered, so they are
      // there; carry on over a new link.
      this.rebuild(entry);
      return;
    }
    if (state === LinkState.connected) {
      entry.rebuilding = false;
      if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
      if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
      entry.lostTimer = null;
      entry.connectTimer = null;
      entry.timedOut = false;
      this.watchLiveness(id, entry);
      // Encodings exist only once negotiated: cap them now.
      void this.limit(entry.link, id);
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
    let lastTick = Date.now();
    entry.livenessTimer = setInterval(() => {
      const now = Date.now();
      // Our own page was frozen (a busy CPU, a phone switching apps): the
      // silence was ours, not theirs, so it proves nothing about them.
      if (now - lastTick > SELF_STALL_MS) liveness.heard(now);
      lastTick = now;
      this.onLiveness(id, entry, liveness.check(now));
    }, liveness.timings.heartbeatMs / 2);
  }

  private onLiveness(id: string, entry: LinkEntry, action: LivenessAction): void {
    if (action === null || this.links.get(id) !== entry) return;
    if (action === 'gone') {
      void this.confirmGone(id, entry);
      return;
    }
    if (action === 'rebuild') {
      // Either end rebuilds: a new link's roles come from the membership
      // order, not from who rebuilt, so two rebuilds cannot meet in glare
      // (an ICE restart from this end could meet the other's, which Chromium
      // refuses against Firefox: "Failed to set SSL role"), and the other
      // end meets the new link in route. Only while ICE sees no problem
      // itself: otherwise the reconnect policy is restarting already.
      const link = entry.link;
      if (link.state !== LinkState.connected || link.signalingState !== 'stable') return;
      this.note(`silent ${entry.linkId} from ${short(id)} while the member is alive`);
      this.rebuild(entry);
      return;
    }
    if (action === 'probe') {
      // What has reached us so far: a partner whose packets still arrive
      // by the verdict is alive, only slow to answer (confirmGone).
      entry.bytesAtProbe = null;
      void transportBytes(entry.link).then((bytes) => {
        if (entry.bytesAtProbe === null) entry.bytesAtProbe = bytes;
      });
    }
    this.options.signaling.probe(id, this.tag(entry)).then(
      () => entry.liveness?.probeStored(Date.now()),
      () => undefined, // not stored: they left (mailbox gone) or our network is down
    );
  }

  /**
   * The partner did not answer our probe in time. Gone, unless their
   * packets reached us since the probe: then their browser runs and the
   * path works, their page is too busy to answer, and the link stays
   * (PartnerLiveness.transportAlive asks again later).
   */
  private async confirmGone(id: string, entry: LinkEntry): Promise<void> {
    const liveness = entry.liveness;
    const bytes = await transportBytes(entry.link);
    if (this.links.get(id) !== entry || entry.liveness !== liveness || liveness === null) return;
    if (bytes !== null && entry.bytesAtProbe !== null && bytes > entry.bytesAtProbe) {
      this.note(
        `quiet ${entry.linkId} from ${short(id)}: no answer, but their packets arrive (${bytes - entry.bytesAtProbe} bytes)`,
      );
      entry.bytesAtProbe = bytes;
      liveness.transportAlive(Date.now());
      return;
    }
    this.loseLink(entry, 'left');
  }

  /**
   * The other end hears nothing from us on this link and asks for an ICE
   * restart (a `restart` message: web clients before 2026-12-05 sent it
   * instead of rebuilding a silent link themselves; a page of that release
   * may still be open when this one is served). Honoured by the end that leads restarts,
   * on a link that ICE thinks is fine (otherwise the reconnect policy is at
   * work), at most once per RESTART_ASK_GAP_MS: the sender is a stranger,
   * and a restart costs a round of signaling writes.
   */
  private restartAsked(entry: LinkEntry): void {
    const link = entry.link;
    if (!link.leadsRestarts) return;
    const asked = `restart ${entry.linkId}: asked by ${short(entry.id ?? '')}`;
    if (link.state !== LinkState.connected || link.signalingState !== 'stable') {
      // Noted, for whoever wonders why no restart came (the end that leads
      // restarts, in a window that is rare). Every such ask is noted, inside
      // the gap below or not: a stranger sending them in a loop can only push
      // older lines out of the history (its last CALL_HISTORY_LENGTH), not grow it.
      this.note(`${asked}, not now (${link.state}, ${link.signalingState})`);
      return;
    }
    const now = Date.now();
    if (now - entry.restartAskedAt < RESTART_ASK_GAP_MS) return;
    entry.restartAskedAt = now;
    this.note(asked);
    link.restartIce();
  }

  /**
   * The member is gone as far as this page can tell (closed their page, or
   * unreachable). In a call that relinks, a member who is still a member
   * gets a knock: a new link, kept off the tiles, announced in our mailbox
   * (its offer, or a bare write when they make the offers), which they meet
   * as soon as their page reads it (route). A dead member never answers; the
   * backend removes them once their presence lapses, and a knock that does
   * not connect is lost in turn and knocks again.
   */
  private loseLink(entry: LinkEntry, reason: GoneReason, { leaving = false } = {}): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry) return;
    this.note(`lost ${entry.linkId} to ${short(id)}: ${reason}${leaving ? ' (bye)' : ''}`);
    // A member who said bye is leaving: no knock (the membership follows).
    const relink = !leaving && this.options.relink === true && this.members.includes(id);
    // A call that relinks meets whatever link a member opens later (route);
    // one that does not ignores them until the membership changes for them.
    if (this.options.relink !== true) this.lost.add(id);
    this.closeLink(id, { keepMailbox: relink });
    if (relink) {
      const knock = this.openLink(id, true);
      // The later member's knock is its new link's offer; the earlier one's a bare write.
      if (!this.weAreLater(id)) void this.options.signaling.probe(id, this.tag(knock)).catch(() => undefined);
    }
    this.applyBudget();
    this.notify();
    if (!entry.hidden) this.options.gone?.(id, reason, leaving);
  }

  /**
   * The control channel closed, and no bye came: not a goodbye. Firefox
   * closes the channel itself when the connection fails (a network cut),
   * and the other end then sees it close once the path is back; a killed
   * page says no bye either. The heartbeats stopped, so the liveness check
   * probes and decides whether they are gone; we ask at once too. A page
   * that shows life gets a new link (activity), as does a link that comes
   * back (onLinkState).
   */
  private channelClosed(entry: LinkEntry): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry || entry.channelClosed) return;
    entry.channelClosed = true;
    this.options.signaling.probe(id, this.tag(entry)).then(
      () => entry.liveness?.probeStored(Date.now()),
      () => undefined,
    );
  }

  /**
   * A new link over a live one whose channel is gone, or over one that ICE
   * restarts cannot bring back (its DTLS transport failed): the member stays,
   * with a tile saying it is reconnecting; the other end meets the new
   * link (route) as it would a knock.
   */
  private rebuild(entry: LinkEntry): void {
    const id = entry.id;
    if (id === null || this.links.get(id) !== entry) return;
    this.note(`rebuild ${entry.linkId} to ${short(id)}`);
    this.closeLink(id, { keepMailbox: true });
    const fresh = this.openLink(id);
    fresh.rebuilding = true;
    if (!this.weAreLater(id)) void this.options.signaling.probe(id, this.tag(fresh)).catch(() => undefined);
    this.applyBudget();
    this.notify();
  }

  /** `keepMailbox`: the member stays, and a new link of ours takes over the mailbox to them. */
  private closeLink(id: string, { keepMailbox = false } = {}): void {
    const entry = this.links.get(id);
    if (!entry) return;
    if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
    if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
    if (entry.livenessTimer !== null) clearInterval(entry.livenessTimer);
    // With the link's own last events: its history goes with it, and a call
    // that ended ("Stranger left") is otherwise hard to explain afterwards.
    const last = entry.link.history.slice(-6).join(' | ');
    this.note(`close ${entry.linkId} to ${short(id)}${keepMailbox ? '' : ', mailbox dropped'} (link: ${last})`);
    entry.link.close();
    this.links.delete(id);
    this.linkCaps.delete(id);
    if (!keepMailbox) this.options.signaling.drop(id);
  }

  /** Every link's video cap follows the number of links (bitrate-policy.ts). */
  private applyBudget(): void {
    for (const [id, { link }] of this.links) if (link.state === LinkState.connected) void this.limit(link, id);
  }

  private limit(link: PeerLink, id: string): Promise<boolean> {
    const limits = videoSendLimits(this.links.size, this.budget, null, this.linkCaps.get(id) ?? null);
    return link.limitVideo(limits);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/** Events kept in Call.history. */
const CALL_HISTORY_LENGTH = 80;

function short(id: string): string {
  return id.slice(0, 6);
}

function tagText(tag: LinkTag | null): string {
  return tag ? `[${tag.link || '-'}→${tag.peer || '-'}]` : '[untagged]';
}

/**
 * Restarts asked for by the other end (a `restart` message) are honoured at
 * most this often: half the pace at which web clients before 2026-12-05
 * asked (every 10 s), so that every honest request of a lasting silence is met.
 */
const RESTART_ASK_GAP_MS = 5_000;

/**
 * What reached the link so far (transportBytesIn); null when the connection
 * cannot tell (closed, no stats) or does not answer within STATS_WITHIN_MS:
 * a getStats() that hangs must not keep a dead partner's verdict waiting.
 */
async function transportBytes(link: PeerLink): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const report = await Promise.race([
      link.getStats(),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), STATS_WITHIN_MS))),
    ]);
    return report === null ? null : transportBytesIn(report.values() as Iterable<{ type: string; bytesReceived?: unknown }>);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long transportBytes waits for getStats(). Long: a page starved of
 * CPU (where this matters most) answers late, and an unanswered reading
 * means "gone"; a dead partner's verdict waits this long only when our own
 * page is that slow (the diagnosis of the end-to-end tests bounds its
 * getStats() the same).
 */
const STATS_WITHIN_MS = 5_000;

/** A gap this long between two liveness ticks (every 250 ms) means this page itself was frozen. */
const SELF_STALL_MS = 2_000;

/** A link that took too long to connect shows as failed, like one ICE gave up on. */
function peerState(entry: LinkEntry): LinkState {
  const state = entry.link.state;
  if (state === LinkState.connecting && entry.rebuilding) return LinkState.interrupted;
  return entry.timedOut && state === LinkState.connecting ? LinkState.failed : state;
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
