/**
 * An in-page stand-in for the link-call backend (functions + Firestore), for
 * browser tests of the flow and the element: the same decisions in their
 * simplest form — five members at most, entry order kept, the last leave
 * ends the call — and one mailbox per direction delivered as whole states
 * through the same codec as the Firestore mailboxes, several signals at a time.
 */
import {
  LINK_CALL_ID_LENGTH,
  MAX_CALL_MEMBERS,
  type CallAvailability,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import { MailboxInbox, MailboxOutbox } from '../../../web/src/engine/mailbox.js';
import type { CallConnection, CallConnectionHandlers, CallService } from '../../../web/src/flows/link-call.js';

interface MemoryCall {
  members: string[];
  readonly connections: Map<string, CallConnectionHandlers>;
  readonly outboxes: Map<string, MailboxOutbox>;
  readonly inboxes: Map<string, MailboxInbox>;
}

export class MemoryCallServer {
  readonly calls = new Map<string, MemoryCall>();
  /** Every callable request, in order (tests read it). */
  readonly requests: { uid: string; name: string; callId?: string }[] = [];
  private nextUser = 0;
  private nextCall = 0;

  /** A service for one page, with its own uid. */
  service(): CallService {
    const uid = `user${++this.nextUser}`;
    return new MemoryCallService(this, uid);
  }

  newId(): string {
    return `call${++this.nextCall}`.padEnd(LINK_CALL_ID_LENGTH, 'x');
  }

  /** Members change: every connected member hears it. */
  publish(callId: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    for (const [uid, h] of call.connections) {
      if (call.members.includes(uid)) h.members([...call.members]);
      else h.removed();
    }
  }

  end(callId: string): void {
    const call = this.calls.get(callId);
    this.calls.delete(callId);
    for (const h of call?.connections.values() ?? []) h.ended();
  }
}

class MemoryCallService implements CallService {
  constructor(
    private readonly server: MemoryCallServer,
    readonly uid: string,
  ) {}

  async create(): Promise<CreateCallResult> {
    this.server.requests.push({ uid: this.uid, name: 'createCall' });
    const callId = this.server.newId();
    this.server.calls.set(callId, { members: [this.uid], connections: new Map(), outboxes: new Map(), inboxes: new Map() });
    return { callId, members: [this.uid], capacity: MAX_CALL_MEMBERS };
  }

  async peek(callId: string): Promise<CallAvailability> {
    this.server.requests.push({ uid: this.uid, name: 'peekCall', callId });
    const call = this.server.calls.get(callId);
    if (!call) return { status: 'ended' };
    const members = call.members.length;
    return { status: members >= MAX_CALL_MEMBERS ? 'full' : 'open', members, capacity: MAX_CALL_MEMBERS };
  }

  async enter(callId: string): Promise<EnterCallResult> {
    this.server.requests.push({ uid: this.uid, name: 'enterCall', callId });
    const call = this.server.calls.get(callId);
    if (!call) return { status: 'ended' };
    if (!call.members.includes(this.uid)) {
      if (call.members.length >= MAX_CALL_MEMBERS)
        return { status: 'full', members: call.members.length, capacity: MAX_CALL_MEMBERS };
      call.members.push(this.uid);
      this.server.publish(callId);
    }
    return { status: 'entered', members: [...call.members], capacity: MAX_CALL_MEMBERS };
  }

  async leave(callId: string): Promise<void> {
    this.server.requests.push({ uid: this.uid, name: 'leaveCall', callId });
    const call = this.server.calls.get(callId);
    if (!call) return;
    call.members = call.members.filter((m) => m !== this.uid);
    call.connections.delete(this.uid);
    for (const key of [...call.outboxes.keys()]) if (key.split('_').includes(this.uid)) call.outboxes.delete(key);
    for (const key of [...call.inboxes.keys()]) if (key.split('_').includes(this.uid)) call.inboxes.delete(key);
    if (call.members.length === 0) this.server.end(callId);
    else this.server.publish(callId);
  }

  leaveOnUnload(callId: string): void {
    void this.leave(callId);
  }

  connect(callId: string, handlers: CallConnectionHandlers): CallConnection {
    const call = this.server.calls.get(callId);
    if (!call) throw new Error(`no call ${callId}`);
    call.connections.set(this.uid, handlers);
    const pending = new Set<string>();
    const deliver = (key: string) => {
      if (pending.has(key)) return;
      pending.add(key);
      // Later signals pile up behind this delivery, as behind a write in flight.
      setTimeout(() => {
        pending.delete(key);
        const [from, to] = key.split('_') as [string, string];
        const state = call.outboxes.get(key)?.state;
        const target = call.connections.get(to);
        if (!state || !target) return;
        let inbox = call.inboxes.get(key);
        if (!inbox) call.inboxes.set(key, (inbox = new MailboxInbox()));
        for (const signal of inbox.read(state)) target.signal(from, signal);
      }, 20);
    };
    let closed = false;
    return {
      send: (to, signal) => {
        if (closed || !call.members.includes(to)) return;
        const key = `${this.uid}_${to}`;
        let box = call.outboxes.get(key);
        if (!box) call.outboxes.set(key, (box = new MailboxOutbox(16 * 1024)));
        box.add(signal);
        deliver(key);
      },
      drop: () => undefined,
      close: () => {
        closed = true;
        if (call.connections.get(this.uid) === handlers) call.connections.delete(this.uid);
      },
    };
  }
}
