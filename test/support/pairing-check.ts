/**
 * What "pairing is correct" means, checked on a settled database: the load
 * test and the benchmark run many joins at once, then hand this the final
 * calls and queue and what each client was told. Pure, so that a unit test
 * can show it catches each kind of mistake.
 */

export interface ClientView {
  readonly uid: string;
  readonly room: string;
  /** True for clients that called leave after their join. */
  readonly left: boolean;
  /** The last join answer: waiting (with the call id to listen on) or matched. */
  readonly outcome:
    { readonly status: 'waiting' | 'matched'; readonly callId: string } | { readonly status: 'error'; readonly message: string };
}

export interface CallView {
  readonly id: string;
  /** As on the call document: the joiner (told `matched`), then the waiter (told to listen on the call's id). */
  readonly members: readonly [joiner: string, waiter: string];
  readonly room: string;
}

export interface QueueView {
  readonly uid: string;
  readonly room: string;
  readonly callId: string;
  /** Uids this waiter blocked (compatible pairs exclude them). */
  readonly blocked?: readonly string[];
}

/** Every way the settled state breaks the rules; empty when it is correct. */
export function pairingViolations(
  clients: readonly ClientView[],
  calls: readonly CallView[],
  queue: readonly QueueView[],
): string[] {
  const problems: string[] = [];
  const byUid = new Map(clients.map((c) => [c.uid, c]));
  const callsOf = new Map<string, CallView[]>();
  for (const call of calls) {
    const [joinerUid, waiterUid] = call.members;
    if (joinerUid === waiterUid) problems.push(`call ${call.id}: ${joinerUid} is paired with themself`);
    for (const uid of new Set(call.members)) {
      callsOf.set(uid, [...(callsOf.get(uid) ?? []), call]);
      const client = byUid.get(uid);
      if (!client) {
        problems.push(`call ${call.id}: ${uid} is no client of this run`);
        continue;
      }
      if (client.room !== call.room) problems.push(`call ${call.id} in ${call.room}: ${uid} chose ${client.room}`);
      if (client.left) problems.push(`call ${call.id}: ${uid} left but is in a call`);
    }
    const waiter = byUid.get(waiterUid);
    const joiner = byUid.get(joinerUid);
    if (waiter && !(waiter.outcome.status === 'waiting' && waiter.outcome.callId === call.id)) {
      problems.push(`call ${call.id}: its waiter ${waiterUid} was not told to listen on it`);
    }
    if (joiner && !(joiner.outcome.status === 'matched' && joiner.outcome.callId === call.id)) {
      problems.push(`call ${call.id}: its joiner ${joinerUid} was not told it matched it`);
    }
  }
  for (const [uid, mine] of callsOf) {
    if (mine.length > 1) problems.push(`${uid} is in ${mine.length} calls: ${mine.map((c) => c.id).join(', ')}`);
  }
  const waiting = new Map<string, QueueView>();
  for (const entry of queue) {
    waiting.set(entry.uid, entry);
    const client = byUid.get(entry.uid);
    if (client?.left) problems.push(`${entry.uid} left but is still queued`);
    if (callsOf.has(entry.uid)) problems.push(`${entry.uid} is both queued and in a call`);
    if (client && client.outcome.status === 'waiting' && client.outcome.callId !== entry.callId) {
      problems.push(`${entry.uid} waits under ${entry.callId} but was told ${client.outcome.callId}`);
    }
  }
  for (const client of clients) {
    if (client.outcome.status === 'error') problems.push(`${client.uid}: join failed: ${client.outcome.message}`);
    else if (!client.left && !callsOf.has(client.uid) && !waiting.has(client.uid)) {
      problems.push(`${client.uid} is neither paired nor waiting`);
    }
  }
  // No lost match: two compatible people of one room both still waiting.
  const byRoom = new Map<string, QueueView[]>();
  for (const entry of queue) byRoom.set(entry.room, [...(byRoom.get(entry.room) ?? []), entry]);
  for (const [room, entries] of byRoom) {
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const [a, b] = [entries[i]!, entries[j]!];
        if (!a.blocked?.includes(b.uid) && !b.blocked?.includes(a.uid)) {
          problems.push(`${a.uid} and ${b.uid} both wait in ${room}: a partner was available`);
        }
      }
    }
  }
  return problems;
}
