/**
 * Mute and camera off in a call: the person turns their microphone or camera
 * off (LocalMedia sends nothing instead: no packets), and every other member
 * is told with a `media` message (engine/channel-messages.ts), so that their
 * page shows a muted icon and a "camera off" placeholder instead of silence
 * nobody explained and a frozen frame. Each member's last word on it is
 * kept here for the page to show.
 */
import type { CallLinkListener, Peer } from '../engine/call.js';
import type { ChannelMessage, MediaMessage } from '../engine/channel-messages.js';
import type { DeviceLoss, MediaKind } from '../engine/local-media.js';

/** What of a `Call` this uses (engine/call.ts). */
export interface MediaCall {
  readonly peers: readonly Pick<Peer, 'id'>[];
  sendMessage(to: string, message: ChannelMessage): boolean;
  onLink(listener: CallLinkListener): () => void;
  onChange(listener: () => void): () => void;
}

/** The page's camera and microphone (engine/local-media.ts). */
export interface MediaSwitch {
  isOn(kind: MediaKind): boolean;
  setOn(kind: MediaKind, on: boolean): Promise<void>;
  /** The last device that went away, and what replaced it. */
  readonly loss: DeviceLoss | null;
  onChange(listener: () => void): () => void;
}

/** What a member says they send: microphone and camera on or off, and the mid of their screen share on our link. */
export interface RemoteMedia {
  readonly audio: boolean;
  readonly video: boolean;
  readonly screen: string | null;
}

/** A member who has said nothing yet (an older page, or not yet): on, no screen, as their media shows. */
const UNTOLD: RemoteMedia = { audio: true, video: true, screen: null };

export class MediaState {
  private readonly remote = new Map<string, RemoteMedia>();
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[] = [];
  private detached = false;

  constructor(
    private readonly call: MediaCall,
    private readonly local: MediaSwitch,
    /** The mid of our screen share's section on the link to `id`, or null (features/screen-share.ts). */
    private readonly screenMid: (id: string) => string | null = () => null,
  ) {
    this.stops.push(
      call.onLink({
        message: (from, message) => this.onMessage(from, message),
        // A member whose channel just opened learns our state at once.
        channelOpen: (id) => void call.sendMessage(id, this.messageFor(id)),
      }),
      call.onChange(() => this.forgetGone()),
      // A device switched or lost, mute from elsewhere: the page shows it.
      local.onChange(() => this.notify()),
    );
  }

  /** The last device that went away during the call, and what replaced it (the page says so). */
  get loss(): DeviceLoss | null {
    return this.local.loss;
  }

  get microphone(): boolean {
    return this.local.isOn('audio');
  }

  get camera(): boolean {
    return this.local.isOn('video');
  }

  /** What member `id` says they send (everything on until they say otherwise). */
  of(id: string): RemoteMedia {
    return this.remote.get(id) ?? UNTOLD;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.set('audio', on);
  }

  async setCamera(on: boolean): Promise<void> {
    await this.set('video', on);
  }

  /** Tells every member what we send now (after a change here, or of our screen share). */
  announce(): void {
    if (this.detached) return;
    for (const { id } of this.call.peers) this.call.sendMessage(id, this.messageFor(id));
    this.notify();
  }

  detach(): void {
    this.detached = true;
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Works after the call too (the camera stays the person's to turn off); only the others are no longer told. */
  private async set(kind: MediaKind, on: boolean): Promise<void> {
    if (on === this.local.isOn(kind)) return;
    // Told first, so that the others show the placeholder before the frames stop, not a frozen one.
    const after = { audio: kind === 'audio' ? on : this.microphone, video: kind === 'video' ? on : this.camera };
    if (!this.detached) for (const { id } of this.call.peers) this.call.sendMessage(id, { ...this.messageFor(id), ...after });
    await this.local.setOn(kind, on);
  }

  private messageFor(id: string): MediaMessage {
    return { type: 'media', audio: this.microphone, video: this.camera, screen: this.screenMid(id) };
  }

  private onMessage(from: string, message: ChannelMessage): void {
    if (this.detached || message.type !== 'media') return;
    this.remote.set(from, { audio: message.audio, video: message.video, screen: message.screen });
    this.notify();
  }

  private forgetGone(): void {
    const present = new Set(this.call.peers.map((p) => p.id));
    for (const id of [...this.remote.keys()]) if (!present.has(id)) this.remote.delete(id);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
