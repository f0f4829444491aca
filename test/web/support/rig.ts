/**
 * Wiring for tests that run the flows (directly or inside elements) against
 * the in-memory backend, the fake camera and real peer connections. A rig
 * remembers every camera and flow it handed out so `cleanup` can release
 * them all.
 */
import type { Timing } from '../../../web/src/config.js';
import { LocalMedia } from '../../../web/src/engine/local-media.js';
import type { DataUseSource } from '../../../web/src/features/data-use.js';
import type { ConnectionCheckDeps } from '../../../web/src/flows/connection-check.js';
import type { LinkCallDeps } from '../../../web/src/flows/link-call.js';
import { RandomChatFlow, type RandomChatDeps } from '../../../web/src/flows/random-chat.js';
import { MemoryServer, type MemoryServerOptions } from './memory-backend.js';

/**
 * Short waits so that a stuck step shows up quickly; renewals never fire
 * during a test. The answer gets production's 8 s: a first call that did
 * not connect here was a real defect (the joiner's mailbox dropped its
 * answer when it learned the waiter's link; engine/mailbox.ts, retag), and a
 * shorter wait only hid it behind a second pairing.
 */
export const TEST_TIMING: Timing = {
  answerTimeoutMs: 8000,
  matchAckTimeoutMs: 3000,
  liveWaiterAckTimeoutMs: 4500,
  connectTimeoutMs: 10000,
  renewMs: 60000,
};

/** A getUserMedia that fails as the browser does when the person refuses access. */
export function deniedCamera(): Promise<MediaStream> {
  return Promise.reject(new DOMException('x', 'NotAllowedError'));
}

export interface RigOptions {
  /** The person's uid on the in-memory backend (one is made up otherwise). */
  readonly uid?: string;
  /** Replaces the fake camera. */
  readonly getUserMedia?: () => Promise<MediaStream>;
  /** Overrides some of TEST_TIMING (e.g. fast renewals). */
  readonly timing?: Partial<Timing>;
  /** The person's Audio only and Data saver (none: video both ways, the default budget). */
  readonly dataUse?: DataUseSource;
  /** Screening's classifier, policy and which ways (none: the site's worker, which the test server cannot run). */
  readonly screening?: RandomChatDeps['screening'];
  /** Where the page keeps its skip memory (none: it starts with the page's first join). */
  readonly skipMemory?: RandomChatDeps['skipMemory'];
}

export class Rig {
  readonly server: MemoryServer;
  private readonly media: LocalMedia[] = [];
  private readonly flows: { stop(): Promise<void> }[] = [];

  /** `server` configures the in-memory backend (e.g. a short widenAfterMs). */
  constructor(server: MemoryServerOptions = {}) {
    this.server = new MemoryServer(server);
  }

  /** One page's camera: the fake one (small, to spare the CPU), released by `cleanup`. */
  camera(getUserMedia?: () => Promise<MediaStream>): LocalMedia {
    const media = new LocalMedia(
      getUserMedia ?? (() => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })),
      // One device's track, as media.ts asks for it (a switch, or after a device went away).
      async (kind, deviceId) => {
        const constraints = {
          ...(kind === 'video' ? { width: 320, height: 240 } : {}),
          ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        };
        const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
        return stream.getTracks()[0]!;
      },
    );
    this.media.push(media);
    return media;
  }

  /** Random-chat deps for one page: its own backend user, the fake camera, no ICE servers (loopback only). */
  deps(options: RigOptions = {}): RandomChatDeps & { readonly uid: string } {
    const backend = this.server.backend(options.uid);
    return {
      uid: backend.uid,
      connect: () => Promise.resolve(backend),
      media: this.camera(options.getUserMedia),
      rtcConfig: () => ({ iceServers: [] }),
      timing: { ...TEST_TIMING, ...options.timing },
      reconnectForMs: 4000,
      ...(options.dataUse ? { dataUse: options.dataUse } : {}),
      ...(options.screening ? { screening: options.screening } : {}),
      ...(options.skipMemory ? { skipMemory: options.skipMemory } : {}),
    };
  }

  /** Link-call deps for one page, with its own backend user; `captureScreen` offers screen share (Chromium's fake capture). */
  linkDeps(
    options: Pick<RigOptions, 'getUserMedia'> & Pick<LinkCallDeps, 'captureScreen' | 'screening'> = {},
  ): LinkCallDeps & { readonly uid: string } {
    const backend = this.server.backend();
    return {
      uid: backend.uid,
      connect: () => Promise.resolve(backend),
      media: this.camera(options.getUserMedia),
      rtcConfig: () => ({ iceServers: [] }),
      reconnectForMs: 3000,
      connectTimeoutMs: 10000,
      ...(options.captureScreen ? { captureScreen: options.captureScreen } : {}),
      ...(options.screening ? { screening: options.screening } : {}),
    };
  }

  /** Connection-check deps (checkDeps below): the rig's pages use the same as the check's own tests. */
  checkDeps(overrides: Partial<ConnectionCheckDeps> = {}): ConnectionCheckDeps {
    return checkDeps(overrides);
  }

  /** A RandomChatFlow on deps from `deps()`, stopped by `cleanup`. */
  session(options: RigOptions = {}): { readonly session: RandomChatFlow; readonly uid: string } {
    const deps = this.deps(options);
    const session = new RandomChatFlow(deps);
    this.track(session);
    return { session, uid: deps.uid };
  }

  /** Has `cleanup` stop this flow too (e.g. one owned by an element). */
  track(flow: { stop(): Promise<void> }): void {
    this.flows.push(flow);
  }

  /** Stops every flow and releases every camera handed out. */
  async cleanup(): Promise<void> {
    await Promise.all(this.flows.splice(0).map((s) => s.stop().catch(() => undefined)));
    for (const media of this.media.splice(0)) media.release();
  }
}

/**
 * Connection-check deps: the fake camera (small), no ICE servers (host
 * candidates over loopback), short waits. The check releases its own
 * camera when its page goes away. `overrides` may hold a part back.
 */
export function checkDeps(overrides: Partial<ConnectionCheckDeps> = {}): ConnectionCheckDeps {
  return {
    getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
    constraints: { audio: true, video: { width: 160, height: 120 } },
    iceConfig: async () => ({ iceServers: [] }),
    gatherTimeoutMs: 10_000,
    relayTimeoutMs: 5_000,
    ...overrides,
  };
}
