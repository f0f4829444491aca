/**
 * What a page does in a call besides sending and showing media, attached to
 * the call as one object: text chat, mute and camera off, the safety code,
 * connection quality, screen share in calls by link, screening of our
 * camera before it is sent and of the others' video before it is seen.
 * One chunk, loaded after the first Start or Join (flows/in-call.ts): the
 * page before a call does not carry it.
 */
import type { Call } from '../engine/call.js';
import { CallQuality } from './call-quality.js';
import { CallChat, type ChatOptions } from './chat.js';
import { DataUse, type DataUseSource } from './data-use.js';
import { MediaState, type MediaSwitch } from './media-state.js';
import { SafetyCodes } from './safety-codes.js';
import { ScreenShare } from './screen-share.js';
import { CameraScreening, type CameraScreeningOptions, type ScreenedCamera } from './screening.js';
import { WorkerClassifier } from './screening-classifier.js';
import { IncomingScreening } from './screening-incoming.js';
import { placeholderTrack, VideoSampler } from './video-frames.js';

export interface InCallOptions extends ChatOptions {
  /** The page's camera and microphone (engine/local-media.ts). */
  readonly media: MediaSwitch & ScreenedCamera;
  /** The call's id, once known (a random call's comes with the queue's answer): part of the safety code. */
  callId(): string | null;
  /** Asks the browser for a screen to share (media.ts); absent where the call offers no screen share (random chat). */
  readonly captureScreen?: () => Promise<MediaStream>;
  /** The person's Audio only and Data saver (data-use.ts); absent: video both ways, the default budget. */
  readonly dataUse?: DataUseSource;
  /** Whether our camera is screened before it is sent (default: in random chats only; a setting in calls by link). */
  readonly screenCamera?: boolean;
  /** Whether the others' video is screened before it is seen (default: yes; a link call's creator may turn it off). */
  readonly screenIncoming?: boolean;
  /** Tests' screening: another classifier (the built worker), policy or sampling rate. */
  readonly screening?: Partial<CameraScreeningOptions>;
}

/** One classifier per page, for every call: its model loads once. A classifier that failed is replaced on the next call. */
let classifier: WorkerClassifier | null = null;

function sharedClassifier(): WorkerClassifier {
  if (!classifier) {
    const created = new WorkerClassifier();
    classifier = created;
    void created.ready.then((backend) => {
      if (backend === null && classifier === created) classifier = null;
    });
  }
  return classifier;
}

/**
 * Starts loading the screening model (in its worker) if it is not loading
 * yet. Random chat calls it once its place in the queue is taken: the
 * model then loads while the person waits for a stranger, not while the
 * page is getting there.
 */
export function prepareScreening(): void {
  sharedClassifier().start();
}

export class InCall {
  readonly chat: CallChat;
  readonly media: MediaState;
  /** Each link's safety code, to read to each other. */
  readonly safety: SafetyCodes;
  /** How good each link is: the indicator and statistics on every remote video. */
  readonly quality: CallQuality;
  /** Screen share, in calls that offer it (InCallOptions.captureScreen); null elsewhere. */
  readonly screen: ScreenShare | null;
  private _screening: CameraScreening | null = null;
  private _incoming: IncomingScreening | null = null;
  private readonly screeningOptions: CameraScreeningOptions;
  private readonly call: Call;
  private readonly camera: InCallOptions['media'];
  private readonly dataUse: DataUse | null;
  private readonly listeners = new Set<() => void>();
  private detached = false;

  constructor(call: Call, options: InCallOptions) {
    this.chat = new CallChat(call, options);
    this.media = new MediaState(call, options.media, (id) => call.screenMid(id));
    this.safety = new SafetyCodes(call, options.callId);
    this.quality = new CallQuality(call);
    this.screen = options.captureScreen ? new ScreenShare(call, this.media, options.captureScreen) : null;
    this.call = call;
    this.camera = options.media;
    this.screeningOptions = {
      classifier: options.screening?.classifier ?? sharedClassifier(),
      sampler: (track: MediaStreamTrack) => new VideoSampler(track),
      placeholder: placeholderTrack,
      ...options.screening,
    };
    for (const part of [this.chat, this.media, this.safety, this.quality, this.screen]) part?.onChange(() => this.notify());
    this.setScreenCamera(options.screenCamera ?? options.kind === 'random');
    // The same worker, and the same policy, for what the others send.
    this.setScreenIncoming(options.screenIncoming ?? true);
    const quality = this.quality;
    this.dataUse = options.dataUse
      ? new DataUse(options.dataUse, {
          setBudget: (budget) => call.setBudget(budget),
          setAudioOnly: (on) => quality.setAudioOnly(on),
        })
      : null;
  }

  /** Screening of our camera before it is sent (InCallOptions.screenCamera, setScreenCamera); null when off. */
  get screening(): CameraScreening | null {
    return this._screening;
  }

  /** Screening of the others' video before it is seen (InCallOptions.screenIncoming, setScreenIncoming); null when off. */
  get incoming(): IncomingScreening | null {
    return this._incoming;
  }

  /**
   * Turns screening of our camera on or off for the rest of the call (in a
   * call by link, the person's own choice). Turned on, the camera is
   * withheld until its first frame is scored, as at the start of a call.
   */
  setScreenCamera(on: boolean): void {
    if (this.detached || on === (this._screening !== null)) return;
    if (on) {
      this.loadModel();
      this._screening = new CameraScreening(this.camera, this.screeningOptions);
      this._screening.onChange(() => this.notify());
    } else {
      this._screening?.detach();
      this._screening = null;
    }
    this.notify();
  }

  /**
   * Turns screening of what the others send on or off (in a call by link,
   * the call's setting, which its creator may change). Turned on, every
   * tile is blurred until its next frame is scored.
   */
  setScreenIncoming(on: boolean): void {
    if (this.detached || on === (this._incoming !== null)) return;
    if (on) {
      this.loadModel();
      this._incoming = new IncomingScreening(this.call, this.screeningOptions);
      this._incoming.onChange(() => this.notify());
    } else {
      this._incoming?.detach();
      this._incoming = null;
    }
    this.notify();
  }

  /** Screening was turned on: the page's model loads now if it is not loading yet (tests' own classifiers need nothing). */
  private loadModel(): void {
    if (this.screeningOptions.classifier === classifier) prepareScreening();
  }

  /** Calls `listener` whenever anything here changes (a message, a delivery, someone's microphone). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over for this page: stop listening; what is shown stays readable. */
  detach(): void {
    this.chat.detach();
    this.media.detach();
    this.safety.detach();
    this.dataUse?.detach();
    this.quality.detach();
    this.screen?.detach();
    this.detached = true;
    this._screening?.detach();
    this._incoming?.detach();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
