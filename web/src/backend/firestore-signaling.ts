/**
 * SignalingChannel over one `calls/{callId}` document and its `candidates`
 * subcollection (docs/PROTOCOL.md). The rules let only the two participants
 * read or write any of it.
 */
import {
  addDoc,
  collection,
  doc,
  onSnapshot,
  query,
  serverTimestamp,
  Timestamp,
  updateDoc,
  where,
  type Firestore,
  type Unsubscribe,
} from 'firebase/firestore';
import { HeldQueue } from '../engine/held-queue.js';
import type { SignalingChannel, SignalingListener } from '../session/signaling.js';
import type { IceCandidate, Role, SessionDescription } from '../session/types.js';

/**
 * Candidates carry a TTL field so production deletes them even if every
 * cleanup path failed; the rules accept up to 5 h ahead (a long call: 4 h).
 */
const CANDIDATE_TTL_MS = 4 * 60 * 60 * 1000;

/**
 * Firestore operations this page's signaling has caused, counted as they are
 * billed (a listener's first empty answer is one read). Diagnostics for the
 * benchmark and DevTools (`parleyUsage`); never sent anywhere.
 */
export const signalingUsage = {
  reads: 0,
  writes: 0,
  /** Candidate writes: each also costs one read, the rule's get() of the call. */
  candidateWrites: 0,
};

interface CallData {
  readonly caller: string;
  readonly callee: string;
  readonly answer: SessionDescription | null;
}

export class FirestoreSignaling implements SignalingChannel {
  private readonly unsubscribers: Unsubscribe[] = [];
  /** Our candidates wait here until the call exists (before that the rules refuse them). */
  private readonly outgoing = new HeldQueue<IceCandidate>();
  private seenCall = false;
  private answerDelivered = false;
  private closed = false;

  constructor(
    private readonly db: Firestore,
    readonly callId: string,
    readonly role: Role,
    private readonly uid: string,
  ) {}

  private get callRef() {
    return doc(this.db, 'calls', this.callId);
  }

  async sendDescription(description: SessionDescription): Promise<void> {
    if (this.role !== 'callee' || description.type !== 'answer') {
      throw new Error('only the callee sends a description (its answer); the offer travels with join');
    }
    signalingUsage.writes += 1;
    await updateDoc(this.callRef, {
      answer: { type: 'answer', sdp: description.sdp },
      answeredAt: serverTimestamp(),
    });
  }

  sendCandidate(candidate: IceCandidate): void {
    this.outgoing.push(candidate);
  }

  subscribe(listener: SignalingListener): void {
    const onError = (err: unknown) => {
      if (!this.closed) listener.error(err);
    };
    this.unsubscribers.push(
      onSnapshot(
        this.callRef,
        (snap) => {
          if (!snap.metadata.fromCache) signalingUsage.reads += 1;
          if (this.closed) return;
          if (!snap.exists()) {
            // Before the match the document does not exist yet; after it, its
            // deletion is how the partner's Next, Stop or tab close reaches us.
            if (this.seenCall) listener.ended();
            return;
          }
          const call = snap.data() as CallData;
          if (!this.seenCall) {
            this.seenCall = true;
            const partner = this.role === 'caller' ? call.callee : call.caller;
            this.listenForCandidates(partner, listener, onError);
            this.outgoing.open((c) => this.writeCandidate(c, onError));
            listener.ready();
          }
          if (this.role === 'caller' && call.answer && !this.answerDelivered) {
            this.answerDelivered = true;
            listener.description(call.answer);
          }
        },
        onError,
      ),
    );
  }

  close(): void {
    this.closed = true;
    this.outgoing.clear();
    for (const u of this.unsubscribers.splice(0)) u();
  }

  private listenForCandidates(partner: string, listener: SignalingListener, onError: (err: unknown) => void): void {
    // Only the partner's candidates: our own would be read back for nothing.
    const q = query(collection(this.callRef, 'candidates'), where('from', '==', partner));
    let first = true;
    this.unsubscribers.push(
      onSnapshot(
        q,
        (snap) => {
          if (!snap.metadata.fromCache) {
            const changed = snap.docChanges().filter((c) => c.type !== 'removed').length;
            signalingUsage.reads += first ? Math.max(1, changed) : changed;
            first = false;
          }
          if (this.closed) return;
          for (const change of snap.docChanges()) {
            if (change.type !== 'added') continue;
            const d = change.doc.data();
            listener.candidate({
              candidate: d['candidate'] as string,
              sdpMid: (d['sdpMid'] as string | null) ?? null,
              sdpMLineIndex: (d['sdpMLineIndex'] as number | null) ?? null,
            });
          }
        },
        onError,
      ),
    );
  }

  private writeCandidate(c: IceCandidate, onError: (err: unknown) => void): void {
    if (this.closed) return;
    signalingUsage.writes += 1;
    signalingUsage.candidateWrites += 1;
    addDoc(collection(this.callRef, 'candidates'), {
      from: this.uid,
      candidate: c.candidate,
      sdpMid: c.sdpMid,
      sdpMLineIndex: c.sdpMLineIndex,
      createdAt: serverTimestamp(),
      expireAt: Timestamp.fromMillis(Date.now() + CANDIDATE_TTL_MS),
    }).catch((err: unknown) => {
      // Refused once the call is gone (the partner left): that is reported by
      // the call listener, not as an error of its own.
      if (!this.closed) console.warn('candidate not sent', err);
      void onError;
    });
  }
}
