/**
 * Where every link's ICE configuration comes from: the STUN and TURN servers
 * the backend hands out (`turnCredentials`, with a short-lived TURN
 * credential), kept fresh before they expire, and the relay-only policy
 * ("Hide my IP"). Knows WebRTC and nothing else: how the servers are fetched
 * is a function given to `attach` (backend/), when to renew is the protocol's
 * pure timing (turnRenewalDelayMs).
 */
import { TURN_RETRY_MS, turnNeedsRenewal, turnRenewalDelayMs, type TurnCredentialsResult } from '@parley/functions/protocol';

interface Grant {
  readonly iceServers: RTCIceServer[];
  readonly relayOnlyDefault: boolean;
  /** Page clock: when it arrived, and for how long it may be used. */
  readonly receivedAtMs: number;
  readonly validForMs: number;
}

export interface IceConfigOptions {
  /** Servers used until (or unless) the backend has answered: production's STUN, or none locally. */
  readonly fallback: () => RTCIceServer[];
  readonly now?: () => number;
}

export class IceConfigSource {
  private grant: Grant | null = null;
  private fetcher: (() => Promise<TurnCredentialsResult>) | null = null;
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private first: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: IceConfigOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts using `fetch` (once per page; later calls return the first's
   * promise): fetches now and then again before each credential expires.
   * Resolves once the first answer is in, or on failure (a page without a
   * relay still calls, directly). No shorter timeout than the request's own:
   * a relay-only call made before the servers arrive could never connect,
   * and a backend too slow to answer this is too slow to pair anyone anyway.
   */
  attach(fetch: () => Promise<TurnCredentialsResult>): Promise<void> {
    if (this.first) return this.first;
    this.fetcher = fetch;
    this.first = this.renew();
    return this.first;
  }

  /** Whether the deployment relays random calls by default (RELAY_ONLY_DEFAULT); false until it said. */
  get relayOnlyDefault(): boolean {
    return this.grant?.relayOnlyDefault ?? false;
  }

  /**
   * The configuration for a new link, or for one that restarts ICE, from
   * what is known now. `relayOnly`: gather relay candidates only, so that
   * the other end never learns this page's addresses.
   */
  config(relayOnly: boolean): RTCConfiguration {
    // A renewal missed while the page slept: start it now; this link uses what there is.
    if (this.fetcher && this.grant && turnNeedsRenewal(this.grant, this.now())) void this.renew();
    const iceServers = this.grant ? this.grant.iceServers.map((s) => ({ ...s })) : this.options.fallback();
    return { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
  }

  /** Called after each renewal, so live links can take the new servers for their next gathering. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops renewing (tests; a page never needs to). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.fetcher = null;
  }

  private renew(): Promise<void> {
    const fetch = this.fetcher;
    if (!fetch) return Promise.resolve();
    this.inFlight ??= (async () => {
      try {
        const result = await fetch();
        this.grant = {
          iceServers: result.iceServers.map((s) => ({ ...s, urls: [...s.urls] })),
          relayOnlyDefault: result.relayOnlyDefault,
          receivedAtMs: this.now(),
          validForMs: result.validForMs,
        };
        this.schedule(turnRenewalDelayMs(result.validForMs));
        for (const l of this.listeners) l();
      } catch (err) {
        console.warn('relay servers not available; calls connect directly', err);
        this.schedule(TURN_RETRY_MS);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (!this.fetcher) return;
    this.timer = setTimeout(() => void this.renew(), ms);
  }
}
