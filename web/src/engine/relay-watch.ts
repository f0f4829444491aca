/**
 * Whether the relay of a relay-only link that went down answers again. Such
 * a link has no other path: while its TURN server is gone (a crash, a
 * restart, a network that blocks it for a while), every ICE restart is
 * wasted, and once it is back only a restart that allocates afresh brings
 * the call back. So while the link is down, a throwaway connection tries
 * to gather a relay candidate every `everyMs`; once one try failed and a
 * later one succeeds, `back` is called (once) and the link restarts at once
 * (reconnect-policy.ts, relayBack).
 *
 * A first try answered only after a retransmission counts the same (see
 * RETRANSMISSION_MS). If the first try is answered at once, the relay was
 * never the problem (the partner's network, or this device's path to the
 * partner): the watch stops, and the ordinary policy goes on. Nothing is sent
 * to anyone; each try costs one short-lived allocation on the relay.
 */

/**
 * When the browser sends its first allocation request again if the relay has
 * not answered (STUN's initial retransmission timeout in Chromium and
 * Firefox). A relay that answers only after it was asked again was not
 * answering when asked: it is coming back. Typically the relay crashed, the
 * link noticed seconds later, and the relay returned just as the watch began.
 */
export const RETRANSMISSION_MS = 250;

/** One try: resolves true if the relay answered within the time (a relay candidate was gathered). */
export type RelayProbe = () => Promise<boolean>;

export interface RelayWatchOptions {
  /** Time between the starts of two tries (a try that takes longer is waited for). */
  readonly everyMs: number;
  /** An answer after this long counts as a miss followed by the relay's return (default RETRANSMISSION_MS). */
  readonly slowMs?: number;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Starts watching; returns the function that stops it. */
export function watchRelay(probe: RelayProbe, back: () => void, options: RelayWatchOptions): () => void {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const slowMs = options.slowMs ?? RETRANSMISSION_MS;
  let stopped = false;
  void (async () => {
    let missed = false;
    while (!stopped) {
      const startedAt = now();
      const answered = await probe().catch(() => false);
      if (stopped) return;
      if (answered) {
        // An answer that took a retransmission came from a relay that was not answering at first.
        if (missed || now() - startedAt >= slowMs) back();
        return;
      }
      missed = true;
      await sleep(Math.max(0, options.everyMs - (now() - startedAt)));
    }
  })();
  return () => {
    stopped = true;
  };
}

/**
 * The browser's try: a connection with `config` (relay-only, the link's own
 * servers and credential) gathers until its first relay candidate, or gives
 * up after `timeoutMs`.
 */
export function gathersRelay(config: RTCConfiguration, timeoutMs: number): Promise<boolean> {
  const pc = new RTCPeerConnection({ ...config, iceTransportPolicy: 'relay' });
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      pc.onicecandidate = null;
      pc.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    pc.onicecandidate = (e) => {
      if (e.candidate?.candidate.includes(' typ relay')) done(true);
      else if (!e.candidate) done(false); // gathering ended without one
    };
    pc.createDataChannel('relay-watch');
    pc.setLocalDescription().catch(() => done(false));
  });
}
