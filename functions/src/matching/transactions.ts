/**
 * Firestore transactions as Parley runs them (Report and Block, which touch
 * one call and a few per-person documents): counted and retried. Pairing uses
 * conditional batches instead (optimistic.ts says why).
 *
 * Counted: a MeteredTransaction adds to a UsageMeter what Firestore bills —
 * the reads of every attempt, the writes and deletes of the attempt that
 * commits — so no caller counts operations by hand.
 *
 * Retried: a transaction that loses a contention race the Admin SDK did not
 * retry itself runs again. Production Firestore and the emulator both answer
 * some with ABORTED (the emulator as "Transaction lock timeout" on a read,
 * which the SDK treats as final), e.g. when both people of a call report at once.
 */
import type {
  DocumentData,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Query,
  QuerySnapshot,
  Transaction,
  UpdateData,
  PartialWithFieldValue,
  WithFieldValue,
} from 'firebase-admin/firestore';
import { backoffMs, isContention } from '../domain/backoff.js';
import { queryReads, UsageMeter } from '../domain/usage.js';
import { collectionOf } from './optimistic.js';

/** Whole-transaction attempts before the error reaches the caller. */
const ATTEMPTS = 6;

/** The part of a Transaction that Parley uses, with every operation counted. */
export class MeteredTransaction {
  /** Writes and deletes of this attempt; they count only if it commits. */
  readonly writes = new UsageMeter();

  constructor(
    private readonly tx: Transaction,
    private readonly reads: UsageMeter,
  ) {}

  async getDoc<T extends DocumentData>(ref: DocumentReference<T>, what = collectionOf(ref)): Promise<DocumentSnapshot<T>> {
    const snap = await this.tx.get(ref);
    this.reads.read(1, what);
    return snap;
  }

  async query<T extends DocumentData>(query: Query<T>, what = 'query'): Promise<QuerySnapshot<T>> {
    const snap = await this.tx.get(query);
    this.reads.read(queryReads(snap.size), what);
    return snap;
  }

  set<T extends DocumentData>(ref: DocumentReference<T>, data: WithFieldValue<T>, what = collectionOf(ref)): void {
    this.tx.set(ref, data);
    this.writes.write(1, what);
  }

  /** Sets the fields of `data` and keeps the document's others (creates it if missing). */
  merge<T extends DocumentData>(ref: DocumentReference<T>, data: PartialWithFieldValue<T>, what = collectionOf(ref)): void {
    this.tx.set(ref, data, { merge: true });
    this.writes.write(1, what);
  }

  create<T extends DocumentData>(ref: DocumentReference<T>, data: WithFieldValue<T>, what = collectionOf(ref)): void {
    this.tx.create(ref, data);
    this.writes.write(1, what);
  }

  /** Fails the transaction if the document does not exist. */
  update<T extends DocumentData>(ref: DocumentReference<T>, data: UpdateData<T>, what = collectionOf(ref)): void {
    this.tx.update(ref, data);
    this.writes.write(1, what);
  }

  delete(ref: DocumentReference, what = collectionOf(ref)): void {
    this.tx.delete(ref);
    this.writes.delete(1, what);
  }
}

/** Runs `body` in a transaction, retrying lost contention races, and adds its cost to `meter`. */
export async function runContended<T>(
  db: Firestore,
  body: (tx: MeteredTransaction) => Promise<T>,
  meter: UsageMeter = new UsageMeter(),
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      let committed: MeteredTransaction | undefined;
      const result = await db.runTransaction(async (tx) => {
        committed = new MeteredTransaction(tx, meter);
        return body(committed);
      });
      if (committed) meter.add(committed.writes);
      return result;
    } catch (err) {
      if (!isContention(err) || attempt >= ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}
