/**
 * Wiring for tests that run ChatSessions (directly or inside <parley-app>)
 * against the in-memory backend, the fake camera and real peer connections.
 * A rig remembers every stream and session it handed out so `cleanup` can
 * release them all.
 */
import type { Timing } from '../../../web/src/config.js';
import { RandomChatFlow, type RandomChatDeps } from '../../../web/src/flows/random-chat.js';
import { MemoryMatchmaker, type MemoryMatchmakerOptions } from './memory-backend.js';

/** Short waits so that a stuck step shows up quickly; renewals never fire during a test. */
export const TEST_TIMING: Timing = {
  answerTimeoutMs: 3000,
  matchAckTimeoutMs: 3000,
  connectTimeoutMs: 10000,
  reconnectForMs: 4000,
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
}

export class ChatRig {
  readonly server: MemoryMatchmaker;
  private readonly streams: MediaStream[] = [];
  private readonly sessions: RandomChatFlow[] = [];

  /** `server` configures the in-memory matchmaker (e.g. a short widenAfterMs). */
  constructor(server: MemoryMatchmakerOptions = {}) {
    this.server = new MemoryMatchmaker(server);
  }

  /** Deps for one page: its own backend user, the fake camera, no ICE servers (loopback only). */
  deps(options: RigOptions = {}): RandomChatDeps & { readonly uid: string } {
    const backend = this.server.backend(options.uid);
    return {
      uid: backend.uid,
      connect: () => Promise.resolve(backend),
      getUserMedia:
        options.getUserMedia ??
        (async () => {
          const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
          this.streams.push(stream);
          return stream;
        }),
      rtcConfig: () => ({ iceServers: [] }),
      timing: { ...TEST_TIMING, ...options.timing },
    };
  }

  /** A RandomChatFlow on deps from `deps()`, stopped by `cleanup`. */
  session(options: RigOptions = {}): { readonly session: RandomChatFlow; readonly uid: string } {
    const deps = this.deps(options);
    const session = new RandomChatFlow(deps);
    this.track(session);
    return { session, uid: deps.uid };
  }

  /** Has `cleanup` stop this session too (e.g. one owned by an element). */
  track(session: RandomChatFlow): void {
    this.sessions.push(session);
  }

  /** Stops every session and every camera stream handed out. */
  async cleanup(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((s) => s.stop().catch(() => undefined)));
    for (const stream of this.streams.splice(0)) for (const track of stream.getTracks()) track.stop();
  }
}
