/**
 * Optimistic writes: read without locks, then commit a batch whose every write
 * is conditional on what was read (a document's update time, or its absence).
 * A batch that lost a race fails at once with a precondition error and the
 * caller reads again.
 *
 * Why not transactions for pairing: a server-SDK transaction locks what it
 * reads. When many joiners read the same waiting entries, their locks queue
 * and deadlock on upgrade (each holds a read lock the other needs to write);
 * production breaks the tie after a delay, and the Firestore emulator only
 * after a 30 s "Transaction lock timeout". A conditional batch holds no lock
 * between the read and the commit, so losers lose in one round trip.
 */
import type {
  DocumentData,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Precondition,
  Query,
  QuerySnapshot,
  UpdateData,
  WithFieldValue,
  WriteBatch,
  WriteResult,
} from 'firebase-admin/firestore';
import { queryReads, type UsageMeter } from '../domain/usage.js';

/** gRPC codes of a conditional write that lost a race: NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED. */
const LOST_RACE = new Set([5, 6, 9, 10]);

/** Whether `err` is a commit that lost to a concurrent write (read again and retry), not a real failure. */
export function isLostRace(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && LOST_RACE.has((err as { code: number }).code);
}

/**
 * What an operation on `ref` is counted under when the caller names nothing
 * more precise: its collection path without ids (`queue`, `calls/signals`).
 */
export function collectionOf(ref: DocumentReference): string {
  return ref.parent.path
    .split('/')
    .filter((_, i) => i % 2 === 0)
    .join('/');
}

/** Reads one document, counted (under `what`, or its collection). */
export async function readDoc<T extends DocumentData>(
  ref: DocumentReference<T>,
  meter: UsageMeter,
  what = collectionOf(ref),
): Promise<DocumentSnapshot<T>> {
  const snap = await ref.get();
  meter.read(1, what);
  return snap;
}

/** Runs a query, counted as Firestore bills it, under `what`. */
export async function readQuery<T extends DocumentData>(
  query: Query<T>,
  meter: UsageMeter,
  what: string,
): Promise<QuerySnapshot<T>> {
  const snap = await query.get();
  meter.read(queryReads(snap.size), what);
  return snap;
}

/**
 * A write batch whose operations are counted when (and only when) it commits.
 * `commit` returns the write results in the order the writes were added.
 */
export class MeteredBatch {
  private readonly batch: WriteBatch;
  /** The operations of this batch, by name; they count only if it commits. */
  private readonly ops: Array<{ readonly what: string; readonly delete: boolean }> = [];

  constructor(
    db: Firestore,
    private readonly meter: UsageMeter,
  ) {
    this.batch = db.batch();
  }

  /** Index of the next write, to find its result after commit. */
  get size(): number {
    return this.ops.length;
  }

  /** Fails the batch if the document exists. */
  create<T extends DocumentData>(ref: DocumentReference<T>, data: WithFieldValue<T>, what = collectionOf(ref)): void {
    this.batch.create(ref, data);
    this.ops.push({ what, delete: false });
  }

  /** Writes the whole document, whatever was there (no condition). */
  set<T extends DocumentData>(ref: DocumentReference<T>, data: WithFieldValue<T>, what = collectionOf(ref)): void {
    this.batch.set(ref, data);
    this.ops.push({ what, delete: false });
  }

  /** Fails the batch if the document changed (or vanished) since `lastUpdateTime`. */
  update<T extends DocumentData>(
    ref: DocumentReference<T>,
    data: UpdateData<T>,
    precondition: Precondition,
    what = collectionOf(ref),
  ): void {
    this.batch.update(ref, data, precondition);
    this.ops.push({ what, delete: false });
  }

  /** With a precondition, fails the batch if the document changed since it was read. */
  delete(ref: DocumentReference, precondition?: Precondition, what = collectionOf(ref)): void {
    if (precondition) this.batch.delete(ref, precondition);
    else this.batch.delete(ref);
    this.ops.push({ what, delete: true });
  }

  async commit(): Promise<WriteResult[]> {
    const results = await this.batch.commit();
    for (const op of this.ops) {
      if (op.delete) this.meter.delete(1, op.what);
      else this.meter.write(1, op.what);
    }
    return results;
  }
}

/**
 * Writes `data` as the whole content of a document that was read as `snap`:
 * created if it did not exist, replaced if it has not changed since. Either
 * way the batch fails if someone else wrote it in between.
 */
export function replaceIfUnchanged<T extends DocumentData>(
  batch: MeteredBatch,
  snap: DocumentSnapshot<T>,
  data: WithFieldValue<T>,
  what = collectionOf(snap.ref),
): void {
  if (snap.exists && snap.updateTime) {
    batch.update(snap.ref, data as UpdateData<T>, { lastUpdateTime: snap.updateTime }, what);
  } else {
    batch.create(snap.ref, data, what);
  }
}
