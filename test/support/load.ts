/**
 * Many clients pressing Start at the same moment, through the Functions
 * emulator: the load test (test/emulator/load.emulator.test.ts) checks the
 * outcome, the benchmark (test/bench/run-bench.ts) times it.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { doc, serverTimestamp, updateDoc } from 'firebase/firestore';
import { QUEUE_COLLECTION, WAITING_HEARTBEAT_MS, type JoinResult } from '../../functions/src/protocol/calls.js';
import { fakeOffer, type TestUser } from './emulator.js';
import type { CallView, ClientView, QueueView } from './pairing-check.js';
import { leaveResendingDrops } from './storm.js';

export interface LoadPlan {
  /** Client i joins rooms[i % rooms.length] (repeat a room to weight it). */
  readonly rooms: readonly string[];
  /** Every n-th client (n > 0) calls leave as soon as its join returns; 0: nobody leaves. */
  readonly leaveEvery: number;
}

export interface ClientRun extends ClientView {
  /** Epoch ms when its first join was sent, and when that join answered. */
  readonly sentAtMs: number;
  readonly answeredAtMs: number;
}

/**
 * The Functions emulator runs one process per request in flight, started on
 * first need. Booting a hundred at once takes tens of seconds of CPU, which
 * is not what a load test is about: one bad request per client, all at once,
 * leaves that many processes warm (each answers invalid-argument, writes nothing).
 */
export async function warmUp(users: readonly TestUser[]): Promise<void> {
  await Promise.all(users.map((u) => u.call('join', {}).catch(() => undefined)));
}

/**
 * What a waiting page does (web/src/backend/functions-matcher.ts,
 * keepWaiting): every WAITING_HEARTBEAT_MS it writes `seenAt` on its queue
 * entry, until the write is refused (the entry is gone: matched, or left)
 * or `stop` is called. Each beat changes the entry's update time, which is
 * what a pairing that read the entry just before must cope with.
 */
function keepWaiting(user: TestUser): { stop(): void; readonly beats: number } {
  const ref = doc(user.db, QUEUE_COLLECTION, user.uid);
  let beats = 0;
  const timer = setInterval(() => {
    updateDoc(ref, { seenAt: serverTimestamp() }).then(
      () => beats++,
      () => clearInterval(timer),
    );
  }, WAITING_HEARTBEAT_MS);
  return {
    stop: () => clearInterval(timer),
    get beats() {
      return beats;
    },
  };
}

/** Heartbeats written by waiting clients during the stampedes of this process (the bench reports them). */
export const heartbeats = { count: 0 };

/**
 * Fires every client's join at once (and the leavers' leave right after);
 * returns what each was told once every join has answered. A client told to
 * wait beats on its entry like a page until then.
 */
export async function stampede(users: readonly TestUser[], plan: LoadPlan): Promise<ClientRun[]> {
  const waiting: Array<ReturnType<typeof keepWaiting>> = [];
  try {
    return await Promise.all(
      users.map(async (user, i): Promise<ClientRun> => {
        const room = plan.rooms[i % plan.rooms.length]!;
        const left = plan.leaveEvery > 0 && i % plan.leaveEvery === plan.leaveEvery - 1;
        const sentAtMs = Date.now();
        const outcome = await join(user, room);
        const answeredAtMs = Date.now();
        if (left) await leaveResendingDrops(user, transportRetries);
        else if (outcome.status === 'waiting') waiting.push(keepWaiting(user));
        return { uid: user.uid, room, left, outcome, sentAtMs, answeredAtMs };
      }),
    );
  } finally {
    for (const w of waiting) {
      w.stop();
      heartbeats.count += w.beats;
    }
  }
}

/** Requests the Functions emulator dropped without an answer (HTTP status 0), retried. */
export const transportRetries = { count: 0 };

/**
 * Widening off: the run checks that people meet only in the room they chose.
 * A request the emulator dropped without any answer (it sometimes resets
 * connections with a hundred processes starting on two cores) is sent again,
 * as a page's Start would be; any answer from the function itself counts.
 */
async function join(user: TestUser, room: string): Promise<ClientView['outcome']> {
  for (let attempt = 1; ; attempt++) {
    try {
      // presenceOnCall as a page sends it: the pairing makes no presence documents.
      const o = await user.call<JoinResult>('join', { room, offer: fakeOffer(user.uid), widen: false, presenceOnCall: true });
      // Only a renewal can be told 'paired'; a first join that is would be a defect the check must see.
      if (o.status === 'paired') return { status: 'error', message: `'paired' answered a first join (${o.callId})` };
      return { status: o.status, callId: o.callId };
    } catch (err) {
      const dropped = String(err).includes('internal [0]');
      if (!dropped || attempt >= 3) return { status: 'error', message: String(err) };
      transportRetries.count++;
    }
  }
}

/**
 * What a page does when its partner left before the call began: look again.
 * Clients that are neither in a call nor queued (and did not leave) join
 * again, all at once; returns the updated views.
 */
export async function rejoinOrphans(
  users: readonly TestUser[],
  clients: readonly ClientRun[],
  db: Firestore,
): Promise<{ clients: ClientRun[]; rejoined: number }> {
  const { calls, queue } = await settledState(db);
  const busy = new Set([...calls.flatMap((c) => c.members), ...queue.map((q) => q.uid)]);
  const orphans = clients.filter((c) => !c.left && !busy.has(c.uid));
  const again = new Map(
    await Promise.all(
      orphans.map(async (c) => {
        const user = users.find((u) => u.uid === c.uid)!;
        return [c.uid, await join(user, c.room)] as const;
      }),
    ),
  );
  return {
    clients: clients.map((c) => (again.has(c.uid) ? { ...c, outcome: again.get(c.uid)! } : c)),
    rejoined: orphans.length,
  };
}

/** The calls and the queue as they are now, with the call's creation time. */
export async function settledState(
  db: Firestore,
): Promise<{ calls: Array<CallView & { readonly createdAtMs: number }>; queue: QueueView[] }> {
  const [calls, queue] = await Promise.all([db.collection('calls').get(), db.collection('queue').get()]);
  return {
    calls: calls.docs.map((d) => ({
      id: d.id,
      members: d.get('members') as CallView['members'],
      room: d.get('room') as string,
      createdAtMs: d.createTime.toMillis(),
    })),
    queue: queue.docs.map((d) => ({
      uid: d.id,
      room: d.get('room') as string,
      callId: d.get('callId') as string,
      blocked: (d.get('blocked') as string[] | undefined) ?? [],
    })),
  };
}
