/**
 * A call: this page's links to every other member (a full mesh; a 1:1 call
 * is a mesh of two). It decides who offers and who is polite on each link,
 * keeps the links in step with the membership the backend decides, and caps
 * what each link sends so that the page's whole uplink stays within one
 * budget as the group grows. Knows WebRTC and nothing else: membership comes
 * in through `setMembers`, signals through `receive`, and go out through
 * `CallSignaling`.
 */
import { DEFAULT_UPLINK_BUDGET, videoSendLimits, type UplinkBudget } from './bitrate-policy.js';
import { PartnerLiveness, type LivenessAction } from './liveness.js';
import { LinkState, PeerLink, type LinkProblem } from './peer-link.js';
import { reconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import type { LinkSignal } from './types.js';

/** Where a call's outgoing signals go: one mailbox per other member. */
export interface CallSignaling {
  send(to: string, signal: LinkSignal): void;
  /** The link to `to` is gone: stop sending to it. */
  drop(to: string): void;
  /**
   * Writes our mailbox to `to` with nothing new (a liveness probe or its
   * reply, engine/liveness.ts); resolves once stored. Without it, a silent
   * member's tile goes only when its link gives up.
   */
  probe?(to: string): Promise<void>;
}

/** One other member as a person sees them: a tile. */
export interface Peer {
  readonly id: string;
  readonly state: LinkState;
  readonly stream: MediaStream | null;
  /** Why the link is not carrying the call (the tile says so), or null. */
  readonly problem: LinkProblem | null;
}

export interface CallOptions {
  /** This page's member id. */
  readonly self: string;
  readonly localStream: MediaStream;
  readonly rtcConfig: () => RTCConfiguration;
  readonly signaling: CallSignaling;
  /**
   * How long a link may stay interrupted (restarting ICE) or failed before
   * its tile goes: the member most likely closed their tab or lost their
   * network. Also the reconnect policy's give-up time.
   */
  readonly lostAfterMs: number;
  readonly budget?: UplinkBudget;
}

interface LinkEntry {
  readonly link: PeerLink;
  lostTimer: ReturnType<typeof setTimeout> | null;
  /** Whether the member is still there, from the link's first connection on. */
  liveness: PartnerLiveness | null;
  livenessTimer: ReturnType<typeof setInterval> | null;
}

export class Call {
  private readonly links = new Map<string, LinkEntry>();
  /** Members in entry order (as the backend keeps them), self included. */
  private members: readonly string[] = [];
  /** Members whose link was lost: not reconnected until the membership changes for them. */
  private readonly lost = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private ended = false;

  private readonly reconnect: ReconnectPolicy;

  constructor(private readonly options: CallOptions) {
    this.reconnect = reconnectPolicy({ giveUpAfterMs: options.lostAfterMs });
  }

  /** The other members with a link, in entry order. */
  get peers(): Peer[] {
    const out: Peer[] = [];
    for (const id of this.members) {
      const entry = this.links.get(id);
      if (entry) out.push({ id, state: entry.link.state, stream: entry.link.remoteStream, problem: entry.link.problem });
    }
    return out;
  }

  /** The link to one member (tests, stats). */
  link(id: string): PeerLink | null {
    return this.links.get(id)?.link ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The membership as the backend decided it, in entry order. Opens a link to
   * every new member and closes those to members who left. Of two members,
   * the later one makes the first offer and is the impolite end.
   */
  setMembers(members: readonly string[]): void {
    if (this.ended) return;
    const previous = new Set(this.members);
    this.members = [...members];
    const current = new Set(members);
    for (const id of this.lost) if (!current.has(id)) this.lost.delete(id);
    for (const id of [...this.links.keys()]) if (!current.has(id)) this.closeLink(id);
    for (const id of members) {
      if (id === this.options.self || this.links.has(id) || this.lost.has(id)) continue;
      // A member we knew of before who has no link is one we lost: leave it be.
      if (previous.has(id) && this.lost.has(id)) continue;
      this.openLink(id);
    }
    this.applyBudget();
    this.notify();
  }

  /** A signal from member `from`. A link is opened for a member not yet known (their offer can beat the membership update). */
  receive(from: string, signal: LinkSignal): void {
    if (this.ended || from === this.options.self || this.lost.has(from)) return;
    const entry = this.links.get(from) ?? this.openLink(from);
    void entry.link.receive(signal);
  }

  /** Restarts ICE on every link (e.g. after the page's network came back). */
  restartIce(config?: RTCConfiguration): void {
    for (const { link } of this.links.values()) link.restartIce(config);
  }

  /** New ICE servers (renewed TURN credentials) for every link's next gathering. */
  setConfiguration(config: RTCConfiguration): void {
    for (const { link } of this.links.values()) link.setConfiguration(config);
  }

  /** Closes every link. The backend is told separately (leave). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const id of [...this.links.keys()]) this.closeLink(id);
    this.notify();
  }

  private openLink(id: string): LinkEntry {
    const selfIndex = this.members.indexOf(this.options.self);
    const otherIndex = this.members.indexOf(id);
    // Unknown to us yet means they entered after us: we are the earlier one.
    const weAreLater = otherIndex !== -1 && selfIndex > otherIndex;
    const link: PeerLink = new PeerLink(
      this.options.localStream,
      {
        polite: !weAreLater,
        initiator: weAreLater,
        config: this.options.rtcConfig(),
        reconnect: this.reconnect,
      },
      {
        signal: (signal) => this.options.signaling.send(id, signal),
        remoteStream: () => this.notify(),
        state: (state) => this.onLinkState(id, link, state),
        remoteClosed: () => this.loseLink(id, link),
        heard: () => this.links.get(id)?.liveness?.heard(Date.now()),
      },
    );
    const entry: LinkEntry = { link, lostTimer: null, liveness: null, livenessTimer: null };
    this.links.set(id, entry);
    return entry;
  }

  private onLinkState(id: string, link: PeerLink, state: LinkState): void {
    const entry = this.links.get(id);
    if (!entry || entry.link !== link) return;
    if (state === LinkState.connected) {
      if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
      entry.lostTimer = null;
      this.watchLiveness(id, entry);
      // Encodings exist only once negotiated: cap them now.
      void this.limit(link);
    } else if (state === LinkState.lost) {
      // The link gave up reconnecting (its policy's time is lostAfterMs).
      this.loseLink(id, link);
      return;
    } else if (state === LinkState.failed && entry.lostTimer === null) {
      // Never connected: show it failed for a while, then let the tile go.
      entry.lostTimer = setTimeout(() => this.loseLink(id, link), this.options.lostAfterMs);
    }
    this.notify();
  }

  /**
   * A write of `from` into its mailbox to us (`bare`: a probe or a reply):
   * a sign of life through the backend, which may need a reply.
   */
  activity(from: string, bare: boolean): void {
    const entry = this.links.get(from);
    if (entry?.liveness) this.onLiveness(from, entry, entry.liveness.partnerWrote(Date.now(), bare));
  }

  /** A silent link is probed through the mailbox; a member who does not answer is gone (their browser died). */
  private watchLiveness(id: string, entry: LinkEntry): void {
    if (entry.liveness || !this.options.signaling.probe) return;
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
      this.loseLink(id, entry.link);
      return;
    }
    this.options.signaling.probe?.(id).then(
      () => entry.liveness?.probeStored(Date.now()),
      () => undefined, // not stored: they left (mailbox gone) or our network is down
    );
  }

  /** The member is gone as far as this page can tell (closed their page, or unreachable). */
  private loseLink(id: string, link: PeerLink): void {
    const entry = this.links.get(id);
    if (!entry || entry.link !== link) return;
    this.lost.add(id);
    this.closeLink(id);
    this.applyBudget();
    this.notify();
  }

  private closeLink(id: string): void {
    const entry = this.links.get(id);
    if (!entry) return;
    if (entry.lostTimer !== null) clearTimeout(entry.lostTimer);
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
