/**
 * Is the other person still there? Pure decisions, tested without a browser.
 *
 * A link hears the other end on its control channel (a heartbeat every
 * HEARTBEAT_MS). When it stops hearing them ("quiet"), the network path may
 * have dropped (a blip, the relay restarting: ICE restarts and recovers) or
 * their browser may be gone (killed, crashed, the laptop closed: nobody said
 * goodbye). The two look the same on the link, so the page asks the other
 * way: it writes once to its signaling mailbox (a probe, through Firestore),
 * and a live partner, whose page sees every write, answers by writing its
 * own. Evidence of life is any write from the partner since we last heard
 * them. Nothing within ANSWER_WITHIN_MS of our probe being stored (so our
 * own network is fine) means they are gone: "Stranger left", within about 5 s
 * of the death, instead of a frozen face under "Reconnecting…" and an error
 * that blames the person's own network.
 *
 * If our own probe is never stored, our network is the likelier culprit:
 * no verdict here, and the reconnect policy's give-up tells the person so.
 */

export interface LivenessTimings {
  /** How often each end sends a heartbeat on the control channel. */
  readonly heartbeatMs: number;
  /** Nothing heard for this long: quiet, probe. Several heartbeats, so one late message is not a drop. */
  readonly quietAfterMs: number;
  /** After our probe is stored, how long a live partner has to write back. */
  readonly answerWithinMs: number;
  /** Answer a partner's probe only if we wrote nothing for this long (a write each, never a ping-pong). */
  readonly replyGapMs: number;
  /**
   * A silence this long while the partner shows life asks for a new link
   * ('rebuild'). Long enough that ICE itself has noticed a real cut by then
   * in both browsers (measured: both pages said "Reconnecting…" 4.4-8.0 s
   * into a cut), so it never joins the reconnect policy's restarts: it is
   * for a path that broke without ICE noticing.
   */
  readonly rebuildAfterMs: number;
}

/**
 * 500 ms beats and quiet after 1.5 s: a background tab's timers still run
 * once a second. A partner answers a probe in well under a second (one write
 * each way, each seen by a listener), so 2.5 s leaves room for a slow phone,
 * and quiet + probe + answer stays within 5 s of a death.
 */
export const DEFAULT_LIVENESS_TIMINGS: LivenessTimings = {
  heartbeatMs: 500,
  quietAfterMs: 1_500,
  answerWithinMs: 2_500,
  replyGapMs: 3_000,
  rebuildAfterMs: 10_000,
};

/**
 * A silent spell whose rebuild could not start (the connection was not
 * connected and stable then: the reconnect policy was at work) asks again
 * after this long.
 */
export const REBUILD_AGAIN_MS = 10_000;

/** What the page should do now. */
export type LivenessAction =
  /** Write a probe to our mailbox; call `probeStored` once it is stored. */
  | 'probe'
  /** Write back to the partner's probe. */
  | 'reply'
  /** The partner is gone: end the call as "Stranger left". */
  | 'gone'
  /**
   * The partner is alive (they wrote through signaling since the silence
   * began) but nothing of theirs reaches us on the link: the path broke,
   * and ICE may not have noticed. Seen: after Chromium restarted ICE towards
   * Firefox, Firefox's ICE transport stayed "checking" and dropped all it
   * received while both connections still said "connected"; no reconnect
   * would ever start. Another ICE restart on that connection is a gamble
   * (a restart is what got it stuck); a new connection does not depend on
   * its state. The caller rebuilds the link
   * (Call.onLiveness); again every REBUILD_AGAIN_MS while the silence lasts
   * and the rebuild could not start.
   */
  | 'rebuild'
  | null;

/** One link's liveness, fed with what happens and the time it happened (epoch ms). */
export class PartnerLiveness {
  /** When we last heard the partner on the link (or started listening). */
  private lastHeardAt: number;
  /** When the partner last wrote to its mailbox. */
  private lastWriteSeenAt = -Infinity;
  /** When the partner last wrote a probe or a reply (a write with nothing new). */
  private lastBareSeenAt = -Infinity;
  /** When we last wrote a probe or a reply to our mailbox. */
  private lastOwnBareAt = -Infinity;
  private quiet = false;
  private probed = false;
  /** When our probe of this quiet spell was stored; null until it is. */
  private probeStoredAt: number | null = null;
  private decided = false;
  /** No verdict of 'gone' before this (transportAlive postponed it). */
  private verdictNotBefore = -Infinity;
  /** When this quiet spell last asked for a rebuild; null: not yet. */
  private rebuiltAt: number | null = null;

  constructor(
    nowMs: number,
    readonly timings: LivenessTimings = DEFAULT_LIVENESS_TIMINGS,
  ) {
    this.lastHeardAt = nowMs;
  }

  /** A message from the partner on the link: they are there, the path works. */
  heard(nowMs: number): void {
    this.lastHeardAt = nowMs;
    this.quiet = false;
    this.probed = false;
    this.probeStoredAt = null;
    this.rebuiltAt = null;
    this.verdictNotBefore = -Infinity;
  }

  /**
   * After a 'gone': the partner's packets still reached us since our probe
   * (the caller compares the transport's received bytes, transportBytesIn).
   * Their browser runs and the path works; their page is only too busy to
   * answer (a page starved of CPU, or frozen in a debugger), so the verdict
   * is taken back and asked again answerWithinMs later. Measured: a call
   * of five on two cores, where pages starved of CPU answered probes late,
   * tore down working links as "left", and each rebuild took 16-36 s on
   * the starved machine. A killed browser sends nothing: unchanged for it.
   */
  transportAlive(nowMs: number): void {
    if (!this.decided) return;
    this.decided = false;
    this.verdictNotBefore = nowMs + this.timings.answerWithinMs;
  }

  /** Periodic check (every heartbeat or so): whether to probe now, or to conclude. */
  check(nowMs: number): LivenessAction {
    if (this.decided) return null;
    if (!this.quiet && nowMs - this.lastHeardAt >= this.timings.quietAfterMs) this.quiet = true;
    if (!this.quiet) return null;
    if (!this.probed) {
      this.probed = true;
      // It answers a probe of theirs that crosses it (partnerWrote).
      this.lastOwnBareAt = nowMs;
      return 'probe';
    }
    if (
      this.probeStoredAt !== null &&
      nowMs - this.probeStoredAt >= this.timings.answerWithinMs &&
      nowMs >= this.verdictNotBefore &&
      !this.partnerWroteSinceHeard()
    ) {
      this.decided = true;
      return 'gone';
    }
    // Alive through signaling, silent on the link: the path is what broke,
    // and ICE has not noticed it (see rebuildAfterMs).
    if (
      this.probeStoredAt !== null &&
      this.partnerWroteSinceHeard() &&
      nowMs - this.lastHeardAt >= this.timings.rebuildAfterMs &&
      (this.rebuiltAt === null || nowMs - this.rebuiltAt >= REBUILD_AGAIN_MS)
    ) {
      this.rebuiltAt = nowMs;
      return 'rebuild';
    }
    return null;
  }

  /** Our probe was stored: our side of Firestore works. */
  probeStored(nowMs: number): void {
    if (this.probed && this.probeStoredAt === null) this.probeStoredAt = nowMs;
  }

  /**
   * The partner wrote to its mailbox. `bare`: the write carried nothing new
   * (a probe or a reply). A probe is answered unless a probe or reply of
   * ours went out within replyGapMs: both noticed the silence and our
   * probes crossed (each counts the other's), or theirs is the reply to
   * ours (which ends any ping-pong). Quiet or not: a spell of ours that
   * began long before theirs (the path broke one way first) probed too
   * early to count for them, and a page that let their probe go unanswered
   * would be judged gone while alive. Our other writes (an answer,
   * candidates) came before their probe was stored, so they do not count
   * for them either (partnerWroteSinceHeard).
   */
  partnerWrote(nowMs: number, bare: boolean): LivenessAction {
    this.lastWriteSeenAt = nowMs;
    if (bare) this.lastBareSeenAt = nowMs;
    if (this.decided || !bare) return null;
    if (nowMs - this.lastOwnBareAt < this.timings.replyGapMs) return null;
    this.lastOwnBareAt = nowMs;
    return 'reply';
  }

  /**
   * Whether the partner showed life through signaling since the path broke:
   * a probe or reply of theirs after we last heard them (only a live page
   * that noticed the silence, or saw ours, writes one), or any write after
   * our probe was stored. Not any write after we last heard them: a
   * candidate sent just before their browser died can land a moment after
   * their last heartbeat (measured: a death right after connecting).
   */
  private partnerWroteSinceHeard(): boolean {
    return this.lastBareSeenAt > this.lastHeardAt || (this.probeStoredAt !== null && this.lastWriteSeenAt >= this.probeStoredAt);
  }
}

/** One entry of a getStats() report, as far as transportBytesIn reads it. */
interface ReceivedBytesEntry {
  readonly type: string;
  readonly bytesReceived?: unknown;
}

/**
 * Bytes that reached this connection from the other end (media, control
 * channel; not ICE checks), from a getStats() report: the transports'
 * `bytesReceived` (Chromium), else the candidate pairs' (Firefox reports no
 * transport entry). Null when the report has neither. Only compared with an
 * earlier reading of the same connection: more means the other end's
 * browser sent something in between.
 */
export function transportBytesIn(report: Iterable<ReceivedBytesEntry>): number | null {
  let transports: number | null = null;
  let pairs: number | null = null;
  for (const entry of report) {
    if (typeof entry.bytesReceived !== 'number') continue;
    if (entry.type === 'transport') transports = (transports ?? 0) + entry.bytesReceived;
    else if (entry.type === 'candidate-pair') pairs = (pairs ?? 0) + entry.bytesReceived;
  }
  return transports ?? pairs;
}
